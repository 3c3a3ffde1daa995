"""Adverse-action reason codes: full coverage, net ranking, missing values, protected attributes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from catalog_paths import catalog_path, served_bundle

from credit_scoring_kedro.explain.contributions import contributions
from credit_scoring_kedro.explain.reasons import (
    DEFAULT_PROTECTED,
    ReasonCatalogue,
    read_max_reasons,
)

CONF = Path(__file__).resolve().parents[2] / "conf" / "base"
CONFIG = yaml.safe_load((CONF / "reason_codes.yml").read_text())
CATALOGUE_IDS = {c["id"] for c in CONFIG["codes"]} | {c["missing_code"] for c in CONFIG["codes"]}

# Real feature names, one or more per family, for the tests that need no trained model.
FEATURES = [
    "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_MEAN", "EXT_SOURCE_COUNT",
    "INSTAL_LATE_PAYMENT_MEAN", "INSTAL_PAYMENT_SHORTFALL_SUM", "POS_SK_DPD_MAX",
    "BURO_CREDIT_DAY_OVERDUE_MAX", "BURO_BB_LATE_SHARE_MEAN", "BURO_AMT_CREDIT_SUM_DEBT_SUM",
    "ANNUITY_INCOME_RATIO", "INCOME_CREDIT_RATIO", "AMT_CREDIT", "CREDIT_GOODS_RATIO",
    "CREDIT_TERM_MONTHS", "BURO_COUNT", "BURO_DAYS_CREDIT_MIN", "DAYS_EMPLOYED",
    "DAYS_EMPLOYED_ANOMALY", "AMT_INCOME_TOTAL", "DAYS_ID_PUBLISH", "REGION_RATING_CLIENT",
    "PREV_REFUSED_COUNT", "PREV_AMT_CREDIT_MEAN", "CC_BALANCE_LIMIT_RATIO_MEAN",
    "AMT_REQ_CREDIT_BUREAU_YEAR", "CNT_CHILDREN", "DAYS_BIRTH", "FLAG_DOCUMENT_3",
    "NAME_EDUCATION_TYPE",
]

# A three-code catalogue whose arithmetic is easy to follow.
TOY = {"codes": [
    {"id": "A", "reason": "Reason A", "missing_reason": "A unknown", "patterns": ["A[0-9]"],
     "coverage_patterns": ["A_COUNT"]},
    {"id": "B", "reason": "Reason B", "missing_code": "B_MISSING", "missing_reason": "B unknown",
     "patterns": ["B[0-9]"]},
    {"id": "OTHER", "reason": "Other", "missing_reason": "Other unknown", "patterns": [".*"]},
]}
TOY_FEATURES = ["A1", "A2", "B1", "C1", "A_COUNT", "B2"]


def explain(catalogue: ReasonCatalogue, row: list[float], known: list[bool] | None = None,
            **kwargs) -> list[dict]:
    values = np.array([row])
    mask = np.ones_like(values, dtype=bool) if known is None else np.array([known])
    return catalogue.reasons(values, mask, np.array([True]), **kwargs)[0]


def random_batch(n: int, f: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    values = np.where(rng.random((n, f)) < 0.5, 0.0, rng.normal(0, 0.1, (n, f)))
    return values, rng.random((n, f)) > 0.2, rng.random(n) < 0.4


@pytest.fixture(scope="module")
def catalogue() -> ReasonCatalogue:
    return ReasonCatalogue.build(CONFIG, FEATURES)


@pytest.fixture(scope="module")
def toy() -> ReasonCatalogue:
    return ReasonCatalogue.build(TOY, TOY_FEATURES)


@pytest.fixture(scope="module")
def bundle(trained_root: Path):
    return served_bundle(trained_root)


def test_every_feature_of_a_trained_model_has_a_code_of_its_family(bundle) -> None:
    features = [f for f in bundle.features if f not in DEFAULT_PROTECTED]
    catalogue = ReasonCatalogue.build(CONFIG, features)
    codes = {f: catalogue.code_of(f) for f in features}
    assert set(codes) == set(features) and set(codes.values()) <= CATALOGUE_IDS
    assert codes["EXT_SOURCE_3"] == "EXT_SCORES_LOW"
    assert codes["INSTAL_DAYS_PAST_DUE_MEAN"] == "HC_LATE_PAYMENTS"
    assert codes["BURO_AMT_CREDIT_SUM_OVERDUE_SUM"] == "BUREAU_DELINQUENCY"   # not debt: order
    assert codes["BURO_ACTIVE_AMT_CREDIT_SUM_DEBT_SUM"] == "BUREAU_DEBT_HIGH"
    assert codes["ANNUITY_INCOME_RATIO"] == "REPAYMENT_INCOME_HIGH"
    assert codes["PREV_REFUSED_COUNT"] == "PREV_REFUSED"
    assert codes["AMT_REQ_CREDIT_BUREAU_QRT"] == "CREDIT_ENQUIRIES"
    # no stale pattern: every code of the catalogue explains some feature of the model
    assert {c["id"] for c in CONFIG["codes"]} <= set(codes.values())


def test_groups_rank_by_their_net_contribution(toy) -> None:
    # A: +0.5 - 0.2 = 0.3 net (0.5 if only the positive part counted), B: 0.4, OTHER: 0.1
    reasons = explain(toy, [0.5, -0.2, 0.4, 0.1, 0.0, 0.0])
    assert [r["code"] for r in reasons] == ["B", "A", "OTHER"]
    assert [r["contribution"] for r in reasons] == pytest.approx([0.4, 0.3, 0.1])
    assert reasons[1] == {"code": "A", "reason": "Reason A", "contribution": pytest.approx(0.3),
                          "features": ["A1"]}


def test_a_group_that_nets_out_is_no_reason(toy) -> None:
    reasons = explain(toy, [0.5, -0.6, 0.4, 0.0, 0.0, 0.0])
    assert [r["code"] for r in reasons] == ["B"]


def test_features_of_a_reason_are_its_top_three_raising_ones(catalogue) -> None:
    row = np.zeros(len(FEATURES))
    for name, value in {"EXT_SOURCE_1": 0.1, "EXT_SOURCE_2": 0.3, "EXT_SOURCE_MEAN": 0.2,
                        "DAYS_BIRTH": 0.05}.items():
        row[FEATURES.index(name)] = value
    reasons = explain(catalogue, row.tolist())
    assert reasons[0]["code"] == "EXT_SCORES_LOW"
    assert reasons[0]["features"] == ["EXT_SOURCE_2", "EXT_SOURCE_MEAN", "EXT_SOURCE_1"]


def test_a_missing_value_feeds_the_missing_code_never_the_factual_one(toy) -> None:
    reasons = explain(toy, [0.5, 0.0, 0.2, 0.0, 0.0, 0.0], known=[False] + [True] * 5)
    assert [r["code"] for r in reasons] == ["A_UNKNOWN", "B"]
    assert reasons[0]["reason"] == "A unknown" and reasons[0]["features"] == ["A1"]
    reasons = explain(toy, [0.0, 0.0, 0.2, 0.0, 0.0, 0.0], known=[True, True, False] + [True] * 3)
    assert [r["code"] for r in reasons] == ["B_MISSING"]


def test_a_coverage_feature_always_feeds_the_missing_code(toy) -> None:
    assert [r["code"] for r in explain(toy, [0.0, 0.0, 0.0, 0.0, 0.3, 0.0])] == ["A_UNKNOWN"]


def test_missing_external_scores_give_the_unknown_code(catalogue) -> None:
    row = np.zeros(len(FEATURES))
    row[FEATURES.index("EXT_SOURCE_1")] = 0.4
    known = np.ones(len(FEATURES), dtype=bool)
    known[FEATURES.index("EXT_SOURCE_1")] = False
    reasons = explain(catalogue, row.tolist(), known.tolist())
    assert [r["code"] for r in reasons] == ["EXT_SCORES_UNKNOWN"]
    assert reasons[0]["reason"] == "Not enough information from external credit bureaus"


@pytest.mark.parametrize("features, protected", [
    (["A1", "CODE_GENDER", "B1"], DEFAULT_PROTECTED),
    (["A1", "NAME_FAMILY_STATUS"], ["NAME_FAMILY_STATUS"]),
])
def test_a_protected_model_feature_is_refused(features, protected) -> None:
    with pytest.raises(ValueError, match="Protected attribute.*among the model features"):
        ReasonCatalogue.build(TOY, features, protected)


def test_a_code_naming_a_protected_attribute_is_refused() -> None:
    config = {"codes": [{"id": "G", "reason": "r", "missing_reason": "m",
                         "patterns": ["^CODE\\_GENDER$"]}] + TOY["codes"]}
    with pytest.raises(ValueError, match="names protected attribute.*CODE_GENDER"):
        ReasonCatalogue.build(config, TOY_FEATURES)


def test_a_feature_without_a_code_is_refused() -> None:
    config = {"codes": TOY["codes"][:2]}
    with pytest.raises(ValueError, match=r"no reason code.*\['C1'\]"):
        ReasonCatalogue.build(config, TOY_FEATURES)


def test_refused_rows_get_one_to_four_catalogue_codes_and_granted_rows_none(catalogue) -> None:
    values, known, refused = random_batch(2000, len(FEATURES), seed=1)
    result = catalogue.reasons(values, known, refused)
    assert len(result) == len(values)
    raised = (values > 0).any(axis=1)
    assert (refused & ~raised).any()         # the seed holds a refused row nothing raised
    for reasons, is_refused, any_raised in zip(result, refused, raised, strict=True):
        if not (is_refused and any_raised):
            assert reasons == []
            continue
        assert 1 <= len(reasons) <= 4
        assert {r["code"] for r in reasons} <= CATALOGUE_IDS
        assert len({r["code"] for r in reasons}) == len(reasons)
        contributions_ = [r["contribution"] for r in reasons]
        assert contributions_ == sorted(contributions_, reverse=True)
        assert min(contributions_) > 0 or len(reasons) == 1          # else the fallback
        assert all(1 <= len(r["features"]) <= 3 for r in reasons)
    assert max(len(r) for r in result) == 4


def test_max_reasons_caps_the_list(catalogue) -> None:
    values, known, refused = random_batch(500, len(FEATURES), seed=2)
    result = catalogue.reasons(values, known, refused, max_reasons=2)
    assert max(len(r) for r in result) == 2
    with pytest.raises(ValueError, match="max_reasons"):
        catalogue.reasons(values, known, refused, max_reasons=5)


def test_same_input_same_reasons_whatever_the_feature_order(catalogue) -> None:
    values, known, refused = random_batch(300, len(FEATURES), seed=3)
    first = catalogue.reasons(values, known, refused)
    assert catalogue.reasons(values.copy(), known.copy(), refused.copy()) == first
    order = np.random.default_rng(0).permutation(len(FEATURES))
    shuffled = ReasonCatalogue.build(CONFIG, [FEATURES[j] for j in order])
    again = shuffled.reasons(values[:, order], known[:, order], refused)
    assert [[r["code"] for r in row] for row in again] == [[r["code"] for r in row] for row in first]


def test_ties_keep_catalogue_order(toy) -> None:
    reasons = explain(toy, [0.0, 0.0, 0.2, 0.2, 0.0, 0.0])
    assert [r["code"] for r in reasons] == ["B", "OTHER"]
    reasons = explain(toy, [0.2, 0.0, 0.0, 0.0, 0.2, 0.0])
    assert [r["code"] for r in reasons] == ["A", "A_UNKNOWN"]


def test_refused_with_no_positive_group_gets_the_best_raising_group(toy) -> None:
    # every group nets out negative: A -0.3 and B -0.1 hold a feature that raised the risk,
    # OTHER (-0.05) nets out highest but holds none
    reasons = explain(toy, [0.3, -0.6, 0.2, -0.05, 0.0, -0.3])
    assert [(r["code"], r["features"]) for r in reasons] == [("B", ["B1"])]
    assert reasons[0]["contribution"] == pytest.approx(-0.1)
    # nothing raised the risk (a model that ignores the client): no honest reason
    assert explain(toy, [0.0, -0.1, 0.0, 0.0, 0.0, 0.0]) == []


def test_a_fifty_thousand_row_batch_runs(catalogue) -> None:
    values, known, refused = random_batch(50_000, len(FEATURES), seed=4)
    values[:, 0] = np.abs(values[:, 0]) + 0.01          # something raised every client's risk
    refused[:] = True
    result = catalogue.reasons(values, known, refused)
    assert len(result) == 50_000 and all(1 <= len(r) <= 4 for r in result)


def test_shapes_are_checked(catalogue) -> None:
    with pytest.raises(ValueError, match="Expected contributions"):
        catalogue.reasons(np.zeros((2, 3)), np.ones((2, 3), bool), np.ones(2, bool))


def test_max_reasons_is_read_from_the_catalogue() -> None:
    assert read_max_reasons(CONFIG) == 4
    assert read_max_reasons({}) == 4
    assert read_max_reasons({"max_reasons": 2}) == 2
    for bad in (0, 5, "3", True):
        with pytest.raises(ValueError, match="max_reasons"):
            read_max_reasons({"max_reasons": bad})


def test_the_kedro_catalog_serves_the_reason_codes() -> None:
    from credit_scoring_kedro.serving import artifacts

    assert artifacts.dataset_config("reason_codes")["type"] == "yaml.YAMLDataset"
    assert artifacts.artifact_path("reason_codes") == CONF / "reason_codes.yml"   # absolute
    assert artifacts.load_artifact("reason_codes") == CONFIG


def test_every_refused_client_of_a_trained_model_gets_one_to_four_reasons(bundle, trained_root) -> None:
    X = pd.read_parquet(catalog_path("X_test", trained_root))
    encoded = bundle.encoder.transform(X)
    result = contributions(bundle.model, encoded)
    refused = bundle.predict_proba(X) >= bundle.threshold
    assert 0 < refused.sum() < len(X)
    catalogue = ReasonCatalogue.build(CONFIG, [f for f in result.features
                                               if f not in DEFAULT_PROTECTED])
    columns = catalogue.positions(result.features)
    known = ~np.isnan(encoded.to_numpy(dtype=float)[:, columns])
    reasons = catalogue.reasons(result.values[:, columns], known, refused)
    assert all(1 <= len(r) <= 4 for r, no in zip(reasons, refused, strict=True) if no)
    assert all(r == [] for r, no in zip(reasons, refused, strict=True) if not no)
    codes = {r["code"] for row in reasons for r in row}
    assert codes <= CATALOGUE_IDS and len(codes) > 1
