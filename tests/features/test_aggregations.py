"""Per-client history aggregates checked against values computed by hand on a few rows.

Every input frame carries all the contract's columns (unspecified ones are nulls of the
contract's dtype), as the validated raw tables do in the pipeline.
"""

from __future__ import annotations

import polars as pl
import pytest

from credit_scoring_kedro.features.aggregation import Family
from credit_scoring_kedro.features.bureau import BUREAU, bureau_aggregates, summarise_bureau_balance
from credit_scoring_kedro.features.credit_card import CREDIT_CARD, credit_card_aggregates
from credit_scoring_kedro.features.installments import INSTALLMENTS, installments_aggregates
from credit_scoring_kedro.features.pos_cash import POS_CASH, pos_cash_aggregates
from credit_scoring_kedro.features.previous_applications import (
    PREVIOUS,
    prepare_previous,
    previous_aggregates,
)
from credit_scoring_kedro.schema import table_schema

approx = pytest.approx


def history(name: str, **columns: list) -> pl.LazyFrame:
    """Table ``name`` with the given columns; every other contract column is null."""
    schema = table_schema(name).polars_schema()
    unknown = set(columns) - set(schema)
    assert not unknown, f"not columns of {name}: {unknown}"
    n = len(next(iter(columns.values())))
    assert all(len(v) == n for v in columns.values())
    return pl.DataFrame(
        [pl.Series(c, columns.get(c, [None] * n), dtype=dtype) for c, dtype in schema.items()]
    ).lazy()


def by_client(frame: pl.LazyFrame) -> dict[int, dict]:
    out = frame.collect()
    assert out["SK_ID_CURR"].is_unique().all()
    return {row["SK_ID_CURR"]: row for row in out.iter_rows(named=True)}


# ---------------------------------------------------------------- bureau + bureau_balance


def bureau_tables() -> tuple[pl.LazyFrame, pl.LazyFrame]:
    bureau = history(
        "bureau",
        SK_ID_CURR=[1, 1, 1, 2],
        SK_ID_BUREAU=[10, 11, 12, 20],
        CREDIT_ACTIVE=["Active", "Closed", "Active", "Closed"],
        CREDIT_TYPE=["Consumer credit", "Credit card", "Consumer credit", "Mortgage"],
        DAYS_CREDIT=[-100, -400, -200, -50],
        DAYS_CREDIT_ENDDATE=[200.0, -100.0, 400.0, None],
        CREDIT_DAY_OVERDUE=[0, 0, 10, 0],
        AMT_CREDIT_SUM=[1000.0, 500.0, 0.0, 300.0],
        AMT_CREDIT_SUM_DEBT=[400.0, 0.0, 50.0, None],
    )
    balance = history(
        "bureau_balance",
        SK_ID_BUREAU=[10, 10, 10, 10, 11, 11, 20],
        MONTHS_BALANCE=[0, -1, -2, -3, 0, -6, -10],
        STATUS=["0", "1", "C", "X", "5", "C", "X"],
    )
    return bureau, balance


def test_bureau_count_and_plain_statistics() -> None:
    rows = by_client(bureau_aggregates(*bureau_tables()))
    one, two = rows[1], rows[2]
    assert one["BURO_COUNT"] == 3 and two["BURO_COUNT"] == 1
    assert one["BURO_DAYS_CREDIT_MIN"] == -400 and one["BURO_DAYS_CREDIT_MAX"] == -100
    assert one["BURO_DAYS_CREDIT_MEAN"] == approx(-700 / 3)
    # deviations from -700/3: 400/3, -500/3, 100/3 -> (160000 + 250000 + 10000) / 9 / (3 - 1)
    assert one["BURO_DAYS_CREDIT_VAR"] == approx(70000 / 3)
    assert one["BURO_AMT_CREDIT_SUM_SUM"] == 1500.0
    assert one["BURO_AMT_CREDIT_SUM_MAX"] == 1000.0
    assert one["BURO_AMT_CREDIT_SUM_DEBT_SUM"] == 450.0
    assert one["BURO_AMT_CREDIT_SUM_DEBT_MEAN"] == approx(150.0)
    assert one["BURO_CREDIT_DAY_OVERDUE_MAX"] == 10
    assert one["BURO_CREDIT_DAY_OVERDUE_MEAN"] == approx(10 / 3)
    # CREDIT_DURATION = ENDDATE - DAYS_CREDIT: 300, 300, 600
    assert one["BURO_CREDIT_DURATION_MEAN"] == approx(400.0)
    assert two["BURO_CREDIT_DURATION_MEAN"] is None  # no end date
    assert two["BURO_AMT_CREDIT_SUM_DEBT_MAX"] is None  # its only debt is unknown


