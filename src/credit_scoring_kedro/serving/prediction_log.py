"""Every scored request, appended to a database: the real traffic the monitoring can watch.

SQLAlchemy, so SQLite by default and PostgreSQL (or any URL) in production. Writes happen
on a background thread in batches: a request never waits for the disk, and a database
failure never loses the response nor fails the request; it is logged and counted
(``stats``, shown by ``GET /ready``).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic_core import PydanticSerializationError, to_json

logger = logging.getLogger(__name__)

METADATA = sa.MetaData()
PREDICTIONS = sa.Table(
    "predictions", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("request_id", sa.String(64), nullable=False),
    sa.Column("client_id", sa.BigInteger, nullable=True),
    sa.Column("model_version", sa.String(64), nullable=False),
    sa.Column("probability", sa.Float, nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("threshold", sa.Float, nullable=False),
    sa.Column("inputs", sa.Text, nullable=False),   # the request record, JSON
    sa.Column("reason_codes", sa.Text, nullable=True),  # JSON list of the refusal's codes
)


def absolute_sqlite_url(url: str, base: Path) -> str:
    """A relative SQLite file becomes absolute (the writer must not depend on the cwd)."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        path = (base / url[len(prefix):]).resolve()
        return prefix + str(path)
    return url


@dataclass(frozen=True)
class _Request:
    """One scored request as the API answered it, waiting for the writer thread."""

    logged_at: datetime
    request_id: str
    model_version: str
    threshold: float
    inputs: list[dict[str, Any]]
    predictions: list[dict[str, Any]]


class PredictionLog:
    """Append-only log of predictions, written in the background."""

    def __init__(self, url: str, batch_size: int = 1000, max_queue: int = 10_000,
                 gather_seconds: float = 0.05) -> None:
        self.url = url
        self.batch_size = batch_size
        self.gather_seconds = gather_seconds
        self._queue: queue.Queue = queue.Queue(maxsize=max_queue)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._engine: sa.Engine | None = None
        self.stats = {"written": 0, "failed": 0, "dropped": 0, "last_error": None}

    def record(self, request_id: str, model_version: str, threshold: float,
               inputs: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> None:
        """Queue one request's predictions; never raises, never blocks.

        The request thread only enqueues references: serialising the inputs (about 30 us a
        record) happens on the writer thread, after the response has gone.
        """
        self._ensure_writer()
        try:
            self._queue.put_nowait(_Request(datetime.now(UTC), request_id, model_version,
                                            threshold, inputs, predictions))
        except queue.Full:
            self.stats["dropped"] += len(predictions)
            self._report(f"prediction log queue full: {len(predictions)} prediction(s) of "
                         f"request {request_id} not logged")

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is written (or failed). True when done in time."""
        if self._thread is None:
            return True
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def read(self) -> list[dict[str, Any]]:
        """Every logged prediction, oldest first (tests, monitoring)."""
        with self._connect().connect() as conn:
            rows = conn.execute(sa.select(PREDICTIONS).order_by(PREDICTIONS.c.id)).mappings()
            return [dict(r) | {"inputs": json.loads(r["inputs"]),
                               "reason_codes": json.loads(r["reason_codes"] or "[]")}
                    for r in rows]

    # --- internals -------------------------------------------------------------------------
    def _ensure_writer(self) -> None:
        # after a fork (gunicorn workers) the parent's thread does not exist in the child
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._engine = None
                self._thread = threading.Thread(target=self._run, name="prediction-log",
                                                daemon=True)
                self._thread.start()

    def _connect(self) -> sa.Engine:
        if self._engine is None:
            if self.url.startswith("sqlite:///") and self.url != "sqlite:///:memory:":
                Path(self.url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
            # a server database can drop idle connections: check before use (SQLite cannot)
            self._engine = sa.create_engine(self.url,
                                            pool_pre_ping=not self.url.startswith("sqlite"))
            METADATA.create_all(self._engine)
            _add_missing_columns(self._engine)
        return self._engine

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if not isinstance(item, threading.Event):
                # let requests gather, asleep: one wake-up and one transaction for the whole
                # burst (waking up for each queued request cost more CPU than writing it)
                time.sleep(self.gather_seconds)
            batch, markers = [], []
            while True:
                if isinstance(item, threading.Event):
                    markers.append(item)
                else:
                    batch.extend(self._rows(item))
                if len(batch) >= self.batch_size or markers:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._write(batch)
            for marker in markers:
                marker.set()

    def _rows(self, request: _Request) -> list[dict[str, Any]]:
        rows = []
        for record, prediction in zip(request.inputs, request.predictions, strict=True):
            try:
                inputs = to_json({k: v for k, v in record.items() if v is not None},
                                 fallback=str).decode()
            except (TypeError, ValueError, PydanticSerializationError) as error:
                self.stats["failed"] += 1
                self._report(f"prediction log: could not serialise a record: {error}")
                continue
            rows.append({"logged_at": request.logged_at, "request_id": request.request_id,
                         "client_id": prediction["client_id"],
                         "model_version": request.model_version,
                         "probability": prediction["probability"],
                         "decision": prediction["decision"],
                         "threshold": request.threshold, "inputs": inputs,
                         "reason_codes": json.dumps([r["code"] for r in
                                                     prediction.get("reasons", [])])})
        return rows

    def _write(self, batch: list[dict]) -> None:
        try:
            with self._connect().begin() as conn:
                conn.execute(PREDICTIONS.insert(), batch)
            self.stats["written"] += len(batch)
        except Exception as error:  # the service goes on; the failure is visible
            self.stats["failed"] += len(batch)
            self._engine = None
            self._report(f"prediction log: could not write {len(batch)} prediction(s) to "
                         f"{_safe(self.url)}: {type(error).__name__}: {str(error)[:300]}")

    def _report(self, message: str) -> None:
        self.stats["last_error"] = message
        logger.error(message)


def _add_missing_columns(engine: sa.Engine) -> None:
    """A log written by an earlier version gains the columns added since (nullable ones)."""
    present = {c["name"] for c in sa.inspect(engine).get_columns(PREDICTIONS.name)}
    with engine.begin() as conn:
        for column in PREDICTIONS.columns:
            if column.name not in present:
                kind = column.type.compile(engine.dialect)
                conn.execute(sa.text(f'ALTER TABLE {PREDICTIONS.name} ADD COLUMN '
                                     f'{column.name} {kind}'))


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<invalid database URL>"
