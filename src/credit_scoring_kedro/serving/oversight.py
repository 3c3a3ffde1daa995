"""Human oversight of the logged credit decisions: overrides, contests, and their rules.

EU AI Act Art. 14 asks that a person can "disregard, override or reverse the output" of a
high-risk system; GDPR Art. 22(3) gives a client refused by an automated decision the right
to "obtain human intervention, to express his or her point of view and to contest the
decision". Both act on the decisions of the prediction log (:mod:`.prediction_log`), so the
oversight tables live in the same database, keyed by the decision's ``decision_id``:

- ``overrides``: a manager replaced a decision (granted / refused, or decided one logged as
  ``review``), with a configured reason code and free text. Overrides are never changed nor
  deleted: an override of an override is a new row, and the latest one (highest
  ``sequence``) is the **effective decision**.
- ``contests``: a client's statement against a decision, as a manager recorded it, and its
  resolution by another manager (``upheld``: the decision stands; ``overturned``: an
  override with the reserved reason ``contest_overturned`` replaces it).
- ``review_mode_events``: each switch of the review mode (:mod:`.review_mode`).

Who may resolve a contest: never a person who took part in the decision, i.e. who asked for
it (the decision's ``acting_user``) or overrode it (any override's ``acting_user``): their
own judgement is what is contested. The manager who recorded the contest may resolve it
(``contests.recorder_may_resolve`` in ``conf/base/oversight.yml``, justified there).

Writes are synchronous, one transaction each, and return only once committed (SQLite:
``synchronous=FULL``, so a committed override survives a power loss too). They are rare (a
few per manager per day) and a person waits for them: a failure is an
:class:`OversightUnavailable` (the API answers 503 and the dashboard says it was not
recorded), never a silent loss. Two managers overriding the same decision at once: each
override carries its ``sequence`` in the decision, unique with the decision id, so the
second insert fails and is answered as a conflict (409) instead of stacking two overrides
on a stale effective decision. A contest is resolved by an ``UPDATE ... WHERE status =
'open'`` in the same transaction as its override.

The rules (:func:`effective_decision`, :func:`check_override`, :func:`check_resolver`,
:func:`check_contest`) are plain functions, testable without a database or Flask.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from credit_scoring_kedro.serving import prediction_log
from credit_scoring_kedro.serving.prediction_log import PREDICTIONS, _add_missing_columns, _safe
from credit_scoring_kedro.serving.review_mode import REFRESH_SECONDS, ReviewSwitch

logger = logging.getLogger(__name__)

#: What a person may decide; the log may also hold "review" (the review switch was on).
DECISIONS = ("granted", "refused")
LOGGED_DECISIONS = ("granted", "refused", "review")
OUTCOMES = ("upheld", "overturned")     # upheld: the decision stands
STATUSES = ("open", "resolved")
BUSY_SECONDS = 2.0

METADATA = sa.MetaData()
OVERRIDES = sa.Table(
    "overrides", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("override_id", sa.String(32), nullable=False),
    sa.Column("decision_id", sa.String(80), nullable=False),   # predictions.decision_id
    sa.Column("sequence", sa.Integer, nullable=False),         # 1, 2, ... within the decision
    sa.Column("client_id", sa.BigInteger, nullable=True),
    sa.Column("previous_decision", sa.String(16), nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("reason_code", sa.String(64), nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("acting_user", sa.String(128), nullable=False),  # the person
    sa.Column("actor_key", sa.String(64), nullable=True),      # the API key's name
    sa.Column("contest_id", sa.String(32), nullable=True),     # set by a contest's resolution
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ux_overrides_override_id", "override_id", unique=True),
    sa.Index("ux_overrides_decision_sequence", "decision_id", "sequence", unique=True),
)
CONTESTS = sa.Table(
    "contests", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("contest_id", sa.String(32), nullable=False),
    sa.Column("decision_id", sa.String(80), nullable=False),
    sa.Column("client_id", sa.BigInteger, nullable=True),
    sa.Column("statement", sa.Text, nullable=False),           # the client's words
    sa.Column("received_on", sa.Date, nullable=False),         # when the client contested
    sa.Column("recorded_by", sa.String(128), nullable=False),
    sa.Column("recorded_key", sa.String(64), nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),        # open, resolved
    sa.Column("resolved_by", sa.String(128), nullable=True),
    sa.Column("resolved_key", sa.String(64), nullable=True),
    sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("outcome", sa.String(16), nullable=True),        # upheld, overturned
    sa.Column("outcome_comment", sa.Text, nullable=True),
    sa.Column("override_id", sa.String(32), nullable=True),    # the overturning override
    sa.Index("ux_contests_contest_id", "contest_id", unique=True),
    sa.Index("ix_contests_decision_id", "decision_id"),
    sa.Index("ix_contests_status", "status"),
)
REVIEW_MODE_EVENTS = sa.Table(
    "review_mode_events", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("switched_on", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("acting_user", sa.String(128), nullable=False),
    sa.Column("actor_key", sa.String(64), nullable=True),
)
TABLES = (OVERRIDES, CONTESTS, REVIEW_MODE_EVENTS)
#: The decision columns an oversight view shows (never the inputs nor the feature row).
DECISION_COLUMNS = ("id", "decision_id", "request_id", "logged_at", "client_id",
                    "model_version", "probability", "threshold", "decision",
                    "automatic_decision", "acting_user", "reason_codes")


# ----- errors: each says what to do, and maps to one HTTP status (api/errors.py) -----------
class OversightError(Exception):
    status, code = 422, "invalid_oversight"

    def __init__(self, message: str, details: list[dict] | None = None) -> None:
        super().__init__(message)
        self.message, self.details = message, details or []


class InvalidOversight(OversightError):
    """The request breaks a rule (reason, comment, date, outcome): the caller can fix it."""


class UnknownDecision(OversightError, LookupError):
    status, code = 404, "unknown_decision"


class UnknownContest(OversightError, LookupError):
    status, code = 404, "unknown_contest"


class NotIndependent(OversightError):
    """The person who took part in a decision may not resolve the contest against it."""

    status, code = 403, "not_independent"


class OversightConflict(OversightError):
    """The decision or contest changed meanwhile, or is in a state that forbids this."""

    status, code = 409, "conflict"


class OversightUnavailable(OversightError):
    """The database did not take (or give) the record: nothing was changed."""

    status, code = 503, "oversight_unavailable"


# ----- the configured policy ------------------------------------------------------------------
@dataclass(frozen=True)
class OversightPolicy:
    """``conf/base/oversight.yml`` (catalog entry ``oversight``), checked."""

    reasons: dict[str, str]                     # selectable override reasons: code -> label
    contest_reason: tuple[str, str] = ("contest_overturned",
                                       "Decision overturned after the client's contest")
    comment_chars: tuple[int, int] = (10, 2000)
    statement_chars: tuple[int, int] = (10, 5000)
    recorder_may_resolve: bool = True
    refresh_seconds: float = REFRESH_SECONDS
    labels: dict[str, str] = field(init=False)  # every code, the reserved one included

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", {**self.reasons,
                                            self.contest_reason[0]: self.contest_reason[1]})

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> OversightPolicy:
        """Raises ValueError on a malformed file (no reason, a duplicate code, bad lengths)."""
        entries = config.get("override_reasons") or []
        codes = [str(e.get("code", "")).strip() for e in entries]
        if not entries or not all(codes) or not all(e.get("label") for e in entries):
            raise ValueError("oversight: override_reasons needs at least one {code, label}")
        if len(set(codes)) != len(codes):
            raise ValueError(f"oversight: duplicate override reason codes in {codes}")
        contest = config.get("contest_override_reason") or {}
        reserved = (str(contest.get("code", "contest_overturned")),
                    str(contest.get("label", "Decision overturned after the client's contest")))
        if reserved[0] in codes:
            raise ValueError(f"oversight: {reserved[0]!r} is reserved for contests")
        lengths = []
        for name, default in (("comment", (10, 2000)), ("statement", (10, 5000))):
            block = config.get(name) or {}
            low, high = int(block.get("min_chars", default[0])), int(block.get("max_chars",
                                                                                default[1]))
            if not 1 <= low <= high:
                raise ValueError(f"oversight: {name} needs 1 <= min_chars <= max_chars")
            lengths.append((low, high))
        return cls({c: str(e["label"]) for c, e in zip(codes, entries, strict=True)}, reserved,
                   lengths[0], lengths[1],
                   bool((config.get("contests") or {}).get("recorder_may_resolve", True)),
                   float((config.get("review_mode") or {}).get("refresh_seconds",
                                                                REFRESH_SECONDS)))

    @classmethod
    def default(cls) -> OversightPolicy:
        """The project's file (``conf/base/oversight.yml``) read without the catalog."""
        import yaml

        from credit_scoring_kedro.serving.artifacts import project_root

        return cls.from_config(yaml.safe_load(
            (project_root() / "conf" / "base" / "oversight.yml").read_text()))

    def public(self) -> dict[str, Any]:
        """What ``GET /oversight/reasons`` answers (the form's choices and limits)."""
        return {"reasons": [{"code": c, "label": label} for c, label in self.reasons.items()],
                "contest_override_reason": {"code": self.contest_reason[0],
                                            "label": self.contest_reason[1]},
                "comment": {"min_chars": self.comment_chars[0],
                            "max_chars": self.comment_chars[1]},
                "statement": {"min_chars": self.statement_chars[0],
                              "max_chars": self.statement_chars[1]},
                "decisions": list(DECISIONS), "outcomes": list(OUTCOMES),
                "recorder_may_resolve": self.recorder_may_resolve}