def test_bureau_variance_of_a_single_credit_is_missing() -> None:
    rows = by_client(bureau_aggregates(*bureau_tables()))
    assert rows[2]["BURO_DAYS_CREDIT_VAR"] is None


def test_bureau_category_shares() -> None:
    rows = by_client(bureau_aggregates(*bureau_tables()))
    one, two = rows[1], rows[2]
    assert one["BURO_CREDIT_ACTIVE_ACTIVE_SHARE"] == approx(2 / 3)
    assert one["BURO_CREDIT_ACTIVE_CLOSED_SHARE"] == approx(1 / 3)
    assert one["BURO_CREDIT_ACTIVE_BAD_DEBT_SHARE"] == 0.0
    assert one["BURO_CREDIT_TYPE_CONSUMER_CREDIT_SHARE"] == approx(2 / 3)
    assert two["BURO_CREDIT_ACTIVE_CLOSED_SHARE"] == 1.0
    assert two["BURO_CREDIT_TYPE_MORTGAGE_SHARE"] == 1.0


def test_bureau_active_and_closed_scopes() -> None:
    rows = by_client(bureau_aggregates(*bureau_tables()))
    one, two = rows[1], rows[2]
    assert one["BURO_ACTIVE_COUNT"] == 2 and one["BURO_CLOSED_COUNT"] == 1
    assert one["BURO_ACTIVE_DAYS_CREDIT_MIN"] == -200 and one["BURO_ACTIVE_DAYS_CREDIT_MAX"] == -100
    assert one["BURO_ACTIVE_AMT_CREDIT_SUM_SUM"] == 1000.0  # 1000 + 0
    assert one["BURO_ACTIVE_AMT_CREDIT_SUM_DEBT_SUM"] == 450.0  # 400 + 50
    assert one["BURO_CLOSED_DAYS_CREDIT_MEAN"] == -400
    assert one["BURO_CLOSED_AMT_CREDIT_SUM_MAX"] == 500.0
    assert two["BURO_ACTIVE_COUNT"] == 0 and two["BURO_CLOSED_COUNT"] == 1
    assert two["BURO_ACTIVE_DAYS_CREDIT_MEAN"] is None  # no active credit to average
    assert two["BURO_CLOSED_DAYS_CREDIT_MAX"] == -50


def test_bureau_debt_credit_ratio_skips_a_zero_credit() -> None:
    rows = by_client(bureau_aggregates(*bureau_tables()))
    one = rows[1]
    # 400/1000 = 0.4, 0/500 = 0, 50/0 -> no ratio
    assert one["BURO_DEBT_CREDIT_RATIO_MAX"] == approx(0.4)
    assert one["BURO_DEBT_CREDIT_RATIO_MEAN"] == approx(0.2)
    assert one["BURO_ACTIVE_DEBT_CREDIT_RATIO_MEAN"] == approx(0.4)  # active: 0.4 and no ratio
    assert rows[2]["BURO_DEBT_CREDIT_RATIO_MAX"] is None  # unknown debt


