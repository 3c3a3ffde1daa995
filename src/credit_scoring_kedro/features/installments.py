"""Repayment history of previous Home Credit loans (installments_payments): late and short payments."""

from __future__ import annotations

import polars as pl

from credit_scoring_kedro.features.aggregation import Family

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


def prepare_installments(installments: pl.LazyFrame) -> pl.LazyFrame:
    """Lateness in days and payment shortfall of every instalment."""
    lateness = pl.col("DAYS_ENTRY_PAYMENT") - pl.col("DAYS_INSTALMENT")
    shortfall = pl.col("AMT_INSTALMENT") - pl.col("AMT_PAYMENT")
    safe_due = pl.when(pl.col("AMT_INSTALMENT") > 0).then(pl.col("AMT_INSTALMENT"))
    return installments.with_columns(
        lateness.clip(lower_bound=0).alias("DAYS_PAST_DUE"),
        (-lateness).clip(lower_bound=0).alias("DAYS_BEFORE_DUE"),
        (pl.col("AMT_PAYMENT") / safe_due).alias("PAYMENT_RATIO"),
        shortfall.alias("PAYMENT_SHORTFALL"),
        (lateness > 0).cast(pl.Float64).alias("LATE_PAYMENT"),
        (shortfall > 0).cast(pl.Float64).alias("UNDERPAYMENT"),
    )


def installments_aggregates(installments: pl.LazyFrame) -> pl.LazyFrame:
    """One row per client (SK_ID_CURR) summarising how they repaid earlier loans."""
    return INSTALLMENTS.aggregate(prepare_installments(installments))