# ----- the rules, without a database --------------------------------------------------------
def effective_decision(logged: str, overrides: Iterable[Mapping[str, Any]]) -> str:
    """The decision in force: the latest override's (highest ``sequence``), else the log's."""
    latest = max(overrides, key=lambda o: o["sequence"], default=None)
    return latest["decision"] if latest is not None else logged


def _text(value: Any, what: str, bounds: tuple[int, int], location: str) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not bounds[0] <= len(text) <= bounds[1]:
        raise InvalidOversight(
            f"The {what} must hold {bounds[0]} to {bounds[1]} characters (it has {len(text)})",
            [{"location": location, "problem": f"{bounds[0]} to {bounds[1]} characters"}])
    return text


def check_override(policy: OversightPolicy, current: str, decision: str, reason_code: str,
                   comment: str, *, reserved: bool = False) -> str:
    """The trimmed comment of a valid override; :class:`InvalidOversight` otherwise.

    ``reserved``: the contest's own reason code is allowed (a resolution records it).
    """
    if decision not in DECISIONS:
        raise InvalidOversight(f"The new decision must be one of {', '.join(DECISIONS)}",
                               [{"location": "body.decision", "problem": "granted or refused"}])
    allowed = policy.labels if reserved else policy.reasons
    if reason_code not in allowed:
        raise InvalidOversight(
            f"Unknown override reason {reason_code!r}: choose one of {', '.join(allowed)}",
            [{"location": "body.reason_code", "problem": "not a configured reason"}])
    text = _text(comment, "comment", policy.comment_chars, "body.comment")
    if decision == current:
        raise InvalidOversight(
            f"The decision in force is already {current!r}: an override must change it",
            [{"location": "body.decision", "problem": f"equals the effective decision {current}"}])
    return text


