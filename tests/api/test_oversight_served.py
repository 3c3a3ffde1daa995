"""The review switch as it really runs: two gunicorn workers follow it, and a restart keeps it."""

from __future__ import annotations

import time
from pathlib import Path

import requests
from both_workers import worker_pids

from credit_scoring_kedro.serving.processes import (
    api_command,
    api_env,
    free_port,
    spawn,
    stop,
    wait_healthy,
)

KEY = "served-oversight-admin-key"


def start(root: Path, tmp_path: Path, name: str):
    port, log = free_port(), tmp_path / f"{name}.log"
    env = api_env(root, port, f"sqlite:///{tmp_path / 'predictions.db'}", key=KEY, workers=2)
    process = spawn(api_command(), env, log)
    url = f"http://127.0.0.1:{port}/api/v1"
    wait_healthy("API", f"{url}/ready", process, 120, log)
    return process, url


def decisions(url: str, record: dict, n: int) -> list[str]:
    """``n`` one-application decisions, each on a new connection (either worker takes it)."""
    out = []
    for _ in range(n):
        answer = requests.post(f"{url}/predict", json={"clients": [record]},
                               headers={"X-API-Key": KEY}, timeout=30)
        assert answer.status_code == 200, answer.text[:300]
        out.append(answer.json()["predictions"][0]["decision"])
    return out


def switch(url: str, on: bool, reason: str) -> dict:
    answer = requests.put(f"{url}/admin/review-mode", json={"on": on, "reason": reason},
                          headers={"X-API-Key": KEY, "X-Acting-User": "ops.ann"}, timeout=30)
    assert answer.status_code == 200, answer.text[:300]
    return answer.json()


def test_both_workers_follow_the_switch_within_a_second_and_a_restart_keeps_it(
        trained_root, tmp_path, records) -> None:
    process, url = start(trained_root, tmp_path, "first")
    try:
        pids = worker_pids(url)   # new connections: either worker may take them
        assert len(pids) == 2, "both workers answer"
        assert set(decisions(url, records[0], 6)) <= {"granted", "refused"}  # both cached "off"
        switch(url, True, "Data incident on the bureau feed")
        switched = time.monotonic()
        time.sleep(1.1)   # the refresh period of conf/base/oversight.yml (1 s)
        assert decisions(url, records[0], 20) == ["review"] * 20
        assert time.monotonic() - switched < 10
    finally:
        assert stop([process]) == [0]
    process, url = start(trained_root, tmp_path, "restarted")
    try:
        state = requests.get(f"{url}/admin/review-mode", headers={"X-API-Key": KEY},
                             timeout=10).json()
        assert state["on"] and state["by"] == "ops.ann"
        assert decisions(url, records[0], 6) == ["review"] * 6
        switch(url, False, "Bureau feed repaired")
        time.sleep(1.1)
        assert set(decisions(url, records[0], 20)) <= {"granted", "refused"}
    finally:
        assert stop([process]) == [0]
