"""X-Request-Purpose: logged with each decision, so test traffic stays out of monitoring."""

from __future__ import annotations

from credit_scoring_kedro.io import PredictionLogDataset
from credit_scoring_kedro.pipelines.monitoring.traffic_nodes import select_logged_traffic

COLUMNS = ["logged_at", "decision_id", "client_id", "model_version", "probability", "decision",
           "threshold", "purpose", "features", "caller_request_id"]
WINDOWS = {"purposes": ["production"], "simulation_on_demo_data": True, "window_decisions": 10,
           "min_window_decisions": 1}


def test_each_decision_is_logged_with_its_purpose_and_test_traffic_never_enters(
        service, records, client) -> None:
    for purpose in ("test", "simulation", None):
        headers = {"X-Request-ID": f"purpose-{purpose}"}
        if purpose:
            headers["X-Request-Purpose"] = purpose
        answer = client.post("/api/v1/predict", json={"clients": records[:3]}, headers=headers)
        assert answer.status_code == 200, answer.get_json()
    service.log.flush()
    log = PredictionLogDataset(service.log.url, columns=COLUMNS).load()
    log = log[log["caller_request_id"].fillna("").str.startswith("purpose-")]
    assert sorted(log["purpose"].unique()) == ["production", "simulation", "test"]

    production = select_logged_traffic(log, {"generated": False}, WINDOWS)
    demo = select_logged_traffic(log, {"generated": True}, WINDOWS)
    assert set(production["caller_request_id"]) == {"purpose-None"}
    assert set(demo["caller_request_id"]) == {"purpose-None", "purpose-simulation"}


def test_an_unknown_purpose_is_refused(client, records) -> None:
    answer = client.post("/api/v1/predict", json={"clients": records[:1]},
                         headers={"X-Request-Purpose": "tset"})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "bad_request_purpose"
