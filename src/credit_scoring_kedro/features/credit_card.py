"""Monthly snapshots of previous Home Credit credit cards (credit_card_balance)."""

from __future__ import annotations

from typing import Any

import narwhals as nw

from credit_scoring_kedro.features.aggregation import Family
from credit_scoring_kedro.features.frames import lazy

_ALL = ("min", "max", "mean", "sum")
CREDIT_CARD = Family(
    table="credit_card_balance",
    prefix="CC",
    numeric={
        "MONTHS_BALANCE": ("min", "mean"),
        "AMT_BALANCE": _ALL + ("var",),
        "AMT_CREDIT_LIMIT_ACTUAL": ("max", "mean"),
        "AMT_DRAWINGS_ATM_CURRENT": ("max", "mean", "sum"),
        "AMT_DRAWINGS_CURRENT": ("max", "mean", "sum"),
        "AMT_DRAWINGS_POS_CURRENT": ("max", "mean"),
        "AMT_INST_MIN_REGULARITY": ("max", "mean"),
        "AMT_PAYMENT_CURRENT": ("max", "mean"),
        "AMT_PAYMENT_TOTAL_CURRENT": ("max", "mean", "sum"),
        "AMT_RECEIVABLE_PRINCIPAL": ("max", "mean"),
        "AMT_TOTAL_RECEIVABLE": ("max", "mean"),
        "CNT_DRAWINGS_ATM_CURRENT": ("max", "mean"),
        "CNT_DRAWINGS_CURRENT": ("max", "mean"),
        "CNT_DRAWINGS_POS_CURRENT": ("mean",),
        "CNT_INSTALMENT_MATURE_CUM": ("max", "mean"),
        "SK_DPD": ("max", "mean"),
        "SK_DPD_DEF": ("max", "mean"),
        "BALANCE_LIMIT_RATIO": ("max", "mean"),
        "PAYMENT_MIN_RATIO": ("min", "mean"),
    },
    shares={"NAME_CONTRACT_STATUS": ("Active", "Completed", "Signed")},
)


def prepare_credit_card(credit_card: Any) -> Any:
    """Card use relative to its limit, and payments relative to the minimum due (polars or Spark)."""
    safe_limit = nw.when(nw.col("AMT_CREDIT_LIMIT_ACTUAL") > 0).then(nw.col("AMT_CREDIT_LIMIT_ACTUAL"))
    safe_min = nw.when(nw.col("AMT_INST_MIN_REGULARITY") > 0).then(nw.col("AMT_INST_MIN_REGULARITY"))
    return lazy(credit_card).with_columns(
        (nw.col("AMT_BALANCE") / safe_limit).alias("BALANCE_LIMIT_RATIO"),
        (nw.col("AMT_PAYMENT_CURRENT") / safe_min).alias("PAYMENT_MIN_RATIO"),
    ).to_native()


def credit_card_aggregates(credit_card: Any) -> Any:
    """One row per client (SK_ID_CURR) summarising their credit card use."""
    return CREDIT_CARD.aggregate(prepare_credit_card(credit_card))
