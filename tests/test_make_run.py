"""`make run` from a clean clone, as a newcomer types it (opt-in: `make test-slow`).

Clones the committed state of this repository, runs `make run` (install, demo data, the
pipelines, then the API and the dashboard), waits until both health endpoints answer, sends
Ctrl-C and checks that both stopped and that the API refused a request without its key; then a second `make run` must skip the pipelines
(nothing changed) and serve again. Takes 10-15 minutes on 2 cores (mostly the install).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from mlflow import MlflowClient

from credit_scoring_kedro.serving.processes import free_port, stop, wait_healthy

PROJECT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def start_make_run(clone: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def refuse_strangers(clone: Path, api: str) -> None:
    """Keys are on by default: the clone's own credentials file holds them, mode 600."""
    import requests

    path = clone / "conf" / "local" / "credentials.yml"
    assert path.stat().st_mode & 0o077 == 0
    assert requests.get(f"{api}/clients", timeout=10).status_code == 401
    viewer = subprocess.run(
        [str(clone / ".venv" / "bin" / "python"), "-m", "credit_scoring_kedro.serving.credentials",
         "key", "dashboard"], cwd=clone, capture_output=True, text=True, check=True).stdout.strip()
    assert requests.get(f"{api}/clients", headers={"X-API-Key": viewer},
                        timeout=10).status_code == 200
    assert requests.post(f"{api}/admin/reload", headers={"X-API-Key": viewer},
                         timeout=10).status_code == 403


def serve_then_interrupt(clone: Path, env: dict[str, str], log: Path, timeout: float) -> str:
    """Run `make run` until both services answer, press Ctrl-C, return what it printed."""
    process = start_make_run(clone, env, log)
    try:
        api = f"http://127.0.0.1:{env['CREDIT_API_PORT']}/api/v1"
        wait_healthy("API", f"{api}/ready", process, timeout, log)
        wait_healthy("dashboard", f"http://127.0.0.1:{env['DASHBOARD_PORT']}/_stcore/health",
                     process, 120, log)
        refuse_strangers(clone, api)
        deadline = time.monotonic() + 30
        while "Ctrl-C stops both" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        [code] = stop([process], grace=30, sig=signal.SIGINT)
    printed = log.read_text()
    # make stops itself with SIGINT once the launcher has exited cleanly (as in a terminal)
    assert code in (0, 2, -signal.SIGINT), printed[-3000:]
    assert "stopping the API and the dashboard" in printed, printed[-3000:]
    for port in (env["CREDIT_API_PORT"], env["DASHBOARD_PORT"]):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", int(port))) != 0, f"port {port} still open"
    return printed


def test_make_run_from_a_clean_clone_serves_then_stops_and_reruns_without_retraining(
        tmp_path: Path) -> None:
    if shutil.which("make") is None or shutil.which("git") is None:
        pytest.skip("make and git are needed to run the README's commands")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(PROJECT), str(clone)], check=True)
    env = {**os.environ, "CREDIT_API_PORT": str(free_port()), "DASHBOARD_PORT": str(free_port()),
           "DEMO_CLIENTS": "3000"}
    for leaked in ("CREDIT_DATA_ROOT", "CREDIT_API_URL", "CREDIT_API_KEY", "VIRTUAL_ENV",
                   "PREDICTION_LOG_URL", "MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI",
                   "CREDIT_MLFLOW_ARTIFACTS", "CREDIT_API_AUTH",
                   "CREDIT_CREDENTIALS_FILE", "CREDIT_DASHBOARD_AUTH"):
        env.pop(leaked, None)

    first = serve_then_interrupt(clone, env, tmp_path / "first.log", timeout=40 * 60)
    assert "generating demo data" in first
    assert "model      loaded" in first
    champion = MlflowClient(f"sqlite:///{clone}/mlflow.db").get_model_version_by_alias(
        "credit_default_scorer", "champion").version   # the registry alias is what is served
    assert (clone / "data" / "06_models" / "registry_cache" / str(champion) / "bundle.json").is_file()

    second = serve_then_interrupt(clone, env, tmp_path / "second.log", timeout=300)
    assert "up to date" in second and "skipping" in second, second[-3000:]
    assert "generating demo data" not in second
