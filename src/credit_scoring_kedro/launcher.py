"""Start the scoring API and the dashboard together (``make serve``, the end of ``make run``).

Why a small supervisor instead of two shell background jobs: both services must stop when
either dies or when the user presses Ctrl-C, their URLs are printed only once they answer
their health checks, and nothing is left listening afterwards.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from credit_scoring_kedro.serving import credentials
from credit_scoring_kedro.serving.processes import (
    answers,
    api_command,
    dashboard_command,
    spawn,
    stop,
    wait_healthy,
)


def environments(host: str, api_port: int) -> tuple[dict[str, str], dict[str, str]]:
    """The API's and the dashboard's environments: each process gets only its own key.

    The API reads every key from the credentials file (created here when missing); the
    dashboard gets the manager key called ``dashboard``, never an admin key. A
    ``CREDIT_API_KEY`` set by the user stays the API's admin key and, when the file has no
    dashboard key, the dashboard's (as before keys were generated).
    """
    api_root = f"http://{host}:{api_port}/api/v1"
    common = {**os.environ, "CREDIT_API_HOST": host, "CREDIT_API_PORT": str(api_port),
              "CREDIT_API_URL": os.environ.get("CREDIT_API_URL", api_root)}
    dashboard = dict(common)
    if os.environ.get("CREDIT_API_AUTH", "on").lower() != "off":
        if credentials.ensure():
            print(f">> wrote new API keys and a dashboard login to {credentials.credentials_file()}"
                  " (git-ignored, readable by you only)", flush=True)
        own = credentials.key_of("dashboard")
        if own:
            dashboard["CREDIT_API_KEY"] = own
    return common, dashboard


def login_hint() -> str:
    """Where the dashboard's first login is (never the password of a changed account)."""
    if os.environ.get("CREDIT_DASHBOARD_AUTH", "on").lower() == "off":
        return "no login (CREDIT_DASHBOARD_AUTH=off)"
    stored = credentials.credentials_file().parent / credentials.PASSWORD_FILE
    if stored.exists():
        return (f"user {credentials.FIRST_USER}, password: {stored.read_text().strip()} "
                f"(from {stored.name}; add users with `make credentials-user USER_NAME=...`)")
    return "your dashboard user (conf/local/credentials.yml)"


def serve(host: str, api_port: int, dashboard_port: int, timeout: float) -> int:
    api_root = f"http://{host}:{api_port}/api/v1"
    env, dashboard_env = environments(host, api_port)
    processes = []
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        print(f">> starting the scoring API on {api_root}", flush=True)
        processes.append(spawn(api_command(), env))
        wait_healthy("API", f"{api_root}/health", processes[0], timeout)
        print(f">> starting the dashboard on http://{host}:{dashboard_port}", flush=True)
        processes.append(spawn(dashboard_command(host, dashboard_port), dashboard_env))
        wait_healthy("dashboard", f"http://{host}:{dashboard_port}/_stcore/health",
                      processes[1], timeout)
        ready = answers(f"{api_root}/ready")
        print("\n" + "=" * 72,
              f"  API        {api_root}/docs   (health: {api_root}/health)",
              f"  dashboard  http://{host}:{dashboard_port}",
              f"  login      {login_hint()}",
              "  API keys   " + ("OFF (CREDIT_API_AUTH=off)" if
                                 os.environ.get("CREDIT_API_AUTH", "on").lower() == "off"
                                 else f"in {credentials.credentials_file()}"),
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
        stop(processes)


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
