"""What stalled connections do to everybody else: /health and /predict latency under slowloris.

Why: a client that opens a connection, sends part of its request and waits must not delay
other clients. The API runs as ``make api`` runs it (``api/gunicorn.conf.py``); this script
opens N connections that stall (half in their headers, half in their body), then times a
normal client's ``GET /health`` and one-record ``POST /predict`` on fresh connections, and
prints the figures beside the same measurement with no stalled connection (the reference in
the same run). ``--worker-class sync`` shows what the previous serving setup did.

    .venv/bin/python benchmarks/bench_slow_clients.py --root /tmp/after_real
    .venv/bin/python benchmarks/bench_slow_clients.py --root /tmp/after_real --worker-class sync

A request that takes longer than ``--timeout`` seconds counts as a failure (and its time as
the timeout).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "src"))

from credit_scoring_kedro.serving.processes import (  # noqa: E402
    api_command,
    api_env,
    free_port,
    spawn,
    stop,
    wait_healthy,
)

KEY = "bench-slow-clients-key-0123456789"


def stalled(port: int, body: bool) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if body:
        sock.sendall(b"POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     b"\r\nX-API-Key: " + KEY.encode() + b"\r\nContent-Length: 10000\r\n\r\n{")
    else:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
    return sock


def timed(request: urllib.request.Request, timeout: float) -> tuple[float, bool]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
            ok = answer.status == 200
    except (urllib.error.URLError, OSError):
        return timeout * 1e3, False
    return (time.perf_counter() - start) * 1e3, ok


def measure(url: str, body: bytes, rounds: int, timeout: float) -> dict[str, dict[str, float]]:
    out = {}
    for name, make in (("health", lambda: urllib.request.Request(f"{url}/health")),
                       ("predict", lambda: urllib.request.Request(
                           f"{url}/predict", data=body, method="POST",
                           headers={"Content-Type": "application/json", "X-API-Key": KEY}))):
        times, failures = [], 0
        for _ in range(rounds):
            spent, ok = timed(make(), timeout)
            times.append(spent)
            failures += not ok
        times.sort()
        out[name] = {"p50_ms": round(statistics.median(times), 2),
                     "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2),
                     "max_ms": round(times[-1], 2), "failures": failures}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="a trained data root")
    parser.add_argument("--worker-class", default="gevent")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stalled", type=int, nargs="+", default=[0, 20, 200])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        port = free_port()
        env = api_env(args.root.resolve(), port, f"sqlite:///{tmp}/log.db", key=KEY,
                      workers=args.workers, rate_limits=False) | {
            "CREDIT_API_WORKER_CLASS": args.worker_class, "CREDIT_API_LOG_LEVEL": "WARNING"}
        log = Path(tmp) / "gunicorn.log"
        process = spawn(api_command(), env, log)
        stack.callback(stop, [process])
        url = f"http://127.0.0.1:{port}/api/v1"
        wait_healthy("API", f"{url}/ready", process, 180, log)
        request = urllib.request.Request(f"{url}/clients?page_size=1", headers={"X-API-Key": KEY})
        client_id = json.load(urllib.request.urlopen(request))["clients"][0]["client_id"]
        request = urllib.request.Request(f"{url}/clients/{client_id}", headers={"X-API-Key": KEY})
        record = json.load(urllib.request.urlopen(request))["application"]
        body = json.dumps({"clients": [record]}).encode()
        measure(url, body, 10, args.timeout)                 # warm both workers
        print(f"worker class {args.worker_class}, {args.workers} workers, {args.rounds} "
              f"requests each, fresh connection per request; machine load "
              f"{os.getloadavg()[0]:.2f}")
        print(f"{'stalled':>8} {'health p50/p99/max ms':>26} {'predict p50/p99/max ms':>27} "
              f"{'failures':>9}")
        for count in args.stalled:
            with ExitStack() as sockets:
                for i in range(count):
                    sockets.enter_context(stalled(port, body=bool(i % 2)))
                time.sleep(0.5)
                figures = measure(url, body, args.rounds, args.timeout)
            h, p = figures["health"], figures["predict"]
            print(f"{count:>8} {h['p50_ms']:>9.1f} / {h['p99_ms']:>6.1f} / {h['max_ms']:>6.1f}"
                  f" {p['p50_ms']:>9.1f} / {p['p99_ms']:>6.1f} / {p['max_ms']:>6.1f}"
                  f" {h['failures'] + p['failures']:>9}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
