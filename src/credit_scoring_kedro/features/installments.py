"""Repayment history of previous Home Credit loans (installments_payments): late and short payments."""

from __future__ import annotations

from typing import Any

import narwhals as nw

from credit_scoring_kedro.features.aggregation import Family
from credit_scoring_kedro.features.frames import lazy

INSTALLMENTS = Family(
    table="installments_payments",
    prefix="INSTAL",
    numeric={
        "NUM_INSTALMENT_VERSION": ("nunique",),
        "DAYS_PAST_DUE": ("max", "mean", "sum"),
        "DAYS_BEFORE_DUE": ("max", "mean", "sum"),
        "PAYMENT_RATIO": ("min", "mean", "var"),
        "PAYMENT_SHORTFALL": ("max", "mean", "sum"),
        "LATE_PAYMENT": ("mean", "sum"),
        "UNDERPAYMENT": ("mean", "sum"),
        "AMT_INSTALMENT": ("max", "mean", "sum"),
        "AMT_PAYMENT": ("min", "max", "mean", "sum"),
        "DAYS_ENTRY_PAYMENT": ("max", "mean"),
    },
)


def prepare_installments(installments: Any) -> Any:
    """Lateness in days and payment shortfall of every instalment (polars or Spark)."""
    lateness = nw.col("DAYS_ENTRY_PAYMENT") - nw.col("DAYS_INSTALMENT")
    shortfall = nw.col("AMT_INSTALMENT") - nw.col("AMT_PAYMENT")
    safe_due = nw.when(nw.col("AMT_INSTALMENT") > 0).then(nw.col("AMT_INSTALMENT"))
    return lazy(installments).with_columns(
        lateness.clip(lower_bound=0).alias("DAYS_PAST_DUE"),
        (-lateness).clip(lower_bound=0).alias("DAYS_BEFORE_DUE"),
        (nw.col("AMT_PAYMENT") / safe_due).alias("PAYMENT_RATIO"),
        shortfall.alias("PAYMENT_SHORTFALL"),
        (lateness > 0).cast(nw.Float64).alias("LATE_PAYMENT"),
        (shortfall > 0).cast(nw.Float64).alias("UNDERPAYMENT"),
    ).to_native()


def installments_aggregates(installments: Any) -> Any:
    """One row per client (SK_ID_CURR) summarising how they repaid earlier loans."""
    return INSTALLMENTS.aggregate(prepare_installments(installments))
