"""The prediction log never costs a response: failures are reported, not raised."""

from __future__ import annotations

from api.app import create_app
from credit_scoring_kedro.serving.prediction_log import PredictionLog


def test_a_broken_log_database_does_not_fail_scoring(service, records, tmp_path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the database folder should be")
    healthy = service.log
    service.log = PredictionLog(f"sqlite:///{blocker}/log.db")
    try:
        client = create_app(service, api_key="").test_client()
        response = client.post("/api/v1/predict", json={"clients": records[:2]})
        assert response.status_code == 200
        assert len(response.get_json()["predictions"]) == 2
        assert service.log.flush(timeout=10)
        stats = client.get("/api/v1/ready").get_json()["prediction_log"]
        assert stats["failed"] == 2 and stats["written"] == 0
        assert "could not write 2 prediction(s)" in stats["last_error"]
    finally:
        service.log = healthy


def test_the_log_is_a_catalog_dataset_monitoring_can_read(service, records, client) -> None:
    from credit_scoring_kedro.io import PredictionLogDataset

    client.post("/api/v1/predict", json={"clients": records[:5]}, headers={"X-Request-ID": "ds-1"})
    assert service.log.flush(timeout=10)
    table = PredictionLogDataset(url=service.log.url).load()
    rows = table[table.request_id == "ds-1"]
    assert len(rows) == 5
    assert rows["input_AMT_CREDIT"].tolist() == [r["AMT_CREDIT"] for r in records[:5]]
