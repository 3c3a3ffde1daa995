"""Reach both gunicorn workers of a served API, whatever the machine's load."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests


def worker_pids(url: str, timeout: float = 60) -> set[int]:
    """The process ids behind ``GET /ready`` once both workers have answered.

    Sequential requests may all land on one worker: an idle gevent worker accepts every new
    connection before the other wakes, more so on a busy machine. Eight at a time keep one
    worker busy while the other accepts. Fails when only one worker answers within ``timeout``.
    """
    pids: set[int] = set()
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(8) as pool:
        while len(pids) < 2:
            assert time.monotonic() < deadline, "only one gunicorn worker ever answered"
            pids.update(pool.map(lambda _: requests.get(f"{url}/ready", timeout=30)
                                 .json()["worker_pid"], range(16)))
    return pids
