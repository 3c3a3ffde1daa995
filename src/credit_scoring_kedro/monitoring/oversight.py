"""How often people change the model's decisions, week by week (EU AI Act Art. 14, 26(5)).

A rising override rate says the model and the managers disagree more (drift, a new product,
a policy the model does not know); reviews count the decisions taken while the review switch
was on; contests count what clients challenged and how it ended. One row per ISO week.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

import pandas as pd

COLUMNS = ["week", "week_start", "decisions", "reviews", "overridden_decisions",
           "override_rate", "overrides", "contests_opened", "contests_resolved",
           "contests_overturned"]


def _week_start(times: pd.Series) -> pd.Series:
    """The Monday (a date) of each time's ISO week, in UTC."""
    stamps = pd.to_datetime(times, utc=True, errors="coerce")
    days = stamps.dt.tz_convert(UTC).dt.normalize().dt.tz_localize(None)
    return (days - pd.to_timedelta(days.dt.weekday, unit="D")).dt.date


def _count(frame: pd.DataFrame, column: str, mask: pd.Series | None = None) -> pd.Series:
    if frame.empty or column not in frame:
        return pd.Series(dtype="int64")
    weeks = _week_start(frame[column])
    if mask is not None:
        weeks = weeks[mask.to_numpy()]
    return weeks.dropna().value_counts()


def weekly_oversight(tables: Mapping[str, pd.DataFrame], weeks: int | None = None,
                     today: date | None = None) -> pd.DataFrame:
    """Per ISO week: decisions, reviews, overrides, the override rate, contests.

    Args:
        tables: ``predictions`` (``decision_id``, ``logged_at``, ``decision``),
            ``overrides`` (``decision_id``, ``at``), ``contests`` (``at``, ``resolved_at``,
            ``outcome``); the ``oversight_log`` catalog entry, or
            :meth:`credit_scoring_kedro.serving.oversight.OversightStore.frames`.
        weeks: Only the last ``weeks`` ISO weeks up to ``today``'s (empty ones included);
            None: every week from the first event to the last.
        today: The reference day of ``weeks`` (today, UTC, by default).

    Returns:
        One row per ISO week (``week`` as ``2026-W49``, ``week_start`` its Monday), oldest
        first. ``overridden_decisions``: the week's decisions changed by at least one
        override (whenever made), ``override_rate`` their share of the week's decisions
        (None without decisions); ``overrides``: the overrides made that week.
    """
    predictions = tables.get("predictions", pd.DataFrame())
    overrides = tables.get("overrides", pd.DataFrame())
    contests = tables.get("contests", pd.DataFrame())
    overridden = None
    if not predictions.empty and not overrides.empty:
        overridden = predictions["decision_id"].isin(set(overrides["decision_id"]))
    counts = {
        "decisions": _count(predictions, "logged_at"),
        "reviews": _count(predictions, "logged_at", predictions["decision"].eq("review")
                          if "decision" in predictions else None),
        "overridden_decisions": (_count(predictions, "logged_at", overridden)
                                 if overridden is not None else pd.Series(dtype="int64")),
        "overrides": _count(overrides, "at"),
        "contests_opened": _count(contests, "at"),
        "contests_resolved": _count(contests, "resolved_at"),
        "contests_overturned": _count(contests, "resolved_at",
                                      contests["outcome"].eq("overturned")
                                      if "outcome" in contests else None),
    }
    if weeks is not None:
        today = today or datetime.now(UTC).date()
        last = today - timedelta(days=today.weekday())
        starts = [last - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    else:
        seen = sorted(set().union(*[set(c.index) for c in counts.values()]))
        starts = ([seen[0] + timedelta(weeks=n)
                   for n in range((seen[-1] - seen[0]).days // 7 + 1)] if seen else [])
    table = pd.DataFrame({"week_start": starts})
    for name, count in counts.items():
        table[name] = [int(count.get(start, 0)) for start in starts]
    table["override_rate"] = [round(o / d, 4) if d else None for o, d in
                              zip(table["overridden_decisions"], table["decisions"], strict=True)]
    table["week"] = [f"{s.isocalendar().year}-W{s.isocalendar().week:02d}" for s in starts]
    return table[COLUMNS] if len(table) else pd.DataFrame(columns=COLUMNS)


def report_oversight_weekly(oversight_log: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Node of the monitoring pipeline: every week of the log (``oversight_weekly``)."""
    return weekly_oversight(oversight_log)
