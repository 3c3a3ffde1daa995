"""Monthly snapshots of previous point-of-sale and cash loans (POS_CASH_balance)."""

from __future__ import annotations

from typing import Any

import narwhals as nw

from credit_scoring_kedro.features.aggregation import Family
from credit_scoring_kedro.features.frames import lazy

POS_CASH = Family(
    table="pos_cash_balance",
    prefix="POS",
    numeric={
        "MONTHS_BALANCE": ("min", "max", "mean"),
        "CNT_INSTALMENT": ("mean", "max"),
        "CNT_INSTALMENT_FUTURE": ("mean", "min"),
        "SK_DPD": ("max", "mean"),
        "SK_DPD_DEF": ("max", "mean"),
        "LATE_MONTH": ("mean", "sum"),
        "SK_ID_PREV": ("nunique",),
    },
    shares={
        "NAME_CONTRACT_STATUS": ("Active", "Completed", "Signed", "Returned to the store"),
    },
)


def prepare_pos_cash(pos_cash: Any) -> Any:
    """Flag the months with any payment past due (polars or Spark)."""
    return lazy(pos_cash).with_columns(
        (nw.col("SK_DPD") > 0).cast(nw.Float64).alias("LATE_MONTH")).to_native()


def pos_cash_aggregates(pos_cash: Any) -> Any:
    """One row per client (SK_ID_CURR) summarising their POS and cash loan months."""
    return POS_CASH.aggregate(prepare_pos_cash(pos_cash))
