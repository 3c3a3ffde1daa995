"""Benchmark of the scoring API as a client sees it: gunicorn in a subprocess, HTTP on loopback.

Why this shape: the figures that matter to a caller include everything between its socket
and the model: gunicorn, Flask, request validation, the scorer, the prediction log and JSON
both ways. So the API runs exactly as in production (``api/gunicorn.conf.py``,
``api.wsgi:app``, its own process), and a plain ``http.client`` client measures wall time
from sending the request to having read the whole answer.

Connections: the client reuses one ``http.client.HTTPConnection`` per thread, but gunicorn's
``sync`` workers answer ``Connection: close`` and close the socket after every response, so
``http.client`` silently opens a new loopback TCP connection for the next request. The
figures therefore include one TCP connect per request (what any client of this deployment
pays); the report prints how many connections were opened. If the server keeps connections
alive (e.g. gthread workers), the same client reuses them, and retries once on a connection
the server closed while idle.

Phases (targets in ``TARGETS``):
  1. ``GET /health`` latency: the floor of the HTTP stack (connect + gunicorn + Flask), no target;
  2. single-record ``POST /predict`` latency (p50/p95/p99) over ``--requests`` requests,
     cycling through real application records fetched from ``GET /clients/<id>``, after a
     warm-up;
  3. ``GET /clients/<id>/explanation`` latency;
  4. one ``POST /predict`` of 1,000 records (median of ``--batch-runs`` runs);
  5. throughput: ``--concurrency`` threads, each with its own connection, sending single-record
     ``/predict`` requests for ``--duration`` seconds; requests/s, errors, and the CPU time
     the server and this load generator used per request (both share this machine's cores);
  6. with ``--locust``: ``benchmarks/locustfile.py`` run headless in a subprocess (locust
     monkey-patches gevent on import, so it is never imported here); its CSV stats are parsed.

Preparation (once; this script never trains anything): a data root holding the pipelines'
outputs for the real Home Credit sample, outside the repository:

    mkdir -p /tmp/bench_real/01_raw
    cp /work/shared/data/home-credit-sample/*.csv /tmp/bench_real/01_raw/
    CREDIT_DATA_ROOT=/tmp/bench_real MLFLOW_TRACKING_URI=sqlite:////tmp/bench_real/mlflow.db \\
        KEDRO_DISABLE_TELEMETRY=true .venv/bin/python -m kedro run        # 2-3 minutes

Usage (from the project root):

    .venv/bin/python benchmarks/bench_api.py --root /tmp/bench_real
    .venv/bin/python benchmarks/bench_api.py --root /tmp/bench_real --workers 2 --locust

The prediction log goes to a throw-away SQLite file in a temporary folder (removed at the
end, with gunicorn's log, unless ``--keep``). ``CREDIT_API_KEY``, when set, is passed to the
server and sent by the client. gunicorn is stopped (SIGTERM, then SIGKILL) on normal exit,
errors, Ctrl-C and SIGTERM.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from credit_scoring_kedro.serving.artifacts import data_root, served_version
from credit_scoring_kedro.serving.processes import api_command, api_env, free_port, spawn, stop

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "/api/v1"
HOST = "127.0.0.1"

#: figure -> (comparison, target); a figure without a target is informative only.
TARGETS: dict[str, tuple[str, float]] = {
    "predict_p50_ms": ("<=", 1.5),
    "predict_p99_ms": ("<=", 3.0),
    "explanation_p99_ms": ("<=", 10.0),
    "batch_1000_median_ms": ("<=", 100.0),
    "throughput_rps": (">=", 700.0),
    "failures": ("<=", 0),
}


# --------------------------------------------------------------------------------------------
# the server
# --------------------------------------------------------------------------------------------
class Server:
    """gunicorn serving ``api.wsgi:app`` in its own session, stopped whatever happens."""

    def __init__(self, root: Path, workers: int, workdir: Path, app: str = "api.wsgi:app",
                 log_url: str | None = None) -> None:
        self.app = app
        self.port = free_port()
        self.log_path = workdir / "gunicorn.log"
        self.db_path = workdir / "predictions.db"
        self.env = api_env(root.resolve(), self.port, log_url or f"sqlite:///{self.db_path}",
                           key=os.environ.get("CREDIT_API_KEY", ""), workers=workers,
                           host=HOST, rate_limits=False) | {"CREDIT_API_LOG_LEVEL": "WARNING"}
        self.proc: subprocess.Popen | None = None
        self.started_in = 0.0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float) -> dict:
        """Start gunicorn and wait until ``/ready`` answers 200; returns that answer."""
        command = [*api_command()[:-1], self.app]
        started = time.perf_counter()
        # own session: Ctrl-C reaches only this script, which then stops gunicorn itself
        self.proc = spawn(command, self.env, self.log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with code {self.proc.returncode}:\n"
                                   + self.log_tail())
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", PREFIX + "/ready")
                response = conn.getresponse()
                body = json.loads(response.read() or b"{}")
                conn.close()
            except (ConnectionError, OSError, json.JSONDecodeError):
                time.sleep(0.2)
                continue
            if response.status == 200:
                self.started_in = time.perf_counter() - started
                return body
            raise RuntimeError(f"the API is up but not ready: {body.get('reason')}")
        raise TimeoutError(f"gunicorn not ready after {timeout:.0f} s:\n" + self.log_tail())

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no gunicorn log)"

    def cpu_seconds(self) -> float:
        """User + system CPU time of the gunicorn master and its workers so far (psutil)."""
        try:
            import psutil
        except ImportError:
            return float("nan")
        try:
            master = psutil.Process(self.proc.pid)
            total = 0.0
            for p in [master, *master.children(recursive=True)]:
                t = p.cpu_times()
                total += t.user + t.system
            return total
        except psutil.Error:
            return float("nan")

    def stop(self) -> None:
        """Graceful stop (SIGTERM to the master: workers finish their request), then SIGKILL."""
        if self.proc is not None:
            stop([self.proc], grace=30)


# --------------------------------------------------------------------------------------------
# the client
# --------------------------------------------------------------------------------------------
class Client:
    """One reused ``HTTPConnection``; reconnects when the server closed it (see module doc)."""

    def __init__(self, port: int, api_key: str | None) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.headers = {"Accept": "application/json"}
        if api_key:
            self.headers["X-API-Key"] = api_key
        self.connects = 0
        self.stale_retries = 0

    def request(self, method: str, path: str, body: bytes | None = None
                ) -> tuple[int, bytes, float]:
        """(status, body, seconds from sending to the last byte read, reconnection included)."""
        headers = self.headers if body is None else {**self.headers,
                                                     "Content-Type": "application/json"}
        started = time.perf_counter()
        for attempt in (1, 2):
            reused = self.conn.sock is not None
            if not reused:
                self.connects += 1    # http.client opens the connection inside request()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, data, time.perf_counter() - started
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                if not reused or attempt == 2:
                    raise
                self.stale_retries += 1   # an idle keep-alive connection the server closed
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, body: bytes | None = None) -> dict:
        status, data, _ = self.request(method, path, body)
        if status != 200:
            raise RuntimeError(f"{method} {path} -> {status}: {data[:300]!r}")
        return json.loads(data)

    def close(self) -> None:
        self.conn.close()


def machine_busy_seconds() -> float:
    """CPU seconds all processes of this machine have used since boot (Linux /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return float("nan")
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(max_seconds: float, wanted: float = 0.85) -> float:
    """Wait (at most ``max_seconds``) until the cores are at least ``wanted`` idle.

    On a shared machine other jobs steal the cores the server and the client need; the
    figures are only comparable when measured on an idle machine. Returns the idle share seen.
    """
    deadline = time.monotonic() + max_seconds
    cores = os.cpu_count() or 1
    while True:
        busy, started = machine_busy_seconds(), time.perf_counter()
        time.sleep(3)
        idle = 1 - (machine_busy_seconds() - busy) / (cores * (time.perf_counter() - started))
        if idle >= wanted or time.monotonic() >= deadline:
            return idle
        print(f"  waiting for an idle machine: {idle:.0%} idle", flush=True)


class CpuMeter:
    """CPU time used during a phase by the server, by this process (the client) and by the rest.

    Why: on a 2-core machine the client, the server and any other job share the cores; the
    server's CPU per request is the figure that does not depend on the others, and the share
    the others took tells whether a latency or throughput figure is trustworthy.
    """

    def __init__(self, server: Server) -> None:
        self.server = server
        self.figures: dict[str, float] = {}

    def __enter__(self) -> CpuMeter:
        self._start = (time.perf_counter(), self.server.cpu_seconds(), time.process_time(),
                       machine_busy_seconds())
        return self

    def __exit__(self, *exc: object) -> None:
        wall, srv, own, machine = (b - a for a, b in zip(self._start, (
            time.perf_counter(), self.server.cpu_seconds(), time.process_time(),
            machine_busy_seconds()), strict=True))
        self.seconds, self.server_cpu, self.client_cpu = wall, srv, own
        self.others_cores = max(0.0, (machine - srv - own) / wall)   # clock-tick noise < 0

    def summary(self, requests: int) -> dict[str, float]:
        n = max(requests, 1)
        return {"server_cpu_ms_per_request": self.server_cpu / n * 1e3,
                "client_cpu_ms_per_request": self.client_cpu / n * 1e3,
                "server_cores_busy": self.server_cpu / self.seconds,
                "client_cores_busy": self.client_cpu / self.seconds,
                "other_processes_cores_busy": self.others_cores}


def percentiles(seconds: list[float]) -> dict[str, float]:
    p50, p95, p99 = np.percentile(np.asarray(seconds) * 1e3, [50, 95, 99])
    return {"p50_ms": float(p50), "p95_ms": float(p95), "p99_ms": float(p99),
            "max_ms": float(max(seconds) * 1e3), "n": len(seconds)}


@dataclass
class Results:
    figures: dict[str, float] = field(default_factory=dict)
    details: dict[str, dict] = field(default_factory=dict)
    failed: int = 0                                      # failed requests, all phases
    messages: list[str] = field(default_factory=list)    # the first few, for the report

    def fail(self, message: str, count: int = 1) -> None:
        self.failed += count
        if len(self.messages) < 20:
            self.messages.append(message)
            print(f"  FAILURE: {message}", file=sys.stderr)


# --------------------------------------------------------------------------------------------
# the phases
# --------------------------------------------------------------------------------------------
def fetch_clients(client: Client, wanted: int) -> list[tuple[int, dict]]:
    """Up to ``wanted`` served clients: (SK_ID_CURR, the ``application`` record of /clients/<id>)."""
    ids: list[int] = []
    page = 1
    while len(ids) < wanted:
        listing = client.json("GET", f"{PREFIX}/clients?page={page}&page_size=100")
        ids += [c["client_id"] for c in listing["clients"]]
        if page >= listing["pages"]:
            break
        page += 1
    return [(i, client.json("GET", f"{PREFIX}/clients/{i}")["application"]) for i in ids[:wanted]]


def timed_loop(client: Client, results: Results, n: int, make: Callable[[int], tuple],
               check: Callable[[bytes], bool] | None = None) -> list[float]:
    """Send ``make(i)`` = (method, path, body) for i < n; timings of the successful requests.

    Answers are checked after the clock stopped, so checking costs nothing in the figures.
    """
    timings, answers = [], []
    for i in range(n):
        method, path, body = make(i)
        try:
            status, data, seconds = client.request(method, path, body)
        except OSError as error:
            results.fail(f"{method} {path}: {type(error).__name__}: {error}")
            continue
        if status != 200:
            results.fail(f"{method} {path} -> {status}: {data[:200]!r}")
            continue
        timings.append(seconds)
        answers.append(data)
    if check is not None:
        bad = sum(not check(a) for a in answers)
        if bad:
            results.fail(f"{bad} answers of {n} failed the content check")
    return timings


def one_prediction(data: bytes) -> bool:
    return len(json.loads(data)["predictions"]) == 1


def throughput(port: int, api_key: str | None, bodies: list[bytes], threads: int,
               duration: float, server: Server) -> dict:
    """``threads`` clients, each with its own connection, sending /predict for ``duration`` s."""
    barrier = threading.Barrier(threads + 1)
    stop_at = [0.0]
    per_thread: list[dict] = [{"ok": 0, "errors": 0, "messages": [], "timings": [],
                               "connects": 0} for _ in range(threads)]

    def worker(k: int) -> None:
        client, stats = Client(port, api_key), per_thread[k]
        i = k * 97            # each thread starts at a different record
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            body = bodies[i % len(bodies)]
            i += 1
            try:
                status, data, seconds = client.request("POST", PREFIX + "/predict", body)
            except OSError as error:
                stats["errors"] += 1
                if len(stats["messages"]) < 10:
                    stats["messages"].append(f"{type(error).__name__}: {error}")
                continue
            if status == 200:
                stats["ok"] += 1
                stats["timings"].append(seconds)
            else:
                stats["errors"] += 1
                if len(stats["messages"]) < 10:
                    stats["messages"].append(f"{status}: {data[:200]!r}")
        stats["connects"] = client.connects
        client.close()

    pool = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(threads)]
    for t in pool:
        t.start()
    with CpuMeter(server) as meter:
        stop_at[0] = time.perf_counter() + duration
        barrier.wait()
        for t in pool:
            t.join()
    elapsed = meter.seconds
    ok = sum(s["ok"] for s in per_thread)
    errors = sum(s["errors"] for s in per_thread)
    timings = [t for s in per_thread for t in s["timings"]]
    return {"threads": threads, "seconds": elapsed, "ok": ok, "errors": errors,
            "rps": ok / elapsed, "latency": percentiles(timings) if timings else {},
            "connects": sum(s["connects"] for s in per_thread), **meter.summary(ok),
            "error_messages": [m for s in per_thread for m in s["messages"]][:10]}