def test_bureau_balance_summarised_per_credit() -> None:
    _, balance = bureau_tables()
    per_credit = {
        r["SK_ID_BUREAU"]: r for r in summarise_bureau_balance(balance).collect().iter_rows(named=True)
    }
    assert set(per_credit) == {10, 11, 20}
    # credit 10: statuses 0, 1, C, X -> one late month of four, one closed month of four
    assert per_credit[10]["BB_LATE_SHARE"] == approx(0.25)
    assert per_credit[10]["BB_CLOSED_SHARE"] == approx(0.25)
    assert per_credit[10]["BB_MONTHS_COUNT"] == 4 and per_credit[10]["BB_MONTHS_OLDEST"] == -3
    # credit 11: statuses 5 (late) and C
    assert per_credit[11]["BB_LATE_SHARE"] == approx(0.5)
    assert per_credit[20]["BB_LATE_SHARE"] == 0.0


def test_bureau_balance_summaries_per_client() -> None:
    rows = by_client(bureau_aggregates(*bureau_tables()))
    one, two = rows[1], rows[2]
    # client 1: credit 10 (late 0.25, 4 months), credit 11 (late 0.5, 2 months), 12 (no status)
    assert one["BURO_BB_LATE_SHARE_MAX"] == approx(0.5)
    assert one["BURO_BB_LATE_SHARE_MEAN"] == approx(0.375)
    assert one["BURO_BB_CLOSED_SHARE_MEAN"] == approx(0.375)
    assert one["BURO_BB_MONTHS_COUNT_SUM"] == 6
    assert one["BURO_BB_MONTHS_COUNT_MEAN"] == approx(3.0)
    assert one["BURO_BB_MONTHS_OLDEST_MIN"] == -6
    assert one["BURO_ACTIVE_BB_LATE_SHARE_MEAN"] == approx(0.25)  # credit 10 only (12 has none)
    assert one["BURO_CLOSED_BB_LATE_SHARE_MEAN"] == approx(0.5)
    assert two["BURO_BB_LATE_SHARE_MAX"] == 0.0
    assert two["BURO_BB_MONTHS_OLDEST_MIN"] == -10


def test_a_share_counts_rows_with_a_missing_category_in_its_denominator() -> None:
    bureau = history("bureau", SK_ID_CURR=[1, 1], SK_ID_BUREAU=[10, 11],
                     CREDIT_ACTIVE=["Active", None], DAYS_CREDIT=[-10, -20])
    balance = history("bureau_balance", SK_ID_BUREAU=[10], MONTHS_BALANCE=[0], STATUS=["0"])
    row = by_client(bureau_aggregates(bureau, balance))[1]
    assert row["BURO_COUNT"] == 2 and row["BURO_ACTIVE_COUNT"] == 1
    assert row["BURO_CREDIT_ACTIVE_ACTIVE_SHARE"] == approx(0.5)  # 1 active credit of 2


# ---------------------------------------------------------------- previous_application


def previous_table() -> pl.LazyFrame:
    return history(
        "previous_application",
        SK_ID_PREV=[1, 2, 3, 4],
        SK_ID_CURR=[7, 7, 7, 8],
        NAME_CONTRACT_STATUS=["Approved", "Refused", "Refused", "Approved"],
        NAME_CONTRACT_TYPE=["Cash loans", "Consumer loans", "Cash loans", "Revolving loans"],
        CODE_REJECT_REASON=["XAP", "HC", "SCO", "XAP"],
        AMT_ANNUITY=[10.0, None, 30.0, 5.0],
        AMT_APPLICATION=[100.0, 200.0, 50.0, 60.0],
        AMT_CREDIT=[80.0, 0.0, 100.0, 60.0],
        DAYS_DECISION=[-100, -50, -20, -5],
        DAYS_LAST_DUE_1ST_VERSION=[-30.0, 365243.0, -10.0, 365243.0],
        DAYS_TERMINATION=[365243.0, -3.0, None, -1.0],
    )


def test_previous_placeholder_date_becomes_missing() -> None:
    prepared = prepare_previous(previous_table()).collect()
    assert prepared["DAYS_LAST_DUE_1ST_VERSION"].to_list() == [-30.0, None, -10.0, None]
    assert prepared["DAYS_TERMINATION"].to_list() == [None, -3.0, None, -1.0]
    assert prepared["APP_CREDIT_RATIO"].to_list() == [1.25, None, 0.5, 1.0]  # 200/0 -> no ratio


