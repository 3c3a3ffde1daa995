"""POST /admin/reload: the API key is required, a failed load keeps the served model, and a
worker that did not receive the call catches up on its next request."""

from __future__ import annotations

import dataclasses
import time

from api.access import Access
from api.app import ScoringState, create_app
from api.reloading import Generation, Reloader

KEY = "reload-key"


def renamed(service, version: str):
    """The same service under another model version (what a promoted challenger looks like)."""
    bundle = dataclasses.replace(service.bundle, metadata={**service.bundle.metadata,
                                                           "version": version})
    return dataclasses.replace(service, bundle=bundle, log=None)


def test_reload_is_refused_without_a_configured_key_and_with_a_wrong_one(service) -> None:
    open_app = create_app(service, access=Access.off(), loader=lambda: ScoringState(service))
    answer = open_app.test_client().post("/api/v1/admin/reload")
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "reload_disabled"

    keyed = create_app(service, api_key=KEY, loader=lambda: ScoringState(service)).test_client()
    assert keyed.post("/api/v1/admin/reload").status_code == 401
    assert keyed.post("/api/v1/admin/reload", headers={"X-API-Key": "nope"}).status_code == 401


def test_reload_serves_the_new_champion_and_says_what_changed(service) -> None:
    new = renamed(service, "v-new")
    app = create_app(service, api_key=KEY, loader=lambda: ScoringState(new))
    client = app.test_client()
    old = service.bundle.version
    assert client.get("/api/v1/ready").get_json()["model_version"] == old

    answer = client.post("/api/v1/admin/reload", headers={"X-API-Key": KEY})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["previous_version"] == old and body["model_version"] == "v-new"
    assert body["changed"] is True and body["generation"] == 1
    assert client.get("/api/v1/ready").get_json()["model_version"] == "v-new"
    record = client.get(f"/api/v1/clients/{sorted(service.book.row_of)[0]}",
                        headers={"X-API-Key": KEY}).get_json()
    scored = client.post("/api/v1/predict", json={"clients": [record["application"]]},
                         headers={"X-API-Key": KEY}).get_json()
    assert scored["model_version"] == "v-new"
    assert scored["predictions"][0]["model_version"] == "v-new"


def test_a_failed_reload_keeps_serving_the_previous_model(service) -> None:
    app = create_app(service, api_key=KEY,
                     loader=lambda: ScoringState(None, "model_bundle: no champion"))
    client = app.test_client()
    answer = client.post("/api/v1/admin/reload", headers={"X-API-Key": KEY})
    assert answer.status_code == 503
    error = answer.get_json()["error"]
    assert error["code"] == "reload_failed" and "no champion" in error["message"]
    ready = client.get("/api/v1/ready")
    assert ready.status_code == 200
    assert ready.get_json()["model_version"] == service.bundle.version


def test_a_reload_makes_an_api_that_started_without_a_model_ready(service) -> None:
    states = iter([ScoringState(None, "no model bundle yet"), ScoringState(service)])
    app = create_app(api_key=KEY, loader=lambda: next(states))
    client = app.test_client()
    assert client.get("/api/v1/ready").status_code == 503
    answer = client.post("/api/v1/admin/reload", headers={"X-API-Key": KEY})
    assert answer.status_code == 200 and answer.get_json()["previous_version"] is None
    assert client.get("/api/v1/ready").status_code == 200


def test_a_worker_that_did_not_get_the_call_catches_up_in_the_background(service) -> None:
    # two gunicorn workers share the master's generation counter
    new = renamed(service, "v-caught-up")
    receiving = {"scoring": ScoringState(service)}
    other = {"scoring": ScoringState(service)}
    shared = Generation()                          # what post_fork gives each worker
    first = Reloader(receiving, lambda: ScoringState(new), shared)
    second = Reloader(other, lambda: ScoringState(new), shared)

    first.reload()
    assert receiving["scoring"].service.bundle.version == "v-caught-up"
    assert other["scoring"].service.bundle.version == service.bundle.version
    second.catch_up()                              # its next request
    deadline = time.monotonic() + 10
    while (other["scoring"].service.bundle.version != "v-caught-up"
           or second.generation != first.generation):
        assert time.monotonic() < deadline, "the second worker never caught up"
        time.sleep(0.01)
    assert second.generation == first.generation == 1


def test_scoring_never_queries_the_registry(service, monkeypatch) -> None:
    # the registry is read when the service loads (start, POST /admin/reload), never per request
    import mlflow
    from mlflow.tracking import MlflowClient

    def no_registry(*args, **kwargs):
        raise AssertionError("the scoring path reached MLflow")

    monkeypatch.setattr(MlflowClient, "__init__", no_registry)
    monkeypatch.setattr(mlflow.artifacts, "download_artifacts", no_registry)
    client = create_app(service, api_key=KEY, loader=lambda: ScoringState(service)).test_client()
    headers = {"X-API-Key": KEY}
    for client_id in sorted(service.book.row_of)[:3]:
        record = client.get(f"/api/v1/clients/{client_id}", headers=headers).get_json()
        scored = client.post("/api/v1/predict", json={"clients": [record["application"]]},
                             headers=headers)
        assert scored.status_code == 200, scored.get_json()
        assert scored.get_json()["model_version"] == service.bundle.version
        assert client.get(f"/api/v1/clients/{client_id}/explanation",
                          headers=headers).status_code == 200
