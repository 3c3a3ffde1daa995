"""POST /predict scores like the pipelines: same features, same probabilities, batch = one by one."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from catalog_paths import catalog_path

from credit_scoring_kedro.features.application import application_features, attach_history
from credit_scoring_kedro.features.history_families import count_columns
from credit_scoring_kedro.schema import table_schema
from credit_scoring_kedro.serving.request_schema import request_rules

URL = "/api/v1/predict"


def pipeline_probabilities(service, records: list[dict], history: pl.DataFrame) -> np.ndarray:
    """The pipelines' path: polars application features + history join + the bundle's encoder."""
    schema = table_schema("application_test").polars_schema()
    frame = pl.DataFrame([{c: r.get(c) for c in schema} for r in records], schema=schema)
    features = attach_history(application_features(frame), history, count_columns())
    return service.bundle.predict_proba(features.to_pandas())


@pytest.fixture(scope="module")
def history(trained_root) -> pl.DataFrame:
    return pl.read_parquet(catalog_path("feat_client_history", trained_root))


def test_served_client_scores_equal_the_modeling_pipelines_test_scores(client, trained_root,
                                                                      records) -> None:
    reference = pl.read_parquet(catalog_path("test_scores", trained_root))
    expected = dict(zip(reference["SK_ID_CURR"].to_list(), reference["probability"].to_list(),
                        strict=True))
    answer = client.post(URL, json={"clients": records}).get_json()
    for record, prediction in zip(records, answer["predictions"], strict=True):
        assert prediction["client_id"] == record["SK_ID_CURR"]
        assert prediction["probability"] == pytest.approx(expected[record["SK_ID_CURR"]], abs=1e-9)
        score = client.get(f"/api/v1/clients/{record['SK_ID_CURR']}/score").get_json()
        assert score["probability"] == pytest.approx(prediction["probability"], abs=1e-9)
        assert score["decision"] == prediction["decision"]


def test_partial_records_and_new_clients_score_like_the_pipeline_features(
        client, service, records, history) -> None:
    rng = np.random.default_rng(0)
    optional = [c for c in records[0] if c not in request_rules()["required"]]
    varied = []
    for i, record in enumerate(records):
        record = dict(record)
        for column in rng.choice(optional, size=40, replace=False):
            record.pop(str(column))                       # optional fields simply absent
        if i % 2:
            record["SK_ID_CURR"] = 900_000_000 + i        # a first-time borrower: no history
        varied.append(record)
    answer = client.post(URL, json={"clients": varied}).get_json()["predictions"]
    served = np.array([p["probability"] for p in answer])
    expected = pipeline_probabilities(service, varied, history)
    np.testing.assert_allclose(served, expected, rtol=0, atol=1e-9)
    known = set(history["SK_ID_CURR"].to_list())
    assert [p["has_history"] for p in answer] == [r["SK_ID_CURR"] in known for r in varied]
    assert not any(p["has_history"] for p in answer[1::2])


def test_a_batch_gives_the_same_scores_as_one_by_one(client, records) -> None:
    batch = client.post(URL, json={"clients": records}).get_json()["predictions"]
    single = [client.post(URL, json={"clients": [r]}).get_json()["predictions"][0] for r in records]
    assert batch == single


def test_decision_follows_the_threshold_and_the_model_version_is_reported(client, service,
                                                                         records) -> None:
    answer = client.post(URL, json={"clients": records}).get_json()
    threshold = service.bundle.threshold
    assert answer["model_version"] == service.bundle.version
    for p in answer["predictions"]:
        assert 0.0 <= p["probability"] <= 1.0
        assert p["decision"] == ("refused" if p["probability"] >= threshold else "granted")
        assert p["threshold"] == threshold


def test_the_logged_prediction_equals_the_returned_one(client, service, records) -> None:
    answer = client.post(URL, json={"clients": records[:3]},
                         headers={"X-Request-ID": "log-check-1"})
    server_id = answer.headers["X-Request-ID"]   # the server's own id; the caller's beside it
    assert answer.headers["X-Caller-Request-ID"] == "log-check-1"
    assert answer.get_json()["request_id"] == server_id != "log-check-1"
    # no flush: the answer came once the decisions were logged
    logged = [row for row in service.log.read() if row["request_id"] == server_id]
    assert len(logged) == 3
    assert [r["caller_request_id"] for r in logged] == ["log-check-1"] * 3
    assert [r["decision_id"] for r in logged] == [f"{server_id}-{i}" for i in range(3)]
    for row, prediction, record in zip(logged, answer.get_json()["predictions"], records[:3],
                                       strict=True):
        assert row["client_id"] == prediction["client_id"]
        assert row["probability"] == prediction["probability"]
        assert row["decision"] == prediction["decision"]
        assert row["model_version"] == prediction["model_version"]
        assert row["inputs"] == {k: v for k, v in record.items() if v is not None}


def test_whole_numbers_written_as_floats_are_accepted_and_score_the_same(client, records) -> None:
    record = records[0]
    as_floats = record | {c: float(record[c]) for c in ("CNT_CHILDREN", "DAYS_BIRTH", "FLAG_MOBIL")}
    answers = [client.post(URL, json={"clients": [r]}) for r in (record, as_floats)]
    assert [a.status_code for a in answers] == [200, 200]
    probabilities = [a.get_json()["predictions"][0]["probability"] for a in answers]
    assert probabilities[0] == probabilities[1]
