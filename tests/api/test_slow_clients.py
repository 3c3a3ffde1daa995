"""Slow clients cannot starve the API: stalled connections hold a greenlet, not a worker.

The API runs as ``make api`` serves it (gunicorn, ``api/gunicorn.conf.py``, two workers).
Attackers open connections that send a request line and part of the headers, or whole
headers and part of a body, then wait; meanwhile a normal client must keep being served.
"""

from __future__ import annotations

import socket
import statistics
import time
from contextlib import ExitStack

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

KEY = "slow-client-test-key-0123456789"
BODY_SECONDS = 3   # the deadline for a whole body (30 s by default)


@pytest.fixture(scope="module")
def server(trained_root, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("slow_clients")
    port, log = free_port(), tmp / "gunicorn.log"
    env = api_env(trained_root, port, f"sqlite:///{tmp / 'predictions.db'}", key=KEY,
                  workers=2, rate_limits=False) | {"CREDIT_API_BODY_SECONDS": str(BODY_SECONDS)}
    process = spawn(api_command(), env, log)
    try:
        wait_healthy("API", f"http://127.0.0.1:{port}/api/v1/ready", process, 120, log)
        yield port
    finally:
        stop([process])


@pytest.fixture(scope="module")
def record(server):
    url = f"http://127.0.0.1:{server}/api/v1"
    first = requests.get(f"{url}/clients", headers={"X-API-Key": KEY}, timeout=10).json()
    client_id = first["clients"][0]["client_id"]
    return requests.get(f"{url}/clients/{client_id}", headers={"X-API-Key": KEY},
                        timeout=10).json()["application"]


def stalled(port: int, kind: str) -> socket.socket:
    """A connection that sends part of a request and then waits."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if kind == "headers":      # request line and some headers, never the blank line
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nUser-Agent: slow\r\n")
    else:                      # whole headers, then 10 bytes of a promised 10,000-byte body
        sock.sendall(b"POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     b"application/json\r\nX-API-Key: " + KEY.encode()
                     + b"\r\nContent-Length: 10000\r\n\r\n{\"clients\"")
    return sock


def timings(port: int, record: dict, rounds: int = 20) -> dict[str, list[float]]:
    """Wall times (ms) of /health and one-record /predict, each on a fresh connection."""
    url = f"http://127.0.0.1:{port}/api/v1"
    out: dict[str, list[float]] = {"health": [], "predict": []}
    for _ in range(rounds):
        start = time.perf_counter()
        assert requests.get(f"{url}/health", timeout=5).status_code == 200
        out["health"].append((time.perf_counter() - start) * 1e3)
        start = time.perf_counter()
        answer = requests.post(f"{url}/predict", json={"clients": [record]},
                               headers={"X-API-Key": KEY}, timeout=5)
        assert answer.status_code == 200, answer.text[:300]
        out["predict"].append((time.perf_counter() - start) * 1e3)
    return out


@pytest.mark.parametrize("kind", ["headers", "body"])
def test_twenty_stalled_connections_do_not_delay_anyone(server, record, kind) -> None:
    before = timings(server, record, rounds=10)   # both workers warm
    with ExitStack() as stack:
        for _ in range(20):
            stack.enter_context(stalled(server, kind))
        time.sleep(0.3)   # the workers have accepted them
        during = timings(server, record)
    summary = {name: (round(statistics.median(before[name]), 1),
                      round(statistics.median(values), 1), round(max(values), 1))
               for name, values in during.items()}
    # sync workers took 5.5 s with two such connections; a busy 2-core machine may add a
    # scheduling hiccup to one request, hence the median within 50 ms and every one within 1 s
    for name, values in during.items():
        assert statistics.median(values) < 50 and max(values) < 1000, (name, summary)


def test_two_hundred_stalled_connections_do_not_take_the_service_down(server, record) -> None:
    with ExitStack() as stack:
        for i in range(200):
            stack.enter_context(stalled(server, "headers" if i % 2 else "body"))
        time.sleep(0.5)
        during = timings(server, record, rounds=10)
    assert max(during["health"]) < 1000 and max(during["predict"]) < 1000, during
    after = timings(server, record, rounds=3)
    assert len(after["predict"]) == 3


def test_a_connection_that_never_finishes_its_headers_is_closed(server) -> None:
    """gevent workers give a connection ``keepalive`` seconds (5) to send its headers."""
    sock = stalled(server, "headers")
    sock.settimeout(15)
    start = time.perf_counter()
    try:
        closed = sock.recv(1024)
    except ConnectionResetError:
        closed = b""
    finally:
        sock.close()
    waited = time.perf_counter() - start
    assert closed == b"" or closed.startswith(b"HTTP/1.1 4"), closed[:100]
    assert 3 < waited < 12, waited


def test_a_body_that_never_arrives_gets_408_at_the_deadline(server) -> None:
    """A trickle keeps no connection for ever: the whole body has a deadline."""
    sock = stalled(server, "body")
    sock.settimeout(15)
    start = time.perf_counter()
    try:
        for _ in range(6):           # a byte a second: each read succeeds, the whole never ends
            time.sleep(1)
            sock.sendall(b" ")
    except OSError:
        pass                         # closed by the server meanwhile
    answer = sock.recv(4096)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"request_timeout" in answer
    assert BODY_SECONDS - 0.5 < time.perf_counter() - start < BODY_SECONDS + 6
