"""Prometheus metrics of the scoring API, shared by every gunicorn worker.

Requests (by endpoint and status) and their latency, decisions (granted / refused / review) and the
prediction log's rows (written, spilled to the local file, replayed from it, failed).

Under gunicorn with several workers each worker counts in its own process: with
``PROMETHEUS_MULTIPROC_DIR`` set (``api/gunicorn.conf.py`` creates a fresh folder in the
master before forking, without importing this module there) prometheus-client keeps the values in memory-mapped files there and
:func:`registry` sums them over every worker, the dead ones included (a counter never goes
back). Without the variable (in-process tests, a single process) the default registry is
used. The variable must be set before ``prometheus_client`` is first imported.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter("credit_api_requests", "HTTP requests answered, by endpoint and status",
                   ["endpoint", "status"])
# the scoring endpoints answer in 2-20 ms; a 1,000-record batch in about 0.3 s
LATENCY = Histogram("credit_api_request_duration_seconds",
                    "Time from the request's arrival to its answer, by endpoint", ["endpoint"],
                    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10))
DECISIONS = Counter("credit_decisions", "Credit decisions answered (POST /predict), by decision",
                    ["decision"])
LOG_ROWS = Counter("credit_log_rows", "Rows of the prediction log and the access audit: "
                   "written to the database, spilled to the local file when it failed, "
                   "replayed from a spill file, failed (neither: the request got a 503)",
                   ["table", "outcome"])
LOG_OUTCOMES = ("written", "spilled", "replayed", "failed")


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def registry() -> CollectorRegistry:
    """Every worker's metrics (multiprocess mode) or this process's."""
    if not multiprocess_mode():
        return REGISTRY
    shared = CollectorRegistry()
    multiprocess.MultiProcessCollector(shared)
    return shared


def exposition() -> bytes:
    """The metrics in the Prometheus text format (``GET /metrics``)."""
    return generate_latest(registry())


def log_totals() -> dict[str, int]:
    """Rows of both tables by outcome, summed over every worker (``GET /ready``)."""
    totals = dict.fromkeys(LOG_OUTCOMES, 0)
    for family in registry().collect():
        if family.name != "credit_log_rows":
            continue
        for sample in family.samples:
            if sample.name == "credit_log_rows_total":
                totals[sample.labels["outcome"]] += int(sample.value)
    return totals


def observe_request(endpoint: str, status: int, seconds: float) -> None:
    REQUESTS.labels(endpoint, str(status)).inc()
    LATENCY.labels(endpoint).observe(seconds)


def count_decisions(predictions: list[dict]) -> None:
    granted = sum(p["decision"] == "granted" for p in predictions)
    review = sum(p["decision"] == "review" for p in predictions)   # the review switch was on
    for label, count in (("granted", granted), ("review", review),
                         ("refused", len(predictions) - granted - review)):
        if count:
            DECISIONS.labels(label).inc(count)


def count_rows(table: str, outcome: str, rows: int) -> None:
    if rows:
        LOG_ROWS.labels(table, outcome).inc(rows)


def mark_process_dead(pid: int) -> None:
    """A worker exited (gunicorn's ``child_exit``): drop its live gauges, keep its counts."""
    if multiprocess_mode():
        multiprocess.mark_process_dead(pid)
