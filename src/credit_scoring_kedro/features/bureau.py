"""Credit Bureau history: other lenders' credits (bureau) and their monthly statuses (bureau_balance)."""

from __future__ import annotations

from typing import Any

import narwhals as nw

from credit_scoring_kedro.features.aggregation import Family, Scope
from credit_scoring_kedro.features.frames import lazy, left_join_in_order

_LATE_STATUSES = ["1", "2", "3", "4", "5"]  # months with days past due, by 30-day band

_CORE = {
    "DAYS_CREDIT": ("min", "max", "mean", "var"),
    "DAYS_CREDIT_ENDDATE": ("min", "max", "mean"),
    "DAYS_CREDIT_UPDATE": ("mean",),
    "CREDIT_DAY_OVERDUE": ("max", "mean"),
    "AMT_CREDIT_MAX_OVERDUE": ("max", "mean"),
    "AMT_CREDIT_SUM": ("max", "mean", "sum"),
    "AMT_CREDIT_SUM_DEBT": ("max", "mean", "sum"),
    "AMT_CREDIT_SUM_OVERDUE": ("mean", "sum"),
    "AMT_CREDIT_SUM_LIMIT": ("mean", "sum"),
    "AMT_ANNUITY": ("max", "mean"),
    "CNT_CREDIT_PROLONG": ("sum",),
    "DEBT_CREDIT_RATIO": ("max", "mean"),
    "CREDIT_DURATION": ("mean",),
    "BB_MONTHS_COUNT": ("mean", "sum"),
    "BB_MONTHS_OLDEST": ("min",),
    "BB_LATE_SHARE": ("max", "mean"),
    "BB_CLOSED_SHARE": ("mean",),
}
_SCOPED = {
    "DAYS_CREDIT": ("min", "max", "mean"),
    "DAYS_CREDIT_ENDDATE": ("max", "mean"),
    "AMT_CREDIT_MAX_OVERDUE": ("max",),
    "AMT_CREDIT_SUM": ("max", "mean", "sum"),
    "AMT_CREDIT_SUM_DEBT": ("max", "mean", "sum"),
    "AMT_CREDIT_SUM_OVERDUE": ("sum",),
    "AMT_ANNUITY": ("mean",),
    "DEBT_CREDIT_RATIO": ("mean",),
    "BB_LATE_SHARE": ("mean",),
}

BUREAU = Family(
    table="bureau",
    prefix="BURO",
    numeric=_CORE,
    shares={
        "CREDIT_ACTIVE": ("Active", "Closed", "Sold", "Bad debt"),
        "CREDIT_TYPE": ("Consumer credit", "Credit card", "Car loan", "Mortgage", "Microloan",
                        "Loan for business development", "Another type of loan"),
        "CREDIT_CURRENCY": ("currency 1",),
    },
    scopes=(
        Scope("ACTIVE", nw.col("CREDIT_ACTIVE") == "Active", _SCOPED),
        Scope("CLOSED", nw.col("CREDIT_ACTIVE") == "Closed", _SCOPED),
    ),
)


def summarise_bureau_balance(bureau_balance: Any) -> Any:
    """One row per bureau credit (SK_ID_BUREAU) from its monthly statuses (polars or Spark)."""
    status = nw.col("STATUS")
    return lazy(bureau_balance).group_by("SK_ID_BUREAU").agg(
        nw.len().cast(nw.Float64).alias("BB_MONTHS_COUNT"),
        nw.col("MONTHS_BALANCE").min().cast(nw.Float64).alias("BB_MONTHS_OLDEST"),
        status.is_in(_LATE_STATUSES).cast(nw.Float64).mean().alias("BB_LATE_SHARE"),
        (status == "C").cast(nw.Float64).mean().alias("BB_CLOSED_SHARE"),
    ).to_native()


def prepare_bureau(bureau: Any, bureau_balance: Any) -> Any:
    """Bureau credits with their ratios and monthly-status summary attached (polars or Spark)."""
    safe_credit = nw.when(nw.col("AMT_CREDIT_SUM") > 0).then(nw.col("AMT_CREDIT_SUM"))
    credits = lazy(bureau).with_columns(
        (nw.col("AMT_CREDIT_SUM_DEBT") / safe_credit).alias("DEBT_CREDIT_RATIO"),
        (nw.col("DAYS_CREDIT_ENDDATE") - nw.col("DAYS_CREDIT")).alias("CREDIT_DURATION"),
    )
    # keeps the client order of the sorted bureau table (polars)
    return left_join_in_order(credits, lazy(summarise_bureau_balance(bureau_balance)),
                              on="SK_ID_BUREAU").to_native()


def bureau_aggregates(bureau: Any, bureau_balance: Any) -> Any:
    """One row per client (SK_ID_CURR) summarising their Credit Bureau history.

    Takes and returns lazy frames of one engine: polars LazyFrames or Spark DataFrames.
    """
    return BUREAU.aggregate(prepare_bureau(bureau, bureau_balance))
