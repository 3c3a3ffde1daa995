"""A scoring service over the session's trained demo root, and Flask test clients on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.access import Access
from api.app import create_app
from credit_scoring_kedro.serving import artifacts
from credit_scoring_kedro.serving.service import ScoringService

KEY = "test-key-123"


def service_from(root: Path, log_url: str) -> ScoringService:
    """Load the service through the catalog with ``root`` as the data root."""
    with artifacts.data_root(root):
        return ScoringService.from_catalog(log_url=log_url)


@pytest.fixture(scope="session")
def service(trained_root: Path, tmp_path_factory) -> ScoringService:
    log = tmp_path_factory.mktemp("prediction_log") / "log.db"
    return service_from(trained_root, f"sqlite:///{log}")


@pytest.fixture(scope="session")
def client(service):
    """No API key configured: every endpoint is open."""
    return create_app(service, access=Access.off(), cors_origins=[]).test_client()


@pytest.fixture(scope="session")
def keyed_client(service):
    return create_app(service, api_key=KEY, cors_origins=["https://dashboard.example"]).test_client()


@pytest.fixture(scope="session")
def client_ids(service) -> list[int]:
    return sorted(service.book.row_of)


@pytest.fixture(scope="session")
def records(client, client_ids) -> list[dict]:
    """Application records of 40 served clients, as GET /clients/<id> gives them."""
    return [client.get(f"/api/v1/clients/{i}").get_json()["application"] for i in client_ids[:40]]


@pytest.fixture(scope="session")
def load_service():
    """:func:`service_from` as a fixture, for tests that build their own data root."""
    return service_from