def run_locust(server: Server, workdir: Path, users: int, run_time: str, api_key: str | None
               ) -> dict:
    """``benchmarks/locustfile.py`` headless in a subprocess; its CSV stats, parsed."""
    prefix = workdir / "locust"
    script = Path(sys.executable).parent / "locust"
    command = ([str(script)] if script.exists() else [sys.executable, "-m", "locust"]) + [
        "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless",
        "-u", str(users), "-r", str(users), "-t", run_time, "--host", server.url,
        "--only-summary", "--csv", str(prefix)]
    env = {**os.environ, **({"CREDIT_API_KEY": api_key} if api_key else {})}
    print("  $ " + " ".join(command), flush=True)
    with CpuMeter(server) as meter, open(workdir / "locust.log", "wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            proc.wait(timeout=_seconds(run_time) + 90)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait(timeout=20)
        finally:
            if proc.poll() is None:        # Ctrl-C or an error while waiting
                proc.kill()
                proc.wait()
    stats_file = Path(f"{prefix}_stats.csv")
    if not stats_file.exists():
        raise RuntimeError(f"locust wrote no statistics (exit {proc.returncode}):\n"
                           + (workdir / "locust.log").read_text(errors="replace")[-3000:])
    with open(stats_file, newline="") as f:
        rows = list(csv.DictReader(f))
    failures_file = Path(f"{prefix}_failures.csv")
    failures = []
    if failures_file.exists():
        with open(failures_file, newline="") as f:
            failures = list(csv.DictReader(f))
    endpoints = [{"name": f"{r['Type']} {r['Name']}".strip(),
                  "requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
                  "rps": float(r["Requests/s"]), "p50_ms": _ms(r["50%"]),
                  "p95_ms": _ms(r["95%"]), "p99_ms": _ms(r["99%"]),
                  "max_ms": float(r["Max Response Time"])} for r in rows]
    total = next(e for e in endpoints if e["name"] == "Aggregated")
    return {"exit_code": proc.returncode, "wall_s": meter.seconds, "endpoints": endpoints,
            "total": total, "server_cores_busy": meter.server_cpu / meter.seconds,
            "server_cpu_ms_per_request": meter.server_cpu / max(total["requests"], 1) * 1e3,
            "locust_and_others_cores_busy": meter.others_cores,
            "failures": [{"name": f"{r['Method']} {r['Name']}", "error": r["Error"],
                          "occurrences": int(r["Occurrences"])} for r in failures]}


def _seconds(run_time: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return float(run_time[:-1]) * units[run_time[-1]] if run_time[-1] in units else float(run_time)


def _ms(value: str) -> float:
    return float(value) if value not in ("", "N/A") else float("nan")


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------
def verdict(name: str, value: float) -> str:
    if name not in TARGETS:
        return ""
    op, target = TARGETS[name]
    ok = value <= target if op == "<=" else value >= target
    return "PASS" if ok else "MISS"


def print_report(results: Results, args: argparse.Namespace) -> None:
    f = results.figures
    rows = [
        ("GET /health p50 / p99 (HTTP floor)", f"{f['health_p50_ms']:.2f} / {f['health_p99_ms']:.2f} ms", "", ""),
        ("POST /predict, 1 record: p50", f"{f['predict_p50_ms']:.2f} ms", "<= 1.5 ms",
         verdict("predict_p50_ms", f["predict_p50_ms"])),
        ("POST /predict, 1 record: p95", f"{f['predict_p95_ms']:.2f} ms", "", ""),
        ("POST /predict, 1 record: p99", f"{f['predict_p99_ms']:.2f} ms", "<= 3 ms",
         verdict("predict_p99_ms", f["predict_p99_ms"])),
        ("GET /clients/<id>/explanation: p50", f"{f['explanation_p50_ms']:.2f} ms", "", ""),
        ("GET /clients/<id>/explanation: p95", f"{f['explanation_p95_ms']:.2f} ms", "", ""),
        ("GET /clients/<id>/explanation: p99", f"{f['explanation_p99_ms']:.2f} ms", "<= 10 ms",
         verdict("explanation_p99_ms", f["explanation_p99_ms"])),
        (f"POST /predict, 1,000 records: median of {args.batch_runs}",
         f"{f['batch_1000_median_ms']:.1f} ms", "<= 100 ms",
         verdict("batch_1000_median_ms", f["batch_1000_median_ms"])),
        (f"throughput, {args.concurrency} clients x {args.duration:.0f} s",
         f"{f['throughput_rps']:.0f} req/s", ">= 700 req/s",
         verdict("throughput_rps", f["throughput_rps"])),
        ("  latency under that load p50 / p99",
         f"{f['throughput_p50_ms']:.2f} / {f['throughput_p99_ms']:.2f} ms", "", ""),
    ]
    if "locust_rps" in f:
        rows.append((f"locust {args.locust_users} users x {args.locust_time}: throughput",
                     f"{f['locust_rps']:.0f} req/s", "", ""))
        rows.append(("  locust p50 / p99 (all requests)",
                     f"{f['locust_p50_ms']:.0f} / {f['locust_p99_ms']:.0f} ms", "", ""))
    rows.append(("failures (all phases)", f"{f['failures']:.0f}", "0",
                 verdict("failures", f["failures"])))
    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'figure':<{width}}  {'measured':>18}  {'target':>13}  result")
    print("-" * (width + 45))
    for name, value, target, result in rows:
        print(f"{name:<{width}}  {value:>18}  {target:>13}  {result}")
    misses = [n for n in TARGETS if n in f and verdict(n, f[n]) == "MISS"]
    print()
    print("all targets met" if not misses else "targets missed: " + ", ".join(misses))


# --------------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, required=True,
                        help="data root holding the pipelines' outputs (see the docstring)")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (default 1)")
    parser.add_argument("--requests", type=int, default=2000,
                        help="timed requests per latency phase (default 2000)")
    parser.add_argument("--warmup", type=int, default=200, help="untimed requests first")
    parser.add_argument("--clients", type=int, default=1000,
                        help="served clients whose records are fetched (default 1000)")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--batch-runs", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=15.0, help="throughput phase, s")
    parser.add_argument("--locust", action="store_true",
                        help="also run benchmarks/locustfile.py headless (subprocess)")
    parser.add_argument("--locust-users", type=int, default=32)
    parser.add_argument("--locust-time", default="60s")
    parser.add_argument("--startup-timeout", type=float, default=180.0)
    parser.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                        help="first wait up to SECONDS for the cores to be 85%% idle "
                             "(a shared machine)")
    parser.add_argument("--app", default="api.wsgi:app",
                        help="WSGI app gunicorn serves (a variant to compare; PYTHONPATH is "
                             "passed on)")
    parser.add_argument("--log-url", help="prediction log database (default: a throw-away "
                        "SQLite file; 'off' measures the API without its log)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (gunicorn log, prediction log, CSV)")
    args = parser.parse_args()
    try:
        with data_root(args.root):   # the root's own registry (<root>/mlflow.db) when it has one
            served_version()
    except LookupError as error:
        parser.error(f"{args.root} serves no model ({error}): prepare it first (see --help)")

    # SIGTERM behaves like Ctrl-C: the finally blocks stop gunicorn and locust
    signal.signal(signal.SIGTERM, _interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="bench_api_"))
    api_key = os.environ.get("CREDIT_API_KEY") or None
    server = Server(args.root, args.workers, workdir, args.app, args.log_url)
    results = Results()
    try:
        return run(args, server, workdir, api_key, results)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping gunicorn", file=sys.stderr)
        return 130
    finally:
        server.stop()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, server: Server, workdir: Path, api_key: str | None,
        results: Results) -> int:
    f = results.figures
    idle = wait_until_idle(args.wait_idle)
    print(f"machine: {os.cpu_count()} cores, {idle:.0%} idle, Python "
          f"{platform.python_version()}; gunicorn workers: {args.workers}, app {args.app}; "
          f"data root: {args.root}")
    results.details["machine"] = {"cores": os.cpu_count(), "idle_share_before": idle,
                                  "python": platform.python_version()}
    results.details["code"] = code_state()
    if idle < 0.85:
        print("  WARNING: the machine is busy; the figures share its cores with other processes "
              "(see 'other processes' below; --wait-idle waits for a quiet machine)",
              file=sys.stderr)
    ready = server.start(args.startup_timeout)
    print(f"gunicorn ready on {server.url} in {server.started_in:.1f} s "
          f"(service loaded in {ready.get('loaded_in_s')} s): model {ready['model_version']}, "
          f"{ready['clients']} served clients")
    client = Client(server.port, api_key)

    served = fetch_clients(client, args.clients)
    if not served:
        raise RuntimeError("the API serves no client")
    ids = [i for i, _ in served]
    singles = [json.dumps({"clients": [record]}).encode() for _, record in served]
    batch_records = [served[i % len(served)][1] for i in range(args.batch_size)]
    batch_body = json.dumps({"clients": batch_records}).encode()
    print(f"fetched {len(served)} application records; single body {len(singles[0])} bytes, "
          f"batch body {len(batch_body) / 1e6:.2f} MB ({args.batch_size} records)")

    # 1. the HTTP floor
    n = min(args.requests, 1000)
    timed_loop(client, results, args.warmup, lambda i: ("GET", PREFIX + "/health", None))
    with CpuMeter(server) as meter:
        health = percentiles(timed_loop(client, results, n,
                                        lambda i: ("GET", PREFIX + "/health", None)))
    health.update(meter.summary(n))
    f["health_p50_ms"], f["health_p99_ms"] = health["p50_ms"], health["p99_ms"]
    results.details["health"] = health
    print(f"health: {_fmt(health)}")

    # 2. single predictions
    def predict(i: int) -> tuple:
        return "POST", PREFIX + "/predict", singles[i % len(singles)]

    connects = client.connects
    timed_loop(client, results, args.warmup, predict)
    with CpuMeter(server) as meter:
        single = percentiles(timed_loop(client, results, args.requests, predict,
                                        one_prediction))
    single.update(meter.summary(args.requests))
    single["connections_opened"] = client.connects - connects
    results.details["predict_single"] = single
    f.update({f"predict_{k}": v for k, v in single.items() if k.endswith("_ms")})
    print(f"predict, 1 record: {_fmt(single)}")
    print(f"  {single['connections_opened']} TCP connections for {args.requests} requests: "
          + ("every request paid a loopback connect (the server closes after each answer)"
             if single["connections_opened"] >= args.requests else "kept alive"))

    # 3. explanations
    def explain(i: int) -> tuple:
        return "GET", f"{PREFIX}/clients/{ids[i % len(ids)]}/explanation", None

    timed_loop(client, results, min(args.warmup, 50), explain)
    with CpuMeter(server) as meter:
        expl = percentiles(timed_loop(client, results, args.requests, explain))
    expl.update(meter.summary(args.requests))
    results.details["explanation"] = expl
    f.update({f"explanation_{k}": v for k, v in expl.items() if k.endswith("_ms")})
    print(f"explanation: {_fmt(expl)}")

    # 4. a batch of 1,000
    timed_loop(client, results, 1, lambda i: ("POST", PREFIX + "/predict", batch_body))
    with CpuMeter(server) as meter:
        batch = timed_loop(client, results, args.batch_runs,
                           lambda i: ("POST", PREFIX + "/predict", batch_body),
                           lambda data: len(json.loads(data)["predictions"]) == args.batch_size)
    if batch:
        ms = [t * 1e3 for t in batch]
        f["batch_1000_median_ms"] = statistics.median(ms)
        results.details["batch"] = {"records": args.batch_size, "body_bytes": len(batch_body),
                                    "median_ms": statistics.median(ms), "min_ms": min(ms),
                                    "max_ms": max(ms), "runs": len(ms),
                                    **meter.summary(len(ms))}
        print(f"batch of {args.batch_size}: median {statistics.median(ms):.1f} ms "
              f"(min {min(ms):.1f}, max {max(ms):.1f}, {len(ms)} runs); "
              + _cpu(results.details["batch"], "batch"))
    else:
        f["batch_1000_median_ms"] = float("nan")
    client.close()

    # 5. throughput
    print(f"throughput: {args.concurrency} threads for {args.duration:.0f} s ...", flush=True)
    load = throughput(server.port, api_key, singles, args.concurrency, args.duration, server)
    results.details["throughput"] = load
    if load["errors"]:
        results.fail(f"throughput: {load['errors']} errors, e.g. {load['error_messages'][:3]}",
                     load["errors"])
    f["throughput_rps"] = load["rps"]
    f["throughput_p50_ms"] = load["latency"].get("p50_ms", float("nan"))
    f["throughput_p99_ms"] = load["latency"].get("p99_ms", float("nan"))
    print(f"throughput: {load['ok']} ok, {load['errors']} errors in {load['seconds']:.1f} s "
          f"= {load['rps']:.0f} req/s; latency p50 {load['latency'].get('p50_ms', 0):.1f} ms")
    print(f"  cores busy: server {load['server_cores_busy']:.2f}, this load generator "
          f"{load['client_cores_busy']:.2f}, other processes "
          f"{load['other_processes_cores_busy']:.2f} (of {os.cpu_count()}); "
          + _cpu(load, "request"))

    # 6. locust
    if args.locust:
        print(f"locust: {args.locust_users} users for {args.locust_time} ...", flush=True)
        loc = run_locust(server, workdir, args.locust_users, args.locust_time, api_key)
        results.details["locust"] = loc
        f["locust_rps"] = loc["total"]["rps"]
        f["locust_p50_ms"], f["locust_p99_ms"] = loc["total"]["p50_ms"], loc["total"]["p99_ms"]
        print(f"  {'endpoint':<36} {'requests':>9} {'failures':>9} {'req/s':>8} "
              f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}")
        for e in loc["endpoints"]:
            print(f"  {e['name']:<36} {e['requests']:>9} {e['failures']:>9} {e['rps']:>8.1f} "
                  f"{e['p50_ms']:>7.0f} {e['p95_ms']:>7.0f} {e['p99_ms']:>7.0f} "
                  f"{e['max_ms']:>7.0f}")
        print(f"  server CPU {loc['server_cpu_ms_per_request']:.2f} ms/request; cores busy: "
              f"server {loc['server_cores_busy']:.2f}, locust and other processes "
              f"{loc['locust_and_others_cores_busy']:.2f} (of {os.cpu_count()}); locust exit "
              f"code {loc['exit_code']}")
        if loc["total"]["failures"]:
            results.fail(f"locust: {loc['total']['failures']} failures: {loc['failures'][:5]}",
                         loc["total"]["failures"])
        if loc["exit_code"] not in (0, 1):      # 1 = some requests failed (counted above)
            results.fail(f"locust exited with code {loc['exit_code']} (see its log, --keep)")

    after = Client(server.port, api_key)
    results.details["prediction_log_of_one_worker"] = after.json("GET", PREFIX + "/ready").get(
        "prediction_log")
    after.close()
    f["failures"] = results.failed
    print_report(results, args)
    if args.json:
        args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                         "model_version": ready["model_version"],
                                         "figures": f, "details": results.details,
                                         "failure_messages": results.messages}, indent=2))
        print(f"figures written to {args.json}")
    return 0 if all(verdict(n, f[n]) != "MISS" for n in TARGETS if n in f) else 1


def code_state() -> dict:
    """The commit benchmarked and the files of api/ and src/ that differ from it."""
    def git(*command: str) -> str:
        try:
            return subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    changed = git("status", "--porcelain", "--", "api", "src").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD"), "changed_in_api_src": len(changed)}


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _fmt(p: dict) -> str:
    text = (f"p50 {p['p50_ms']:.2f} ms, p95 {p['p95_ms']:.2f} ms, p99 {p['p99_ms']:.2f} ms, "
            f"max {p['max_ms']:.1f} ms (n={p['n']})")
    if "server_cpu_ms_per_request" in p:
        text += "; " + _cpu(p, "request") + (
            f"; other processes {p['other_processes_cores_busy']:.2f} cores")
    return text


def _cpu(p: dict, unit: str) -> str:
    return (f"CPU per {unit}: server {p['server_cpu_ms_per_request']:.2f} ms, "
            f"client {p['client_cpu_ms_per_request']:.2f} ms")


if __name__ == "__main__":
    sys.exit(main())
