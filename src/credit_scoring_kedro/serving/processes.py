"""The API and the dashboard as child processes: started, awaited and stopped in one place.

``make serve``, the tests that run the real servers and the benchmarks all need the same
three things: the exact command lines of ``make api`` / ``make dashboard``, a wait until a
health URL answers (failing early, with the log, when the process dies), and a stop that
takes the whole process group down (gunicorn's workers included).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[3]


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on (the short race until the server binds it is acceptable)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def api_command() -> list[str]:
    """What ``make api`` runs (settings from ``api/gunicorn.conf.py`` and the environment)."""
    return [sys.executable, "-m", "gunicorn", "-c", "api/gunicorn.conf.py", "api.wsgi:app"]


def api_env(data_root: Path, port: int, prediction_log: str, *, key: str = "",
            workers: int = 2, host: str = "127.0.0.1", rate_limits: bool = True,
            base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of an API process serving ``data_root`` (tests, benchmarks).

    ``key``: the one admin key; none means keys explicitly off (``CREDIT_API_AUTH=off``).
    The project's own ``conf/local/credentials.yml`` is never read: a test server only
    knows the keys it is given (``CREDIT_CREDENTIALS_FILE`` under ``data_root``).
    ``rate_limits``: False for load benchmarks, which measure capacity, not the limits.
    ``base``: the variables to start from (this process's environment by default).
    A root with its own MLflow store (``<root>/mlflow.db``) is served with that registry.
    """
    from credit_scoring_kedro.serving.artifacts import registry_env

    return {**(os.environ if base is None else base), "KEDRO_DISABLE_TELEMETRY": "true",
            **registry_env(data_root),   # a test or benchmark root's own MLflow store
            "CREDIT_DATA_ROOT": str(data_root), "CREDIT_API_HOST": host,
            "CREDIT_API_PORT": str(port), "CREDIT_API_KEY": key,
            "CREDIT_API_AUTH": "on" if key else "off",
            "CREDIT_API_RATE_LIMITS": "on" if rate_limits else "off",
            "CREDIT_CREDENTIALS_FILE": str(Path(data_root) / "credentials.yml"),
            "CREDIT_API_WORKERS": str(workers), "PREDICTION_LOG_URL": prediction_log}


def dashboard_command(host: str, port: int) -> list[str]:
    """What ``make dashboard`` runs."""
    return [sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
            "--server.headless", "true", "--server.address", host,
            "--server.port", str(port), "--browser.gatherUsageStats", "false"]


def spawn(command: list[str], env: dict[str, str], log: Path | None = None) -> subprocess.Popen:
    """Start ``command`` from the project root in its own session (so it can be stopped whole)."""
    out = open(log, "w") if log is not None else None  # noqa: SIM115 - the child keeps it
    try:
        return subprocess.Popen(command, cwd=PROJECT, env=env, stdout=out,
                                stderr=subprocess.STDOUT if out else None,
                                start_new_session=True)
    finally:
        if out is not None:
            out.close()


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether ``url`` answers 200 right now."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_healthy(name: str, url: str, process: subprocess.Popen, timeout: float,
                 log: Path | None = None) -> None:
    """Return once ``url`` answers 200; RuntimeError (with the log's end) otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the {name} exited with code {process.returncode} while "
                               f"starting{_tail(log)}")
        if answers(url):
            return
        time.sleep(0.3)
    raise RuntimeError(f"the {name} did not answer {url} within {timeout:.0f} s{_tail(log)}")


def stop(processes: Iterable[subprocess.Popen], grace: float = 20.0,
         sig: int = signal.SIGTERM) -> list[int]:
    """Signal each process group, wait up to ``grace`` seconds in all, then kill what is left.

    Returns the exit codes (a killed process gives a negative one).
    """
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return [process.returncode for process in processes]


def _tail(log: Path | None, chars: int = 3000) -> str:
    if log is None:
        return " (its log is above)"
    try:
        return ":\n" + log.read_text(errors="replace")[-chars:]
    except OSError:
        return f" (no log at {log})"
