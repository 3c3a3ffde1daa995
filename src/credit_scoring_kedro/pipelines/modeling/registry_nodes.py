"""Nodes that compare the new model with the champion, register it and describe it.

Comparing is pure (the champion arrives through the catalog, ``current_champion``);
registering is one node, the only one that writes to the MLflow registry; the alias moves
when ``model_bundle`` is saved, once the bundle is stored with its version. No node changes
its inputs: the published bundle is a new bundle.
"""

from __future__ import annotations

import dataclasses
import logging
from importlib.metadata import version

import mlflow
import pandas as pd
from sklearn.pipeline import Pipeline

from credit_scoring_kedro.modeling.bundle import ModelBundle
from credit_scoring_kedro.modeling.model_card import (
    build_model_card,
    held_out_evidence,
    render_markdown,
)
from credit_scoring_kedro.modeling.registry import champion_on, decide_alias, log_and_register

from .candidate_nodes import weights

logger = logging.getLogger(__name__)
TARGET = "TARGET"
REQUIREMENTS = ("scikit-learn", "lightgbm", "imbalanced-learn", "pandas", "numpy", "polars")


def score_champion(champion: ModelBundle | None, X_test: pd.DataFrame, y_test: pd.DataFrame,
                   params: dict) -> dict:
    """The current champion's cost per client on this run's held-out clients (same cost weights)."""
    return champion_on(champion, X_test, y_test[TARGET].to_numpy(), weights(params))


def compare_with_champion(bundle: ModelBundle, champion: dict) -> dict:
    """Champion if the new model's held-out cost is lower than the champion's, else challenger."""
    return decide_alias(float(bundle.metadata["test_metrics"]["business_cost"]), champion)


def register_model(bundle: ModelBundle, promotion: dict, X_test: pd.DataFrame, params: dict
                   ) -> dict:
    """Log the served model (raw feature rows in, probability out) and register it as a new
    version; returns the decision with that version (``registry_decision``)."""
    name = params["registered_model_name"]
    served = Pipeline([("encode", bundle.encoder), ("model", bundle.model)])
    number = log_and_register(served, X_test.head(50), name,
                              [f"{p}=={version(p)}" for p in REQUIREMENTS])
    client = mlflow.MlflowClient()
    client.set_model_version_tag(name, number, "threshold", str(bundle.threshold))
    client.set_model_version_tag(name, number, "trained_at", bundle.metadata["trained_at"])
    for key in ("new_cost", "champion_cost"):
        if promotion[key] is not None:
            mlflow.log_metric(f"registry_{key}", promotion[key])
    mlflow.set_tag("registry_decision", promotion["alias"])
    logger.info("Model %s v%s -> %s (%s)", name, number, promotion["alias"], promotion["reason"])
    return {"registered_model": name, "version": number, **promotion}


def bootstrap_held_out(test_predictions: pd.DataFrame, params: dict) -> dict:
    """The model card's evidence: bootstrap intervals of the held-out AUC and cost."""
    return held_out_evidence(test_predictions, weights(params), params.get("model_card", {}))


def write_model_card(bundle: ModelBundle, decision: dict, evidence: dict, populations: dict,
                     fairness: dict, params: dict, monitoring: dict) -> tuple[dict, str]:
    """The model card of this run's model, as a dict and as Markdown (both logged to MLflow).

    Args:
        bundle: ``candidate_bundle`` (training time, threshold, features, metrics).
        decision: ``registry_decision`` (the MLflow model version the card describes).
        evidence: ``held_out_evidence`` (bootstrap intervals, refused share).
        populations: ``training_populations`` (clients and defaults per part, demo data or not).
        fairness: ``fairness_report`` of this run.
        params: ``params:modeling``; monitoring: ``params:monitoring``.

    Returns:
        ``model_card`` (JSON) and ``model_card_markdown``; the card also enters the bundle.
    """
    # the bundle is published under its registry version number (publish_model)
    metadata = {**bundle.metadata, "version": str(decision["version"])}
    card = build_model_card(metadata, bundle.threshold, bundle.cost_weights, bundle.features,
                            decision, evidence, populations, fairness, params, monitoring)
    perf = card["performance"]
    logger.info("model card %s: AUC %s, cost per client %s, %d known limit(s)",
                card["model"]["version"], _interval(perf["auc"]),
                _interval(perf["business_cost_per_client"]), len(card["known_limits"]))
    return card, render_markdown(card)


def _interval(entry: dict) -> str:
    if entry["low"] is None:
        return "n/a" if entry["value"] is None else f"{entry['value']:.3f}"
    return f"{entry['value']:.4f} [{entry['low']:.4f}, {entry['high']:.4f}]"


def publish_model(bundle: ModelBundle, decision: dict, card: dict) -> ModelBundle:
    """A new bundle: the candidate's, numbered as its registry version, with its decision and card.

    Saving it (``model_bundle``) uploads it into that registered version and gives the version
    its alias: champion (served) or challenger (kept); the API serves the card of the bundle
    it serves.
    """
    return dataclasses.replace(bundle, metadata={**bundle.metadata,
                                                 "version": str(decision["version"]),
                                                 "registry": decision, "model_card": card})