def test_previous_counts_statistics_and_shares() -> None:
    rows = by_client(previous_aggregates(previous_table()))
    seven, eight = rows[7], rows[8]
    assert seven["PREV_COUNT"] == 3 and eight["PREV_COUNT"] == 1
    assert seven["PREV_AMT_ANNUITY_MEAN"] == approx(20.0)  # the unknown annuity is left out
    assert seven["PREV_AMT_APPLICATION_MAX"] == 200.0
    assert seven["PREV_DAYS_DECISION_MIN"] == -100
    assert seven["PREV_APP_CREDIT_RATIO_MIN"] == approx(0.5)
    assert seven["PREV_APP_CREDIT_RATIO_MAX"] == approx(1.25)
    assert seven["PREV_APP_CREDIT_RATIO_MEAN"] == approx(0.875)
    assert seven["PREV_APP_CREDIT_RATIO_VAR"] == approx(0.28125)  # 2 * 0.375^2 / (2 - 1)
    assert seven["PREV_NAME_CONTRACT_STATUS_REFUSED_SHARE"] == approx(2 / 3)
    assert seven["PREV_NAME_CONTRACT_STATUS_APPROVED_SHARE"] == approx(1 / 3)
    assert seven["PREV_NAME_CONTRACT_STATUS_CANCELED_SHARE"] == 0.0
    assert seven["PREV_NAME_CONTRACT_TYPE_CASH_LOANS_SHARE"] == approx(2 / 3)
    assert seven["PREV_CODE_REJECT_REASON_HC_SHARE"] == approx(1 / 3)
    assert eight["PREV_NAME_CONTRACT_TYPE_REVOLVING_LOANS_SHARE"] == 1.0


def test_previous_placeholder_dates_do_not_reach_the_aggregates() -> None:
    rows = by_client(previous_aggregates(previous_table()))
    assert rows[7]["PREV_DAYS_LAST_DUE_1ST_VERSION_MAX"] == -10.0  # not 365243
    assert rows[7]["PREV_DAYS_LAST_DUE_1ST_VERSION_MEAN"] == approx(-20.0)
    assert rows[8]["PREV_DAYS_LAST_DUE_1ST_VERSION_MAX"] is None


def test_previous_approved_and_refused_scopes() -> None:
    rows = by_client(previous_aggregates(previous_table()))
    seven, eight = rows[7], rows[8]
    assert seven["PREV_APPROVED_COUNT"] == 1 and seven["PREV_REFUSED_COUNT"] == 2
    assert seven["PREV_REFUSED_AMT_APPLICATION_MEAN"] == approx(125.0)  # (200 + 50) / 2
    assert seven["PREV_REFUSED_AMT_APPLICATION_MAX"] == 200.0
    assert seven["PREV_REFUSED_APP_CREDIT_RATIO_MEAN"] == approx(0.5)  # 200/0 has no ratio
    assert seven["PREV_REFUSED_DAYS_DECISION_MAX"] == -20
    assert seven["PREV_APPROVED_AMT_CREDIT_MEAN"] == 80.0
    assert eight["PREV_REFUSED_COUNT"] == 0
    assert eight["PREV_REFUSED_AMT_CREDIT_MEAN"] is None
    assert eight["PREV_APPROVED_AMT_ANNUITY_MAX"] == 5.0


# ---------------------------------------------------------------- POS_CASH_balance


def pos_table() -> pl.LazyFrame:
    return history(
        "pos_cash_balance",
        SK_ID_PREV=[1, 1, 2, 2, 3],
        SK_ID_CURR=[3, 3, 3, 3, 4],
        MONTHS_BALANCE=[-1, -2, -1, -5, -3],
        CNT_INSTALMENT=[12.0, 12.0, 6.0, 6.0, 24.0],
        CNT_INSTALMENT_FUTURE=[10.0, 11.0, 0.0, 4.0, 24.0],
        SK_DPD=[0, 12, 0, 3, 0],
        NAME_CONTRACT_STATUS=["Active", "Active", "Completed", "Active", "Signed"],
    )


