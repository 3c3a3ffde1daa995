"""Reach both gunicorn workers of a served API, whatever the machine's load."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests


def ready_answers(url: str, timeout: float = 60) -> dict[int, list[dict]]:
    """``GET /ready``'s answers by worker process id, once both workers have answered.

    Sequential requests may all land on one worker: an idle gevent worker accepts every new
    connection before the other wakes, more so on a busy machine (and a sync worker takes one
    at a time). Eight at a time keep one worker busy while the other accepts. Fails when only
    one worker answers within ``timeout``.
    """
    answers: dict[int, list[dict]] = {}
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(8) as pool:
        while len(answers) < 2:
            assert time.monotonic() < deadline, "only one gunicorn worker ever answered"
            for answer in pool.map(lambda _: requests.get(f"{url}/ready", timeout=30).json(),
                                   range(16)):
                answers.setdefault(answer["worker_pid"], []).append(answer)
    return answers


def worker_pids(url: str, timeout: float = 60) -> set[int]:
    """The process ids of the workers, once both have answered (:func:`ready_answers`)."""
    return set(ready_answers(url, timeout))
