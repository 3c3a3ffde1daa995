"""What the durable prediction log costs a request, in-process (no HTTP): SQLite NORMAL vs FULL.

1. One thread records ``--records`` single-decision requests one after the other: wall and
   CPU time per request (each is its own transaction: the case of a sync gunicorn worker).
2. ``--threads`` threads record ``--per-thread`` requests each at once: how many transactions
   the group commit needed (fewer than requests: requests share commits).

Usage: ``.venv/bin/python benchmarks/bench_prediction_log.py`` (a few seconds; temporary files).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time

from credit_scoring_kedro.serving.prediction_log import PredictionLog

RECORD = [{"AMT_CREDIT": 1000.0, "AMT_INCOME_TOTAL": 5000.0, "NAME_CONTRACT_TYPE": "Cash loans"}]
DECISION = [{"client_id": 1, "probability": 0.1, "decision": "granted", "reasons": []}]


def sequential(log: PredictionLog, n: int) -> tuple[float, float]:
    for i in range(100):   # warm-up: engine, statements, writer thread
        log.record(f"warm-{i}", "v", 0.5, RECORD, DECISION)
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(n):
        log.record(f"seq-{i}", "v", 0.5, RECORD, DECISION)
    return (time.perf_counter() - wall) / n * 1e3, (time.process_time() - cpu) / n * 1e3


def concurrent(log: PredictionLog, threads: int, per_thread: int) -> int:
    before = log.stats["transactions"]

    def client(k: int) -> None:
        for j in range(per_thread):
            log.record(f"c{k}-{j}", "v", 0.5, RECORD, DECISION)

    workers = [threading.Thread(target=client, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return log.stats["transactions"] - before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--per-thread", type=int, default=25)
    args = parser.parse_args()
    for mode in ("NORMAL", "FULL"):
        with tempfile.TemporaryDirectory() as folder:
            log = PredictionLog(f"sqlite:///{folder}/log.db", sqlite_synchronous=mode)
            wall, cpu = sequential(log, args.records)
            transactions = concurrent(log, args.threads, args.per_thread)
            log.close()
        sys.stdout.write(f"synchronous={mode}: one request at a time {wall:.2f} ms wall, "
                         f"{cpu:.2f} ms CPU per request ({args.records} requests); "
                         f"{args.threads * args.per_thread} requests from {args.threads} "
                         f"threads in {transactions} transactions\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
