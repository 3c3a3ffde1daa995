"""Each history aggregate against values computed by hand on a few rows."""

from __future__ import annotations

import polars as pl
import pytest
from frames import by_client, table

from credit_scoring_kedro.features.bureau import BUREAU, bureau_aggregates
from credit_scoring_kedro.features.credit_card import CREDIT_CARD, credit_card_aggregates
from credit_scoring_kedro.features.installments import INSTALLMENTS, installments_aggregates
from credit_scoring_kedro.features.pos_cash import POS_CASH, pos_cash_aggregates
from credit_scoring_kedro.features.previous_applications import PREVIOUS, previous_aggregates


def bureau_example():
    bureau = table(
        "bureau",
        SK_ID_CURR=[1, 1, 1, 2],
        SK_ID_BUREAU=[10, 11, 12, 20],
        CREDIT_ACTIVE=["Active", "Closed", "Active", "Closed"],
        DAYS_CREDIT=[-100, -400, -200, -50],
        AMT_CREDIT_SUM=[1000.0, 500.0, 0.0, 300.0],
        AMT_CREDIT_SUM_DEBT=[400.0, 0.0, 50.0, None],
        CREDIT_DAY_OVERDUE=[0, 0, 10, 0],
    )
    balance = table(
        "bureau_balance",
        SK_ID_BUREAU=[10, 10, 10, 10, 11, 11],
        MONTHS_BALANCE=[0, -1, -2, -3, 0, -1],
        STATUS=["0", "1", "C", "X", "C", "C"],
    )
    return bureau, balance


def test_bureau_counts_sums_and_scopes() -> None:
    rows = by_client(bureau_aggregates(*bureau_example()))
    one, two = rows[1], rows[2]
    assert one["BURO_COUNT"] == 3 and two["BURO_COUNT"] == 1
    assert one["BURO_DAYS_CREDIT_MIN"] == -400 and one["BURO_DAYS_CREDIT_MAX"] == -100
    assert one["BURO_DAYS_CREDIT_MEAN"] == pytest.approx(-700 / 3)
    assert one["BURO_AMT_CREDIT_SUM_SUM"] == 1500.0
    assert one["BURO_AMT_CREDIT_SUM_DEBT_MAX"] == 400.0
    assert one["BURO_CREDIT_DAY_OVERDUE_MAX"] == 10
    assert one["BURO_ACTIVE_COUNT"] == 2 and one["BURO_CLOSED_COUNT"] == 1
    assert one["BURO_ACTIVE_AMT_CREDIT_SUM_SUM"] == 1000.0          # 1000 + 0
    assert one["BURO_CLOSED_DAYS_CREDIT_MEAN"] == -400
    assert one["BURO_CREDIT_ACTIVE_ACTIVE_SHARE"] == pytest.approx(2 / 3)
    assert two["BURO_ACTIVE_COUNT"] == 0 and two["BURO_ACTIVE_AMT_CREDIT_SUM_SUM"] in (0.0, None)


def test_bureau_ratio_ignores_a_zero_credit_and_balance_is_summarised_per_credit() -> None:
    rows = by_client(bureau_aggregates(*bureau_example()))
    one = rows[1]
    # debt/credit: 400/1000 = 0.4 and 0/500 = 0; the zero-credit row gives no ratio
    assert one["BURO_DEBT_CREDIT_RATIO_MAX"] == pytest.approx(0.4)
    assert one["BURO_DEBT_CREDIT_RATIO_MEAN"] == pytest.approx(0.2)
    # credit 10: 1 late month out of 4; credit 11: 0 of 2; credit 12: no statuses
    assert one["BURO_BB_LATE_SHARE_MAX"] == pytest.approx(0.25)
    assert one["BURO_BB_LATE_SHARE_MEAN"] == pytest.approx(0.125)
    assert one["BURO_BB_MONTHS_COUNT_SUM"] == 6
    assert one["BURO_BB_MONTHS_OLDEST_MIN"] == -3
    assert rows[2]["BURO_BB_MONTHS_COUNT_SUM"] in (0.0, None)  # its credit has no statuses


def test_previous_applications_refusals_and_placeholder_dates() -> None:
    previous = table(
        "previous_application",
        SK_ID_PREV=[1, 2, 3], SK_ID_CURR=[7, 7, 7],
        NAME_CONTRACT_STATUS=["Approved", "Refused", "Refused"],
        AMT_APPLICATION=[100.0, 200.0, 50.0], AMT_CREDIT=[80.0, 0.0, 100.0],
        DAYS_LAST_DUE_1ST_VERSION=[-30.0, 365243.0, -10.0],
    )
    row = by_client(previous_aggregates(previous))[7]
    assert row["PREV_COUNT"] == 3
    assert row["PREV_APPROVED_COUNT"] == 1 and row["PREV_REFUSED_COUNT"] == 2
    assert row["PREV_NAME_CONTRACT_STATUS_REFUSED_SHARE"] == pytest.approx(2 / 3)
    assert row["PREV_APP_CREDIT_RATIO_MAX"] == pytest.approx(1.25)   # 100/80; 200/0 is no ratio
    assert row["PREV_APP_CREDIT_RATIO_MIN"] == pytest.approx(0.5)    # 50/100
    assert row["PREV_REFUSED_AMT_APPLICATION_MEAN"] == pytest.approx(125.0)
    assert row["PREV_DAYS_LAST_DUE_1ST_VERSION_MAX"] == -10.0         # 365243 means "no date"


