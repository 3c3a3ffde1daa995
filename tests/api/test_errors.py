"""Bad input always gets a 4xx JSON answer that says what is wrong; never a 500, never a traceback."""

from __future__ import annotations

import json

import pytest

URL = "/api/v1/predict"


def problem(response) -> dict:
    body = response.get_json()
    assert body is not None, response.get_data(as_text=True)[:300]
    assert "Traceback" not in response.get_data(as_text=True)
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body["error"]


def locations(error: dict) -> set[str]:
    return {d["location"] for d in error["details"]}


@pytest.mark.parametrize("change, location, words", [
    ({"AMT_CREDIT": "a lot"}, "clients.0.AMT_CREDIT", "number"),
    ({"AMT_INCOME_TOTAL": -1000.0}, "clients.0.AMT_INCOME_TOTAL", "greater than 0"),
    ({"DAYS_BIRTH": 35}, "clients.0.DAYS_BIRTH", "less than or equal"),   # years, not days
    ({"EXT_SOURCE_2": 1.5}, "clients.0.EXT_SOURCE_2", "less than or equal to 1"),
    ({"CODE_GENDER": "Q"}, "clients.0.CODE_GENDER", "'F'"),
    ({"CNT_CHILDREN": 1.5}, "clients.0.CNT_CHILDREN", "whole number"),
    ({"CNT_CHILDREN": True}, "clients.0.CNT_CHILDREN", "number"),
    ({"AMT_CREDIT": "250000"}, "clients.0.AMT_CREDIT", "number"),
    ({"TARGET": 1}, "clients.0.TARGET", "not permitted"),
    ({"SK_ID_CURR": None}, "clients.0.SK_ID_CURR", "number"),
    ({"SK_ID_CURR": 100001.5}, "clients.0.SK_ID_CURR", "whole number"),
])
def test_a_wrong_field_is_named_with_its_problem(client, records, change, location, words) -> None:
    response = client.post(URL, json={"clients": [records[0] | change]})
    assert response.status_code == 422
    error = problem(response)
    assert error["code"] == "validation_error"
    assert location in locations(error)
    assert any(words in d["problem"] for d in error["details"]), error


def test_a_missing_required_field_is_named(client, records) -> None:
    record = {k: v for k, v in records[0].items() if k != "AMT_CREDIT"}
    error = problem(client.post(URL, json={"clients": [record]}))
    assert {"location": "clients.0.AMT_CREDIT", "problem": "Field required"} in error["details"]


def test_nan_and_infinity_are_refused(client, records) -> None:
    text = json.dumps({"clients": [records[0] | {"EXT_SOURCE_1": float("nan")}]})
    response = client.post(URL, data=text, content_type="application/json")
    assert response.status_code == 422
    assert "clients.0.EXT_SOURCE_1" in locations(problem(response))


@pytest.mark.parametrize("body", [{"clients": []}, {"clients": {}}, [], {"client": []}, "x", 3])
def test_a_body_of_the_wrong_shape_is_refused(client, body) -> None:
    response = client.post(URL, json=body)
    assert response.status_code == 422
    assert problem(response)["code"] == "validation_error"


def test_a_batch_above_1000_clients_is_refused(client, records) -> None:
    response = client.post(URL, json={"clients": [records[0]] * 1001})
    assert response.status_code == 422
    assert "at most 1000" in problem(response)["details"][0]["problem"]


def test_a_body_above_the_size_limit_is_refused(client) -> None:
    response = client.post(URL, data="[" + "0," * 5_000_000 + "0]",
                           content_type="application/json")
    assert response.status_code == 413
    assert "too large" in problem(response)["message"]


def test_non_json_is_refused(client) -> None:
    response = client.post(URL, data="SK_ID_CURR=1", content_type="application/json")
    assert response.status_code == 400
    assert problem(response)["code"] == "invalid_json"
    response = client.post(URL, data="SK_ID_CURR=1", content_type="text/plain")
    assert response.status_code == 415


def test_unknown_client_feature_and_endpoint_are_404(client) -> None:
    for path in ("/api/v1/clients/1", "/api/v1/clients/1/score", "/api/v1/clients/1/explanation",
                 "/api/v1/clients/1/similar", "/api/v1/population/NOT_A_FEATURE",
                 "/api/v1/nothing-here"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert problem(response)["message"]
    assert "SK_ID_CURR 1" in problem(client.get("/api/v1/clients/1"))["message"]


@pytest.mark.parametrize("path, location", [
    ("/api/v1/clients/abc", "path.client_id"),
    ("/api/v1/clients?page_size=0", "query.page_size"),
    ("/api/v1/clients?page=x", "query.page"),
    ("/api/v1/clients?gender=Unknown", "query.gender"),
    ("/api/v1/clients?gendre=Female", "query.gendre"),        # a typo is not silently ignored
    ("/api/v1/features/importance?top=0", "query.top"),
])
def test_bad_parameters_are_422_naming_the_parameter(client, path, location) -> None:
    response = client.get(path)
    assert response.status_code == 422
    assert location in locations(problem(response))


def test_an_unexpected_failure_is_a_json_500_without_traceback(service, monkeypatch) -> None:
    from api.access import Access
    from api.app import create_app

    def broken(client_id):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service, "score", broken)
    app = create_app(service, access=Access.off())
    response = app.test_client().get(f"/api/v1/clients/{next(iter(service.book.row_of))}/score")
    assert response.status_code == 500
    error = problem(response)
    assert error["code"] == "internal_error"
    assert "disk on fire" not in response.get_data(as_text=True)


def test_an_app_without_artifacts_is_alive_but_not_ready(tmp_path, monkeypatch) -> None:
    from api.access import Access
    from api.app import create_app
    from credit_scoring_kedro.serving import artifacts

    monkeypatch.setenv("CREDIT_DATA_ROOT", str(tmp_path))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")   # empty store
    artifacts.catalog.cache_clear()
    try:
        client = create_app(access=Access.off()).test_client()
    finally:
        artifacts.catalog.cache_clear()
    assert client.get("/api/v1/health").status_code == 200
    ready = client.get("/api/v1/ready")
    assert ready.status_code == 503
    assert "make pipelines" in ready.get_json()["reason"]
    response = client.post(URL, json={"clients": [{}]})
    assert response.status_code == 503
    assert problem(response)["code"] == "not_ready"
