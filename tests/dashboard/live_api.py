"""The live test API's address and a plain HTTP client for the expected answers."""

from __future__ import annotations

from pathlib import Path

import requests

PROJECT = Path(__file__).resolve().parents[2]
APP = PROJECT / "dashboard" / "app.py"
KEY = "dashboard-test-key"
# the relationship manager the tests log in as (tests/dashboard/conftest.py writes the login)
USER, PASSWORD, NAME = "rm.test", "test-password-1234", "Test Manager"


class LiveApi:
    """Where the test API listens, and a way to ask it what the dashboard should show."""

    def __init__(self, url: str, key: str, root: Path, log=None) -> None:
        self.url, self.key, self.root, self.log = url, key, root, log

    def logged(self) -> int:
        """Rows in the API's prediction log, once every queued one is written."""
        assert self.log.flush(timeout=10)
        return len(self.log.read())

    def get(self, path: str, **params) -> dict:
        response = requests.get(f"{self.url}{path}", params=params,
                                headers={"X-API-Key": self.key}, timeout=10)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: dict) -> dict:
        response = requests.post(f"{self.url}{path}", json=body,
                                 headers={"X-API-Key": self.key}, timeout=10)
        response.raise_for_status()
        return response.json()
