"""Values in the client's units: ages, durations, dates, amounts, shares, scores, yes/no, spreads."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
import yaml

from credit_scoring_kedro.explain.units import FeatureUnits

PROJECT = Path(__file__).resolve().parents[2]
GLOSSARY = yaml.safe_load((PROJECT / "conf" / "base" / "feature_glossary.yml").read_text())

APPLICATION = ["DAYS_BIRTH", "DAYS_EMPLOYED", "DAYS_LAST_PHONE_CHANGE", "AMT_CREDIT",
               "AMT_INCOME_TOTAL", "INCOME_PER_PERSON", "ANNUITY_INCOME_RATIO",
               "CREDIT_GOODS_RATIO", "REGION_POPULATION_RELATIVE", "LIVINGAPARTMENTS_AVG",
               "EXT_SOURCE_3", "EXT_SOURCE_MEAN", "EXT_SOURCE_STD", "CREDIT_TERM_MONTHS",
               "OWN_CAR_AGE", "CNT_CHILDREN", "FLAG_OWN_CAR", "FLAG_DOCUMENT_3",
               "DAYS_EMPLOYED_ANOMALY", "REG_CITY_NOT_WORK_CITY", "REGION_RATING_CLIENT",
               "HOUR_APPR_PROCESS_START", "NAME_INCOME_TYPE", "WEEKDAY_APPR_PROCESS_START",
               "AMT_REQ_CREDIT_BUREAU_YEAR", "ORGANIZATION_TYPE"]


def _aggregate(name: str, table: str, column: str | None, statistic: str) -> dict:
    return {"name": name, "kind": "history_aggregate", "source_table": table,
            "source_column": column, "statistic": statistic, "scope": None,
            "description": "..."}


AGGREGATES = [
    _aggregate("BURO_DAYS_CREDIT_MEAN", "bureau", "DAYS_CREDIT", "mean"),
    _aggregate("BURO_DAYS_CREDIT_VAR", "bureau", "DAYS_CREDIT", "var"),
    _aggregate("BURO_DAYS_CREDIT_ENDDATE_MAX", "bureau", "DAYS_CREDIT_ENDDATE", "max"),
    _aggregate("BURO_CREDIT_DURATION_MEAN", "bureau", "CREDIT_DURATION", "mean"),
    _aggregate("BURO_AMT_CREDIT_SUM_DEBT_SUM", "bureau", "AMT_CREDIT_SUM_DEBT", "sum"),
    _aggregate("BURO_DEBT_CREDIT_RATIO_MEAN", "bureau", "DEBT_CREDIT_RATIO", "mean"),
    _aggregate("BURO_COUNT", "bureau", None, "count"),
    _aggregate("BURO_CREDIT_TYPE_MORTGAGE_SHARE", "bureau", "CREDIT_TYPE", "share"),
    _aggregate("INSTAL_DAYS_PAST_DUE_MEAN", "installments_payments", "DAYS_PAST_DUE", "mean"),
    _aggregate("INSTAL_DAYS_PAST_DUE_SUM", "installments_payments", "DAYS_PAST_DUE", "sum"),
    _aggregate("INSTAL_LATE_PAYMENT_MEAN", "installments_payments", "LATE_PAYMENT", "mean"),
    _aggregate("INSTAL_LATE_PAYMENT_SUM", "installments_payments", "LATE_PAYMENT", "sum"),
    _aggregate("INSTAL_PAYMENT_RATIO_VAR", "installments_payments", "PAYMENT_RATIO", "var"),
    _aggregate("INSTAL_PAYMENT_SHORTFALL_SUM", "installments_payments", "PAYMENT_SHORTFALL", "sum"),
    _aggregate("CC_AMT_BALANCE_VAR", "credit_card_balance", "AMT_BALANCE", "var"),
    _aggregate("POS_MONTHS_BALANCE_MIN", "pos_cash_balance", "MONTHS_BALANCE", "min"),
    _aggregate("POS_SK_DPD_MAX", "pos_cash_balance", "SK_DPD", "max"),
]
DICTIONARY = [{"name": n, "kind": "application", "description": "..."} for n in APPLICATION] \
    + AGGREGATES


@pytest.fixture(scope="module")
def units() -> FeatureUnits:
    return FeatureUnits.build(DICTIONARY, GLOSSARY)


@pytest.mark.parametrize(("feature", "value", "shown"), [
    ("DAYS_BIRTH", -15_760, "43 years"),                  # an age, never "43.1 years"
    ("DAYS_BIRTH", -365.25 * 30 - 1, "30 years"),
    ("DAYS_EMPLOYED", -1_217, "3 years 4 months"),         # never "1,217 days"
    ("DAYS_EMPLOYED", -243, "8 months"),
    ("DAYS_EMPLOYED", -365, "1 year"),
    ("DAYS_LAST_PHONE_CHANGE", -12, "12 days"),
    ("DAYS_LAST_PHONE_CHANGE", -1, "1 day"),
    ("BURO_DAYS_CREDIT_MEAN", -1_217, "3 years 4 months ago"),
    ("BURO_DAYS_CREDIT_ENDDATE_MAX", 426, "in 1 year 2 months"),   # a date in the future
    ("BURO_DAYS_CREDIT_ENDDATE_MAX", 20, "in 20 days"),
    ("INSTAL_DAYS_PAST_DUE_MEAN", 12.4, "12 days"),        # positive day counts: days below 2 months
    ("INSTAL_DAYS_PAST_DUE_MEAN", 45, "45 days"),
    ("INSTAL_DAYS_PAST_DUE_SUM", 1_217, "3 years 4 months"),
    ("POS_SK_DPD_MAX", 75, "2 months"),
    ("BURO_CREDIT_DURATION_MEAN", 730, "2 years"),
    ("POS_MONTHS_BALANCE_MIN", -26, "2 years 2 months ago"),
    ("POS_MONTHS_BALANCE_MIN", -1, "1 month ago"),
])
def test_days_and_months_read_as_ages_durations_and_dates(units, feature, value, shown) -> None:
    assert units.format(feature, value) == shown


def test_a_variance_of_days_is_a_spread_never_a_day_count(units) -> None:
    # variance in days² -> its square root, 426 days: about 1 year 2 months
    assert units.kind("BURO_DAYS_CREDIT_VAR") == "days_spread"
    assert units.format("BURO_DAYS_CREDIT_VAR", 426.0 ** 2) == "± 1 year 2 months"
    assert units.format("INSTAL_PAYMENT_RATIO_VAR", 0.15 ** 2) == "± 15%"
    assert units.format("CC_AMT_BALANCE_VAR", 12_000.0 ** 2) == "± €12,000"


def test_amounts_carry_the_configured_currency_and_thousands_separators(units) -> None:
    assert units.format("AMT_CREDIT", 529_862.4) == "€529,862"
    assert units.format("INCOME_PER_PERSON", 67_500) == "€67,500"
    assert units.format("BURO_AMT_CREDIT_SUM_DEBT_SUM", 1_283_401) == "€1,283,401"
    assert units.format("INSTAL_PAYMENT_SHORTFALL_SUM", -1_200) == "-€1,200"   # paid more than due
    in_pounds = FeatureUnits.build(DICTIONARY, GLOSSARY | {"currency": {"symbol": "£"}})
    assert in_pounds.format("AMT_CREDIT", 529_862) == "£529,862"
    by_code = FeatureUnits.build(DICTIONARY, GLOSSARY | {"currency": {"code": "PLN"}})
    assert by_code.format("AMT_CREDIT", 529_862) == "PLN 529,862"


def test_the_currency_is_configured_not_hard_coded() -> None:
    assert GLOSSARY["currency"] == {"symbol": "€", "code": "EUR"}


@pytest.mark.parametrize(("feature", "value", "shown"), [
    ("ANNUITY_INCOME_RATIO", 0.1834, "18%"),
    ("CREDIT_GOODS_RATIO", 1.12, "112%"),
    ("REGION_POPULATION_RELATIVE", 0.0035, "0.4%"),
    ("BURO_DEBT_CREDIT_RATIO_MEAN", 0.0, "0%"),
    ("BURO_DEBT_CREDIT_RATIO_MEAN", -0.00001, "0%"),                # never "-0%"
    ("BURO_CREDIT_TYPE_MORTGAGE_SHARE", 0.25, "25%"),
    ("INSTAL_LATE_PAYMENT_MEAN", 0.0625, "6%"),                     # mean of a yes/no: a share
    ("LIVINGAPARTMENTS_AVG", 0.0611, "6 on a 0–100 scale"),
    ("EXT_SOURCE_3", 0.7243, "72 out of 100 (100 = best)"),
    ("EXT_SOURCE_MEAN", 0.5, "50 out of 100 (100 = best)"),
    ("EXT_SOURCE_STD", 0.12, "12 points on the 0–100 score scale"),
])
def test_shares_ratios_and_scores_read_as_percentages_and_scales(units, feature, value, shown) -> None:
    assert units.format(feature, value) == shown


@pytest.mark.parametrize(("feature", "value", "shown"), [
    ("CREDIT_TERM_MONTHS", 22.4, "22 months"),
    ("OWN_CAR_AGE", 5.0, "5 years"),
    ("OWN_CAR_AGE", 1.0, "1 year"),
    ("CNT_CHILDREN", 2.0, "2"),
    ("AMT_REQ_CREDIT_BUREAU_YEAR", 3.0, "3"),          # a count although its name says AMT_
    ("BURO_COUNT", 1_234.0, "1,234"),
    ("INSTAL_LATE_PAYMENT_SUM", 4.0, "4"),
    ("FLAG_DOCUMENT_3", 1.0, "yes"),
    ("REG_CITY_NOT_WORK_CITY", 0.0, "no"),
    ("DAYS_EMPLOYED_ANOMALY", 1.0, "yes"),
    ("FLAG_OWN_CAR", "Y", "yes"),
    ("FLAG_OWN_CAR", "N", "no"),
    ("REGION_RATING_CLIENT", 2.0, "2 (1 = best, 3 = worst)"),
    ("HOUR_APPR_PROCESS_START", 14.0, "2 pm"),
    ("HOUR_APPR_PROCESS_START", 9.0, "9 am"),
    ("HOUR_APPR_PROCESS_START", 12.0, "noon"),
    ("NAME_INCOME_TYPE", "Commercial associate", "Commercial associate"),
    ("WEEKDAY_APPR_PROCESS_START", "MONDAY", "Monday"),
    ("ORGANIZATION_TYPE", "XNA", "not given"),
])
def test_terms_counts_flags_ratings_hours_and_categories(units, feature, value, shown) -> None:
    assert units.format(feature, value) == shown


def test_missing_values_are_said_and_unknown_features_stay_readable(units) -> None:
    assert units.format("AMT_CREDIT", None) == "not known"
    assert units.format("AMT_CREDIT", math.nan) == "not known"
    assert units.kind("NOT_A_FEATURE") == "number"
    assert units.format("NOT_A_FEATURE", 3.14159) == "3.14"


def test_every_feature_of_the_families_has_a_unit() -> None:
    """No history aggregate falls back to a bare number: the rules cover every column."""
    from credit_scoring_kedro.features.history_families import HISTORY_FAMILIES

    entries = [{"name": f.name, "kind": "history_aggregate", "source_column": f.column,
                "statistic": f.statistic} for fam in HISTORY_FAMILIES for f in fam.features()]
    units = FeatureUnits.build(entries, GLOSSARY)
    assert [e["name"] for e in entries if units.kind(e["name"]) == "number"] == []


def test_formatting_ten_values_takes_well_under_a_tenth_of_a_millisecond(units) -> None:
    values = [("DAYS_BIRTH", -15_760.0), ("AMT_CREDIT", 529_862.0), ("EXT_SOURCE_3", 0.72),
              ("ANNUITY_INCOME_RATIO", 0.18), ("DAYS_EMPLOYED", -1_217.0),
              ("BURO_DAYS_CREDIT_VAR", 181_476.0), ("FLAG_OWN_CAR", "Y"),
              ("INSTAL_DAYS_PAST_DUE_MEAN", 12.0), ("CREDIT_TERM_MONTHS", 22.0),
              ("NAME_INCOME_TYPE", "Working")]
    best = math.inf
    for _ in range(20):
        started = time.perf_counter()
        for feature, value in values:
            units.format(feature, value)
        best = min(best, time.perf_counter() - started)
    assert best < 50e-6
