"""Replay a logged decision: recompute it from its record and the model version that took it.

What is checked, in order, each with its own verdict:

1. the seal: the record is as it was written (no column changed since);
2. the model: the record's version is still in the MLflow Model Registry with its bundle
   (fetched through the local registry cache, downloaded when missing);
3. the probability: the model applied to the stored feature row gives the logged one (to
   ``1e-12``) and, with the logged threshold, the logged decision. A decision logged as
   ``review`` (the review switch was on: a person decides, see
   :mod:`credit_scoring_kedro.serving.review_mode`) is checked on what the model decided,
   its ``automatic_decision``;
4. the inputs: the application features recomputed from the logged inputs equal those of the
   stored row (the history features come from the stored row only).

Nothing reads today's feature tables: a decision replays the same after the history store is
rebuilt and after a retraining published a new champion.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from credit_scoring_kedro.audit.record import decode_features, seal
from credit_scoring_kedro.features.domain import OUTPUT_COLUMNS
from credit_scoring_kedro.modeling.bundle import ModelBundle
from credit_scoring_kedro.modeling.registry_bundles import RegistryBundles, RegistryError
from credit_scoring_kedro.serving.request_schema import application_columns
from credit_scoring_kedro.serving.scorer import FastScorer, HistoryStore

TOLERANCE = 1e-12


@dataclass
class Replay:
    """The verdict on one decision."""

    decision_id: str
    matches: bool
    checks: dict[str, bool] = field(default_factory=dict)
    logged_probability: float | None = None
    replayed_probability: float | None = None
    logged_decision: str | None = None              # granted, refused or review
    logged_automatic_decision: str | None = None    # the model's (granted or refused)
    replayed_decision: str | None = None            # the model's, recomputed
    model_version: str | None = None
    history_snapshot: str | None = None
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def history_columns(bundle: ModelBundle) -> list[str]:
    """The model features read from the client-history store (not from the application)."""
    application = set(application_columns()) | set(OUTPUT_COLUMNS)
    return [f for f in bundle.features if f not in application]


def offline_scorer(bundle: ModelBundle) -> FastScorer:
    """The API's scorer with an empty history store: it never needs today's tables."""
    columns = history_columns(bundle)
    empty = HistoryStore(columns, np.empty((0, len(columns)), dtype=np.float32), {},
                         np.full(len(columns), np.nan, dtype=np.float32))
    return FastScorer(bundle, empty)


def replay(record: Mapping[str, Any], bundles: RegistryBundles) -> Replay:
    """Check one prediction-log row (as :meth:`PredictionLog.read` gives it, inputs parsed).

    Args:
        record: The logged row; ``inputs`` and ``reason_codes`` as JSON text or parsed.
        bundles: The registered model's bundles (the catalog's ``model_bundle.registry``):
            the record's version is fetched through the registry cache.
    """
    raw = dict(record)
    for key in ("inputs", "reason_codes"):   # the seal covers the stored text
        if not isinstance(raw.get(key), str) and raw.get(key) is not None:
            raw[key] = _stored_text(key, raw[key])
    out = Replay(str(raw.get("decision_id")), False,
                 logged_probability=raw.get("probability"), logged_decision=raw.get("decision"),
                 logged_automatic_decision=raw.get("automatic_decision") or raw.get("decision"),
                 model_version=raw.get("model_version"),
                 history_snapshot=raw.get("history_snapshot"))
    out.checks["sealed"] = bool(raw.get("record_hash")) and seal(raw) == raw["record_hash"]
    if not out.checks["sealed"]:
        out.problems.append("the record was changed after it was written (its seal differs)"
                            if raw.get("record_hash") else "the record has no seal")
    if not raw.get("features"):
        out.problems.append("the record holds no feature row (logged before replay existed)")
        return out
    try:
        bundle = bundles.load_version(str(raw["model_version"]))
    except (RegistryError, FileNotFoundError) as exc:
        out.checks["model_kept"] = False
        out.problems.append(f"model version {raw['model_version']} is no longer kept in the "
                            f"registry ({exc})")
        return out
    out.checks["model_kept"] = True
    scorer = offline_scorer(bundle)
    stored = decode_features(raw["features"])
    if stored.size != len(bundle.features):
        out.problems.append(f"the feature row has {stored.size} values, the model "
                            f"{len(bundle.features)}")
        return out
    probability = float(scorer.probabilities(stored[None, :])[0])
    out.replayed_probability = probability
    threshold = float(raw["threshold"])
    out.replayed_decision = "refused" if probability >= threshold else "granted"
    out.checks["probability"] = abs(probability - float(raw["probability"])) <= TOLERANCE
    # under the review switch the log says "review" and keeps the model's decision beside it
    consistent = raw["decision"] in (out.logged_automatic_decision, "review")
    out.checks["decision"] = (consistent and out.replayed_decision == out.logged_automatic_decision
                              and threshold == float(bundle.threshold))
    if not out.checks["probability"]:
        out.problems.append(f"the model gives {probability!r}, the log {raw['probability']!r}")
    if not out.checks["decision"]:
        said = raw["decision"] if raw["decision"] == out.logged_automatic_decision else (
            f"{raw['decision']} (model: {out.logged_automatic_decision})")
        out.problems.append(f"the decision replays as {out.replayed_decision} at the model's "
                            f"threshold {bundle.threshold!r}; the log says {said} "
                            f"at {threshold!r}")
    inputs = json.loads(raw["inputs"])
    recomputed, _ = scorer.feature_matrix([inputs])
    application = np.ones(len(bundle.features), dtype=bool)
    for column in history_columns(bundle):
        application[scorer.position[column]] = False
    same = _equal(recomputed[0][application], stored[application])
    out.checks["inputs_give_the_features"] = same
    if not same:
        differ = [f for f, a, b in zip(np.array(bundle.features)[application],
                                       recomputed[0][application], stored[application],
                                       strict=True) if not _equal(np.array([a]), np.array([b]))]
        out.problems.append("the logged inputs do not give the stored features: "
                            + ", ".join(differ[:10]))
    out.matches = all(out.checks.values())
    return out


def _equal(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a.astype(np.float32), b.astype(np.float32), equal_nan=True))


def _stored_text(key: str, value: Any) -> str:
    """The JSON text the log stored for a parsed ``inputs`` / ``reason_codes`` value."""
    if key == "reason_codes":
        return json.dumps(value)
    from pydantic_core import to_json

    return to_json(value, fallback=str).decode()
