"""Keys on by default, roles, and a rate limit per key that answers 429 with Retry-After."""

from __future__ import annotations

import logging
import stat

import pytest

from api.access import Access
from api.app import create_app
from credit_scoring_kedro.serving import credentials
from credit_scoring_kedro.serving.credentials import ApiKey

VIEWER, SCORER, ADMIN = "viewer-key-0123456789", "scorer-key-0123456789", "admin-key-0123456789"
ROLES = {VIEWER: ApiKey("dashboard", "viewer"), SCORER: ApiKey("origination", "scorer"),
         ADMIN: ApiKey("operator", "admin")}


@pytest.fixture(scope="module")
def roles_client(service):
    return create_app(service, access=Access(dict(ROLES))).test_client()


@pytest.fixture
def fresh_credentials(tmp_path, monkeypatch):
    """A credentials file as the first `make run` writes it, and the API reading it."""
    path = tmp_path / "conf" / "local" / "credentials.yml"
    monkeypatch.setenv("CREDIT_CREDENTIALS_FILE", str(path))
    monkeypatch.delenv("CREDIT_API_KEY", raising=False)
    monkeypatch.delenv("CREDIT_API_AUTH", raising=False)
    assert credentials.ensure() is True
    return path


def test_the_first_run_writes_private_random_keys(fresh_credentials) -> None:
    mode = stat.S_IMODE(fresh_credentials.stat().st_mode)
    assert mode == 0o600
    content = credentials.read(fresh_credentials)
    keys = credentials.api_keys(content)
    assert sorted(k.role for k in keys.values()) == ["admin", "manager", "scorer"]
    assert {k.name: k.role for k in keys.values()}["dashboard"] == "manager"
    assert all(len(secret) >= 40 for secret in keys)
    assert credentials.ensure() is False             # a second run keeps them
    assert credentials.api_keys(credentials.read(fresh_credentials)) == keys
    password = (fresh_credentials.parent / credentials.PASSWORD_FILE).read_text().strip()
    stored = content["dashboard"]["credentials"]["usernames"]["manager"]["password"]
    assert password not in fresh_credentials.read_text() and stored.startswith("$2")


def test_an_earlier_dashboard_viewer_key_becomes_a_manager_with_the_same_secret(
        fresh_credentials) -> None:
    import yaml

    content = credentials.read(fresh_credentials)
    content["credit_api"]["keys"]["dashboard"]["role"] = "viewer"   # as before oversight
    fresh_credentials.write_text(yaml.safe_dump(content))
    secret = credentials.key_of("dashboard", fresh_credentials)
    assert credentials.ensure() is True
    keys = credentials.api_keys(credentials.read(fresh_credentials))
    assert keys[secret] == ApiKey("dashboard", "manager")
    assert stat.S_IMODE(fresh_credentials.stat().st_mode) == 0o600
    assert credentials.ensure() is False


def test_roles_nest_viewer_scorer_manager_admin() -> None:
    assert credentials.ROLES == ("viewer", "scorer", "manager", "admin")
    manager = ApiKey("dashboard", "manager")
    assert manager.may("viewer") and manager.may("scorer") and manager.may("manager")
    assert not manager.may("admin") and not ApiKey("s", "scorer").may("manager")


def test_a_fresh_configuration_refuses_a_request_without_its_key(fresh_credentials,
                                                                 service, records) -> None:
    client = create_app(service).test_client()      # what `make run` serves
    body = {"clients": records[:1]}
    assert client.post("/api/v1/predict", json=body).status_code == 401
    assert client.get(f"/api/v1/clients/{records[0]['SK_ID_CURR']}").status_code == 401
    scorer = credentials.key_of("scorer", fresh_credentials)
    assert client.post("/api/v1/predict", json=body,
                       headers={"X-API-Key": scorer}).status_code == 200


def test_no_key_anywhere_fails_closed(tmp_path, monkeypatch, service, caplog) -> None:
    monkeypatch.setenv("CREDIT_CREDENTIALS_FILE", str(tmp_path / "absent.yml"))
    monkeypatch.delenv("CREDIT_API_KEY", raising=False)
    monkeypatch.delenv("CREDIT_API_AUTH", raising=False)
    with caplog.at_level(logging.ERROR, logger="api"):
        client = create_app(service).test_client()
    assert "NO API KEY CONFIGURED" in caplog.text
    assert client.get("/api/v1/clients").status_code == 401
    assert client.get("/api/v1/health").status_code == 200


