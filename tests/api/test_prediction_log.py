"""A decision is answered only once it is recorded: in the database, or the spill file when the
database fails (200), or not at all (503)."""

from __future__ import annotations

import json

from api.access import Access
from api.app import create_app
from credit_scoring_kedro.serving.prediction_log import PredictionLog


def test_a_broken_log_database_spills_the_decisions_and_still_answers(service, records,
                                                                      tmp_path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the database folder should be")
    healthy = service.log
    service.log = PredictionLog(f"sqlite:///{blocker}/log.db", spill_dir=tmp_path / "spill")
    try:
        client = create_app(service, access=Access.off()).test_client()
        before = client.get("/api/v1/ready").get_json()["prediction_log"]
        response = client.post("/api/v1/predict", json={"clients": records[:2]})
        assert response.status_code == 200
        assert len(response.get_json()["predictions"]) == 2
        [spill] = (tmp_path / "spill").glob("spill-*.jsonl")
        rows = [json.loads(line)["row"] for line in spill.read_text().splitlines()]
        assert [r["request_id"] for r in rows] == [response.headers["X-Request-ID"]] * 2
        stats = client.get("/api/v1/ready").get_json()["prediction_log"]
        assert stats["spilled"] - before["spilled"] == 2
        assert stats["written"] == before["written"]
        assert "could not write 2 row(s)" in stats["last_error"]
    finally:
        service.log.close()
        service.log = healthy


def test_the_log_is_a_catalog_dataset_monitoring_can_read(service, records, client) -> None:
    from credit_scoring_kedro.io import PredictionLogDataset

    client.post("/api/v1/predict", json={"clients": records[:5]}, headers={"X-Request-ID": "ds-1"})
    table = PredictionLogDataset(url=service.log.url).load()
    rows = table[table.caller_request_id == "ds-1"]
    assert len(rows) == 5
    assert rows["input_AMT_CREDIT"].tolist() == [r["AMT_CREDIT"] for r in records[:5]]
