"""API key on the scoring and client endpoints, request ids, and CORS closed by default."""

from __future__ import annotations

import pytest

KEY = "test-key-123"   # the key of the keyed_client fixture (tests/api/conftest.py)

PROTECTED = ["/api/v1/clients", "/api/v1/clients/{id}", "/api/v1/clients/{id}/score",
             "/api/v1/clients/{id}/explanation", "/api/v1/clients/{id}/similar",
             "/api/v1/population/DAYS_BIRTH"]
OPEN = ["/api/v1/health", "/api/v1/ready", "/api/v1/model", "/api/v1/model/card",
        "/api/v1/features", "/api/v1/features/importance", "/api/v1/openapi.json", "/api/v1/docs"]


@pytest.mark.parametrize("path", PROTECTED)
def test_protected_endpoints_need_the_key(keyed_client, client_ids, path) -> None:
    url = path.format(id=client_ids[0])
    assert keyed_client.get(url).status_code == 401
    assert keyed_client.get(url, headers={"X-API-Key": "wrong"}).status_code == 401
    assert keyed_client.get(url, headers={"X-API-Key": KEY}).status_code == 200


def test_predict_needs_the_key(keyed_client, records) -> None:
    body = {"clients": records[:1]}
    denied = keyed_client.post("/api/v1/predict", json=body)
    assert denied.status_code == 401
    assert denied.get_json()["error"]["code"] == "unauthorized"
    assert keyed_client.post("/api/v1/predict", json=body,
                             headers={"X-API-Key": KEY}).status_code == 200


@pytest.mark.parametrize("path", OPEN)
def test_open_endpoints_answer_without_key(keyed_client, path) -> None:
    assert keyed_client.get(path).status_code == 200


def test_without_a_configured_key_everything_is_open(client, client_ids) -> None:
    assert client.get(f"/api/v1/clients/{client_ids[0]}/score").status_code == 200


def test_request_ids_are_the_servers_and_a_well_formed_callers_id_is_echoed_beside(
        client) -> None:
    given = client.get("/api/v1/health", headers={"X-Request-ID": "abc-123"}).headers
    assert given["X-Caller-Request-ID"] == "abc-123"
    assert len(given["X-Request-ID"]) == 32 and given["X-Request-ID"].isalnum()
    bad = client.get("/api/v1/health", headers={"X-Request-ID": "bad id; rm -rf"}).headers
    assert "X-Caller-Request-ID" not in bad
    assert len(bad["X-Request-ID"]) == 32 and bad["X-Request-ID"] != given["X-Request-ID"]


def test_cors_is_closed_by_default_and_opens_only_for_configured_origins(client, keyed_client) -> None:
    origin = {"Origin": "https://dashboard.example"}
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/health", headers=origin).headers
    allowed = keyed_client.get("/api/v1/health", headers=origin).headers
    assert allowed["Access-Control-Allow-Origin"] == "https://dashboard.example"
    other = keyed_client.get("/api/v1/health", headers={"Origin": "https://evil.example"}).headers
    assert "Access-Control-Allow-Origin" not in other
