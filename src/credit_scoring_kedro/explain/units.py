"""Each feature's unit, and its value written as a person reads it: "43 years", "€529,862", "18%".

One place for the sentences of the local explainer, the API and the dashboard, so a value
never reaches a client as a raw day count or a bare share. The unit of a feature comes from
the rules of ``conf/base/feature_glossary.yml`` (``unit_rules``), matched against its name
or, for a history aggregate, against the column it summarises; the statistic then adapts it
(a count is a number, the mean of a yes/no a percentage, a variance a "± ..." spread).
A formatter per feature is prepared once in :meth:`FeatureUnits.build`, so formatting a
value costs about a microsecond on the API's path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
MISSING = "not known"

Formatter = Callable[[float], str]


def is_missing(value: Any) -> bool:
    """None, NaN (any float type) or pandas' NA: the client did not give this value."""
    if value is None:
        return True
    kind = type(value)
    if kind is float:
        return value != value         # NaN is the only value unequal to itself
    if kind is str or kind is int:
        return False
    try:
        return bool(value != value)   # NumPy scalars
    except TypeError:                 # pd.NA refuses to be a bool
        return True


def _plural(n: int, word: str) -> str:
    return f"1 {word}" if n == 1 else f"{n:,} {word}s"


def span(days: float, days_below: float = DAYS_PER_MONTH) -> str:
    """A length of time in days as a person says it: "12 days", "8 months", "3 years 4 months"."""
    days = -days if days < 0 else days
    if days < days_below:
        return _plural(round(days), "day")
    return _months(round(days / DAYS_PER_MONTH))


def _months(months: int) -> str:
    years, months = divmod(abs(months), 12)
    if not years:
        return _plural(months, "month")
    if not months:
        return _plural(years, "year")
    return f"{_plural(years, 'year')} {_plural(months, 'month')}"


def _relative(text: str, value: float) -> str:
    """Past (negative) or future (positive) relative to the application."""
    return f"in {text}" if value > 0 else f"{text} ago"


def _percent(value: float) -> str:
    pct = value * 100
    if abs(pct) < 1 and round(pct, 1):
        return f"{round(pct, 1)}%"
    return f"{round(pct) or 0:,}%"   # "or 0": never "-0%"


def _count(value: float) -> str:
    tenths = round(value, 1)
    if abs(tenths) < 10 and not tenths.is_integer():
        return f"{tenths}"            # a mean of counts: "2.5", never "2.4666"
    return f"{round(value) or 0:,}"


def _number(value: float) -> str:
    hundredths = round(value, 2)
    if abs(hundredths) >= 100 or hundredths.is_integer():
        return f"{round(value) or 0:,}"
    return f"{hundredths}"


def _hour(value: float) -> str:
    hour = round(value) % 24
    if hour in (0, 12):
        return "midnight" if hour == 0 else "noon"
    return f"{hour % 12} {'am' if hour < 12 else 'pm'}"


def _money(currency: Mapping[str, str]) -> Formatter:
    symbol, code = currency.get("symbol"), currency.get("code")
    prefix = symbol or (f"{code} " if code else "")

    def money(value: float) -> str:
        sign = "-" if round(value) < 0 else ""
        return f"{sign}{prefix}{abs(value):,.0f}"
    return money


def _formatters(currency: Mapping[str, str]) -> dict[str, Formatter]:
    """Kind -> how a value of that kind reads (the kinds of ``unit_rules``)."""
    return {
        "age": lambda v: _plural(math.floor(abs(v) / DAYS_PER_YEAR), "year"),
        "elapsed": lambda v: f"in {span(v)}" if v > 0 else span(v),
        "date": lambda v: _relative(span(v), v) if round(v) else "on the day of the application",
        "days": lambda v: span(v, days_below=61),
        "months_ago": lambda v: _relative(_months(round(v)), v) if round(v) else "this month",
        "months": lambda v: _plural(round(v), "month"),
        "years": lambda v: "under 1 year" if round(v) == 0 else _plural(round(v), "year"),
        "money": _money(currency),
        "percent": _percent,
        "building": lambda v: f"{v * 100:.{0 if v * 100 >= 1 or v == 0 else 1}f} on a 0–100 scale",
        "score": lambda v: f"{min(max(v, 0.0), 1.0) * 100:.0f} out of 100 (100 = best)",
        "score_points": lambda v: f"{v * 100:.0f} points on the 0–100 score scale",
        "rating": lambda v: f"{round(v)} (1 = best, 3 = worst)",
        "hour": _hour,
        "yes_no": lambda v: "yes" if v >= 0.5 else "no",
        "count": _count,
        "number": _number,
    }


