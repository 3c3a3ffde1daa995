"""A client's application in words and readable units (age in years, amounts, yes/no).

What a relationship manager reads to a client: the fields and their order are declared here
once; labels come from the glossary (``conf/base/feature_glossary.yml``) and numbers are
written by the explanations' own formatters (:class:`~credit_scoring_kedro.explain.units.FeatureUnits`:
the configured currency, ages in whole years, scores out of 100), so a value reads the same
on every page and in every sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from credit_scoring_kedro.explain.units import FeatureUnits
from credit_scoring_kedro.features.domain import DAYS_EMPLOYED_ANOMALY


@dataclass(frozen=True)
class ProfileField:
    column: str
    unit: str          # years_ago, money, count, category, yes_no, score, rating


PROFILE = (
    ProfileField("CODE_GENDER", "category"),
    ProfileField("DAYS_BIRTH", "years_ago"),
    ProfileField("NAME_FAMILY_STATUS", "category"),
    ProfileField("CNT_CHILDREN", "count"),
    ProfileField("NAME_EDUCATION_TYPE", "category"),
    ProfileField("NAME_INCOME_TYPE", "category"),
    ProfileField("OCCUPATION_TYPE", "category"),
    ProfileField("DAYS_EMPLOYED", "years_ago"),
    ProfileField("AMT_INCOME_TOTAL", "money"),
    ProfileField("NAME_CONTRACT_TYPE", "category"),
    ProfileField("AMT_CREDIT", "money"),
    ProfileField("AMT_ANNUITY", "money"),
    ProfileField("AMT_GOODS_PRICE", "money"),
    ProfileField("NAME_HOUSING_TYPE", "category"),
    ProfileField("FLAG_OWN_CAR", "yes_no"),
    ProfileField("FLAG_OWN_REALTY", "yes_no"),
    ProfileField("REGION_RATING_CLIENT", "rating"),
    ProfileField("EXT_SOURCE_2", "score"),
    ProfileField("EXT_SOURCE_3", "score"),
)

GENDERS = {"F": "Female", "M": "Male", "XNA": "Not given"}
AGE_BANDS = ((0, 25, "under 25"), (25, 35, "25-34"), (35, 45, "35-44"), (45, 55, "45-54"),
             (55, 65, "55-64"), (65, 200, "65 and over"))
INCOME_BANDS = ((0, 100_000, "under 100k"), (100_000, 150_000, "100k-150k"),
                (150_000, 225_000, "150k-225k"), (225_000, 350_000, "225k-350k"),
                (350_000, math.inf, "350k and over"))


def years(days: float | None) -> float | None:
    """Days before the application (negative) -> years, one decimal."""
    if _missing(days):
        return None
    return round(abs(float(days)) / 365.25, 1)


def band(value: float | None, bands) -> str | None:
    if _missing(value):
        return None
    return next((name for low, high, name in bands if low <= value < high), None)


def display(field: ProfileField, value, units: FeatureUnits | None = None) -> str:
    """The value as a client reads it.

    ``units``: the explanations' formatters; with them a number reads exactly as in the
    sentences of "Why this score" (without them, the plain fallbacks below).
    """
    if _missing(value):
        return "not given"
    if field.column == "DAYS_EMPLOYED" and value == DAYS_EMPLOYED_ANOMALY:
        return "not employed"
    if field.column == "CODE_GENDER":
        return GENDERS.get(value, str(value))
    if units is not None and field.unit not in ("category", "yes_no"):
        return units.format(field.column, float(value))
    if field.unit == "years_ago":
        return f"{years(value):.1f} years"
    if field.unit == "money":
        return f"{float(value):,.0f}"
    if field.unit == "count":
        return f"{float(value):.0f}"
    if field.unit == "yes_no":
        return {"Y": "yes", "N": "no"}.get(value, str(value))
    if field.unit == "score":
        return f"{float(value):.2f} (0 = worst, 1 = best)"
    if field.unit == "rating":
        return f"{float(value):.0f} (1 = best, 3 = worst)"
    return str(value)


def profile(record: dict, labels: dict[str, str],
            units: FeatureUnits | None = None) -> list[dict]:
    """The declared fields of one application record, labelled and readable (see :func:`display`)."""
    out = []
    for field in PROFILE:
        value = record.get(field.column)
        shown = None if _missing(value) else value
        if field.column == "DAYS_EMPLOYED" and shown == DAYS_EMPLOYED_ANOMALY:
            shown = None
        elif field.unit == "years_ago" and shown is not None:
            shown = years(shown)
        out.append({"name": field.column, "label": labels.get(field.column, field.column),
                    "value": shown, "display": display(field, value, units)})
    return out


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
