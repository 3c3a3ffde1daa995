"""Plain-language factors for a known client: right direction, right label, right level."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "modeling"))
from synthetic import synthetic_features  # noqa: E402

from credit_scoring_kedro.explain.local import LocalExplainer  # noqa: E402
from credit_scoring_kedro.explain.reference import feature_reference  # noqa: E402
from credit_scoring_kedro.modeling.bundle import ModelBundle  # noqa: E402
from credit_scoring_kedro.modeling.calibration import CalibratedModel  # noqa: E402
from credit_scoring_kedro.modeling.candidates import make_candidate  # noqa: E402
from credit_scoring_kedro.modeling.cost import CostWeights  # noqa: E402
from credit_scoring_kedro.modeling.encoding import FeatureEncoder  # noqa: E402

GLOSSARY = {"labels": {"EXT_SOURCE_2": "External credit score 2"}}
DICTIONARY = [
    {"name": "EXT_SOURCE_2", "description": "Normalized score from external data source"},
    {"name": "EXT_SOURCE_3", "description": "Normalized score from external data source 3, scaled"},
    {"name": "AMT_INCOME_TOTAL", "description": "Income of the client"},
    {"name": "NAME_CONTRACT_TYPE", "description": "Identification if loan is cash or revolving"},
    {"name": "NOISE", "description": "Random noise"},
]


@pytest.fixture(scope="module")
def explainer() -> tuple[LocalExplainer, pd.DataFrame]:
    features, flags = synthetic_features(4000, seed=31)
    frame = features.to_pandas()
    encoder = FeatureEncoder().fit(frame)
    X = encoder.transform(frame)
    y = flags["TARGET"].to_numpy()
    base = make_candidate("lgbm", "none", ["NAME_CONTRACT_TYPE"],
                          [c for c in X.columns if c != "NAME_CONTRACT_TYPE"], 0,
                          {"n_estimators": 60}).fit(X, y)
    bundle = ModelBundle(encoder, CalibratedModel(base), 0.1, CostWeights())
    reference = feature_reference(frame, y, bundle.features)
    return LocalExplainer.build(bundle, DICTIONARY, GLOSSARY, reference), frame


def test_a_safe_score_is_named_and_lowers_the_risk(explainer) -> None:
    local, frame = explainer
    client = frame.sort_values("EXT_SOURCE_2").tail(1)        # the best external score
    result = local.explain(client, top_k=3)
    factor = next(f for f in result["lowers_risk"] if f["feature"] == "EXT_SOURCE_2")
    assert factor["contribution"] < 0
    assert factor["sentence"].startswith("External credit score 2 is high (")
    assert factor["sentence"].endswith(": lowers the risk")


def test_a_bad_score_raises_the_risk(explainer) -> None:
    local, frame = explainer
    # the 20 worst external scores (hundreds tie at 0: one client's other features may
    # outweigh it, so the property is checked on the group, not on an arbitrary tie)
    worst = frame.sort_values("EXT_SOURCE_2", kind="stable").head(20)
    sentences = []
    for i in range(len(worst)):
        result = local.explain(worst.iloc[[i]], top_k=3)
        sentences += [f["sentence"] for f in result["raises_risk"] if f["feature"] == "EXT_SOURCE_2"]
    assert len(sentences) >= 18
    assert all(s.startswith("External credit score 2 is low (") for s in sentences)
    assert all(s.endswith(": raises the risk") for s in sentences)


def test_labels_fall_back_to_the_description_and_missing_values_are_said(explainer) -> None:
    local, frame = explainer
    assert local.labels["EXT_SOURCE_3"] == "Normalized score from external data source 3"
    client = frame[frame["EXT_SOURCE_3"].isna()].head(1)
    result = local.explain(client, top_k=10)
    factors = result["raises_risk"] + result["lowers_risk"]
    unknown = [f for f in factors if f["feature"] == "EXT_SOURCE_3"]
    assert not unknown or "is unknown" in unknown[0]["sentence"]


def test_explanation_adds_up_and_matches_the_probability(explainer) -> None:
    local, frame = explainer
    client = frame.iloc[[7]]
    result = local.explain(client, top_k=50)
    p = result["probability"]
    assert result["log_odds"] == pytest.approx(np.log(p / (1 - p)), abs=1e-6)
    shown = sum(f["contribution"] for f in result["raises_risk"] + result["lowers_risk"])
    assert result["base_value"] + shown == pytest.approx(result["log_odds"], abs=1e-6)
    with pytest.raises(ValueError, match="one client"):
        local.explain(frame.head(2))


def test_labels_are_short_for_history_aggregates_and_patterned_columns() -> None:
    from credit_scoring_kedro.explain.local import feature_label

    glossary = {"statistics": {"mean": "Average"}, "scopes": {"CLOSED": "closed"},
                "sources": {"bureau": "other lenders"},
                "column_labels": {"AMT_CREDIT_SUM": "credit amount"},
                "label_patterns": [{"pattern": "^(.+)_MEDI$", "label": "Building: {words} (median)"}]}
    aggregate = {"name": "BURO_CLOSED_AMT_CREDIT_SUM_MEAN", "kind": "history_aggregate",
                 "source_table": "bureau", "source_column": "AMT_CREDIT_SUM",
                 "statistic": "mean", "scope": "CLOSED",
                 "description": "Average current credit amount over the client's credits at "
                                "other lenders reported by the Credit Bureau (closed only)"}
    assert feature_label(aggregate, glossary) == "Average credit amount (other lenders, closed)"
    unnamed = aggregate | {"source_column": "DAYS_CREDIT",
                           "description": "Average how many days before, in days, over them"}
    assert feature_label(unnamed, glossary) == "Average how many days before (other lenders, closed)"
    building = {"name": "LIVING_AREA_MEDI", "description": "Normalized information, long"}
    assert feature_label(building, glossary) == "Building: living area (median)"
    assert feature_label(building, glossary | {"labels": {"LIVING_AREA_MEDI": "Living area"}}) \
        == "Living area"
