"""A live scoring API for the dashboard tests: the real Flask app over a trained demo root.

The API is served over HTTP on a free loopback port (a werkzeug server thread), so the
dashboard goes through its real client: timeouts, headers, JSON. The expected answers are
fetched from the same API with plain ``requests``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_api import KEY, NAME, PASSWORD, USER, LiveApi

from credit_scoring_kedro.serving import credentials
from credit_scoring_kedro.serving.artifacts import data_root
from credit_scoring_kedro.serving.processes import free_port

PROJECT = Path(__file__).resolve().parents[2]
if str(PROJECT) not in sys.path:       # `dashboard` and `api` are folders of the checkout
    sys.path.insert(0, str(PROJECT))

@pytest.fixture(scope="session")
def logins_file(tmp_path_factory) -> Path:
    """A credentials file with the first login (``manager``) and the tests' manager."""
    path = tmp_path_factory.mktemp("credentials") / "credentials.yml"
    credentials.ensure(path)
    credentials.add_user(USER, PASSWORD, NAME, path)
    return path


@pytest.fixture(autouse=True)
def _dashboard_logins(logins_file: Path, monkeypatch) -> Path:
    """Every dashboard test reads its logins from the test file, never conf/local.

    The page tests start logged in (``apptest.open_page``); tests/dashboard/test_login.py
    goes through the form.
    """
    monkeypatch.setenv("CREDIT_CREDENTIALS_FILE", str(logins_file))
    monkeypatch.delenv("CREDIT_DASHBOARD_AUTH", raising=False)
    return logins_file


@pytest.fixture(scope="session")
def live_api(trained_root: Path, tmp_path_factory) -> Iterator[LiveApi]:
    """The real API (``api.app.create_app``) with an API key, over the session's trained root."""
    from werkzeug.serving import make_server

    from api.app import create_app
    from credit_scoring_kedro.serving.service import ScoringService

    log = tmp_path_factory.mktemp("dashboard_log") / "log.db"
    with data_root(trained_root):
        service = ScoringService.from_catalog(log_url=f"sqlite:///{log}")
    server = make_server("127.0.0.1", free_port(), create_app(service, api_key=KEY,
                                                              cors_origins=[]), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveApi(f"http://127.0.0.1:{server.server_port}/api/v1", KEY, trained_root,
                      service.log)
    finally:
        server.shutdown()


@pytest.fixture
def dashboard_env(live_api: LiveApi, monkeypatch) -> Iterator[LiveApi]:
    """The dashboard's environment pointed at the live API, with its key, on its data root."""
    import streamlit as st

    monkeypatch.setenv("CREDIT_API_URL", live_api.url)
    monkeypatch.setenv("CREDIT_API_KEY", live_api.key)
    st.cache_data.clear()
    with data_root(live_api.root):
        yield live_api


@pytest.fixture(scope="session")
def granted_and_refused(live_api: LiveApi) -> dict[str, int]:
    """One served client of each decision."""
    return {d: live_api.get("/clients", decision=d, page_size=1)["clients"][0]["client_id"]
            for d in ("granted", "refused")}


@pytest.fixture(scope="session")
def refusals(live_api: LiveApi) -> dict[str, int]:
    """A refused client the API proposes changes to, and one it proposes none to (a message).

    ``proposals`` or ``message`` is missing when the served data has no such client.
    """
    found: dict[str, int] = {}
    for page in range(1, 11):
        listed = live_api.get("/clients", decision="refused", page_size=100, page=page)
        for row in listed["clients"]:
            change = live_api.get(f"/clients/{row['client_id']}/score")["what_would_change"]
            found.setdefault("proposals" if change["proposals"] else "message",
                             row["client_id"])
            if len(found) == 2:
                return found
        if page * 100 >= listed["total"]:
            break
    return found
