"""Champion / challenger in the MLflow model registry, decided on business cost.

A newly trained model earns the ``champion`` alias only if its cost per client on the
held-out split is lower than the current champion's on the same rows; otherwise it gets the
``challenger`` alias. Deciding is pure (:func:`champion_on`, :func:`decide_alias`); only
:func:`log_and_register` writes to the registry.
"""

from __future__ import annotations

from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow.models import infer_signature

from credit_scoring_kedro.modeling.cost import business_cost
from credit_scoring_kedro.modeling.registry_bundles import CHALLENGER, CHAMPION


def log_and_register(model: Any, example: pd.DataFrame, name: str, pip_requirements: list[str]) -> str:
    """Log the served model (encoded features in, probability out) and register it; return its version."""
    signature = infer_signature(example, model.predict_proba(example)[:, 1])
    info = mlflow.sklearn.log_model(model, name="model", signature=signature,
                                    registered_model_name=name, pip_requirements=pip_requirements,
                                    serialization_format="cloudpickle")
    return str(info.registered_model_version)


def champion_on(champion: Any, X: pd.DataFrame, y: np.ndarray, weights) -> dict[str, Any]:
    """The current champion's cost per client on (X, y), or None with why it cannot be compared.

    ``champion``: its bundle (``current_champion``), None when there is no champion yet.
    """
    if champion is None:
        return {"version": None, "cost": None, "reason": "no champion yet"}
    try:
        refused = champion.predict_proba(X) >= champion.threshold
    except Exception as exc:  # an older champion may expect other features
        return {"version": champion.version, "cost": None,
                "reason": f"the champion cannot score the current data ({exc})"}
    return {"version": champion.version, "cost": business_cost(y, refused, weights),
            "reason": "compared on the same split"}


def decide_alias(new_cost: float, champion: dict[str, Any]) -> dict[str, Any]:
    """The alias a new model earns: champion when it beats the champion, else challenger.

    The alias itself moves when the bundle is published into its registered version
    (:meth:`~credit_scoring_kedro.modeling.registry_bundles.RegistryBundles.publish`), so that
    no alias ever names a version without its bundle.
    """
    old_cost = champion["cost"]
    wins = old_cost is None or new_cost < old_cost
    return {"alias": CHAMPION if wins else CHALLENGER, "new_cost": new_cost,
            "champion_version": champion["version"], "champion_cost": old_cost,
            "reason": champion["reason"] if old_cost is None else
            (f"cost {new_cost:.4f} vs champion {old_cost:.4f}: "
             + ("promoted" if wins else "kept as challenger"))}
