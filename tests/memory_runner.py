"""Run a pipeline in this process over a catalog of memory datasets (the Kedro starters' way).

No session, no hooks, no files: what a pipeline computes from its inputs and parameters.
Subprocess runs (``kedro_runner.run_kedro``) stay for the runs that need the project's hooks
(kedro-mlflow's tracking and the registry), which keep state across in-process sessions.
"""

from __future__ import annotations

from typing import Any

from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Pipeline
from kedro.runner import SequentialRunner


class KeptDataset(MemoryDataset):
    """A memory dataset the runner does not release once its consumers ran."""

    def _release(self) -> None:
        pass


def run_in_memory(pipeline: Pipeline, inputs: dict[str, Any]) -> dict[str, Any]:
    """Every dataset the pipeline produces, from ``inputs`` (datasets and ``params:...``)."""
    catalog = DataCatalog({name: MemoryDataset(value, copy_mode="assign")
                           for name, value in inputs.items()})
    produced = pipeline.all_outputs()
    for name in produced:
        catalog[name] = KeptDataset(copy_mode="assign")
    missing = pipeline.inputs() - set(inputs)
    assert not missing, f"the pipeline needs inputs that were not given: {sorted(missing)}"
    SequentialRunner().run(pipeline, catalog)
    return {name: catalog[name].load() for name in produced}