def test_pos_cash_counts_statistics_and_late_months() -> None:
    rows = by_client(pos_cash_aggregates(pos_table()))
    three, four = rows[3], rows[4]
    assert three["POS_COUNT"] == 4 and four["POS_COUNT"] == 1
    assert three["POS_MONTHS_BALANCE_MIN"] == -5 and three["POS_MONTHS_BALANCE_MAX"] == -1
    assert three["POS_MONTHS_BALANCE_MEAN"] == approx(-2.25)
    assert three["POS_CNT_INSTALMENT_MAX"] == 12.0
    assert three["POS_CNT_INSTALMENT_FUTURE_MIN"] == 0.0
    assert three["POS_SK_DPD_MAX"] == 12 and three["POS_SK_DPD_MEAN"] == approx(3.75)
    # LATE_MONTH = SK_DPD > 0: 0, 1, 0, 1
    assert three["POS_LATE_MONTH_SUM"] == 2 and three["POS_LATE_MONTH_MEAN"] == approx(0.5)
    assert four["POS_LATE_MONTH_SUM"] == 0
    assert three["POS_SK_ID_PREV_NUNIQUE"] == 2 and four["POS_SK_ID_PREV_NUNIQUE"] == 1


def test_pos_cash_status_shares() -> None:
    rows = by_client(pos_cash_aggregates(pos_table()))
    assert rows[3]["POS_NAME_CONTRACT_STATUS_ACTIVE_SHARE"] == approx(0.75)
    assert rows[3]["POS_NAME_CONTRACT_STATUS_COMPLETED_SHARE"] == approx(0.25)
    assert rows[3]["POS_NAME_CONTRACT_STATUS_SIGNED_SHARE"] == 0.0
    assert rows[4]["POS_NAME_CONTRACT_STATUS_SIGNED_SHARE"] == 1.0


# ---------------------------------------------------------------- installments_payments


def installments_table() -> pl.LazyFrame:
    return history(
        "installments_payments",
        SK_ID_PREV=[10, 10, 20, 20, 21],
        SK_ID_CURR=[1, 1, 2, 2, 2],
        NUM_INSTALMENT_VERSION=[1.0, None, 1.0, 2.0, 1.0],
        DAYS_INSTALMENT=[-100.0, -70.0, -40.0, -10.0, -20.0],
        # client 1: 3 days late, 2 days early; client 2: on time, 5 days late, not paid yet
        DAYS_ENTRY_PAYMENT=[-97.0, -72.0, -40.0, -5.0, None],
        AMT_INSTALMENT=[100.0, 100.0, 50.0, 50.0, 0.0],
        AMT_PAYMENT=[100.0, 60.0, 50.0, 75.0, 0.0],
    )


def test_installments_lateness() -> None:
    rows = by_client(installments_aggregates(installments_table()))
    one, two = rows[1], rows[2]
    assert one["INSTAL_COUNT"] == 2 and two["INSTAL_COUNT"] == 3
    assert one["INSTAL_DAYS_PAST_DUE_MAX"] == 3 and one["INSTAL_DAYS_PAST_DUE_SUM"] == 3
    assert one["INSTAL_DAYS_PAST_DUE_MEAN"] == approx(1.5)
    assert one["INSTAL_DAYS_BEFORE_DUE_SUM"] == 2 and one["INSTAL_DAYS_BEFORE_DUE_MAX"] == 2
    assert one["INSTAL_LATE_PAYMENT_MEAN"] == approx(0.5)
    assert one["INSTAL_LATE_PAYMENT_SUM"] == 1
    assert one["INSTAL_DAYS_ENTRY_PAYMENT_MAX"] == -72.0
    # client 2: 0 and 5 days late; the unpaid instalment has no lateness
    assert two["INSTAL_DAYS_PAST_DUE_MAX"] == 5
    assert two["INSTAL_DAYS_PAST_DUE_MEAN"] == approx(2.5)
    assert two["INSTAL_LATE_PAYMENT_MEAN"] == approx(0.5)
    assert two["INSTAL_DAYS_BEFORE_DUE_SUM"] == 0