def test_running_without_keys_needs_an_explicit_setting_and_warns(monkeypatch, service,
                                                                  caplog) -> None:
    monkeypatch.setenv("CREDIT_API_AUTH", "off")
    with caplog.at_level(logging.WARNING, logger="api"):
        client = create_app(service).test_client()
    assert "API KEYS OFF" in caplog.text
    assert client.get("/api/v1/clients").status_code == 200


def test_a_wrong_key_is_refused_everywhere(roles_client, records) -> None:
    for path in ("/api/v1/clients", f"/api/v1/clients/{records[0]['SK_ID_CURR']}/score"):
        assert roles_client.get(path, headers={"X-API-Key": "wrong-key-0123456789"}
                                ).status_code == 401
    denied = roles_client.post("/api/v1/predict", json={"clients": records[:1]},
                               headers={"X-API-Key": VIEWER[:-1] + "x"})
    assert denied.status_code == 401 and denied.get_json()["error"]["code"] == "unauthorized"


def test_roles_nest_viewer_scorer_admin(roles_client, records) -> None:
    body = {"clients": records[:1]}
    predict = {key: roles_client.post("/api/v1/predict", json=body,
                                      headers={"X-API-Key": key}).status_code for key in ROLES}
    assert predict == {VIEWER: 403, SCORER: 200, ADMIN: 200}
    for key in ROLES:   # everybody with a key may read client data and simulate
        assert roles_client.get("/api/v1/clients", headers={"X-API-Key": key}).status_code == 200
        assert roles_client.post("/api/v1/simulate", json=body,
                                 headers={"X-API-Key": key}).status_code == 200
    forbidden = roles_client.post("/api/v1/predict", json=body, headers={"X-API-Key": VIEWER})
    assert forbidden.get_json()["error"]["code"] == "forbidden"
    assert "'scorer'" in forbidden.get_json()["error"]["message"]


def test_admin_endpoints_refuse_viewer_and_scorer_keys(service) -> None:
    from api.app import ScoringState

    app = create_app(service, access=Access(dict(ROLES)), loader=lambda: ScoringState(service))
    client = app.test_client()
    for key in (VIEWER, SCORER):
        answer = client.post("/api/v1/admin/reload", headers={"X-API-Key": key})
        assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "forbidden"
    assert client.post("/api/v1/admin/reload", headers={"X-API-Key": ADMIN}).status_code == 200


def test_a_bearer_token_is_accepted_like_the_key_header(roles_client) -> None:
    assert roles_client.get("/api/v1/clients",
                            headers={"Authorization": f"Bearer {VIEWER}"}).status_code == 200
    assert roles_client.get("/api/v1/clients",
                            headers={"Authorization": f"Basic {VIEWER}"}).status_code == 401


def test_the_limit_answers_429_with_retry_after_per_key(service) -> None:
    access = Access(dict(ROLES))
    access.settings = {**access.settings, "rate_limits": {
        **access.settings["rate_limits"], "viewer": "5 per minute"}}
    client = create_app(service, access=access).test_client()
    statuses = [client.get("/api/v1/clients", headers={"X-API-Key": VIEWER}).status_code
                for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    limited = client.get("/api/v1/clients", headers={"X-API-Key": VIEWER})
    assert limited.get_json()["error"]["status"] == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    # another key has its own budget; health probes are never limited
    assert client.get("/api/v1/clients", headers={"X-API-Key": SCORER}).status_code == 200
    assert all(client.get("/api/v1/health").status_code == 200 for _ in range(10))


def test_rate_limits_can_be_switched_off_only_explicitly(monkeypatch, service, caplog) -> None:
    monkeypatch.setenv("CREDIT_API_AUTH", "off")
    monkeypatch.setenv("CREDIT_API_RATE_LIMITS", "off")
    with caplog.at_level(logging.WARNING, logger="api"):
        access = Access.from_environment()
    assert not access.limits_enabled and "RATE LIMITS OFF" in caplog.text
