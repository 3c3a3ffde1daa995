"""Domain features of the application, by hand, including the one-client path of the API."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from credit_scoring_kedro.features.application import application_features
from credit_scoring_kedro.features.domain import OUTPUT_COLUMNS, domain_features


def test_pensioner_code_becomes_missing_with_a_flag() -> None:
    out = domain_features({"DAYS_EMPLOYED": np.array([365243.0, -1000.0, np.nan]),
                           "DAYS_BIRTH": np.array([-20000.0, -10000.0, -9000.0])})
    assert np.isnan(out["DAYS_EMPLOYED"][0]) and out["DAYS_EMPLOYED"][1] == -1000.0
    assert out["DAYS_EMPLOYED_ANOMALY"].tolist()[:2] == [1.0, 0.0]
    assert np.isnan(out["DAYS_EMPLOYED_ANOMALY"][2])            # unknown stays unknown
    assert np.isnan(out["EMPLOYED_AGE_RATIO"][0])
    assert out["EMPLOYED_AGE_RATIO"][1] == pytest.approx(0.1)


def test_ratios_by_hand_and_never_infinite() -> None:
    out = domain_features({
        "AMT_INCOME_TOTAL": np.array([200_000.0, 100_000.0]),
        "AMT_CREDIT": np.array([500_000.0, 0.0]),
        "AMT_ANNUITY": np.array([25_000.0, 10_000.0]),
        "AMT_GOODS_PRICE": np.array([450_000.0, np.nan]),
        "CNT_FAM_MEMBERS": np.array([2.0, 0.0]),
    })
    assert out["INCOME_CREDIT_RATIO"][0] == pytest.approx(0.4)
    assert out["ANNUITY_INCOME_RATIO"][0] == pytest.approx(0.125)
    assert out["ANNUITY_CREDIT_RATIO"][0] == pytest.approx(0.05)
    assert out["CREDIT_TERM_MONTHS"][0] == pytest.approx(20.0)
    assert out["CREDIT_GOODS_RATIO"][0] == pytest.approx(500 / 450)
    assert out["INCOME_PER_PERSON"][0] == pytest.approx(100_000.0)
    for name in OUTPUT_COLUMNS:
        assert not np.isinf(out[name]).any(), name
    assert np.isnan(out["INCOME_CREDIT_RATIO"][1]) and np.isnan(out["INCOME_PER_PERSON"][1])


def test_external_scores_combined_with_missing_ones() -> None:
    out = domain_features({"EXT_SOURCE_1": np.array([np.nan, np.nan]),
                           "EXT_SOURCE_2": np.array([0.2, np.nan]),
                           "EXT_SOURCE_3": np.array([0.6, np.nan])})
    assert out["EXT_SOURCE_MEAN"][0] == pytest.approx(0.4)
    assert out["EXT_SOURCE_MIN"][0] == pytest.approx(0.2)
    assert out["EXT_SOURCE_MAX"][0] == pytest.approx(0.6)
    assert out["EXT_SOURCE_STD"][0] == pytest.approx(np.std([0.2, 0.6], ddof=1))
    assert out["EXT_SOURCE_COUNT"].tolist() == [2.0, 0.0]
    assert np.isnan(out["EXT_SOURCE_PROD"][0])                  # needs all three
    assert np.isnan(out["EXT_SOURCE_MEAN"][1])


def test_one_client_and_absent_columns() -> None:
    out = domain_features({"AMT_INCOME_TOTAL": np.array([90_000.0]),
                           "AMT_CREDIT": np.array([300_000.0])})
    assert list(out) == list(OUTPUT_COLUMNS)
    assert all(len(v) == 1 for v in out.values())
    assert out["INCOME_CREDIT_RATIO"][0] == pytest.approx(0.3)
    assert np.isnan(out["ANNUITY_INCOME_RATIO"][0])             # AMT_ANNUITY not given


def test_application_features_keep_one_row_per_client_without_target() -> None:
    frame = pl.DataFrame({"SK_ID_CURR": [1, 2], "TARGET": [0, 1],
                          "DAYS_EMPLOYED": [365243, -300], "AMT_CREDIT": [1.0, 2.0]})
    out = application_features(frame.lazy())
    assert out["SK_ID_CURR"].to_list() == [1, 2]
    assert "TARGET" not in out.columns
    assert out["DAYS_EMPLOYED"].to_list() == [None, -300.0]
    assert all(out.schema[c] == pl.Float64 for c in OUTPUT_COLUMNS)
