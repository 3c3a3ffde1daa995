"""The review switch: while it is on, every new credit decision goes to a person.

EU AI Act Art. 14(4)(e): the people who oversee a high-risk system must be able to stop it.
An admin turns the switch on (``PUT /admin/review-mode``) when the model must not decide
alone (a drift alert, a data incident, a supervisor's request): ``POST /predict`` still
computes the probability and the reasons, but answers ``"decision": "review"`` with the
model's ``automatic_decision`` beside it, and logs ``review``. A manager then decides each
application (an override of the logged decision, :mod:`.oversight`).

Where the state lives, and why. The switch is the latest row of ``review_mode_events`` in
the prediction log's database: the one store that every gunicorn worker and every API host
already share, that survives a restart, and that keeps the history (who switched, when and
why) next to the decisions it changed. Each worker keeps a copy for ``refresh_seconds``
(1 s, ``conf/base/oversight.yml``): ``POST /predict`` reads a monotonic clock and an
attribute (under a microsecond), and at most once a second one request of each worker
reads the latest row (one indexed query, ``ORDER BY id DESC LIMIT 1``: about 0.4 ms on
SQLite; the cached check about 0.3 µs; measured in docs/oversight.md). A switch set in one worker is therefore seen by all
within about a second; the worker that set it sees it at once. Rejected alternatives: the
shared-memory counter of the model reload (:mod:`api.reloading`) dies with the gunicorn
master and reaches no other host; a state file's modification time costs a ``stat`` system
call on every request (blocking under gevent) and there is no file next to a PostgreSQL log.

Failure: when the database cannot be read, the last state read stays in force (and the
failure is logged). A worker that has never read it (the database failed from the start)
counts the switch as ON: unsure whether automatic decisions are suspended, it lets a person
decide, which is the safe side of an oversight control.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 1.0


@dataclass(frozen=True)
class ReviewState:
    """The switch as a worker sees it."""

    on: bool
    since: datetime | None = None     # when it was last switched (None: never)
    by: str | None = None             # the person who switched it
    reason: str | None = None
    known: bool = True                # False: never read from the database (counted as on)

    def public(self) -> dict[str, Any]:
        """What ``GET /admin/review-mode`` answers."""
        return {"on": self.on, "since": _iso(self.since), "by": self.by, "reason": self.reason}


OFF = ReviewState(False)


class ReviewSwitch:
    """A cached view of the latest ``review_mode_events`` row (see the module docstring).

    Args:
        read_latest: Returns the latest event as a mapping (``at``, ``switched_on``,
            ``reason``, ``acting_user``) or None when there is none; raises on failure.
        append: Stores one event durably; raises on failure.
        refresh_seconds: How long the copy is trusted.
        clock: A monotonic clock (tests move it).
    """

    def __init__(self, read_latest: Callable[[], Any], append: Callable[[dict], None],
                 refresh_seconds: float = REFRESH_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._read_latest = read_latest
        self._append = append
        self.refresh_seconds = float(refresh_seconds)
        self._clock = clock
        self._state: ReviewState | None = None
        self._expires = float("-inf")
        self._refreshing = threading.Lock()
        self._failing = False

    def state(self) -> ReviewState:
        """The switch, at most ``refresh_seconds`` old (never raises)."""
        if self._clock() < self._expires:   # the hot path of every POST /predict
            return self._state   # type: ignore[return-value]
        return self._refresh()

    def on(self) -> bool:
        return self.state().on

    def set(self, on: bool, reason: str, acting_user: str,
            actor_key: str | None = None) -> tuple[ReviewState, bool]:
        """Switch on or off; returns the state and whether it changed.

        Setting the state it already has records nothing (the first reason stays).

        Raises:
            Exception: the database could not be read or written (nothing changed).
        """
        current = self._from_event(self._read_latest())
        if current.on == on:
            self._keep(current)
            return current, False
        event = {"at": datetime.now(UTC), "switched_on": bool(on), "reason": reason,
                 "acting_user": acting_user, "actor_key": actor_key}
        self._append(event)
        state = self._from_event(event)
        self._keep(state)
        logger.warning("review switch %s by %s: %s", "ON" if on else "OFF", acting_user, reason)
        return state, True

    def _refresh(self) -> ReviewState:
        if not self._refreshing.acquire(blocking=False):
            # another request of this worker is reading it: the copy it replaces will do
            return self._state or _unknown("the review switch is being read")
        try:
            try:
                state = self._from_event(self._read_latest())
                if self._failing:
                    logger.warning("review switch readable again: %s", "on" if state.on else "off")
                self._failing = False
            except Exception as error:   # keep deciding with the last state known
                state = self._state or _unknown(f"{type(error).__name__}: {str(error)[:200]}")
                if not self._failing:
                    logger.error("review switch unreadable (%s: %s); keeping: %s",
                                 type(error).__name__, str(error)[:200],
                                 "on" if state.on else "off")
                self._failing = True
            self._keep(state)
            return state
        finally:
            self._refreshing.release()

    def _keep(self, state: ReviewState) -> None:
        self._state = state
        self._expires = self._clock() + self.refresh_seconds

    @staticmethod
    def _from_event(event: Any) -> ReviewState:
        if event is None:
            return OFF
        at = event["at"]
        if isinstance(at, datetime) and at.tzinfo is None:
            at = at.replace(tzinfo=UTC)   # SQLite gives back naive UTC times
        return ReviewState(bool(event["switched_on"]), at, event.get("acting_user"),
                           event.get("reason"))


def _unknown(why: str) -> ReviewState:
    return ReviewState(True, reason=f"the review switch could not be read ({why}): "
                                    "a person decides until it can", known=False)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
