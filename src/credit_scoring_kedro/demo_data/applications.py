"""application_train / application_test rows drawn around a latent risk per client.

Marginals (label frequencies, quantiles, missing rates) follow the real sample; a few
columns carry the latent risk ``z`` (higher = riskier) through a Gaussian copula:
the external scores (strongly), age, employment length, education, gender, region
rating (weakly). Business rules of the real data are kept: pensioners and the
unemployed have DAYS_EMPLOYED = 365243 and no occupation, OWN_CAR_AGE is missing
when the client has no car, the building-information block is missing as a block.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from credit_scoring_kedro.demo_data.calibration import (
    draw_labels,
    from_quantiles,
    latent_uniform,
    stats,
)
from credit_scoring_kedro.schema import table_schema

NO_JOB = 365243

#: Column -> correlation of its normal score with -z (positive: higher value, lower risk).
RISK_LINKS = {
    "EXT_SOURCE_1": 0.5, "EXT_SOURCE_2": 0.55, "EXT_SOURCE_3": 0.55,
    "DAYS_BIRTH": -0.18,        # DAYS_BIRTH is negative: more negative = older = safer
    "DAYS_EMPLOYED": -0.15,     # longer in the job = safer
    "DAYS_ID_PUBLISH": -0.08, "DAYS_LAST_PHONE_CHANGE": -0.08,
    "REGION_RATING_CLIENT": -0.08, "REGION_RATING_CLIENT_W_CITY": -0.08,
    "AMT_INCOME_TOTAL": 0.05,
}

#: The mild, documented shift of the "new clients" (application_test): older applicants,
#: 10 % larger credits, lower third external score, fewer revolving loans.
TEST_SHIFT = {
    "DAYS_BIRTH_days": -900.0,
    "AMT_scale": 1.10,
    "EXT_SOURCE_3_u": -0.06,
    "revolving_share_factor": 0.5,
}

_BLOCK_SUFFIXES = ("_AVG", "_MODE", "_MEDI")
_BLOCK_EXTRA = ("FONDKAPREMONT_MODE", "HOUSETYPE_MODE", "WALLSMATERIAL_MODE", "EMERGENCYSTATE_MODE",
                "TOTALAREA_MODE")


def generate_applications(rng: np.random.Generator, ids: np.ndarray, z: np.ndarray,
                          table: str, shifted: bool) -> pl.DataFrame:
    """Rows of ``table`` (application_train or application_test) for clients ``ids``."""
    n = len(ids)
    schema = table_schema(table)
    stats_table = "application_train"
    cols: dict[str, np.ndarray] = {"SK_ID_CURR": ids}
    income_type = draw_labels(rng, stats(stats_table, "NAME_INCOME_TYPE")["labels"], n)
    no_job = np.isin(income_type, ["Pensioner", "Unemployed"])
    contract_labels = dict(stats(stats_table, "NAME_CONTRACT_TYPE")["labels"])
    if shifted:
        contract_labels["Revolving loans"] *= TEST_SHIFT["revolving_share_factor"]
    building_missing = rng.random(n) < 0.47
    for col, kind in schema.columns.items():
        if col in ("SK_ID_CURR", "TARGET"):
            continue
        info = stats(stats_table, col) or {"missing": 0.0, "quantiles": [0.0, 1.0]}
        if col == "NAME_INCOME_TYPE":
            values = income_type
        elif col == "NAME_CONTRACT_TYPE":
            values = draw_labels(rng, contract_labels, n)
        elif col == "NAME_EDUCATION_TYPE":
            values = draw_labels(rng, info["labels"], n, tilt=0.5 * z,
                                 favoured=("Secondary / secondary special", "Lower secondary"))
        elif col == "CODE_GENDER":
            values = draw_labels(rng, info["labels"], n, tilt=0.35 * z, favoured=("M",))
        elif kind == "str":
            values = draw_labels(rng, info["labels"], n)
        else:
            rho = RISK_LINKS.get(col)
            u = latent_uniform(rng, -z, rho) if rho is not None else rng.random(n)
            if shifted and col == "EXT_SOURCE_3":
                u = np.clip(u + TEST_SHIFT["EXT_SOURCE_3_u"], 0.0, 1.0)
            quantiles = info["quantiles"]
            if col == "DAYS_EMPLOYED":
                quantiles = [q for q in quantiles if q != NO_JOB] or [-1000.0, -1.0]
            values = from_quantiles(quantiles, u)
        cols[col] = values
        missing = info.get("missing", 0.0)
        if missing and kind != "str" or missing and col.endswith("_MODE"):
            cols[col] = _with_missing(rng, cols[col], col, missing, building_missing)
        elif missing:
            cols[col] = np.where(rng.random(n) < missing, None, cols[col])
    _apply_business_rules(rng, cols, no_job, shifted)
    return to_frame(table, cols)


def to_frame(table: str, cols: dict) -> pl.DataFrame:
    """Columns (NumPy arrays, None or NaN for missing) -> a frame with the contract's dtypes."""
    series = []
    for column, kind in table_schema(table).columns.items():
        if column not in cols:  # TARGET is added by the caller
            continue
        values = cols[column]
        if kind == "str":
            series.append(pl.Series(column, [None if v is None else str(v) for v in values],
                                    dtype=pl.String))
            continue
        numbers = np.asarray(values, dtype=np.float64)
        s = pl.Series(column, numbers).fill_nan(None)
        series.append(s.round(0).cast(pl.Int64) if kind == "int" else s)
    return pl.DataFrame(series)


