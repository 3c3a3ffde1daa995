"""The one serving artifact: encoder, model, threshold, feature list and training metadata.

Stored with its version in the MLflow Model Registry (the catalog's ``model_bundle``);
the API, the dashboard and batch scoring load a fetched copy with :func:`load_bundle`, no
Kedro session needed. It holds only objects this project trained itself; user input is
never unpickled (requests arrive as JSON).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd

from credit_scoring_kedro.modeling.cost import CostWeights
from credit_scoring_kedro.modeling.encoding import FeatureEncoder

MODEL_FILE = "model.joblib"
META_FILE = "bundle.json"


@dataclass
class ModelBundle:
    """Everything needed to turn a feature row into a probability and a decision."""

    encoder: FeatureEncoder
    model: Any
    threshold: float
    cost_weights: CostWeights
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def features(self) -> list[str]:
        return list(self.encoder.feature_names_in_)

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", "unversioned"))

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Probability of default of each row (rows of a feature table, extra columns ignored)."""
        return self.model.predict_proba(self.encoder.transform(features))[:, 1]

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """'refused' when the probability reaches the threshold, 'granted' otherwise."""
        return np.where(np.asarray(proba) >= self.threshold, "refused", "granted")


def save_bundle(bundle: ModelBundle, directory: Path) -> None:
    """Write the bundle to ``directory`` atomically (a reader never sees half a bundle)."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".bundle-", dir=directory.parent))
    try:
        joblib.dump({"encoder": bundle.encoder, "model": bundle.model}, tmp / MODEL_FILE)
        meta = {"threshold": bundle.threshold,
                "cost_weights": {"false_negative": bundle.cost_weights.false_negative,
                                 "false_positive": bundle.cost_weights.false_positive},
                "features": bundle.features, "metadata": bundle.metadata}
        (tmp / META_FILE).write_text(json.dumps(meta, indent=2, default=_json_default))
        old = directory.with_name(directory.name + ".old")
        if directory.exists():
            os.replace(directory, old)
        os.replace(tmp, directory)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_bundle(directory: Path | str) -> ModelBundle:
    """Load a bundle folder written by :func:`save_bundle` (a trusted, project-produced artifact).

    The served bundles live in the MLflow Model Registry; the catalog's ``model_bundle``
    (:mod:`credit_scoring_kedro.modeling.registry_bundles`) fetches one into a local folder.
    """
    directory = Path(directory)
    if not (directory / META_FILE).exists():
        raise FileNotFoundError(f"No model bundle in {directory}: run `make pipelines` first")
    meta = json.loads((directory / META_FILE).read_text())
    parts = joblib.load(directory / MODEL_FILE)
    return ModelBundle(encoder=parts["encoder"], model=parts["model"], threshold=meta["threshold"],
                       cost_weights=CostWeights(**meta["cost_weights"]), metadata=meta["metadata"])


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
