"""When the API is down, slow or refuses the key: a clear message and a Retry button, no traceback."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from apptest import open_page, texts

from credit_scoring_kedro.serving.processes import free_port

CLIENT_PAGES = ["views/score_card.py", "views/explanation.py", "views/client_info.py",
                "views/comparison.py", "views/what_if.py", "views/summary.py"]


@pytest.fixture
def closed_port_url(monkeypatch) -> str:
    """An API URL on a loopback port where nothing listens."""
    import streamlit as st

    url = f"http://127.0.0.1:{free_port()}/api/v1"
    monkeypatch.setenv("CREDIT_API_URL", url)
    st.cache_data.clear()
    return url


@pytest.mark.parametrize("page", [*CLIENT_PAGES, "views/find_client.py", "views/importance.py"])
def test_api_down_shows_where_it_looked_and_a_retry_button(closed_port_url, page) -> None:
    at = open_page(page, client_id=100001)
    assert not at.exception
    errors = " ".join(texts(at.error))
    assert f"The scoring service is not reachable at {closed_port_url}" in errors
    assert [b.label for b in at.button if b.label == "Retry"] == ["Retry"]
    assert "Traceback" not in errors


def test_retry_succeeds_once_the_api_is_back(closed_port_url, live_api, monkeypatch) -> None:
    at = open_page("views/score_card.py", client_id=100001)
    assert at.error and not at.metric
    client_id = live_api.get("/clients", page_size=1)["clients"][0]["client_id"]
    monkeypatch.setenv("CREDIT_API_URL", live_api.url)   # the service comes back
    monkeypatch.setenv("CREDIT_API_KEY", live_api.key)
    at.query_params["client"] = str(client_id)
    next(b for b in at.button if b.label == "Retry").click().run()
    assert not at.exception
    assert not any("not reachable" in text for text in texts(at.error))
    assert at.metric[0].label == "Probability of payment difficulties"


def test_a_wrong_api_key_is_named_as_the_problem(dashboard_env, granted_and_refused,
                                                 monkeypatch) -> None:
    monkeypatch.setenv("CREDIT_API_KEY", "not-the-key")
    at = open_page("views/score_card.py", granted_and_refused["granted"])
    assert not at.exception
    assert any("refused the dashboard's API key" in text for text in texts(at.error))


def test_an_unknown_client_in_a_link_is_explained_not_as_an_outage(dashboard_env) -> None:
    at = open_page("views/explanation.py", client_id=99)
    assert not at.exception
    assert any("No client with ID 99 in the client book. Check the number, or search the "
               "client book" in text for text in texts(at.warning))
    assert not at.error and "Retry" not in [b.label for b in at.button]


class _Slow(BaseHTTPRequestHandler):
    """An API that answers 503 to its first call, then sleeps past the client's timeout."""

    calls = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        type(self).calls += 1
        if type(self).calls == 1:
            self.send_response(503)
            self.end_headers()
            return
        time.sleep(1.0)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def flaky_server():
    _Slow.calls = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_client_retries_a_5xx_once_then_reports_a_timeout(flaky_server, monkeypatch) -> None:
    from dashboard import api_client

    monkeypatch.setattr(api_client, "TIMEOUT_S", 0.3)
    monkeypatch.setattr(api_client, "RETRY_PAUSE_S", 0.0)
    with pytest.raises(api_client.ApiError) as failure:
        api_client.request("GET", "/health", root=flaky_server)
    assert failure.value.kind == "timeout"            # the retry happened, then timed out
    assert _Slow.calls == 2                            # exactly one retry
    assert "did not answer within 0.3 s" in failure.value.message


def test_client_sends_the_key_and_reads_json(live_api) -> None:
    from dashboard import api_client

    answer = api_client.request("GET", "/clients", params={"page_size": 1}, root=live_api.url,
                                key=live_api.key)
    assert answer["clients"][0]["client_id"] > 0
    with pytest.raises(api_client.ApiError) as failure:
        api_client.request("GET", "/clients", root=live_api.url, key=None)
    assert failure.value.kind == "unauthorized" and failure.value.status == 401


def test_closed_port_fails_fast(monkeypatch) -> None:
    from dashboard import api_client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.perf_counter()
    with pytest.raises(api_client.ApiError) as failure:
        api_client.request("GET", "/health", root=f"http://127.0.0.1:{port}")
    assert failure.value.kind == "unreachable"
    assert time.perf_counter() - started < 2.0   # refused connections: no timeout wait
