"""Start the scoring API and the dashboard together (``make serve``, the end of ``make run``).

Why a small supervisor instead of two shell background jobs: both services must stop when
either dies or when the user presses Ctrl-C, their URLs are printed only once they answer
their health checks, and nothing is left listening afterwards.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _wait_healthy(name: str, url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the {name} exited with code {process.returncode} while starting "
                               "(its log is above)")
        if _answers(url):
            return
        time.sleep(0.3)
    raise RuntimeError(f"the {name} did not answer {url} within {timeout:.0f} s")


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def commands(host: str, api_port: int, dashboard_port: int) -> tuple[list[str], list[str]]:
    """The API and dashboard command lines: the same ones ``make api`` and ``make dashboard`` use."""
    api = [sys.executable, "-m", "gunicorn", "-c", "api/gunicorn.conf.py", "api.wsgi:app"]
    dashboard = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
                 "--server.headless", "true", "--server.address", host,
                 "--server.port", str(dashboard_port), "--browser.gatherUsageStats", "false"]
    return api, dashboard


def serve(host: str, api_port: int, dashboard_port: int, timeout: float) -> int:
    api_root = f"http://{host}:{api_port}/api/v1"
    env = {**os.environ, "CREDIT_API_HOST": host, "CREDIT_API_PORT": str(api_port),
           "CREDIT_API_URL": os.environ.get("CREDIT_API_URL", api_root)}
    api_cmd, dashboard_cmd = commands(host, api_port, dashboard_port)
    processes: list[subprocess.Popen] = []
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        print(f">> starting the scoring API on {api_root}", flush=True)
        processes.append(subprocess.Popen(api_cmd, cwd=PROJECT, env=env, start_new_session=True))
        _wait_healthy("API", f"{api_root}/health", processes[0], timeout)
        print(f">> starting the dashboard on http://{host}:{dashboard_port}", flush=True)
        processes.append(subprocess.Popen(dashboard_cmd, cwd=PROJECT, env=env,
                                          start_new_session=True))
        _wait_healthy("dashboard", f"http://{host}:{dashboard_port}/_stcore/health",
                      processes[1], timeout)
        ready = _answers(f"{api_root}/ready")
        print("\n" + "=" * 72,
              f"  API        {api_root}/docs   (health: {api_root}/health)",
              f"  dashboard  http://{host}:{dashboard_port}",
              "  model      " + ("loaded" if ready else
                                 f"NOT loaded: run `make pipelines` first ({api_root}/ready)"),
              "  Ctrl-C stops both.",
              "=" * 72, sep="\n", flush=True)
        while not stopping:
            for name, process in zip(("API", "dashboard"), processes, strict=True):
                if process.poll() is not None:
                    print(f"!! the {name} exited with code {process.returncode}; stopping",
                          file=sys.stderr, flush=True)
                    return 1
            time.sleep(0.5)
        print("\n>> stopping the API and the dashboard", flush=True)
        return 0
    except RuntimeError as error:
        print(f"!! {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        _stop(processes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m credit_scoring_kedro.launcher",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("CREDIT_API_HOST", "127.0.0.1"))
    parser.add_argument("--api-port", type=int,
                        default=int(os.environ.get("CREDIT_API_PORT", "8000")))
    parser.add_argument("--dashboard-port", type=int,
                        default=int(os.environ.get("DASHBOARD_PORT", "8501")))
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds each service may take to answer its health check")
    args = parser.parse_args(argv)
    return serve(args.host, args.api_port, args.dashboard_port, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