def test_installments_payment_ratio_shortfall_and_underpayment() -> None:
    rows = by_client(installments_aggregates(installments_table()))
    one, two = rows[1], rows[2]
    # client 1: paid 100 of 100 and 60 of 100
    assert one["INSTAL_PAYMENT_RATIO_MIN"] == approx(0.6)
    assert one["INSTAL_PAYMENT_RATIO_MEAN"] == approx(0.8)
    assert one["INSTAL_PAYMENT_RATIO_VAR"] == approx(0.08)  # (0.2^2 + 0.2^2) / (2 - 1)
    assert one["INSTAL_PAYMENT_SHORTFALL_MAX"] == 40.0
    assert one["INSTAL_PAYMENT_SHORTFALL_SUM"] == 40.0
    assert one["INSTAL_PAYMENT_SHORTFALL_MEAN"] == approx(20.0)
    assert one["INSTAL_UNDERPAYMENT_SUM"] == 1 and one["INSTAL_UNDERPAYMENT_MEAN"] == approx(0.5)
    assert one["INSTAL_AMT_PAYMENT_SUM"] == 160.0 and one["INSTAL_AMT_PAYMENT_MIN"] == 60.0
    # client 2: 50/50 = 1, 75/50 = 1.5 (overpaid), 0 due -> no ratio
    assert two["INSTAL_PAYMENT_RATIO_MIN"] == approx(1.0)
    assert two["INSTAL_PAYMENT_RATIO_MEAN"] == approx(1.25)
    assert two["INSTAL_PAYMENT_SHORTFALL_SUM"] == -25.0  # 0 - 25 + 0
    assert two["INSTAL_PAYMENT_SHORTFALL_MAX"] == 0.0
    assert two["INSTAL_UNDERPAYMENT_SUM"] == 0
    assert two["INSTAL_AMT_INSTALMENT_SUM"] == 100.0


def test_installments_nunique_ignores_nulls() -> None:
    rows = by_client(installments_aggregates(installments_table()))
    assert rows[1]["INSTAL_NUM_INSTALMENT_VERSION_NUNIQUE"] == 1  # 1.0 and a null
    assert rows[2]["INSTAL_NUM_INSTALMENT_VERSION_NUNIQUE"] == 2  # 1.0, 2.0, 1.0


# ---------------------------------------------------------------- credit_card_balance


def cards_table() -> pl.LazyFrame:
    return history(
        "credit_card_balance",
        SK_ID_PREV=[1, 1, 1, 2],
        SK_ID_CURR=[9, 9, 9, 10],
        MONTHS_BALANCE=[-1, -2, -3, -1],
        AMT_BALANCE=[500.0, 100.0, 300.0, 200.0],
        AMT_CREDIT_LIMIT_ACTUAL=[1000, 0, 400, 0],
        AMT_PAYMENT_CURRENT=[50.0, 20.0, None, 10.0],
        AMT_INST_MIN_REGULARITY=[25.0, 0.0, 10.0, 5.0],
        SK_DPD=[0, 4, 0, 0],
        NAME_CONTRACT_STATUS=["Active", "Active", "Completed", "Active"],
    )


def test_credit_card_counts_statistics_and_shares() -> None:
    rows = by_client(credit_card_aggregates(cards_table()))
    nine, ten = rows[9], rows[10]
    assert nine["CC_COUNT"] == 3 and ten["CC_COUNT"] == 1
    assert nine["CC_AMT_BALANCE_SUM"] == 900.0
    assert nine["CC_AMT_BALANCE_MIN"] == 100.0 and nine["CC_AMT_BALANCE_MAX"] == 500.0
    assert nine["CC_AMT_BALANCE_MEAN"] == approx(300.0)
    assert nine["CC_AMT_BALANCE_VAR"] == approx(40_000.0)  # (200^2 + 200^2 + 0) / (3 - 1)
    assert nine["CC_AMT_CREDIT_LIMIT_ACTUAL_MAX"] == 1000.0
    assert nine["CC_MONTHS_BALANCE_MIN"] == -3 and nine["CC_MONTHS_BALANCE_MEAN"] == approx(-2.0)
    assert nine["CC_SK_DPD_MAX"] == 4
    assert nine["CC_NAME_CONTRACT_STATUS_ACTIVE_SHARE"] == approx(2 / 3)
    assert nine["CC_NAME_CONTRACT_STATUS_COMPLETED_SHARE"] == approx(1 / 3)


