"""The model pages: global importance from the API, drift reports from the Kedro catalog."""

from __future__ import annotations

import html
import json
import re

import pytest
from apptest import open_page, position, texts

from credit_scoring_kedro.serving.artifacts import data_root

MONITORING = "views/monitoring.py"


def test_importance_page_draws_the_apis_ranking_as_shares_of_the_weight(dashboard_env) -> None:
    every = dashboard_env.get("/features/importance", top=1000)["features"]
    total = sum(f["mean_abs_shap"] for f in every)
    at = open_page("views/importance.py")
    assert not at.exception
    markup = next(t for t in texts(at.markdown) if 'class="importance-chart"' in t)
    rows = re.findall(r'<div class="importance" data-share="([0-9.]+)"[^>]*>([^<]*)</div>',
                      markup)
    assert [html.unescape(label) for _, label in rows] == [f["label"] for f in every[:15]]
    assert [float(share) for share, _ in rows] == pytest.approx(
        [f["mean_abs_shap"] / total for f in every[:15]], abs=1e-6)
    caption = " ".join(texts(at.caption))
    assert every[0]["label"] in caption
    assert "SHAP" not in caption + markup and "log-odds" not in caption + markup


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
    verdict = next(t for t in texts(at.markdown) if 'class="drift-verdict"' in t)
    assert position(at, "markdown", 'class="drift-verdict"') < position(at, "table", "")
    assert (f"{summary['drifted_features']} of the {summary['features_checked']} features "
            "checked") in verdict
    assert ("Drift detected" if summary["dataset_drift"] else "No overall drift") in verdict
    table = at.table[0].value
    assert list(table.columns) == ["Feature", "Verdict", "Difference", "Limit", "Measured by"]
    labels = {f["feature"]: f["label"]
              for f in dashboard_env.get("/features/importance", top=1000)["features"]}
    rows = sorted(summary["features"], key=lambda f: (not f["drifted"], -f["score"]))
    assert list(table["Feature"]) == [labels[f["feature"]] for f in rows]
    assert not set(table["Feature"]) & {f["feature"] for f in rows}   # no column name
    assert list(table["Verdict"]) == ["⚠ Drift" if f["drifted"] else "✓ Stable" for f in rows]
    assert at.get("download_button")
    assert not at.get("iframe")              # the 5-10 MB report only when asked for
    next(b for b in at.button if b.label == "Show the full drift report").click()
    with data_root(monitored_root):
        at.run()
    assert not at.exception
    assert at.get("iframe")                  # now embedded


IMPORTANCE = "views/importance.py"
NAMES = {"CODE_GENDER": "Gender", "age_band": "Age band"}


def shown_rate(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def test_model_page_shows_the_fairness_report_per_attribute(dashboard_env) -> None:
    report = json.loads((dashboard_env.root / "08_reporting" / "fairness_report.json").read_text())
    assert report["attributes"]
    at = open_page(IMPORTANCE)
    assert not at.exception
    assert "Fairness" in texts(at.header)
    assert "Gender is never a model input: it is used only for this check." in texts(at.markdown)
    tables = [t.value for t in at.table]
    assert len(tables) == len(report["attributes"])
    for (name, entry), table in zip(report["attributes"].items(), tables, strict=True):
        assert NAMES[name] in texts(at.subheader)
        assert sorted(table["Group"]) == sorted(entry["groups"])
        for _, row in table.iterrows():
            group = entry["groups"][row["Group"]]
            assert row["Clients"] == f"{group['clients']:,}"
            assert row["Approval rate"] == shown_rate(group["approval_rate"])
            assert row["False-negative rate"] == shown_rate(group["false_negative_rate"])
            assert row["False-positive rate"] == shown_rate(group["false_positive_rate"])
            assert row["AUC"] == (f"{group['auc']:.3f}" if group["auc"] is not None else "—")
    metrics = [m.value for m in at.metric if m.label.startswith("Approval-rate ratio")]
    assert metrics == [f"{e['approval_rate_ratio']:.2f}" for e in report["attributes"].values()]
    flagged = [NAMES[n] for n, e in report["attributes"].items() if e["four_fifths_flag"]]
    warned = [w for w in texts(at.warning) if "below the four-fifths rule" in w]
    assert len(warned) == len(flagged) and all(n in w for n, w in zip(flagged, warned,
                                                                      strict=True))


def test_fairness_marks_small_groups_and_warns_below_four_fifths(dashboard_env,
                                                                 tmp_path) -> None:
    group = {"clients": 400, "default_rate": 0.08, "approval_rate": 0.5,
             "false_negative_rate": 0.3, "false_positive_rate": 0.4, "auc": 0.7,
             "compared": True}
    small = {"clients": 4, "default_rate": 0.0, "approval_rate": 1.0,
             "false_negative_rate": None, "false_positive_rate": 0.0, "auc": None,
             "compared": False}
    report = {"clients": 1204, "four_fifths": 0.8, "min_group_size": 30, "attributes": {
        "CODE_GENDER": {"column": "CODE_GENDER",
                        "groups": {"F": group, "M": {**group, "approval_rate": 0.45},
                                   "XNA": small},
                        "demographic_parity_difference": 0.05,
                        "equalized_odds_difference": 0.02, "approval_rate_ratio": 0.9,
                        "four_fifths_flag": False},
        "age_band": {"column": "DAYS_BIRTH",
                     "groups": {"30-39": group, "under 30": {**group, "approval_rate": 0.3}},
                     "demographic_parity_difference": 0.2,
                     "equalized_odds_difference": 0.125, "approval_rate_ratio": 0.6,
                     "four_fifths_flag": True}}}
    (tmp_path / "08_reporting").mkdir()
    (tmp_path / "08_reporting" / "fairness_report.json").write_text(json.dumps(report))
    with data_root(tmp_path):
        at = open_page(IMPORTANCE)
    assert not at.exception
    gender, age = (t.value for t in at.table)
    xna = gender[gender["Group"] == "XNA"].iloc[0]
    assert xna["Compared"].startswith("✗ no") and "30" in xna["Compared"]
    assert (xna["False-negative rate"], xna["AUC"]) == ("—", "—")
    assert set(gender[gender["Group"] != "XNA"]["Compared"]) == {"✓ yes"}
    assert list(age["Group"]) == ["under 30", "30-39"]          # in reading order
    assert list(age["Approval rate"]) == ["30.0 %", "50.0 %"]
    metrics = {m.value for m in at.metric}
    assert {"0.90", "0.60", "2.0 points", "12.5 points"} <= metrics
    warned = [w for w in texts(at.warning) if "below the four-fifths rule" in w]
    assert len(warned) == 1 and "Age band" in warned[0]


def test_model_page_without_a_fairness_report_says_to_run_the_pipelines(dashboard_env,
                                                                      tmp_path) -> None:
    with data_root(tmp_path):
        at = open_page(IMPORTANCE)
    assert not at.exception
    assert "Fairness" in texts(at.header)
    assert any("'fairness_report' has not been produced yet" in text and "make pipelines" in text
               for text in texts(at.info))
    assert not at.table