#: Base kind -> how its spread (the square root of a variance) reads.
_SPREAD_OF = {"age": "days", "elapsed": "days", "date": "days", "days": "days",
              "months_ago": "months", "months": "months", "money": "money",
              "percent": "percent", "score": "score_points", "building": "building",
              "count": "count"}


def _aggregate_kind(column_kind: str, statistic: str | None) -> str:
    """How a statistic over a history column changes the column's unit."""
    if statistic in ("count", "nunique"):
        return "count"
    if statistic == "share":
        return "percent"
    if column_kind == "yes_no":   # 0/1 per row: the mean is a share, the sum a count
        return {"mean": "percent", "sum": "count"}.get(statistic, "yes_no")
    if statistic == "var":
        return f"{_SPREAD_OF.get(column_kind, 'number')}_spread"
    return column_kind


def entry_kind(entry: Mapping, rules: list[tuple[re.Pattern, str]]) -> str:
    """The unit kind of one feature-dictionary entry (``number`` when no rule applies)."""
    aggregate = entry.get("kind") == "history_aggregate"
    subject = (entry.get("source_column") or "") if aggregate else entry["name"]
    kind = next((k for pattern, k in rules if pattern.search(subject)), "number")
    return _aggregate_kind(kind, entry.get("statistic")) if aggregate else kind


def compile_rules(glossary: Mapping) -> list[tuple[re.Pattern, str]]:
    return [(re.compile(r["pattern"]), r["kind"]) for r in glossary.get("unit_rules", [])]


@dataclass(frozen=True)
class FeatureUnits:
    """Unit kind and formatter of every feature, built once from the dictionary and glossary."""

    kinds: dict[str, str]
    formatters: dict[str, Formatter]
    words: dict[str, str]               # category value -> words ("Y" -> "yes")
    fallback: Formatter

    @classmethod
    def build(cls, dictionary: list[dict], glossary: Mapping) -> FeatureUnits:
        rules = compile_rules(glossary)
        by_kind = _formatters(glossary.get("currency") or {})
        for shown in {*_SPREAD_OF.values(), "number"}:
            by_kind[f"{shown}_spread"] = _spread(by_kind[shown])
        kinds = {e["name"]: entry_kind(e, rules) for e in dictionary}
        formatters = {name: by_kind.get(kind, _number) for name, kind in kinds.items()}
        words = {str(k): str(v) for k, v in (glossary.get("category_words") or {}).items()}
        return cls(kinds, formatters, words, _number)

    def kind(self, feature: str) -> str:
        """E.g. ``age``, ``money``, ``percent``, ``days_spread``; ``number`` for an unknown feature."""
        return self.kinds.get(feature, "number")

    def format(self, feature: str, value: Any) -> str:
        """The value as a person reads it; ``"not known"`` when missing."""
        if is_missing(value):
            return MISSING
        if type(value) is str:
            return self.words.get(value) or value.replace("_", " ")
        return self.formatters.get(feature, self.fallback)(float(value))

    def category(self, value: str) -> str:
        """A category in words: Home Credit's codes translated, underscores read as spaces."""
        return self.words.get(value) or value.replace("_", " ")


def _spread(shown: Formatter) -> Formatter:
    return lambda v: "± " + shown(math.sqrt(max(v, 0.0))).removeprefix("-")