def test_credit_card_ratios_with_a_zero_limit_or_minimum() -> None:
    rows = by_client(credit_card_aggregates(cards_table()))
    nine, ten = rows[9], rows[10]
    # balance/limit: 500/1000 = 0.5, 100/0 -> none, 300/400 = 0.75
    assert nine["CC_BALANCE_LIMIT_RATIO_MAX"] == approx(0.75)
    assert nine["CC_BALANCE_LIMIT_RATIO_MEAN"] == approx(0.625)
    # payment/minimum: 50/25 = 2, 20/0 -> none, unknown payment -> none
    assert nine["CC_PAYMENT_MIN_RATIO_MIN"] == approx(2.0)
    assert ten["CC_BALANCE_LIMIT_RATIO_MAX"] is None  # its only limit is zero
    assert ten["CC_PAYMENT_MIN_RATIO_MEAN"] == approx(2.0)  # 10/5


def test_credit_card_variance_of_a_single_month_is_missing() -> None:
    rows = by_client(credit_card_aggregates(cards_table()))
    assert rows[10]["CC_AMT_BALANCE_VAR"] is None


# ---------------------------------------------------------------- declared features == columns


def plausible_table(name: str, clients: tuple[int, ...] = (1, 1, 2)) -> pl.LazyFrame:
    """A few rows of ``name`` with a value in every contract column."""
    n = len(clients)
    data = {}
    for i, (column, dtype) in enumerate(table_schema(name).polars_schema().items()):
        if column == "SK_ID_CURR":
            values: list = list(clients)
        elif column in ("SK_ID_BUREAU", "SK_ID_PREV"):
            values = [100 + r for r in range(n)]
        elif dtype == pl.Int64:
            values = [-(r + i) for r in range(n)]
        elif dtype == pl.Float64:
            values = [1.5 * (r + 1) + i for r in range(n)]
        else:
            values = [("Active", "Closed", "Approved")[r % 3] for r in range(n)]
        data[column] = pl.Series(column, values, dtype=dtype)
    return pl.DataFrame(data).lazy()


FAMILIES = [
    pytest.param(BUREAU, bureau_aggregates, ("bureau", "bureau_balance"), id="bureau"),
    pytest.param(PREVIOUS, previous_aggregates, ("previous_application",), id="previous"),
    pytest.param(POS_CASH, pos_cash_aggregates, ("pos_cash_balance",), id="pos_cash"),
    pytest.param(INSTALLMENTS, installments_aggregates, ("installments_payments",), id="instal"),
    pytest.param(CREDIT_CARD, credit_card_aggregates, ("credit_card_balance",), id="credit_card"),
]


@pytest.mark.parametrize(("family", "aggregate", "tables"), FAMILIES)
def test_declared_features_are_the_computed_columns_in_order(
    family: Family, aggregate, tables: tuple[str, ...]
) -> None:
    out = aggregate(*[plausible_table(t) for t in tables]).collect()
    names = [f.name for f in family.features()]
    assert len(names) == len(set(names))
    assert out.columns[0] == "SK_ID_CURR"
    assert out.columns[1:] == names
    assert sorted(out["SK_ID_CURR"].to_list()) == [1, 2]
    assert {out.schema[c] for c in names} == {pl.Float64}


@pytest.mark.parametrize(("family", "aggregate", "tables"), FAMILIES)
def test_an_absent_history_table_gives_no_rows_but_every_column(
    family: Family, aggregate, tables: tuple[str, ...]
) -> None:
    empty = [pl.LazyFrame(schema=table_schema(t).polars_schema()) for t in tables]
    out = aggregate(*empty).collect()
    assert out.height == 0
    assert out.columns == ["SK_ID_CURR", *[f.name for f in family.features()]]
