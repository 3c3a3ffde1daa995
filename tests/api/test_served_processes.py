"""The API as it really runs: gunicorn workers forked from a loaded master, and `make serve`."""

from __future__ import annotations

import signal
import socket
import sys
import time
from pathlib import Path

import pytest
import requests

from credit_scoring_kedro.serving.processes import (
    api_command,
    api_env,
    free_port,
    spawn,
    stop,
    wait_healthy,
)
from credit_scoring_kedro.serving.scorer import BATCH_ROWS


def served_env(root: Path, tmp_path: Path, port: int) -> dict[str, str]:
    return api_env(root, port, f"sqlite:///{tmp_path / 'predictions.db'}")


def test_forked_workers_score_big_batches_like_the_app_in_process(trained_root, tmp_path,
                                                                  client, records) -> None:
    # a batch this big predicts on several threads: an OpenMP pool started in gunicorn's
    # master before the fork would hang the workers here (it once did)
    batch = (records * (BATCH_ROWS // len(records) + 1))[:BATCH_ROWS + 10]
    expected = [p["probability"] for p in
                client.post("/api/v1/predict", json={"clients": batch}).get_json()["predictions"]]
    port, log = free_port(), tmp_path / "gunicorn.log"
    env = served_env(trained_root, tmp_path, port) | {"CREDIT_API_WORKERS": "2"}
    process = spawn(api_command(), env, log)
    try:
        url = f"http://127.0.0.1:{port}/api/v1"
        wait_healthy("API", f"{url}/ready", process, 120, log)
        for _ in range(4):   # both workers answer some of them
            answer = requests.post(f"{url}/predict", json={"clients": batch}, timeout=30)
            assert answer.status_code == 200, answer.text[:500]
            served = [p["probability"] for p in answer.json()["predictions"]]
            assert served == pytest.approx(expected, abs=1e-12)
    finally:
        assert stop([process]) == [0]


def test_make_serve_starts_api_and_dashboard_and_ctrl_c_stops_both(trained_root,
                                                                    tmp_path) -> None:
    api_port, dashboard_port = free_port(), free_port()
    log = tmp_path / "serve.log"
    env = served_env(trained_root, tmp_path, api_port) | {"DASHBOARD_PORT": str(dashboard_port)}
    env.pop("CREDIT_API_URL", None)
    process = spawn([sys.executable, "-m", "credit_scoring_kedro.launcher"], env, log)
    try:
        wait_healthy("API", f"http://127.0.0.1:{api_port}/api/v1/ready", process, 120, log)
        wait_healthy("dashboard", f"http://127.0.0.1:{dashboard_port}/_stcore/health",
                     process, 120, log)
        deadline = time.monotonic() + 30
        while "Ctrl-C stops both" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        printed = log.read_text()
        assert f"http://127.0.0.1:{api_port}/api/v1/docs" in printed
        assert f"http://127.0.0.1:{dashboard_port}" in printed
        assert "model      loaded" in printed
    finally:
        [code] = stop([process], sig=signal.SIGINT)  # what Ctrl-C sends to the group
    assert code == 0, log.read_text()[-2000:]
    for port in (api_port, dashboard_port):          # nothing left listening
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0
