"""Domain features of an application, checked by hand, including the one-client API path."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from credit_scoring_kedro.features.application import application_features
from credit_scoring_kedro.features.domain import (
    DOCUMENT_FLAGS,
    INPUT_COLUMNS,
    OUTPUT_COLUMNS,
    domain_features,
    domain_matrix,
)

approx = pytest.approx
nan = np.nan


def test_pensioner_code_becomes_missing_with_an_anomaly_flag() -> None:
    out = domain_features({
        "DAYS_EMPLOYED": np.array([365243.0, -1000.0, nan]),
        "DAYS_BIRTH": np.array([-20000.0, -10000.0, -9000.0]),
    })
    assert np.isnan(out["DAYS_EMPLOYED"][0])
    assert out["DAYS_EMPLOYED"][1] == -1000.0
    assert out["DAYS_EMPLOYED_ANOMALY"][0] == 1.0
    assert out["DAYS_EMPLOYED_ANOMALY"][1] == 0.0
    assert np.isnan(out["DAYS_EMPLOYED_ANOMALY"][2])  # unknown employment is not flagged
    assert np.isnan(out["EMPLOYED_AGE_RATIO"][0])  # the code never enters a ratio
    assert out["EMPLOYED_AGE_RATIO"][1] == approx(0.1)  # -1000 / -10000


def test_integer_input_is_accepted() -> None:
    out = domain_features({"DAYS_EMPLOYED": np.array([365243, -500]),
                           "DAYS_BIRTH": np.array([-10000, -10000])})
    assert out["DAYS_EMPLOYED_ANOMALY"].tolist() == [1.0, 0.0]
    assert out["EMPLOYED_AGE_RATIO"][1] == approx(0.05)
    assert all(v.dtype == np.float64 for v in out.values())


def test_ratios_by_hand() -> None:
    out = domain_features({
        "AMT_INCOME_TOTAL": np.array([200_000.0]),
        "AMT_CREDIT": np.array([500_000.0]),
        "AMT_ANNUITY": np.array([25_000.0]),
        "AMT_GOODS_PRICE": np.array([400_000.0]),
        "CNT_FAM_MEMBERS": np.array([4.0]),
        "CNT_CHILDREN": np.array([2.0]),
        "DAYS_BIRTH": np.array([-10_000.0]),
        "DAYS_ID_PUBLISH": np.array([-2_000.0]),
        "DAYS_LAST_PHONE_CHANGE": np.array([-500.0]),
    })
    assert out["INCOME_CREDIT_RATIO"][0] == approx(0.4)
    assert out["INCOME_PER_PERSON"][0] == approx(50_000.0)
    assert out["ANNUITY_INCOME_RATIO"][0] == approx(0.125)
    assert out["ANNUITY_CREDIT_RATIO"][0] == approx(0.05)
    assert out["CREDIT_TERM_MONTHS"][0] == approx(20.0)
    assert out["CREDIT_GOODS_RATIO"][0] == approx(1.25)
    assert out["CHILDREN_RATIO"][0] == approx(0.5)
    assert out["ID_PUBLISH_AGE_RATIO"][0] == approx(0.2)
    assert out["PHONE_CHANGE_AGE_RATIO"][0] == approx(0.05)


def test_zero_denominators_give_nan_never_inf() -> None:
    out = domain_features({
        "AMT_INCOME_TOTAL": np.array([0.0, 100_000.0]),
        "AMT_CREDIT": np.array([0.0, 0.0]),
        "AMT_ANNUITY": np.array([0.0, 10_000.0]),
        "AMT_GOODS_PRICE": np.array([0.0, 0.0]),
        "CNT_FAM_MEMBERS": np.array([0.0, 0.0]),
        "CNT_CHILDREN": np.array([0.0, 1.0]),
        "DAYS_BIRTH": np.array([0.0, -0.0]),
        "DAYS_EMPLOYED": np.array([-10.0, -10.0]),
        "DAYS_ID_PUBLISH": np.array([-5.0, -5.0]),
        "DAYS_LAST_PHONE_CHANGE": np.array([0.0, -1.0]),
    })
    ratios = ("INCOME_CREDIT_RATIO", "INCOME_PER_PERSON", "ANNUITY_INCOME_RATIO",
              "ANNUITY_CREDIT_RATIO", "CREDIT_TERM_MONTHS", "CREDIT_GOODS_RATIO", "CHILDREN_RATIO",
              "EMPLOYED_AGE_RATIO", "ID_PUBLISH_AGE_RATIO", "PHONE_CHANGE_AGE_RATIO")
    for name in ratios:  # row 0: every denominator is zero
        assert np.isnan(out[name][0]), name
    # row 1: x / 0 and x / -0.0 are NaN; 0 / x is a plain zero
    for name in ratios:
        if name not in ("ANNUITY_INCOME_RATIO", "CREDIT_TERM_MONTHS"):
            assert np.isnan(out[name][1]), name
    assert out["ANNUITY_INCOME_RATIO"][1] == approx(0.1)
    assert out["CREDIT_TERM_MONTHS"][1] == 0.0
    for name in OUTPUT_COLUMNS:
        assert not np.isinf(out[name]).any(), name


def test_external_scores_with_missing_ones() -> None:
    out = domain_features({
        "EXT_SOURCE_1": np.array([0.2, nan, 0.7, nan]),
        "EXT_SOURCE_2": np.array([0.5, 0.2, nan, nan]),
        "EXT_SOURCE_3": np.array([0.8, 0.6, nan, nan]),
    })
    # row 0: 0.2, 0.5, 0.8
    assert out["EXT_SOURCE_MEAN"][0] == approx(0.5)
    assert out["EXT_SOURCE_MIN"][0] == approx(0.2)
    assert out["EXT_SOURCE_MAX"][0] == approx(0.8)
    assert out["EXT_SOURCE_STD"][0] == approx(0.3)  # sqrt((0.09 + 0 + 0.09) / 2)
    assert out["EXT_SOURCE_PROD"][0] == approx(0.08)
    # row 1: 0.2, 0.6 known
    assert out["EXT_SOURCE_MEAN"][1] == approx(0.4)
    assert out["EXT_SOURCE_MIN"][1] == approx(0.2)
    assert out["EXT_SOURCE_MAX"][1] == approx(0.6)
    assert out["EXT_SOURCE_STD"][1] == approx(0.08 ** 0.5)  # sqrt((0.04 + 0.04) / 1)
    assert np.isnan(out["EXT_SOURCE_PROD"][1])  # needs the three scores
    # row 2: a single score
    assert out["EXT_SOURCE_MEAN"][2] == approx(0.7)
    assert out["EXT_SOURCE_MIN"][2] == approx(0.7) and out["EXT_SOURCE_MAX"][2] == approx(0.7)
    assert np.isnan(out["EXT_SOURCE_STD"][2])
    # row 3: none
    for name in ("EXT_SOURCE_MEAN", "EXT_SOURCE_MIN", "EXT_SOURCE_MAX", "EXT_SOURCE_STD"):
        assert np.isnan(out[name][3]), name
    assert out["EXT_SOURCE_COUNT"].tolist() == [3.0, 2.0, 1.0, 0.0]


def test_document_count_skips_missing_flags() -> None:
    out = domain_features({"FLAG_DOCUMENT_3": np.array([1.0, 0.0, 1.0]),
                           "FLAG_DOCUMENT_5": np.array([1.0, nan, 0.0]),
                           "FLAG_DOCUMENT_21": np.array([1.0, 0.0, 0.0])})
    assert out["DOCUMENT_COUNT"].tolist() == [3.0, 0.0, 1.0]


def test_single_client_as_the_api_sends_it() -> None:
    out = domain_features({
        "AMT_INCOME_TOTAL": np.array([90_000.0]),
        "AMT_CREDIT": np.array([300_000.0]),
        "AMT_ANNUITY": [None],  # a JSON null
        "DAYS_EMPLOYED": [365243],
        "EXT_SOURCE_2": [0.3],
    })
    assert list(out) == list(OUTPUT_COLUMNS)
    assert all(isinstance(v, np.ndarray) and v.shape == (1,) for v in out.values())
    assert out["INCOME_CREDIT_RATIO"][0] == approx(0.3)
    assert np.isnan(out["ANNUITY_INCOME_RATIO"][0])
    assert out["DAYS_EMPLOYED_ANOMALY"][0] == 1.0
    assert out["EXT_SOURCE_MEAN"][0] == approx(0.3) and out["EXT_SOURCE_COUNT"][0] == 1.0


def test_absent_input_columns_give_nan() -> None:
    out = domain_features({"AMT_CREDIT": np.array([300_000.0, 100_000.0])})
    for name in ("DAYS_EMPLOYED", "DAYS_EMPLOYED_ANOMALY", "EMPLOYED_AGE_RATIO",
                 "INCOME_CREDIT_RATIO", "INCOME_PER_PERSON", "ANNUITY_INCOME_RATIO",
                 "ANNUITY_CREDIT_RATIO", "CREDIT_TERM_MONTHS", "CREDIT_GOODS_RATIO",
                 "CHILDREN_RATIO", "ID_PUBLISH_AGE_RATIO", "PHONE_CHANGE_AGE_RATIO",
                 "EXT_SOURCE_MEAN", "EXT_SOURCE_MIN", "EXT_SOURCE_MAX", "EXT_SOURCE_STD",
                 "EXT_SOURCE_PROD"):
        assert out[name].shape == (2,) and np.isnan(out[name]).all(), name
    assert out["EXT_SOURCE_COUNT"].tolist() == [0.0, 0.0]  # a count of known scores


def test_document_count_is_missing_when_no_flag_is_known() -> None:
    out = domain_features({"AMT_CREDIT": np.array([300_000.0]),
                           **{flag: np.array([nan]) for flag in DOCUMENT_FLAGS}})
    assert np.isnan(out["DOCUMENT_COUNT"][0])


# ---------------------------------------------------------------- application_features (polars)


def application_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "SK_ID_CURR": [11, 12, 13],
            "TARGET": [0, 1, 0],
            "CODE_GENDER": ["F", "M", "F"],
            "DAYS_EMPLOYED": [365243, -300, None],
            "DAYS_BIRTH": [-20000, -12000, -15000],
            "AMT_INCOME_TOTAL": [100_000.0, 50_000.0, 80_000.0],
            "AMT_CREDIT": [200_000.0, 0.0, None],
            "EXT_SOURCE_1": [0.1, None, None],
            "EXT_SOURCE_2": [0.3, 0.4, None],
            "EXT_SOURCE_3": [0.5, None, None],
        },
        schema_overrides={"DAYS_EMPLOYED": pl.Int64},
    )


@pytest.mark.parametrize("lazy", [True, False], ids=["lazy", "eager"])
def test_application_features_one_row_per_client_without_target(lazy: bool) -> None:
    frame = application_frame()
    out = application_features(frame.lazy() if lazy else frame)
    assert out.height == 3
    assert out["SK_ID_CURR"].to_list() == [11, 12, 13]
    assert "TARGET" not in out.columns
    assert out["CODE_GENDER"].to_list() == ["F", "M", "F"]
    assert out.columns.count("DAYS_EMPLOYED") == 1
    assert all(out.schema[c] == pl.Float64 for c in OUTPUT_COLUMNS)
    # NaN becomes a polars null in the frame
    assert out["DAYS_EMPLOYED"].to_list() == [None, -300.0, None]
    assert out["DAYS_EMPLOYED_ANOMALY"].to_list() == [1.0, 0.0, None]
    assert out["INCOME_CREDIT_RATIO"].to_list() == [approx(0.5), None, None]
    assert out["EMPLOYED_AGE_RATIO"].to_list() == [None, approx(0.025), None]
    assert out["EXT_SOURCE_MEAN"].to_list() == [approx(0.3), approx(0.4), None]
    assert out["EXT_SOURCE_COUNT"].to_list() == [3.0, 1.0, 0.0]


def test_application_features_of_application_test_and_of_an_empty_table() -> None:
    test = application_frame().drop("TARGET")
    assert application_features(test)["SK_ID_CURR"].to_list() == [11, 12, 13]
    empty = application_features(application_frame().head(0))
    assert empty.height == 0 and "TARGET" not in empty.columns
    assert all(empty.schema[c] == pl.Float64 for c in OUTPUT_COLUMNS)


def test_application_features_without_any_domain_input() -> None:
    frame = pl.DataFrame({"SK_ID_CURR": [1, 2], "CODE_GENDER": ["F", "M"]})
    assert not set(frame.columns) & set(INPUT_COLUMNS)
    out = application_features(frame)
    assert out.height == 2
    assert out["INCOME_CREDIT_RATIO"].to_list() == [None, None]


def test_domain_matrix_rows_do_not_depend_on_the_other_rows() -> None:
    """The API computes one row alone; the pipelines, whole columns: the same values."""
    rng = np.random.default_rng(11)
    block = rng.normal(size=(50, len(INPUT_COLUMNS)))
    block[rng.random(block.shape) < 0.25] = np.nan
    block[::7, INPUT_COLUMNS.index("DAYS_EMPLOYED")] = 365243
    block[::5, INPUT_COLUMNS.index("AMT_CREDIT")] = 0.0
    whole = domain_matrix(block)
    assert whole.shape == (50, len(OUTPUT_COLUMNS))
    for i in range(len(block)):
        np.testing.assert_array_equal(domain_matrix(block[i:i + 1])[0], whole[i])
    as_columns = domain_features({c: block[:, j] for j, c in enumerate(INPUT_COLUMNS)})
    np.testing.assert_array_equal(np.column_stack(list(as_columns.values())), whole)
