"""The monitoring page's logged-traffic section: the alert banner and the windows' trend."""

from __future__ import annotations

import json

import pandas as pd
from apptest import open_page, texts

from credit_scoring_kedro.serving.artifacts import data_root

MONITORING = "views/monitoring.py"


def write_reports(root, alert: str | None) -> None:
    reporting = root / "08_reporting"
    reporting.mkdir(parents=True)
    pd.DataFrame({
        "window": ["w001", "w002"], "window_no": [0, 1], "decisions": [2000, 2000],
        "purposes": ["simulation", "simulation"], "granted_rate": [0.7, 0.6],
        "features_drifted": [1, 40], "features_checked": [384, 384],
        "drifted_share": [1 / 384, 40 / 384], "score_psi": [0.01, 0.4],
        "realised_auc": [0.76, 0.62], "heldout_auc": [0.75, 0.75],
        "default_rate_granted": [0.05, 0.09], "realised_cost": [0.5, 0.8],
        "alert": [None, alert]}).to_csv(reporting / "traffic_windows.csv", index=False)
    (reporting / "traffic_alerts.json").write_text(json.dumps(
        {"alerts": [{"window": "w002", "message": alert}] if alert else [],
         "latest_window": "w002", "latest_alert": alert, "windows": 2}))


def test_the_page_shows_the_alert_banner_and_every_window(dashboard_env, tmp_path) -> None:
    write_reports(tmp_path, "realised AUC 0.620 below the held-out 0.750 by more than 0.05")
    with data_root(tmp_path):
        at = open_page(MONITORING)
    assert not at.exception
    banner = [t for t in texts(at.error) if t.startswith("Performance alert")]
    assert banner == ["Performance alert, window w002: realised AUC 0.620 below the held-out "
                      "0.750 by more than 0.05. The model may need retraining "
                      "(docs/monitoring.md, the retraining trigger)."]
    table = at.dataframe[0].value
    assert list(table["Window"]) == ["w001", "w002"]
    assert list(table["Realised AUC"]) == ["0.760", "0.620"]
    assert list(table["Features drifted"]) == ["1 of 384", "40 of 384"]
    assert list(table["Alert"]) == ["—", "⚠ AUC"]
    reasons = [t for t in texts(at.markdown) if "w002" in t]
    assert reasons == ["- **w002**: realised AUC 0.620 below the held-out 0.750 by more than "
                       "0.05"]


def test_no_banner_without_an_alert(dashboard_env, tmp_path) -> None:
    write_reports(tmp_path, None)
    with data_root(tmp_path):
        at = open_page(MONITORING)
    assert not at.exception
    assert not [t for t in texts(at.error) if t.startswith("Performance alert")]
    assert len(at.dataframe[0].value) == 2
    assert list(at.dataframe[0].value["Alert"]) == ["—", "—"]
    assert not at.expander
