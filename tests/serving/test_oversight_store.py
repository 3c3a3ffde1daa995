"""Overrides, contests and the review switch, on a real SQLite log, without Flask or a model."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from credit_scoring_kedro.audit.record import seal
from credit_scoring_kedro.monitoring.oversight import weekly_oversight
from credit_scoring_kedro.serving import oversight as ov
from credit_scoring_kedro.serving.oversight import (
    InvalidOversight,
    NotIndependent,
    OversightConflict,
    OversightPolicy,
    OversightStore,
    OversightUnavailable,
    UnknownContest,
    UnknownDecision,
)
from credit_scoring_kedro.serving.prediction_log import PREDICTIONS, PredictionLog
from credit_scoring_kedro.serving.review_mode import ReviewSwitch

REASON = "documented_income_higher"
COMMENT = "Payslips of the last three months show a higher income."


@pytest.fixture
def log(tmp_path) -> PredictionLog:
    return PredictionLog(f"sqlite:///{tmp_path / 'log.db'}")


@pytest.fixture
def store(log) -> OversightStore:
    return OversightStore(log.url, OversightPolicy.default())


def decide(log: PredictionLog, request_id: str, decisions: list[str],
           acting_user: str | None = "alice", client_id: int = 100001) -> list[str]:
    """Log decisions as POST /predict does; their decision ids."""
    predictions = [{"client_id": client_id + i, "probability": 0.7 if d == "refused" else 0.1,
                    "decision": d, "reasons": [{"code": "EXT_SCORES_LOW"}] if d == "refused"
                    else []} for i, d in enumerate(decisions)]
    log.record(request_id, "v1", 0.5, [{"SK_ID_CURR": p["client_id"]} for p in predictions],
               predictions, acting_user=acting_user)
    assert log.flush()
    return [f"{request_id}-{i}" for i in range(len(decisions))]


def test_an_override_is_recorded_with_person_reason_and_time(log, store) -> None:
    [decision_id] = decide(log, "r1", ["refused"])
    before = datetime.now(UTC)
    view = store.override(decision_id, "granted", REASON, f"  {COMMENT}  ", "bob", "dashboard")
    assert view["decision"] == "refused" and view["effective_decision"] == "granted"
    assert view["decided_by"] == "alice"
    [record] = view["overrides"]
    assert record["acting_user"] == "bob" and record["reason_code"] == REASON
    assert record["reason_label"] == store.policy.reasons[REASON]
    assert record["comment"] == COMMENT                       # trimmed
    assert record["previous_decision"] == "refused" and record["sequence"] == 1
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(record["at"]) <= (
        datetime.now(UTC) + timedelta(seconds=1))


def test_an_override_of_an_override_keeps_the_history_and_the_latest_wins(log, store) -> None:
    [decision_id] = decide(log, "r2", ["refused"])
    store.override(decision_id, "granted", REASON, COMMENT, "bob")
    view = store.override(decision_id, "refused", "fraud_suspicion",
                          "The payslips turned out to be forged.", "carol")
    assert [o["decision"] for o in view["overrides"]] == ["granted", "refused"]
    assert [o["previous_decision"] for o in view["overrides"]] == ["refused", "granted"]
    assert view["effective_decision"] == "refused"
    assert store.client_decisions(100001)[0]["effective_decision"] == "refused"


@pytest.mark.parametrize(("decision", "reason", "comment", "problem"), [
    ("granted", "not_a_reason", COMMENT, "Unknown override reason"),
    ("granted", "contest_overturned", COMMENT, "Unknown override reason"),   # reserved
    ("granted", REASON, "too short", "10 to 2000 characters"),
    ("granted", REASON, "x" * 2001, "10 to 2000 characters"),
    ("refused", REASON, COMMENT, "already 'refused'"),
    ("review", REASON, COMMENT, "granted, refused"),
])
def test_an_invalid_override_is_refused_and_nothing_is_recorded(log, store, decision, reason,
                                                                comment, problem) -> None:
    [decision_id] = decide(log, f"r3{decision}{len(comment)}{reason[:3]}", ["refused"])
    with pytest.raises(InvalidOversight, match=problem):
        store.override(decision_id, decision, reason, comment, "bob")
    assert store.decision(decision_id)["overrides"] == []


def test_an_unknown_decision_is_a_lookup_error(store) -> None:
    with pytest.raises(UnknownDecision, match="No logged decision"):
        store.override("nope-0", "granted", REASON, COMMENT, "bob")
    with pytest.raises(UnknownContest):
        store.resolve("0" * 32, "upheld", COMMENT, None, "bob")


def test_client_decisions_are_newest_first_and_limited(log, store) -> None:
    first = decide(log, "r4a", ["refused"], client_id=5)[0]
    second = decide(log, "r4b", ["granted"], client_id=5)[0]
    decide(log, "r4c", ["granted"], client_id=6)
    assert [v["decision_id"] for v in store.client_decisions(5)] == [second, first]
    assert [v["decision_id"] for v in store.client_decisions(5, limit=1)] == [second]
    assert store.client_decisions(7) == []


def test_a_contest_needs_a_past_date_not_before_the_decision(log, store) -> None:
    [decision_id] = decide(log, "r5", ["refused"])
    today = datetime.now(UTC).date()
    with pytest.raises(InvalidOversight, match="in the future"):
        store.record_contest(decision_id, "I was refused unfairly.", today + timedelta(days=1),
                             "alice")
    with pytest.raises(InvalidOversight, match="before the decision"):
        store.record_contest(decision_id, "I was refused unfairly.", today - timedelta(days=3),
                             "alice")
    with pytest.raises(InvalidOversight, match="statement"):
        store.record_contest(decision_id, "unfair", today, "alice")
    view = store.record_contest(decision_id, "I was refused unfairly.", today, "alice")
    [contest] = view["contests"]
    assert contest["status"] == "open" and contest["recorded_by"] == "alice"
    assert contest["received_on"] == today.isoformat()
    with pytest.raises(OversightConflict, match="already exists"):
        store.record_contest(decision_id, "Again, I contest it.", today, "bob")


def test_the_person_who_decided_or_overrode_may_not_resolve_a_second_manager_may(
        log, store) -> None:
    [decision_id] = decide(log, "r6", ["refused"], acting_user="alice")
    store.override(decision_id, "granted", REASON, COMMENT, "bob")
    store.override(decision_id, "refused", "affordability_concern",
                   "The monthly instalment exceeds a third of the income.", "carol")
    view = store.record_contest(decision_id, "My income covers it, see my payslips.",
                                datetime.now(UTC).date(), "dave")
    contest_id = view["contests"][0]["contest_id"]
    for person in ("alice", "bob", "carol"):       # decided, overrode, overrode (latest)
        with pytest.raises(NotIndependent, match="another manager"):
            store.resolve(contest_id, "upheld", "The refusal stands after review.", None, person)
    assert store.contests("open")[0]["contest_id"] == contest_id   # still open
    # the recorder may (conf/base/oversight.yml: recorder_may_resolve), and overturns it
    done = store.resolve(contest_id, "overturned", "Payslips confirm the income; granted.",
                         "granted", "dave")
    assert done["effective_decision"] == "granted"
    last = done["overrides"][-1]
    assert last["reason_code"] == "contest_overturned" and last["acting_user"] == "dave"
    assert last["contest_id"] == contest_id
    [contest] = done["contests"]
    assert contest["status"] == "resolved" and contest["outcome"] == "overturned"
    assert contest["override_id"] == last["override_id"] and contest["resolved_by"] == "dave"
    assert store.contests("open") == []
    assert [c["contest_id"] for c in store.contests("resolved")] == [contest_id]
    with pytest.raises(OversightConflict, match="already resolved"):
        store.resolve(contest_id, "upheld", "The refusal stands after review.", None, "erin")


def test_an_upheld_contest_changes_no_decision(log, store) -> None:
    [decision_id] = decide(log, "r7", ["refused"], acting_user=None)   # a system decided
    contest_id = store.record_contest(decision_id, "Please look at my file again.",
                                      datetime.now(UTC).date(), "alice")["contests"][0]["contest_id"]
    with pytest.raises(InvalidOversight, match="needs the new decision"):
        store.resolve(contest_id, "overturned", "Granted after all, income checked.", None, "bob")
    with pytest.raises(InvalidOversight, match="needs the new decision"):
        store.resolve(contest_id, "upheld", "The refusal stands after review.", "granted", "bob")
    view = store.resolve(contest_id, "upheld", "The refusal stands after review.", None, "bob")
    assert view["effective_decision"] == "refused" and view["overrides"] == []
    assert view["contests"][0]["outcome"] == "upheld"


def test_a_lender_may_forbid_the_recorder_to_resolve(log, tmp_path) -> None:
    strict = OversightPolicy({"r": "A reason"}, recorder_may_resolve=False)
    store = OversightStore(log.url, strict)
    [decision_id] = decide(log, "r8", ["refused"], acting_user=None)
    contest_id = store.record_contest(decision_id, "Please look at my file again.",
                                      datetime.now(UTC).date(), "alice")["contests"][0]["contest_id"]
    with pytest.raises(NotIndependent, match="recorded this contest"):
        store.resolve(contest_id, "upheld", "The refusal stands after review.", None, "alice")


def test_a_decision_under_review_cannot_be_contested_before_a_person_decides(log, store) -> None:
    [decision_id] = decide(log, "r9", ["review"])
    with pytest.raises(OversightConflict, match="awaits a manager"):
        store.record_contest(decision_id, "Why is nothing decided?", datetime.now(UTC).date(),
                             "alice")
    view = store.override(decision_id, "granted", "manual_review_completed", COMMENT, "bob")
    assert view["decision"] == "review" and view["effective_decision"] == "granted"


def test_two_overrides_on_the_same_stale_state_cannot_both_land(log, store) -> None:
    [decision_id] = decide(log, "r10", ["refused"])
    with store._writing() as conn:
        row = store._decision_row(conn, decision_id)
        stale = store._overrides(conn, [decision_id])[decision_id]
    store.override(decision_id, "granted", REASON, COMMENT, "bob")   # the other manager
    with pytest.raises(OversightConflict, match="changed while"), store._writing() as conn:
        store._insert_override(conn, row, stale, "refused", "granted", REASON, COMMENT,
                               "carol", None)
    assert len(store.decision(decision_id)["overrides"]) == 1


def test_an_unwritable_database_is_a_clear_failure_not_a_silent_loss(tmp_path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    store = OversightStore(f"sqlite:///{blocked / 'log.db'}", OversightPolicy.default())
    with pytest.raises(OversightUnavailable, match="nothing was changed"):
        store.override("r-0", "granted", REASON, COMMENT, "bob")
    assert store.review.state().on and not store.review.state().known   # safe side


def test_a_log_of_an_earlier_version_gains_the_new_columns(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = sa.MetaData()
    sa.Table("predictions", old, *[sa.Column(c.name, c.type, primary_key=c.primary_key)
                                   for c in PREDICTIONS.columns
                                   if c.name not in ("acting_user", "automatic_decision")])
    engine = sa.create_engine(url)
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO predictions (logged_at, decision_id, request_id, "
                             "client_id, model_version, probability, decision, threshold, "
                             "inputs) VALUES ('2026-01-05 10:00:00', 'old-0', 'old', 7, 'v0', "
                             "0.8, 'refused', 0.5, '{}')"))
    engine.dispose()
    store = OversightStore(url, OversightPolicy.default())
    view = store.override("old-0", "granted", REASON, COMMENT, "bob")
    assert view["automatic_decision"] == "refused" and view["decided_by"] is None
    assert view["logged_at"].startswith("2026-01-05T10:00:00")


def test_the_seal_of_a_row_logged_before_the_new_columns_is_unchanged(log) -> None:
    row = {"decision_id": "a-0", "client_id": 1, "model_version": "v", "threshold": 0.5,
           "probability": 0.2, "decision": "granted", "inputs": "{}", "reason_codes": "[]",
           "features": None, "history_snapshot": None}
    assert seal(row) == seal(row | {"acting_user": None, "automatic_decision": None})
    assert seal(row | {"acting_user": "alice"}) != seal(row)   # the person is sealed too


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_switch_is_read_at_most_once_per_refresh_and_set_at_once() -> None:
    events, reads, clock = [], [], Clock()

    def latest():
        reads.append(clock.now)
        return events[-1] if events else None

    switch = ReviewSwitch(latest, events.append, refresh_seconds=1.0, clock=clock)
    assert [switch.on() for _ in range(100)] == [False] * 100
    assert len(reads) == 1                                   # one query for 100 decisions
    other = ReviewSwitch(latest, events.append, refresh_seconds=1.0, clock=clock)
    assert other.on() is False
    state, changed = switch.set(True, "Drift alert on incomes", "admin.ann")
    assert changed and state.on and state.by == "admin.ann"
    assert switch.on() is True                               # the worker that set it: at once
    assert other.on() is False                               # another: its copy, for now
    clock.now += 1.01
    assert other.on() is True and other.state().reason == "Drift alert on incomes"
    again, changed = switch.set(True, "another reason", "admin.bob")
    assert not changed and again.by == "admin.ann" and len(events) == 1


def test_an_unreadable_switch_keeps_its_last_state_and_starts_on_the_safe_side() -> None:
    clock, broken = Clock(), {"now": False}
    events = [{"at": datetime.now(UTC), "switched_on": False, "reason": "x",
               "acting_user": "a"}]

    def latest():
        if broken["now"]:
            raise OSError("disk gone")
        return events[-1]

    switch = ReviewSwitch(latest, events.append, clock=clock)
    assert switch.on() is False
    broken["now"] = True
    clock.now += 5
    assert switch.on() is False                              # last known state kept
    fresh = ReviewSwitch(latest, events.append, clock=clock)
    assert fresh.on() is True and not fresh.state().known    # never read: a person decides


def test_two_stores_on_one_database_share_the_switch_within_the_refresh(log) -> None:
    quick = OversightPolicy({"r": "A reason"}, refresh_seconds=0.2)
    first, second = OversightStore(log.url, quick), OversightStore(log.url, quick)
    assert second.review.on() is False
    first.review.set(True, "Data incident on bureau scores", "admin.ann", "admin")
    time.sleep(0.25)
    state = second.review.state()
    assert state.on and state.by == "admin.ann" and state.reason.startswith("Data incident")
    restarted = OversightStore(log.url, quick)              # a restart reads it back
    assert restarted.review.on() is True
    first.review.set(False, "Incident closed", "admin.ann")
    time.sleep(0.25)
    assert second.review.on() is False


def test_weekly_override_rates_on_a_constructed_log() -> None:
    at = pd.Timestamp
    predictions = pd.DataFrame({
        "decision_id": ["a", "b", "c", "d", "e"],
        # ISO week 2026-W02 starts Monday 2026-01-05; W03 on 2026-01-12; W04 empty
        "logged_at": [at("2026-01-05 09:00"), at("2026-01-06 09:00"), at("2026-01-11 23:59"),
                      at("2026-01-12 00:00"), at("2026-01-26 12:00")],
        "decision": ["refused", "granted", "review", "refused", "granted"]})
    overrides = pd.DataFrame({"decision_id": ["a", "a", "c", "d"],
                              "at": [at("2026-01-06"), at("2026-01-13"), at("2026-01-13"),
                                     at("2026-01-14")]})
    contests = pd.DataFrame({"contest_id": ["k1", "k2"], "decision_id": ["a", "d"],
                             "at": [at("2026-01-07"), at("2026-01-14")],
                             "resolved_at": [at("2026-01-13"), None],
                             "outcome": ["overturned", None]})
    table = weekly_oversight({"predictions": predictions, "overrides": overrides,
                              "contests": contests}).set_index("week")
    assert list(table.index) == ["2026-W02", "2026-W03", "2026-W04", "2026-W05"]
    assert table["decisions"].tolist() == [3, 1, 0, 1]
    assert table["reviews"].tolist() == [1, 0, 0, 0]
    assert table["overridden_decisions"].tolist() == [2, 1, 0, 0]     # a and c; d
    assert table.loc["2026-W02", "override_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert table.loc["2026-W03", "override_rate"] == 1.0
    assert pd.isna(table.loc["2026-W04", "override_rate"])           # no decision that week
    assert table["overrides"].tolist() == [1, 3, 0, 0]
    assert table["contests_opened"].tolist() == [1, 1, 0, 0]
    assert table["contests_resolved"].tolist() == [0, 1, 0, 0]
    assert table["contests_overturned"].tolist() == [0, 1, 0, 0]
    last = weekly_oversight({"predictions": predictions, "overrides": overrides,
                             "contests": contests}, weeks=3, today=date(2026, 2, 4))
    assert last["week"].tolist() == ["2026-W04", "2026-W05", "2026-W06"]
    assert last["decisions"].tolist() == [0, 1, 0]


def test_the_weekly_report_reads_the_stores_tables(log, store) -> None:
    ids = decide(log, "w1", ["refused", "granted"])
    store.override(ids[0], "granted", REASON, COMMENT, "bob")
    table = weekly_oversight(store.frames(), weeks=1)
    assert table[["decisions", "overridden_decisions", "overrides"]].iloc[0].tolist() == [2, 1, 1]
    assert table["override_rate"].iloc[0] == 0.5


def test_the_configured_reasons_are_checked(tmp_path) -> None:
    with pytest.raises(ValueError, match="duplicate"):
        OversightPolicy.from_config({"override_reasons": [{"code": "a", "label": "A"},
                                                          {"code": "a", "label": "B"}]})
    with pytest.raises(ValueError, match="reserved"):
        OversightPolicy.from_config({"override_reasons": [{"code": "contest_overturned",
                                                           "label": "A"}]})
    policy = OversightPolicy.default()
    assert {"documented_income_higher", "fraud_suspicion", "policy_exception"} <= set(
        policy.reasons)
    assert policy.comment_chars == (10, 2000) and ov.DECISIONS == ("granted", "refused")


def test_the_log_retention_purges_the_oversight_of_the_decisions_it_deletes(log, store) -> None:
    [old, kept] = decide(log, "p1", ["refused", "refused"])
    store.override(old, "granted", REASON, COMMENT, "bob")
    store.record_contest(kept, "Please review my file again.", datetime.now(UTC).date(), "bob")
    everything = log.purge(-1, dry_run=True)          # a cutoff tomorrow: every row is old
    assert everything == {"overrides": 1, "contests": 1, "review_mode_events": 0,
                          "predictions": 2, "access_audit": 0}
    assert store.decision(old)["overrides"]            # a dry run deletes nothing
    assert log.purge(400) == {"overrides": 0, "contests": 0, "review_mode_events": 0,
                              "predictions": 0, "access_audit": 0}
    log.purge(-1)
    assert store.contests("all") == [] and store.client_decisions(100001) == []
    assert store.frames()["overrides"].empty


def test_the_monitoring_dataset_reads_the_log_and_an_absent_log_as_empty(log, store,
                                                                         tmp_path) -> None:
    from credit_scoring_kedro.io import OversightLogDataset
    from credit_scoring_kedro.monitoring.oversight import COLUMNS, report_oversight_weekly

    absent = OversightLogDataset(f"sqlite:///{tmp_path / 'none' / 'log.db'}")
    empty = report_oversight_weekly(absent.load())
    assert list(empty.columns) == COLUMNS and empty.empty
    assert not (tmp_path / "none").exists()          # reading never creates the database
    ids = decide(log, "m1", ["refused", "granted", "refused"])
    store.override(ids[2], "granted", REASON, COMMENT, "bob")
    table = report_oversight_weekly(OversightLogDataset(log.url).load())
    assert table[["decisions", "overridden_decisions", "overrides"]].sum().tolist() == [3, 1, 1]
