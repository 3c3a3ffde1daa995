"""Champion / challenger in the MLflow model registry, decided on business cost.

A newly trained model is logged with its input signature and registered. It earns the
``champion`` alias only if its cost per client on the held-out split is lower than the
current champion's on the same rows; otherwise it gets the ``challenger`` alias.
"""

from __future__ import annotations

import logging
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient

from credit_scoring_kedro.modeling.cost import business_cost

logger = logging.getLogger(__name__)

CHAMPION, CHALLENGER = "champion", "challenger"


def log_and_register(model: Any, example: pd.DataFrame, name: str, pip_requirements: list[str]) -> str:
    """Log the served model (encoded features in, probability out) and register it; return its version."""
    signature = infer_signature(example, model.predict_proba(example)[:, 1])
    info = mlflow.sklearn.log_model(model, name="model", signature=signature,
                                    registered_model_name=name, pip_requirements=pip_requirements,
                                    serialization_format="cloudpickle")
    return str(info.registered_model_version)


def champion_cost(client: MlflowClient, name: str, X: pd.DataFrame, y: np.ndarray, threshold_tag: str,
                  weights) -> tuple[str | None, float | None, str]:
    """Cost of the current champion on (X, y), or None with the reason it cannot be compared."""
    try:
        version = client.get_model_version_by_alias(name, CHAMPION)
    except mlflow.exceptions.MlflowException:
        return None, None, "no champion yet"
    try:
        model = mlflow.sklearn.load_model(f"models:/{name}@{CHAMPION}")
        threshold = float(version.tags[threshold_tag])
        proba = model.predict_proba(X)[:, 1]
    except Exception as exc:  # an older champion may expect other features
        return str(version.version), None, f"the champion cannot score the current data ({exc})"
    return str(version.version), business_cost(y, proba >= threshold, weights), "compared on the same split"


def promote(name: str, version: str, new_cost: float,
            old_version: str | None, old_cost: float | None, reason: str) -> dict[str, Any]:
    """The alias ``version`` earns: champion when it beats the champion, else challenger.

    The alias itself moves when the bundle is published into that version
    (:meth:`~credit_scoring_kedro.modeling.registry_bundles.RegistryBundles.publish`), so that
    no alias ever names a version without its bundle.
    """
    wins = old_cost is None or new_cost < old_cost
    alias = CHAMPION if wins else CHALLENGER
    decision = {"registered_model": name, "version": version, "alias": alias,
                "new_cost": new_cost, "champion_version": old_version, "champion_cost": old_cost,
                "reason": reason if old_cost is None else
                (f"cost {new_cost:.4f} vs champion {old_cost:.4f}: "
                 + ("promoted" if wins else "kept as challenger"))}
    logger.info("Model %s v%s -> %s (%s)", name, version, alias, decision["reason"])
    return decision
