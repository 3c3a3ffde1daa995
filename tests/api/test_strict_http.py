"""Strict bodies and headers (issue 17): one size limit for every body, chunked or not;
duplicate JSON keys, odd path ids refused; security, cache and CORS headers."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import re
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict

from api import http_hygiene
from api.app import MAX_BODY_BYTES
from api.errors import ApiError
from credit_scoring_kedro.serving.processes import (
    api_command,
    api_env,
    free_port,
    spawn,
    stop,
    wait_healthy,
)

URL = "/api/v1/predict"
KEY = "test-key-123"                    # the key of the keyed_client fixture
ORIGIN = "https://dashboard.example"    # keyed_client's allowed origin
AUTH = {"X-API-Key": KEY}


def body_of(records: list[dict], size: int | None = None) -> bytes:
    """``{"clients": records}`` as JSON, padded with spaces to exactly ``size`` bytes."""
    text = json.dumps({"clients": records}).encode()
    return text if size is None else text + b" " * (size - len(text))


def padded_then_garbage(records) -> bytes:
    """A valid one-record body of exactly the limit, then bytes that make it invalid JSON."""
    return body_of(records[:1], MAX_BODY_BYTES) + b'"and then more": true}' * 100


def post_chunked_in_process(client, body: bytes):
    """As gunicorn passes a chunked body: no length, a stream the server terminates."""
    return client.post(URL, data=body, content_type="application/json",
                       headers={"Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True})


def error_of(response) -> dict:
    body = response.get_json()
    assert body is not None, response.get_data(as_text=True)[:300]
    return body["error"]


# --- one size limit --------------------------------------------------------------------------

def test_a_chunked_body_above_the_limit_is_413_not_cut(client, records) -> None:
    response = post_chunked_in_process(client, padded_then_garbage(records))
    assert response.status_code == 413
    assert "too large" in error_of(response)["message"]


def test_a_chunked_body_of_exactly_the_limit_is_scored(client, records) -> None:
    response = post_chunked_in_process(client, body_of(records[:1], MAX_BODY_BYTES))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert len(response.get_json()["predictions"]) == 1


def test_a_padded_body_with_content_length_is_413(client, records) -> None:
    response = client.post(URL, data=padded_then_garbage(records), content_type="application/json")
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_entity_too_large"


def test_a_body_of_exactly_the_limit_with_content_length_is_scored(client, records) -> None:
    response = client.post(URL, data=body_of(records[:1], MAX_BODY_BYTES),
                           content_type="application/json")
    assert response.status_code == 200


# --- duplicate keys --------------------------------------------------------------------------

def test_a_key_repeated_at_the_top_level_is_422(client, records) -> None:
    one = json.dumps(records[:1])
    response = client.post(URL, data=f'{{"clients": {one}, "clients": {one}}}',
                           content_type="application/json")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert error["details"][0]["location"] == "clients"
    assert "duplicate key 'clients'" in error["details"][0]["problem"]


def test_a_key_repeated_inside_a_record_is_422_naming_the_record(client, records) -> None:
    # the last value is valid: pydantic alone would score 900000 and never see the 1
    second = json.dumps(records[1])[:-1] + ', "AMT_CREDIT": 900000.0}'
    text = f'{{"clients": [{json.dumps(records[0])}, {second}]}}'
    response = client.post(URL, data=text, content_type="application/json")
    assert response.status_code == 422
    assert error_of(response)["details"] == [{
        "location": "clients.1.AMT_CREDIT",
        "problem": "duplicate key 'AMT_CREDIT': a key may appear once per object"}]


def test_a_body_without_repeated_keys_is_scored(client, records) -> None:
    response = client.post(URL, data=json.dumps({"clients": records[:3]}),
                           content_type="application/json")
    assert response.status_code == 200
    assert len(response.get_json()["predictions"]) == 3


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")
    AMT: float | None = None
    ORG: Literal["Industry: type 1", "School"] | None = None


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")
    clients: list[_Record]


@pytest.mark.parametrize("text, repeated", [
    ('{"clients": [{"AMT": 1, "ORG": "School"}]}', []),
    ('{"clients": [{"AMT": 1, "ORG": "Industry: type 1"}]}', []),           # a colon in a value
    ('{"clients": [{"AMT": 1, "ORG": "Industry\\u003a type 1"}]}', []),   # written as an escape
    ('{"clients": [{"AMT": 1, "AMT": 2}]}', ["clients.0.AMT"]),
    ('{"clients": [{"ORG": "Industry: type 1", "AMT": 1, "AMT": 2}]}', ["clients.0.AMT"]),
    # an escaped colon counted by pydantic but not in the text would hide one repeat
    ('{"clients": [{"ORG": "Industry\\u003a type 1", "AMT": 1, "AMT": 2}]}', ["clients.0.AMT"]),
    ('{"clients": [{"ORG": "Industry\\u003A type 1", "AMT": 1, "AMT": 2}]}', ["clients.0.AMT"]),
    ('{"clients": [], "clients": [{"AMT": 1}, {"AMT": 1, "ORG": "School", "ORG": "School"}]}',
     ["clients", "clients.1.ORG"]),
])
def test_the_duplicate_check_is_exact(text, repeated) -> None:
    body = _Request.model_validate_json(text)
    if not repeated:
        http_hygiene.refuse_duplicate_keys(text.encode(), body)
        return
    with pytest.raises(ApiError) as raised:
        http_hygiene.refuse_duplicate_keys(text.encode(), body)
    assert raised.value.status == 422
    assert [d["location"] for d in raised.value.details] == repeated


# --- path ids --------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["+{id}", "{id:_}", "%20{id}", "{id}%20", "{arabic}",
                                 "{id}%0A", "-0", "99999999999999999999", "9223372036854775808"])
def test_a_path_id_not_in_ascii_digits_is_422(keyed_client, client_ids, raw) -> None:
    i = client_ids[0]
    arabic = "".join(chr(0x0660 + int(d)) for d in str(i))   # "١٠٠٠٠٦" for 100006
    response = keyed_client.get(f"/api/v1/clients/{raw.format(id=i, arabic=arabic)}/score",
                                headers=AUTH)
    assert response.status_code == 422, raw
    assert error_of(response)["details"][0]["location"] == "path.client_id"


def test_a_plain_path_id_is_found_or_404(keyed_client, client_ids) -> None:
    assert keyed_client.get(f"/api/v1/clients/{client_ids[0]}", headers=AUTH).status_code == 200
    assert keyed_client.get("/api/v1/clients/9223372036854775807",
                            headers=AUTH).status_code == 404


# --- headers ---------------------------------------------------------------------------------

def test_405_says_which_methods_are_allowed(client) -> None:
    response = client.delete(URL)
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"POST", "OPTIONS"}
    assert "GET" in client.post("/api/v1/health").headers["Allow"]


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/clients/{id}",
                                  "/api/v1/clients/{id}/explanation", "/api/v1/clients/1",
                                  "/api/v1/nothing-here", "/api/v1/docs"])
def test_every_answer_carries_the_security_headers(client, client_ids, path) -> None:
    headers = client.get(path.format(id=client_ids[0])).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/api/v1/clients/{id}", "/api/v1/clients/{id}/score",
                                  "/api/v1/clients?page_size=5", "/api/v1/clients/1",
                                  "/api/v1/model", "/api/v1/nothing-here"])
def test_client_data_and_errors_are_never_stored(client, client_ids, path) -> None:
    assert client.get(path.format(id=client_ids[0])).headers["Cache-Control"] == "no-store"


def test_a_prediction_is_never_stored(client, records) -> None:
    response = client.post(URL, json={"clients": records[:1]})
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_the_documentation_may_be_stored_but_is_revalidated(client, path) -> None:
    assert client.get(path).headers["Cache-Control"] == "no-cache"


def test_the_docs_page_csp_allows_its_own_style_and_nothing_else(client) -> None:
    response = client.get("/api/v1/docs")
    csp = response.headers["Content-Security-Policy"]
    [style] = re.findall(r"<style>(.*?)</style>", response.get_data(as_text=True), re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp      # the browser applies the page's style
    assert "default-src 'none'" in csp                 # and loads nothing else
    assert "<script" not in response.get_data(as_text=True)
    assert "unsafe-inline" not in csp


# --- CORS preflight --------------------------------------------------------------------------

def preflight(client, path: str, origin: str, method: str = "POST"):
    return client.options(path, headers={"Origin": origin,
                                         "Access-Control-Request-Method": method,
                                         "Access-Control-Request-Headers": "content-type,x-api-key"})


def test_a_preflight_from_an_allowed_origin_needs_no_key(keyed_client) -> None:
    response = preflight(keyed_client, URL, ORIGIN)
    assert response.status_code == 204
    headers = response.headers
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    assert headers["Access-Control-Allow-Methods"] == "POST"
    allowed = {h.strip().lower() for h in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "x-api-key", "x-request-id", "authorization"} <= allowed
    assert int(headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in headers["Vary"]


def test_a_preflight_lists_the_methods_of_its_path(keyed_client, client_ids) -> None:
    response = preflight(keyed_client, f"/api/v1/clients/{client_ids[0]}/score", ORIGIN, "GET")
    assert response.status_code == 204
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "POST" not in response.headers["Access-Control-Allow-Methods"]


def test_a_preflight_from_another_origin_gets_no_cors_headers(keyed_client) -> None:
    response = preflight(keyed_client, URL, "https://evil.example")
    assert response.status_code != 204
    assert not any(h.startswith("Access-Control-Allow") for h in response.headers.keys())


def test_an_options_that_is_not_a_preflight_still_needs_the_key(keyed_client) -> None:
    response = keyed_client.options(URL, headers={"Origin": ORIGIN})
    assert response.status_code == 401


def test_an_allowed_origin_can_read_the_request_id(keyed_client) -> None:
    response = keyed_client.get("/api/v1/health", headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Request-ID" in response.headers["Access-Control-Expose-Headers"]


# --- the real server: chunked bodies as gunicorn hands them over --------------------------------

@pytest.fixture(scope="module")
def served(trained_root: Path, tmp_path_factory):
    """One gunicorn worker on the trained root; yields its (host, port)."""
    tmp = tmp_path_factory.mktemp("strict_http")
    port, log = free_port(), tmp / "gunicorn.log"
    env = api_env(trained_root, port, f"sqlite:///{tmp / 'predictions.db'}", key=KEY,
                  workers=1) | {"CREDIT_API_RATE_LIMITS": "off"}
    process = spawn(api_command(), env, log)
    try:
        wait_healthy("API", f"http://127.0.0.1:{port}/api/v1/ready", process, 120, log)
        yield "127.0.0.1", port
    finally:
        assert stop([process]) == [0], log.read_text()[-2000:]


def send(served, body: bytes, *, chunked: bool) -> tuple[int, dict]:
    """POST ``body`` to the served API, chunked (64 KB chunks) or with a Content-Length."""
    connection = http.client.HTTPConnection(*served, timeout=60)
    headers = {"Content-Type": "application/json", "X-API-Key": KEY}
    try:
        if chunked:
            chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))
            connection.request("POST", URL, body=chunks, headers=headers, encode_chunked=True)
        else:
            connection.request("POST", URL, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


@pytest.mark.parametrize("megabytes", [9, 20])
def test_served_chunked_bodies_above_the_limit_are_413(served, records, megabytes) -> None:
    many = records * (megabytes * 1_000_000 // len(json.dumps(records)))
    body = body_of(many, megabytes * 1_000_000)     # valid JSON: only its size is wrong
    status, answer = send(served, body, chunked=True)
    assert status == 413, answer
    assert "too large" in answer["error"]["message"]


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_served_padded_body_then_garbage_is_never_scored(served, records, chunked) -> None:
    status, answer = send(served, padded_then_garbage(records), chunked=chunked)
    assert status in (400, 413), answer


def test_served_chunked_body_of_exactly_the_limit_is_scored(served, records) -> None:
    status, answer = send(served, body_of(records[:2], MAX_BODY_BYTES), chunked=True)
    assert status == 200, answer
    assert len(answer["predictions"]) == 2