def participants(decision: Mapping[str, Any], overrides: Iterable[Mapping[str, Any]]) -> set[str]:
    """The people who took part in a decision: who asked for it and who overrode it."""
    people = {o["acting_user"] for o in overrides if o.get("acting_user")}
    if decision.get("acting_user"):
        people.add(decision["acting_user"])
    return people


def check_resolver(policy: OversightPolicy, resolver: str, decision: Mapping[str, Any],
                   overrides: Iterable[Mapping[str, Any]], contest: Mapping[str, Any]) -> None:
    """:class:`NotIndependent` when ``resolver`` may not resolve ``contest`` (module docstring)."""
    overrides = list(overrides)
    if resolver in participants(decision, overrides):
        took = ("asked for this decision" if decision.get("acting_user") == resolver
                else "overrode this decision")
        raise NotIndependent(
            f"{resolver} {took}: a contest must be resolved by another manager, who did not "
            "take part in the decision (GDPR Art. 22(3): a human review by someone else)")
    if not policy.recorder_may_resolve and contest.get("recorded_by") == resolver:
        raise NotIndependent(f"{resolver} recorded this contest: by this lender's policy "
                             "(contests.recorder_may_resolve) another manager resolves it")


def check_contest(policy: OversightPolicy, statement: str, received_on: date,
                  decided_on: date, today: date) -> str:
    """The trimmed statement of a valid contest; :class:`InvalidOversight` otherwise."""
    text = _text(statement, "statement", policy.statement_chars, "body.statement")
    if received_on > today:
        raise InvalidOversight(f"The date received ({received_on}) is in the future",
                               [{"location": "body.received_on", "problem": "in the future"}])
    if received_on < decided_on:
        raise InvalidOversight(
            f"The date received ({received_on}) is before the decision ({decided_on})",
            [{"location": "body.received_on", "problem": "before the decision"}])
    return text


