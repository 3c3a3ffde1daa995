"""API key on the scoring and client endpoints, request ids, and CORS closed by default."""

from __future__ import annotations

import pytest

KEY = "test-key-123"   # the key of the keyed_client fixture (tests/api/conftest.py)

PROTECTED = ["/api/v1/clients", "/api/v1/clients/{id}", "/api/v1/clients/{id}/score",
             "/api/v1/clients/{id}/explanation", "/api/v1/clients/{id}/similar",
             "/api/v1/population/DAYS_BIRTH"]
OPEN = ["/api/v1/health", "/api/v1/ready", "/api/v1/model", "/api/v1/features",
        "/api/v1/features/importance", "/api/v1/openapi.json", "/api/v1/docs"]


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


def test_request_ids_are_echoed_or_generated(client) -> None:
    assert client.get("/api/v1/health", headers={"X-Request-ID": "abc-123"}).headers[
        "X-Request-ID"] == "abc-123"
    generated = client.get("/api/v1/health", headers={"X-Request-ID": "bad id; rm -rf"}).headers[
        "X-Request-ID"]
    assert len(generated) == 32 and generated.isalnum()


def test_cors_is_closed_by_default_and_opens_only_for_configured_origins(client, keyed_client) -> None:
    origin = {"Origin": "https://dashboard.example"}
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/health", headers=origin).headers
    allowed = keyed_client.get("/api/v1/health", headers=origin).headers
    assert allowed["Access-Control-Allow-Origin"] == "https://dashboard.example"
    other = keyed_client.get("/api/v1/health", headers={"Origin": "https://evil.example"}).headers
    assert "Access-Control-Allow-Origin" not in other
