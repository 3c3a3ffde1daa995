"""Locust load test of the scoring API: mostly single-record /predict, some /score and /explanation.

Why: ``bench_api.py`` measures latency with one client and throughput with a few threads;
locust adds many concurrent users with a realistic mix of calls (a relationship manager's
application scored, then sometimes a stored client's score or explanation looked up), and
counts failures the way load-testing tools do.

Locust monkey-patches gevent on import: run it in its own process, never import this file
from a benchmark or a test. ``bench_api.py --locust`` starts it like this (headless, loopback,
bounded in time):

    .venv/bin/locust -f benchmarks/locustfile.py --headless -u 32 -r 32 -t 60s \\
        --host http://127.0.0.1:8000 --only-summary --csv /tmp/locust

Users send their next request as soon as the previous answer arrives (no think time): the
figures are the saturation throughput and the latency under it, not a traffic model.
Environment: ``CREDIT_API_KEY`` (sent as ``X-API-Key`` when set), ``LOCUST_CLIENTS`` (how
many served clients' application records are fetched at test start, default 200).
"""

from __future__ import annotations

import json
import logging
import os
import random
import urllib.request

from locust import FastHttpUser, constant, events, task

PREFIX = "/api/v1"
API_KEY = os.environ.get("CREDIT_API_KEY", "")
HEADERS = {"Accept": "application/json", **({"X-API-Key": API_KEY} if API_KEY else {})}
JSON_HEADERS = {**HEADERS, "Content-Type": "application/json"}

#: (SK_ID_CURR, the body of a single-record POST /predict), filled once at test start
CLIENTS: list[tuple[int, bytes]] = []


def _get(host: str, path: str) -> dict:
    request = urllib.request.Request(host.rstrip("/") + path, headers=HEADERS)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


@events.test_start.add_listener
def load_clients(environment, **_kwargs) -> None:
    """Real application records of served clients, fetched outside the measured requests."""
    wanted = int(os.environ.get("LOCUST_CLIENTS", "200"))
    try:
        ids: list[int] = []
        page = 1
        while len(ids) < wanted:
            listing = _get(environment.host, f"{PREFIX}/clients?page={page}&page_size=100")
            ids += [c["client_id"] for c in listing["clients"]]
            if page >= listing["pages"]:
                break
            page += 1
        for client_id in ids[:wanted]:
            record = _get(environment.host, f"{PREFIX}/clients/{client_id}")["application"]
            CLIENTS.append((client_id, json.dumps({"clients": [record]}).encode()))
    except Exception:
        logging.exception("could not fetch the served clients from %s", environment.host)
    if not CLIENTS:
        logging.error("no client to score: stopping")
        environment.process_exit_code = 2
        environment.runner.quit()


class ApiUser(FastHttpUser):
    """One caller of the API, with no think time."""

    wait_time = constant(0)

    @task(8)
    def predict_one(self) -> None:
        _, body = random.choice(CLIENTS)
        self.client.post(f"{PREFIX}/predict", data=body, headers=JSON_HEADERS,
                         name="/predict (1 record)")

    @task(1)
    def score(self) -> None:
        client_id, _ = random.choice(CLIENTS)
        self.client.get(f"{PREFIX}/clients/{client_id}/score", headers=HEADERS,
                        name="/clients/[id]/score")

    @task(1)
    def explanation(self) -> None:
        client_id, _ = random.choice(CLIENTS)
        self.client.get(f"{PREFIX}/clients/{client_id}/explanation", headers=HEADERS,
                        name="/clients/[id]/explanation")