def test_installments_lateness_and_shortfall() -> None:
    installments = table(
        "installments_payments",
        SK_ID_PREV=[1, 1, 2], SK_ID_CURR=[5, 5, 5],
        NUM_INSTALMENT_VERSION=[1.0, 1.0, None],
        DAYS_INSTALMENT=[-100.0, -70.0, -40.0],
        DAYS_ENTRY_PAYMENT=[-97.0, -72.0, -40.0],   # 3 days late, 2 days early, on time
        AMT_INSTALMENT=[100.0, 100.0, 50.0],
        AMT_PAYMENT=[100.0, 60.0, 50.0],
    )
    row = by_client(installments_aggregates(installments))[5]
    assert row["INSTAL_COUNT"] == 3
    assert row["INSTAL_DAYS_PAST_DUE_MAX"] == 3 and row["INSTAL_DAYS_PAST_DUE_SUM"] == 3
    assert row["INSTAL_DAYS_BEFORE_DUE_SUM"] == 2
    assert row["INSTAL_LATE_PAYMENT_MEAN"] == pytest.approx(1 / 3)
    assert row["INSTAL_UNDERPAYMENT_SUM"] == 1
    assert row["INSTAL_PAYMENT_SHORTFALL_MAX"] == 40.0
    assert row["INSTAL_PAYMENT_RATIO_MIN"] == pytest.approx(0.6)
    assert row["INSTAL_AMT_PAYMENT_SUM"] == 210.0
    assert row["INSTAL_NUM_INSTALMENT_VERSION_NUNIQUE"] == 1           # nulls not counted


def test_pos_cash_late_months_and_status_shares() -> None:
    pos = table(
        "pos_cash_balance",
        SK_ID_PREV=[1, 1, 2, 2], SK_ID_CURR=[3, 3, 3, 3], MONTHS_BALANCE=[-1, -2, -1, -5],
        SK_DPD=[0, 12, 0, 0], NAME_CONTRACT_STATUS=["Active", "Active", "Completed", "Active"],
    )
    row = by_client(pos_cash_aggregates(pos))[3]
    assert row["POS_COUNT"] == 4
    assert row["POS_LATE_MONTH_SUM"] == 1 and row["POS_LATE_MONTH_MEAN"] == pytest.approx(0.25)
    assert row["POS_SK_DPD_MAX"] == 12
    assert row["POS_MONTHS_BALANCE_MIN"] == -5
    assert row["POS_SK_ID_PREV_NUNIQUE"] == 2
    assert row["POS_NAME_CONTRACT_STATUS_COMPLETED_SHARE"] == pytest.approx(0.25)


def test_credit_card_use_of_limit_with_a_zero_limit() -> None:
    cards = table(
        "credit_card_balance",
        SK_ID_PREV=[1, 1], SK_ID_CURR=[9, 9], MONTHS_BALANCE=[-1, -2],
        AMT_BALANCE=[500.0, 100.0], AMT_CREDIT_LIMIT_ACTUAL=[1000, 0],
        AMT_PAYMENT_CURRENT=[50.0, 20.0], AMT_INST_MIN_REGULARITY=[25.0, 0.0],
    )
    row = by_client(credit_card_aggregates(cards))[9]
    assert row["CC_COUNT"] == 2
    assert row["CC_BALANCE_LIMIT_RATIO_MAX"] == pytest.approx(0.5)   # the zero limit gives no ratio
    assert row["CC_BALANCE_LIMIT_RATIO_MEAN"] == pytest.approx(0.5)
    assert row["CC_PAYMENT_MIN_RATIO_MIN"] == pytest.approx(2.0)
    assert row["CC_AMT_BALANCE_SUM"] == 600.0
    assert row["CC_AMT_BALANCE_VAR"] == pytest.approx(80_000.0)      # sample variance of 500, 100


def test_variance_of_a_single_row_is_missing() -> None:
    cards = table("credit_card_balance", SK_ID_PREV=[1], SK_ID_CURR=[9], AMT_BALANCE=[500.0])
    assert by_client(credit_card_aggregates(cards))[9]["CC_AMT_BALANCE_VAR"] is None


@pytest.mark.parametrize("family, build, inputs", [
    (BUREAU, bureau_aggregates, ("bureau", "bureau_balance")),
    (PREVIOUS, previous_aggregates, ("previous_application",)),
    (POS_CASH, pos_cash_aggregates, ("pos_cash_balance",)),
    (INSTALLMENTS, installments_aggregates, ("installments_payments",)),
    (CREDIT_CARD, credit_card_aggregates, ("credit_card_balance",)),
])
def test_declared_features_are_exactly_the_computed_columns(family, build, inputs) -> None:
    frames = [table(name, SK_ID_CURR=[1], SK_ID_BUREAU=[1], SK_ID_PREV=[1]) for name in inputs]
    out = build(*frames).collect()
    assert out.columns == ["SK_ID_CURR", *[f.name for f in family.features()]]
    assert all(dtype == pl.Float64 for name, dtype in out.schema.items() if name != "SK_ID_CURR")
