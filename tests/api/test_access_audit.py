"""Every read of a client's data leaves a durable ``access_audit`` row naming who read it."""

from __future__ import annotations

import sqlite3

import pytest

from api.access import Access
from api.app import create_app
from credit_scoring_kedro.serving.credentials import ApiKey

SECRET = "dashboard-viewer-key-0123456789"


@pytest.fixture(scope="module")
def viewer(service):
    """The API as the dashboard reaches it: a viewer key called ``dashboard``."""
    access = Access(keys={SECRET: ApiKey("dashboard", "viewer")})
    return create_app(service, access=access, cors_origins=[]).test_client()


def audit_rows(service, request_ids: list[str]) -> list[tuple]:
    """The rows of these requests, read through a connection of its own (what is on disk)."""
    database = service.log.url.removeprefix("sqlite:///")
    marks = ",".join("?" * len(request_ids))
    with sqlite3.connect(database) as conn:
        return conn.execute(
            "SELECT request_id, actor_key, acting_user, endpoint, client_id, model_version "
            f"FROM access_audit WHERE request_id IN ({marks}) ORDER BY id", request_ids).fetchall()


def read(app, path: str, user: str | None = "alice", **params) -> str:
    headers = {"X-API-Key": SECRET} | ({"X-Acting-User": user} if user is not None else {})
    response = app.get(f"/api/v1{path}", headers=headers, query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.headers["X-Request-ID"]


def test_a_managers_score_explanation_and_record_are_three_durable_rows(
        viewer, service, client_ids) -> None:
    client_id = client_ids[3]
    paths = {f"/clients/{client_id}/score": "GET /clients/{client_id}/score",
             f"/clients/{client_id}/explanation": "GET /clients/{client_id}/explanation",
             f"/clients/{client_id}": "GET /clients/{client_id}"}
    request_ids = [read(viewer, path) for path in paths]
    # no flush, no close: a row is on disk before its answer leaves the API
    assert audit_rows(service, request_ids) == [
        (request_id, "dashboard", "alice", endpoint, client_id, service.bundle.version)
        for request_id, endpoint in zip(request_ids, paths.values(), strict=True)]


def test_similar_clients_and_a_comparison_for_a_client_are_audited(
        viewer, service, client_ids) -> None:
    client_id = client_ids[5]
    feature = service.comparable_features()
    feature = (feature.get("features", feature) if isinstance(feature, dict) else feature)[0]
    request_ids = [read(viewer, f"/clients/{client_id}/similar"),
                   read(viewer, f"/population/{feature['feature']}", client_id=client_id),
                   read(viewer, f"/clients/{client_id}/comparison", group="age_band")]
    assert [(r[3], r[4]) for r in audit_rows(service, request_ids)] == [
        ("GET /clients/{client_id}/similar", client_id),
        ("GET /population/{feature}", client_id),
        ("GET /clients/{client_id}/comparison", client_id)]


def test_reads_of_no_client_or_an_unknown_one_leave_no_row(viewer, service) -> None:
    feature = service.comparable_features()
    feature = (feature.get("features", feature) if isinstance(feature, dict) else feature)[0]
    population = read(viewer, f"/population/{feature['feature']}")      # no client marked
    listing = read(viewer, "/clients")
    unknown = viewer.get("/api/v1/clients/99/score",
                         headers={"X-API-Key": SECRET, "X-Acting-User": "alice"})
    assert unknown.status_code == 404
    assert audit_rows(service, [population, listing, unknown.headers["X-Request-ID"]]) == []


@pytest.mark.parametrize("sent", [None, "", "alice bob", "x" * 65, "<script>", "élodie"])
def test_a_missing_or_malformed_acting_user_is_stored_as_none(viewer, service, client_ids,
                                                              sent) -> None:
    headers = {"X-API-Key": SECRET}
    if sent is not None:
        headers["X-Acting-User"] = sent.encode().decode("latin-1")   # bytes as sent on the wire
    response = viewer.get(f"/api/v1/clients/{client_ids[0]}/score", headers=headers)
    assert response.status_code == 200
    [row] = audit_rows(service, [response.headers["X-Request-ID"]])
    assert row[1:3] == ("dashboard", None)


def test_with_keys_off_the_row_names_the_auth_off_caller(service, client_ids) -> None:
    app = create_app(service, access=Access.off(), cors_origins=[]).test_client()
    request_id = app.get(f"/api/v1/clients/{client_ids[1]}",
                         headers={"X-Acting-User": "demo.user@bank"}).headers["X-Request-ID"]
    [row] = audit_rows(service, [request_id])
    assert row[1:3] == ("auth-off", "demo.user@bank")


def test_a_read_that_cannot_be_audited_is_a_503_without_the_clients_data(
        service, client_ids, tmp_path) -> None:
    from credit_scoring_kedro.serving.prediction_log import PredictionLog

    blocker = tmp_path / "a-file"
    blocker.write_text("where the database and the spill folders should be")
    healthy = service.log
    service.log = PredictionLog(f"sqlite:///{blocker}/log.db", spill_dir=blocker / "spill",
                                wait_seconds=2)
    try:
        app = create_app(service, access=Access.off(), cors_origins=[]).test_client()
        response = app.get(f"/api/v1/clients/{client_ids[2]}/score",
                           headers={"X-Acting-User": "alice"})
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "log_unavailable"
        assert "probability" not in response.get_json()
    finally:
        service.log.close()
        service.log = healthy
