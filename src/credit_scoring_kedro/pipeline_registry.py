"""Project pipelines: data_engineering, modeling, explainability and monitoring."""

from __future__ import annotations

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

#: Run order of `kedro run` with no --pipeline.
ORDER = ("data_engineering", "modeling", "explainability", "monitoring")


def register_pipelines() -> dict[str, Pipeline]:
    """Discover the pipelines; ``__default__`` chains those that exist, in :data:`ORDER`."""
    pipelines = find_pipelines(raise_errors=True)
    pipelines["__default__"] = sum(
        (pipelines[name] for name in ORDER if name in pipelines), Pipeline([])
    )
    return pipelines
