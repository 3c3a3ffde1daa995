"""The five behavioural-history tables, as aggregation families: one place for pipelines and API."""

from __future__ import annotations

from credit_scoring_kedro.features.aggregation import Family
from credit_scoring_kedro.features.bureau import BUREAU
from credit_scoring_kedro.features.credit_card import CREDIT_CARD
from credit_scoring_kedro.features.installments import INSTALLMENTS
from credit_scoring_kedro.features.pos_cash import POS_CASH
from credit_scoring_kedro.features.previous_applications import PREVIOUS

HISTORY_FAMILIES: tuple[Family, ...] = (BUREAU, PREVIOUS, POS_CASH, INSTALLMENTS, CREDIT_CARD)


def count_columns() -> list[str]:
    """History features that are counts: 0, not unknown, for a client with no such history."""
    return [f.name for fam in HISTORY_FAMILIES for f in fam.features() if f.statistic == "count"]
