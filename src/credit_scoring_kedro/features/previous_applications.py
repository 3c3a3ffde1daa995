"""Previous applications for Home Credit loans: what was asked, granted and refused."""

from __future__ import annotations

from typing import Any

import narwhals as nw

from credit_scoring_kedro.features.aggregation import Family, Scope
from credit_scoring_kedro.features.frames import lazy

#: Home Credit's placeholder for "no date" in the DAYS_* columns of this table.
NO_DATE = 365243
_DATE_COLUMNS = ("DAYS_FIRST_DRAWING", "DAYS_FIRST_DUE", "DAYS_LAST_DUE_1ST_VERSION",
                 "DAYS_LAST_DUE", "DAYS_TERMINATION")

_CORE = {
    "AMT_ANNUITY": ("min", "max", "mean"),
    "AMT_APPLICATION": ("min", "max", "mean"),
    "AMT_CREDIT": ("min", "max", "mean"),
    "APP_CREDIT_RATIO": ("min", "max", "mean", "var"),
    "AMT_DOWN_PAYMENT": ("max", "mean"),
    "AMT_GOODS_PRICE": ("min", "max", "mean"),
    "HOUR_APPR_PROCESS_START": ("mean",),
    "RATE_DOWN_PAYMENT": ("max", "mean"),
    "DAYS_DECISION": ("min", "max", "mean"),
    "CNT_PAYMENT": ("mean", "sum"),
    "DAYS_LAST_DUE_1ST_VERSION": ("max", "mean"),
}
_SCOPED = {
    "AMT_ANNUITY": ("max", "mean"),
    "AMT_APPLICATION": ("max", "mean"),
    "AMT_CREDIT": ("max", "mean"),
    "APP_CREDIT_RATIO": ("mean",),
    "DAYS_DECISION": ("max", "mean"),
    "CNT_PAYMENT": ("mean",),
}

PREVIOUS = Family(
    table="previous_application",
    prefix="PREV",
    numeric=_CORE,
    shares={
        "NAME_CONTRACT_STATUS": ("Approved", "Refused", "Canceled", "Unused offer"),
        "NAME_CONTRACT_TYPE": ("Cash loans", "Consumer loans", "Revolving loans"),
        "CODE_REJECT_REASON": ("HC", "LIMIT", "SCO", "SCOFR", "VERIF"),
        "NAME_CLIENT_TYPE": ("New", "Repeater", "Refreshed"),
        "NAME_YIELD_GROUP": ("high", "middle", "low_normal", "low_action"),
        "NAME_PRODUCT_TYPE": ("x-sell", "walk-in"),
    },
    scopes=(
        Scope("APPROVED", nw.col("NAME_CONTRACT_STATUS") == "Approved", _SCOPED),
        Scope("REFUSED", nw.col("NAME_CONTRACT_STATUS") == "Refused", _SCOPED),
    ),
)


def prepare_previous(previous: Any) -> Any:
    """Placeholder dates removed, asked-versus-granted ratio added (polars or Spark)."""
    safe_credit = nw.when(nw.col("AMT_CREDIT") > 0).then(nw.col("AMT_CREDIT"))
    return lazy(previous).with_columns(
        *[nw.when(nw.col(c) != NO_DATE).then(nw.col(c)).alias(c) for c in _DATE_COLUMNS],
        (nw.col("AMT_APPLICATION") / safe_credit).alias("APP_CREDIT_RATIO"),
    ).to_native()


def previous_aggregates(previous: Any) -> Any:
    """One row per client (SK_ID_CURR) summarising their earlier Home Credit applications."""
    return PREVIOUS.aggregate(prepare_previous(previous))
