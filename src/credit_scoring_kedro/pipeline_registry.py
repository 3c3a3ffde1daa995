"""Project pipelines: data_engineering, modeling, explainability, monitoring (+ batch_scoring)."""

from __future__ import annotations

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

#: Run order of `kedro run` with no --pipeline.
ORDER = ("data_engineering", "modeling", "explainability", "monitoring")

#: Run alone, monitoring reads the current population from its own catalog entries (point
#: them at any scored batch); inside the full run it watches this run's application_test.
MONITOR_THIS_RUN = {"monitoring_current_features": "feat_test",
                    "monitoring_current_scores": "test_scores"}


def register_pipelines() -> dict[str, Pipeline]:
    """Discover the pipelines; ``__default__`` chains those that exist, in :data:`ORDER`."""
    pipelines = find_pipelines(raise_errors=True)
    parts = []
    for name in ORDER:
        if name not in pipelines:
            continue
        part = pipelines[name]
        if name == "monitoring":
            part = Pipeline(part, inputs={k: v for k, v in MONITOR_THIS_RUN.items()
                                          if k in part.inputs()})
        parts.append(part)
    pipelines["__default__"] = sum(parts, Pipeline([]))
    return pipelines