# ----- the store ------------------------------------------------------------------------------
class OversightStore:
    """Overrides, contests and the review switch, in the prediction log's database.

    Args:
        url: The prediction log's SQLAlchemy URL (:class:`.prediction_log.PredictionLog`).
        policy: The configured rules (:meth:`OversightPolicy.default` when None).
    """

    def __init__(self, url: str, policy: OversightPolicy | None = None,
                 busy_seconds: float = BUSY_SECONDS) -> None:
        self.url = url
        self.policy = policy or OversightPolicy.default()
        self.busy_seconds = busy_seconds
        self._engine: sa.Engine | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()
        self.review = ReviewSwitch(self._latest_review_event, self._append_review_event,
                                   self.policy.refresh_seconds)

    # --- decisions, as oversight shows them -------------------------------------------------
    def decision(self, decision_id: str) -> dict[str, Any]:
        """One logged decision with its overrides, contests and effective decision."""
        with self._reading() as conn:
            return self._views(conn, [self._decision_row(conn, decision_id)])[0]

    def client_decisions(self, client_id: int, limit: int = 20) -> list[dict[str, Any]]:
        """The client's logged decisions, newest first."""
        with self._reading() as conn:
            rows = conn.execute(_decisions().where(PREDICTIONS.c.client_id == client_id)
                                .order_by(PREDICTIONS.c.id.desc()).limit(limit)).mappings()
            return self._views(conn, [dict(r) for r in rows])

    def contests(self, status: str = "open", limit: int = 100) -> list[dict[str, Any]]:
        """Contests with their decision: open ones oldest first (a queue), others newest first."""
        query = sa.select(CONTESTS)
        if status != "all":
            query = query.where(CONTESTS.c.status == status)
        query = query.order_by(CONTESTS.c.id if status == "open" else CONTESTS.c.id.desc())
        with self._reading() as conn:
            contests = [dict(r) for r in conn.execute(query.limit(limit)).mappings()]
            ids = list(dict.fromkeys(c["decision_id"] for c in contests))
            rows = [dict(r) for r in conn.execute(
                _decisions().where(PREDICTIONS.c.decision_id.in_(ids))).mappings()] if ids else []
            views = {v["decision_id"]: v for v in self._views(conn, rows)}
        return [_contest(c) | {"decision": views.get(c["decision_id"])} for c in contests]

    # --- writes -------------------------------------------------------------------------------
    def override(self, decision_id: str, decision: str, reason_code: str, comment: str,
                 acting_user: str, actor_key: str | None = None) -> dict[str, Any]:
        """Replace the decision in force; returns the decision's view once committed."""
        with self._writing() as conn:
            row = self._decision_row(conn, decision_id)
            overrides = self._overrides(conn, [decision_id])[decision_id]
            current = effective_decision(row["decision"], overrides)
            text = check_override(self.policy, current, decision, reason_code, comment)
            self._insert_override(conn, row, overrides, current, decision, reason_code, text,
                                  acting_user, actor_key)
        logger.info("override of %s: %s -> %s by %s (%s)", decision_id, current, decision,
                    acting_user, reason_code)
        return self.decision(decision_id)

    def record_contest(self, decision_id: str, statement: str, received_on: date,
                       acting_user: str, actor_key: str | None = None,
                       today: date | None = None) -> dict[str, Any]:
        """Put a client's contest in the review queue; returns the decision's view."""
        with self._writing() as conn:
            row = self._decision_row(conn, decision_id)
            overrides = self._overrides(conn, [decision_id])[decision_id]
            text = check_contest(self.policy, statement, received_on,
                                 _utc(row["logged_at"]).date(), today or datetime.now(UTC).date())
            if effective_decision(row["decision"], overrides) == "review":
                raise OversightConflict("This decision still awaits a manager's decision (it "
                                        "was logged under review): decide it first")
            pending = conn.execute(sa.select(CONTESTS.c.contest_id, CONTESTS.c.recorded_by)
                                   .where(CONTESTS.c.decision_id == decision_id,
                                          CONTESTS.c.status == "open")).first()
            if pending is not None:
                raise OversightConflict(f"An open contest of this decision already exists "
                                        f"({pending.contest_id}, recorded by "
                                        f"{pending.recorded_by}): resolve it first")
            conn.execute(CONTESTS.insert().values(
                contest_id=uuid.uuid4().hex, decision_id=decision_id,
                client_id=row["client_id"], statement=text, received_on=received_on,
                recorded_by=acting_user, recorded_key=actor_key, at=datetime.now(UTC),
                status="open"))
        logger.info("contest of %s recorded by %s", decision_id, acting_user)
        return self.decision(decision_id)

    def resolve(self, contest_id: str, outcome: str, comment: str, decision: str | None,
                acting_user: str, actor_key: str | None = None) -> dict[str, Any]:
        """Close a contest: ``upheld`` keeps the decision, ``overturned`` overrides it with
        ``decision``. Returns the decision's view."""
        with self._writing() as conn:
            contest = conn.execute(sa.select(CONTESTS).where(
                CONTESTS.c.contest_id == contest_id)).mappings().first()
            if contest is None:
                raise UnknownContest(f"No contest {contest_id!r}")
            if outcome not in OUTCOMES:
                raise InvalidOversight(f"The outcome must be one of {', '.join(OUTCOMES)}",
                                       [{"location": "body.outcome",
                                         "problem": "upheld or overturned"}])
            if (decision is None) == (outcome == "overturned"):
                raise InvalidOversight(
                    "An overturned contest needs the new decision; an upheld one takes none",
                    [{"location": "body.decision",
                      "problem": "required when overturned, absent when upheld"}])
            text = _text(comment, "comment", self.policy.comment_chars, "body.comment")
            if contest["status"] != "open":
                raise OversightConflict(f"This contest was already resolved "
                                        f"({contest['outcome']}) by {contest['resolved_by']}")
            row = self._decision_row(conn, contest["decision_id"])
            overrides = self._overrides(conn, [row["decision_id"]])[row["decision_id"]]
            check_resolver(self.policy, acting_user, row, overrides, contest)
            override_id = None
            if outcome == "overturned":
                current = effective_decision(row["decision"], overrides)
                code = self.policy.contest_reason[0]
                text = check_override(self.policy, current, decision, code, text, reserved=True)
                override_id = self._insert_override(conn, row, overrides, current, decision,
                                                    code, text, acting_user, actor_key,
                                                    contest_id=contest_id)
            done = conn.execute(CONTESTS.update().where(
                CONTESTS.c.contest_id == contest_id, CONTESTS.c.status == "open").values(
                status="resolved", resolved_by=acting_user, resolved_key=actor_key,
                resolved_at=datetime.now(UTC), outcome=outcome, outcome_comment=text,
                override_id=override_id))
            if done.rowcount != 1:
                raise OversightConflict("This contest was resolved by someone else meanwhile")
        logger.info("contest %s %s by %s", contest_id, outcome, acting_user)
        return self.decision(row["decision_id"])

    # --- the weekly report's data -----------------------------------------------------------
    def frames(self, since: datetime | None = None) -> dict[str, pd.DataFrame]:
        """Decisions, overrides and contests as tables (``since``: logged from then on)."""
        with self._reading() as conn:
            return read_frames(conn, since)

    # --- internals ----------------------------------------------------------------------------
    def _decision_row(self, conn: sa.Connection, decision_id: str) -> dict[str, Any]:
        row = conn.execute(_decisions().where(
            PREDICTIONS.c.decision_id == decision_id)).mappings().first()
        if row is None:
            raise UnknownDecision(f"No logged decision {decision_id!r}")
        return dict(row)

    @staticmethod
    def _overrides(conn: sa.Connection, ids: list[str]) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {i: [] for i in ids}
        if ids:
            for row in conn.execute(sa.select(OVERRIDES).where(OVERRIDES.c.decision_id.in_(ids))
                                    .order_by(OVERRIDES.c.sequence)).mappings():
                found[row["decision_id"]].append(dict(row))
        return found

    def _views(self, conn: sa.Connection, rows: list[dict]) -> list[dict[str, Any]]:
        ids = [r["decision_id"] for r in rows]
        overrides = self._overrides(conn, ids)
        contests: dict[str, list[dict]] = defaultdict(list)
        if ids:
            for row in conn.execute(sa.select(CONTESTS).where(CONTESTS.c.decision_id.in_(ids))
                                    .order_by(CONTESTS.c.id)).mappings():
                contests[row["decision_id"]].append(_contest(row))
        return [_view(r, overrides[r["decision_id"]], contests[r["decision_id"]], self.policy)
                for r in rows]

    def _insert_override(self, conn: sa.Connection, row: Mapping[str, Any],
                         overrides: list[dict], current: str, decision: str, reason_code: str,
                         comment: str, acting_user: str, actor_key: str | None,
                         contest_id: str | None = None) -> str:
        override_id = uuid.uuid4().hex
        conn.execute(OVERRIDES.insert().values(
            override_id=override_id, decision_id=row["decision_id"],
            sequence=max((o["sequence"] for o in overrides), default=0) + 1,
            client_id=row["client_id"], previous_decision=current, decision=decision,
            reason_code=reason_code, comment=comment, acting_user=acting_user,
            actor_key=actor_key, contest_id=contest_id, at=datetime.now(UTC)))
        return override_id

    def _latest_review_event(self) -> dict | None:
        with self._reading() as conn:
            row = conn.execute(sa.select(REVIEW_MODE_EVENTS).order_by(
                REVIEW_MODE_EVENTS.c.id.desc()).limit(1)).mappings().first()
        return dict(row) if row is not None else None

    def _append_review_event(self, event: dict) -> None:
        with self._writing() as conn:
            conn.execute(REVIEW_MODE_EVENTS.insert().values(**event))

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        with self._failures(), self.engine().connect() as conn:
            yield conn

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        with self._failures(), self.engine().begin() as conn:
            yield conn

    @contextlib.contextmanager
    def _failures(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.IntegrityError:   # another manager's write of the same sequence won
            raise OversightConflict("The decision changed while this was recorded (another "
                                    "manager acted on it): reload it and try again") from None
        except (sa.exc.SQLAlchemyError, OSError) as error:
            self._drop_engine()
            logger.error("oversight store %s failed: %s: %s", _safe(self.url),
                         type(error).__name__, str(error)[:300])
            raise OversightUnavailable("The oversight record could not be read or written; "
                                       "nothing was changed. Retry in a moment") from error

    def engine(self) -> sa.Engine:
        """The store's own engine (not the log writer's), created once per process."""
        if self._engine is None or self._pid != os.getpid():
            with self._lock:
                if self._engine is None or self._pid != os.getpid():
                    self._engine, self._pid = self._create_engine(), os.getpid()
        return self._engine

    def _create_engine(self) -> sa.Engine:
        sqlite = self.url.startswith("sqlite")
        if self.url.startswith("sqlite:///") and self.url != "sqlite:///:memory:":
            Path(self.url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(self.url, pool_pre_ping=not sqlite,
                                  connect_args={"timeout": self.busy_seconds} if sqlite else {})
        if sqlite:
            sa.event.listen(engine, "connect", self._sqlite_pragmas)
        try:
            for attempt in (1, 2):   # two workers creating the tables at once: the loser retries
                try:
                    prediction_log.METADATA.create_all(engine)
                    METADATA.create_all(engine)
                    _add_missing_columns(engine, [*prediction_log.TABLES.values(), *TABLES])
                    break
                except sa.exc.OperationalError:
                    if attempt == 2:
                        raise
        except Exception:
            engine.dispose()
            raise
        return engine

    def _sqlite_pragmas(self, connection, _record) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # an override is rare and a person waits for it: synced at every commit
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(self.busy_seconds * 1000)}")
        cursor.close()

    def _drop_engine(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = None


def purge_rows(conn: sa.Connection, cutoff: datetime, dry_run: bool = False) -> dict[str, int]:
    """Delete (or count) the oversight rows of the decisions logged before ``cutoff``, and the
    review switch's events older than it: the prediction log's retention
    (:meth:`.prediction_log.PredictionLog.purge` calls it before deleting the decisions).
    A database without the oversight tables (the API never started on it) counts nothing."""
    present = set(sa.inspect(conn).get_table_names())
    old = sa.select(PREDICTIONS.c.decision_id).where(PREDICTIONS.c.logged_at < cutoff)
    counts = {}
    for table, where in ((OVERRIDES, OVERRIDES.c.decision_id.in_(old)),
                         (CONTESTS, CONTESTS.c.decision_id.in_(old)),
                         (REVIEW_MODE_EVENTS, REVIEW_MODE_EVENTS.c.at < cutoff)):
        if table.name not in present:
            continue
        counts[table.name] = conn.execute(
            sa.select(sa.func.count()).select_from(table).where(where)).scalar_one()
        if counts[table.name] and not dry_run:
            conn.execute(table.delete().where(where))
    return counts


def _decisions() -> sa.Select:
    return sa.select(*[PREDICTIONS.c[name] for name in DECISION_COLUMNS])


def read_frames(conn: sa.Connection, since: datetime | None = None) -> dict[str, pd.DataFrame]:
    """The three tables the weekly report reads (:mod:`credit_scoring_kedro.monitoring.oversight`)."""
    decisions = sa.select(PREDICTIONS.c.decision_id, PREDICTIONS.c.logged_at,
                          PREDICTIONS.c.decision)
    overrides = sa.select(OVERRIDES.c.decision_id, OVERRIDES.c.at, OVERRIDES.c.reason_code,
                          OVERRIDES.c.decision)
    contests = sa.select(CONTESTS.c.contest_id, CONTESTS.c.decision_id, CONTESTS.c.at,
                         CONTESTS.c.resolved_at, CONTESTS.c.outcome)
    if since is not None:
        decisions = decisions.where(PREDICTIONS.c.logged_at >= since)
        overrides = overrides.where(OVERRIDES.c.at >= since)
        contests = contests.where(sa.or_(CONTESTS.c.at >= since,
                                         CONTESTS.c.resolved_at >= since))
    return {name: pd.DataFrame([dict(r) for r in conn.execute(query).mappings()],
                               columns=[c.name for c in query.selected_columns])
            for name, query in (("predictions", decisions), ("overrides", overrides),
                                ("contests", contests))}


def weeks_ago(weeks: int, today: date | None = None) -> datetime:
    """The Monday 00:00 UTC that starts the ``weeks``-th ISO week back (this week: 1)."""
    today = today or datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso(value: datetime | None) -> str | None:
    return _utc(value).isoformat() if value is not None else None


def _contest(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"contest_id": row["contest_id"], "decision_id": row["decision_id"],
            "client_id": row["client_id"], "statement": row["statement"],
            "received_on": row["received_on"].isoformat(), "recorded_by": row["recorded_by"],
            "at": _iso(row["at"]), "status": row["status"], "resolved_by": row["resolved_by"],
            "resolved_at": _iso(row["resolved_at"]), "outcome": row["outcome"],
            "outcome_comment": row["outcome_comment"], "override_id": row["override_id"]}


def _view(row: Mapping[str, Any], overrides: list[dict], contests: list[dict],
          policy: OversightPolicy) -> dict[str, Any]:
    automatic = row["automatic_decision"] or (row["decision"] if row["decision"] in DECISIONS
                                              else None)
    return {
        "decision_id": row["decision_id"], "request_id": row["request_id"],
        "client_id": row["client_id"], "logged_at": _iso(row["logged_at"]),
        "model_version": row["model_version"], "probability": float(row["probability"]),
        "threshold": float(row["threshold"]), "decision": row["decision"],
        "automatic_decision": automatic,
        "effective_decision": effective_decision(row["decision"], overrides),
        "decided_by": row["acting_user"],
        "reason_codes": json.loads(row["reason_codes"] or "[]"),
        "overrides": [{"override_id": o["override_id"], "sequence": o["sequence"],
                       "previous_decision": o["previous_decision"], "decision": o["decision"],
                       "reason_code": o["reason_code"],
                       "reason_label": policy.labels.get(o["reason_code"], o["reason_code"]),
                       "comment": o["comment"], "acting_user": o["acting_user"],
                       "at": _iso(o["at"]), "contest_id": o["contest_id"]}
                      for o in overrides],
        "contests": contests,
    }
