"""Plain-language factors for a known client: right direction, right label, right level."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "modeling"))
from synthetic import synthetic_features  # noqa: E402

from credit_scoring_kedro.explain.contributions import contributions  # noqa: E402
from credit_scoring_kedro.explain.local import LocalExplainer, feature_label  # noqa: E402
from credit_scoring_kedro.explain.reference import feature_reference  # noqa: E402
from credit_scoring_kedro.modeling.bundle import ModelBundle  # noqa: E402
from credit_scoring_kedro.modeling.calibration import CalibratedModel  # noqa: E402
from credit_scoring_kedro.modeling.candidates import make_candidate  # noqa: E402
from credit_scoring_kedro.modeling.cost import CostWeights  # noqa: E402
from credit_scoring_kedro.modeling.encoding import FeatureEncoder  # noqa: E402

PROJECT = Path(__file__).resolve().parents[2]
GLOSSARY = yaml.safe_load((PROJECT / "conf" / "base" / "feature_glossary.yml").read_text())
DICTIONARY = [
    {"name": "EXT_SOURCE_2", "kind": "application",
     "description": "Normalized score from external data source"},
    {"name": "EXT_SOURCE_3", "kind": "application",
     "description": "Normalized score from external data source 3, scaled"},
    {"name": "AMT_INCOME_TOTAL", "kind": "application", "description": "Income of the client"},
    {"name": "NAME_CONTRACT_TYPE", "kind": "application",
     "description": "Identification if loan is cash or revolving"},
    {"name": "NOISE", "kind": "application", "description": "Random noise, for the tests"},
]


@pytest.fixture(scope="module")
def fitted() -> tuple[ModelBundle, dict, pd.DataFrame]:
    features, flags = synthetic_features(4000, seed=31)
    frame = features.to_pandas()
    encoder = FeatureEncoder().fit(frame)
    X = encoder.transform(frame)
    y = flags["TARGET"].to_numpy()
    base = make_candidate("lgbm", "none", ["NAME_CONTRACT_TYPE"],
                          [c for c in X.columns if c != "NAME_CONTRACT_TYPE"], 0,
                          {"n_estimators": 60}).fit(X, y)
    bundle = ModelBundle(encoder, CalibratedModel(base), 0.1, CostWeights())
    return bundle, feature_reference(frame, y, bundle.features), frame


@pytest.fixture(scope="module")
def explainer(fitted) -> tuple[LocalExplainer, pd.DataFrame]:
    bundle, reference, frame = fitted
    return LocalExplainer.build(bundle, DICTIONARY, GLOSSARY, reference), frame


def test_a_safe_score_is_named_in_its_units_and_lowers_the_risk(explainer) -> None:
    local, frame = explainer
    client = frame.sort_values("EXT_SOURCE_2").tail(1)        # the best external score
    result = local.explain(client, top_k=3)
    factor = next(f for f in result["lowers_risk"] if f["feature"] == "EXT_SOURCE_2")
    assert factor["contribution"] < -local.small_contribution
    assert factor["label"] == "External credit score 2"
    assert factor["display"] == "100 out of 100 (100 = best)"
    assert factor["sentence"] == ("External credit score 2: 100 out of 100 (100 = best), "
                                  "higher than most clients — lowers the risk")


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
    assert all(s.startswith("External credit score 2: 0 out of 100 (100 = best), "
                            "lower than most clients — ") for s in sentences)
    assert all(s.endswith(" — raises the risk") for s in sentences)


def test_a_usual_value_says_no_level(explainer) -> None:
    local, frame = explainer
    q1, q3 = local.quartiles["AMT_INCOME_TOTAL"]
    usual = frame[frame["AMT_INCOME_TOTAL"].between(q1 * 1.01, q3 * 0.99)].head(30)
    factors = [f for i in range(len(usual))
               for f in _factors(local.explain(usual.iloc[[i]], top_k=10))
               if f["feature"] == "AMT_INCOME_TOTAL"]
    assert factors
    assert all(f["sentence"].startswith(f"Yearly income: {f['display']} — ") for f in factors)
    assert all(f["display"].startswith("€") for f in factors)


def test_a_missing_value_never_lowers_the_risk_and_is_said_when_it_raises_it(explainer) -> None:
    local, frame = explainer
    unknown = frame[frame["EXT_SOURCE_3"].isna()].head(60)
    raising = []
    for i in range(len(unknown)):
        result = local.explain(unknown.iloc[[i]], top_k=10)
        assert all(f["feature"] != "EXT_SOURCE_3" for f in result["lowers_risk"])
        assert all(f["value"] is not None for f in result["lowers_risk"])
        raising += [f for f in result["raises_risk"] if f["feature"] == "EXT_SOURCE_3"]
    assert raising                                     # some of them: the test can fail
    for factor in raising:
        assert factor["value"] is None and factor["display"] == "not known"
        assert factor["sentence"].startswith("No information on external credit score 3 — ")
        effect = "weighs little in this decision" \
            if factor["contribution"] < local.small_contribution else "raises the risk"
        assert factor["sentence"].endswith(effect)


def test_a_small_contribution_weighs_little(fitted) -> None:
    bundle, reference, frame = fitted
    client = frame.iloc[[7]]
    everything_small = LocalExplainer.build(bundle, DICTIONARY, GLOSSARY, reference,
                                            small_contribution=100.0).explain(client, top_k=10)
    factors = _factors(everything_small)
    assert factors
    assert all(f["sentence"].endswith(": " + f["display"] + " — weighs little in this decision")
               or f["sentence"].startswith("No information on") for f in factors)
    nothing_small = LocalExplainer.build(bundle, DICTIONARY, GLOSSARY, reference,
                                         small_contribution=0.0).explain(client, top_k=10)
    assert not any("weighs little" in f["sentence"] for f in _factors(nothing_small))
    default = LocalExplainer.build(bundle, DICTIONARY, GLOSSARY, reference)
    assert default.small_contribution == _configured_small_contribution()
    for f in _factors(default.explain(client, top_k=10)):
        assert ("weighs little" in f["sentence"]) == (abs(f["contribution"]) < 0.05)


def test_labels_fall_back_to_the_description(explainer) -> None:
    local, _ = explainer
    assert local.labels["NOISE"] == "Random noise"
    assert local.labels["EXT_SOURCE_3"] == "External credit score 3"


def test_explanation_adds_up_and_matches_the_probability(explainer) -> None:
    local, frame = explainer
    unknown = frame[frame["EXT_SOURCE_3"].isna()].head(100)
    values = contributions(local.bundle.model, local.bundle.encoder.transform(unknown))
    # a client whose missing score lowered the risk: that part is never shown as a factor
    row = int(np.flatnonzero(values.values[:, values.features.index("EXT_SOURCE_3")] < 0)[0])
    hidden = values.values[row, values.features.index("EXT_SOURCE_3")]
    result = local.explain(unknown.iloc[[row]], top_k=50)
    p = result["probability"]
    assert result["log_odds"] == pytest.approx(np.log(p / (1 - p)), abs=1e-6)
    shown = sum(f["contribution"] for f in _factors(result))
    assert result["base_value"] + shown + hidden == pytest.approx(result["log_odds"], abs=1e-6)
    with pytest.raises(ValueError, match="one client"):
        local.explain(frame.head(2))


def test_labels_are_short_for_history_aggregates_and_patterned_columns() -> None:
    glossary = {"label_statistics": {"mean": "Average", "min": "Lowest"},
                "date_statistics": {"min": "Earliest"},
                "scope_labels": {"CLOSED": "closed credits"},
                "sources": {"bureau": {"rows": "credits at other lenders",
                                       "where": "at other lenders"}},
                "column_labels": {"AMT_CREDIT_SUM": "credit amount", "DAYS_CREDIT": "credit start"},
                "unit_rules": [{"pattern": "^DAYS_", "kind": "date"}],
                "label_patterns": [{"pattern": "^FLAG_DOCUMENT_(\\d+)$",
                                    "label": "Document {words} provided"}]}
    aggregate = {"name": "BURO_CLOSED_AMT_CREDIT_SUM_MEAN", "kind": "history_aggregate",
                 "source_table": "bureau", "source_column": "AMT_CREDIT_SUM",
                 "statistic": "mean", "scope": "CLOSED",
                 "description": "Average current credit amount over the client's credits at "
                                "other lenders reported by the Credit Bureau (closed only)"}
    assert feature_label(aggregate, glossary) == \
        "Average credit amount at other lenders (closed credits)"
    date = aggregate | {"name": "BURO_DAYS_CREDIT_MIN", "source_column": "DAYS_CREDIT",
                        "statistic": "min", "scope": None}
    assert feature_label(date, glossary) == "Earliest credit start at other lenders"
    count = aggregate | {"name": "BURO_COUNT", "source_column": None, "statistic": "count",
                         "scope": None}
    assert feature_label(count, glossary) == "Number of credits at other lenders"
    document = {"name": "FLAG_DOCUMENT_3", "description": "Flag document 3"}
    assert feature_label(document, glossary) == "Document 3 provided"
    assert feature_label(aggregate, glossary | {"labels": {aggregate["name"]: "Closed credits"}}) \
        == "Closed credits"


def _factors(result: dict) -> list[dict]:
    return result["raises_risk"] + result["lowers_risk"]


def _configured_small_contribution() -> float:
    parameters = PROJECT / "conf" / "base" / "parameters_explainability.yml"
    return yaml.safe_load(parameters.read_text())["explainability"]["small_contribution"]
