"""The durable prediction log, without the API: group commit, spill and replay, migration, purge."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from credit_scoring_kedro.serving import prediction_log as pl
from credit_scoring_kedro.serving.prediction_log import LogUnavailable, PredictionLog


def decision(client_id: int) -> dict:
    return {"client_id": client_id, "probability": 0.2, "decision": "granted", "reasons": []}


def record(log: PredictionLog, request_id: str, n: int = 1) -> None:
    log.record(request_id, "v1", 0.5, [{"AMT_CREDIT": 1000.0 + i} for i in range(n)],
               [decision(i) for i in range(n)])


def ids_in(db: Path) -> list[str]:
    """The decision ids, read through a connection of its own (not the writer's)."""
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT decision_id FROM predictions")]


def spill_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("spill-*.jsonl")) if folder.is_dir() else []


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "log.db"


@pytest.fixture
def log(db, tmp_path):
    log = PredictionLog(f"sqlite:///{db}", spill_dir=tmp_path / "spill", busy_seconds=0.2)
    yield log
    log.close()


def test_every_record_is_readable_elsewhere_when_it_returns_and_commits_are_grouped(
        db, tmp_path) -> None:
    # FULL: one fsync per commit, the case where grouping matters most
    log = PredictionLog(f"sqlite:///{db}", spill_dir=tmp_path / "spill",
                        sqlite_synchronous="FULL")
    record(log, "warm-up")
    missing: list[str] = []

    def client(k: int) -> None:
        for j in range(25):
            request_id = f"t{k}-{j}"
            record(log, request_id, n=2)
            # returned: both rows must already be committed
            if not {f"{request_id}-0", f"{request_id}-1"} <= set(ids_in(db)):
                missing.append(request_id)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    before = log.stats["transactions"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    transactions = log.stats["transactions"] - before
    log.close()
    assert missing == []
    assert len(ids_in(db)) == 1 + 8 * 25 * 2
    # 200 requests in fewer transactions: several requests shared a commit
    assert transactions < 200, transactions


def test_a_locked_database_spills_then_the_next_write_replays_without_duplicates(
        log, db, tmp_path) -> None:
    record(log, "before")
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")   # the writer's transactions now fail (busy 0.2 s)
    try:
        for i in range(5):
            record(log, f"locked-{i}", n=3)   # returns: the rows are in the spill file
        [spill] = spill_files(tmp_path / "spill")
        lines = [json.loads(line) for line in spill.read_text().splitlines()]
        assert len(lines) == 15 and {e["table"] for e in lines} == {"predictions"}
        assert log.stats["spilled"] == 15
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    record(log, "after")   # a successful write replays the spill file
    ids = ids_in(db)
    assert len(ids) == len(set(ids)) == 1 + 15 + 1
    assert {f"locked-{i}-{j}" for i in range(5) for j in range(3)} <= set(ids)
    assert spill_files(tmp_path / "spill") == []
    assert log.stats["replayed"] == 15


def test_replay_takes_a_dead_process_file_skips_rows_present_and_leaves_live_ones(
        db, tmp_path) -> None:
    spill = tmp_path / "spill"
    first = PredictionLog(f"sqlite:///{db}", spill_dir=spill)
    record(first, "committed", n=2)
    first.close()
    spill.mkdir()
    row = {"logged_at": datetime.now(UTC).isoformat(), "request_id": "x", "model_version": "v1",
           "client_id": 1, "probability": 0.1, "decision": "granted", "threshold": 0.5,
           "inputs": "{}", "reason_codes": "[]", "caller_request_id": None}
    # a dead worker's file: one row already committed (an ambiguous commit), one not, a cut line
    dead = spill / "spill-999999-1-aaaaaa.jsonl"
    dead.write_text("".join(json.dumps({"table": "predictions", "row": row | {"decision_id": d}})
                            + "\n" for d in ("committed-0", "dead-0")) + '{"table": "pred')
    # a live process's file (locked): left alone
    live = spill / "spill-1-1-bbbbbb.jsonl"
    live.write_text(json.dumps({"table": "predictions", "row": row | {"decision_id": "live-0"}})
                    + "\n")
    holder = os.open(live, os.O_RDWR)
    import fcntl
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        second = PredictionLog(f"sqlite:///{db}", spill_dir=spill)
        record(second, "new")   # the writer starts: it replays what it can lock first
        second.close()
    finally:
        os.close(holder)
    assert sorted(ids_in(db)) == ["committed-0", "committed-1", "dead-0", "new-0"]
    assert not dead.exists() and live.exists()
    assert second.stats["replayed"] == 1


def test_neither_database_nor_spill_file_raises_log_unavailable(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("where the folders should be")
    log = PredictionLog(f"sqlite:///{blocker}/log.db", spill_dir=blocker / "spill")
    with pytest.raises(LogUnavailable, match="neither the log database nor the spill file"):
        record(log, "lost")
    assert log.stats["failed"] == 1 and log.stats["written"] == log.stats["spilled"] == 0
    log.close()


def test_a_record_not_durable_in_time_raises_log_unavailable(db, tmp_path) -> None:
    log = PredictionLog(f"sqlite:///{db}", spill_dir=tmp_path / "spill", busy_seconds=3,
                        wait_seconds=0.3)
    record(log, "first")
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(LogUnavailable, match="not durable within 0.3 s"):
            record(log, "slow")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    log.close()
    assert log.stats["timeouts"] == 1


def test_a_full_queue_makes_requests_wait_never_drops(db, tmp_path) -> None:
    log = PredictionLog(f"sqlite:///{db}", spill_dir=tmp_path / "spill", max_queue=2)
    threads = [threading.Thread(target=record, args=(log, f"q{k}", 5)) for k in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.close()
    assert len(ids_in(db)) == 60


def test_access_audit_rows_are_durable_like_decisions(log, db) -> None:
    log.record_access("req-1", "GET /clients/{client_id}", 100002, actor_key="dashboard",
                      acting_user="analyst-7", model_version="v1")
    with sqlite3.connect(db) as conn:   # another connection sees it as soon as it returned
        rows = conn.execute("SELECT request_id, actor_key, acting_user, endpoint, client_id, "
                            "model_version FROM access_audit").fetchall()
    assert rows == [("req-1", "dashboard", "analyst-7", "GET /clients/{client_id}", 100002,
                     "v1")]


def test_a_log_of_the_previous_version_gains_the_new_columns_and_unique_ids(db, tmp_path) -> None:
    with sqlite3.connect(db) as conn:   # the table as the previous version created it
        conn.execute("CREATE TABLE predictions (id INTEGER PRIMARY KEY, logged_at DATETIME NOT "
                     "NULL, request_id VARCHAR(64) NOT NULL, client_id BIGINT, model_version "
                     "VARCHAR(64) NOT NULL, probability FLOAT NOT NULL, decision VARCHAR(16) NOT "
                     "NULL, threshold FLOAT NOT NULL, inputs TEXT NOT NULL, reason_codes TEXT)")
        for _ in range(2):   # the old echo: two rows share a caller's request id
            conn.execute("INSERT INTO predictions (logged_at, request_id, model_version, "
                         "probability, decision, threshold, inputs) VALUES "
                         "('2026-01-01 00:00:00', 'same', 'v0', 0.1, 'granted', 0.5, '{}')")
    log = PredictionLog(f"sqlite:///{db}", spill_dir=tmp_path / "spill")
    log.record("new-request", "v1", 0.5, [{}], [decision(1)], caller_request_id="caller-9")
    log.close()
    rows = log.read()
    assert [(r["request_id"], r["decision_id"], r["caller_request_id"]) for r in rows] == [
        ("same", None, None), ("same", None, None), ("new-request", "new-request-0", "caller-9")]
    with pytest.raises(sa.exc.IntegrityError), log._connect().begin() as conn:
        conn.execute(pl.PREDICTIONS.insert(), [rows[2] | {"id": None, "inputs": "{}",
                                                           "reason_codes": "[]"}])


def test_purge_deletes_rows_older_than_the_retention_in_both_tables(log, db, capsys) -> None:
    record(log, "recent", n=2)
    log.record_access("recent", "GET /clients/{client_id}", 1)
    old = datetime.now(UTC) - timedelta(days=500)
    with log._connect().begin() as conn:
        conn.execute(pl.PREDICTIONS.insert(), [{
            "logged_at": old, "decision_id": f"old-{i}", "request_id": "old", "client_id": i,
            "model_version": "v0", "probability": 0.1, "decision": "granted", "threshold": 0.5,
            "inputs": "{}"} for i in range(3)])
        conn.execute(pl.ACCESS_AUDIT.insert(), [{"audit_id": "old-a", "logged_at": old,
                                                 "request_id": "old", "endpoint": "x"}])
    assert log.purge(400, dry_run=True) == {"predictions": 3, "access_audit": 1}
    assert len(ids_in(db)) == 5   # a dry run deletes nothing
    assert pl.main(["purge", "--url", f"sqlite:///{db}", "--older-than-days", "400"]) == 0
    printed = capsys.readouterr().out
    assert "predictions: deleted 3 row(s) older than 400 days" in printed
    assert "access_audit: deleted 1 row(s)" in printed
    assert sorted(ids_in(db)) == ["recent-0", "recent-1"]


def test_retention_comes_from_the_environment_then_the_parameters(monkeypatch) -> None:
    monkeypatch.setenv("PREDICTION_LOG_RETENTION_DAYS", "30")
    assert pl.retention_days() == 30
    monkeypatch.delenv("PREDICTION_LOG_RETENTION_DAYS")
    assert pl.retention_days() == 400   # conf/base/parameters_serving.yml