def _with_missing(rng, values, col, rate, block_missing):
    """Missing values; the building-information block goes missing together."""
    n = len(values)
    if col.endswith(_BLOCK_SUFFIXES) or col in _BLOCK_EXTRA:
        extra = max(rate - 0.47, 0.0) / 0.53
        mask = block_missing | (rng.random(n) < extra)
    else:
        mask = rng.random(n) < rate
    if values.dtype.kind in "fiu":
        return np.where(mask, np.nan, values)
    return np.where(mask, None, values)


def _apply_business_rules(rng, cols, no_job, shifted) -> None:
    n = len(no_job)
    cols["DAYS_EMPLOYED"] = np.where(no_job, NO_JOB, np.round(cols["DAYS_EMPLOYED"]))
    cols["ORGANIZATION_TYPE"] = np.where(no_job, "XNA", cols["ORGANIZATION_TYPE"])
    cols["OCCUPATION_TYPE"] = np.where(no_job, None, cols["OCCUPATION_TYPE"])
    cols["FLAG_EMP_PHONE"] = np.where(no_job, 0, 1)
    has_car = cols["FLAG_OWN_CAR"] == "Y"
    cols["OWN_CAR_AGE"] = np.where(has_car, np.nan_to_num(cols["OWN_CAR_AGE"], nan=9.0), np.nan)
    birth = np.round(cols["DAYS_BIRTH"])
    if shifted:
        birth = np.maximum(birth + TEST_SHIFT["DAYS_BIRTH_days"], -25_200)
    cols["DAYS_BIRTH"] = birth
    cols["DAYS_EMPLOYED"] = np.where(no_job, NO_JOB, np.maximum(cols["DAYS_EMPLOYED"], birth + 18 * 365))
    children = np.round(cols["CNT_CHILDREN"])
    cols["CNT_CHILDREN"] = children
    cols["CNT_FAM_MEMBERS"] = np.maximum(np.round(np.nan_to_num(cols["CNT_FAM_MEMBERS"], nan=2.0)),
                                         children + 1)
    goods = cols["AMT_GOODS_PRICE"]
    goods = np.where(np.isnan(goods), from_quantiles(stats("application_train", "AMT_GOODS_PRICE")
                                                    ["quantiles"], rng.random(n)), goods)
    scale = TEST_SHIFT["AMT_scale"] if shifted else 1.0
    credit = np.round(goods * rng.uniform(1.0, 1.25, n) * scale / 4.5) * 4.5
    term_months = rng.choice([12, 18, 24, 36, 48, 60], size=n, p=[.1, .1, .3, .25, .15, .1])
    cols["AMT_CREDIT"] = credit
    cols["AMT_GOODS_PRICE"] = np.where(rng.random(n) < 0.001, np.nan, np.round(goods * scale, 1))
    annuity = np.round(credit / term_months * rng.uniform(1.05, 1.35, n), 1)
    cols["AMT_ANNUITY"] = np.where(rng.random(n) < 0.0001, np.nan, annuity)
