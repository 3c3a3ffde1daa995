"""The model pages: global importance from the API, drift reports from the Kedro catalog."""

from __future__ import annotations

import json

import pytest
from apptest import open_page, texts

from credit_scoring_kedro.serving.artifacts import data_root

MONITORING = "views/monitoring.py"


def test_importance_page_draws_the_apis_ranking(dashboard_env) -> None:
    expected = dashboard_env.get("/features/importance", top=15)["features"]
    at = open_page("views/importance.py")
    assert not at.exception
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert [label.replace("<br>", " ") for label in bars["y"]][::-1] == [
        f["label"] for f in expected]
    assert bars["x"][::-1] == pytest.approx([f["mean_abs_shap"] for f in expected])
    assert expected[0]["label"] in " ".join(texts(at.caption))


def test_monitoring_without_reports_says_to_run_the_pipelines(dashboard_env, tmp_path) -> None:
    with data_root(tmp_path):               # a data root where monitoring never ran
        at = open_page(MONITORING)
    assert not at.exception
    assert any("has not been produced yet" in text and "make pipelines" in text
               for text in texts(at.error))


def test_monitoring_shows_the_catalogs_drift_summary_and_report(dashboard_env,
                                                                monitored_root) -> None:
    summary = json.loads((monitored_root / "08_reporting" / "data_drift_summary.json").read_text())
    with data_root(monitored_root):
        at = open_page(MONITORING)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Features checked"] == str(summary["features_checked"])
    assert metrics["Features that drifted"].startswith(f"{summary['drifted_features']} (")
    table = at.dataframe[0].value
    assert list(table["Column"]) == [f["feature"] for f in summary["features"]]
    labels = {f["feature"]: f["label"]
              for f in dashboard_env.get("/features/importance", top=1000)["features"]}
    assert list(table["Feature"]) == [labels.get(f["feature"], f["feature"])
                                      for f in summary["features"]]
    assert set(table["Feature"]) - set(table["Column"])   # plain words, not only column names
    assert list(table["Verdict"]) == ["⚠ Drift" if f["drifted"] else "✓ Stable"
                                      for f in summary["features"]]
    assert at.get("download_button")
    assert at.get("iframe")  # the evidently report, embedded
