"""The explainability pipeline after a real training run on demo data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from catalog_paths import catalog_path, served_bundle


@pytest.fixture(scope="module")
def explained(trained_root: Path) -> Path:
    """The session's trained and explained demo root (tests/conftest.py)."""
    return trained_root


def test_shap_values_add_up_to_the_served_probabilities(explained) -> None:
    shap = pd.read_parquet(catalog_path("shap_new_clients", explained))
    features = pd.read_parquet(catalog_path("feat_test", explained))
    bundle = served_bundle(explained)
    assert len(shap) == len(features) == 300
    ordered = features.set_index("SK_ID_CURR").loc[shap["SK_ID_CURR"]].reset_index()
    p = bundle.predict_proba(ordered)
    columns = [c for c in shap.columns if c not in ("SK_ID_CURR", "base_value")]
    assert columns == bundle.features
    log_odds = shap["base_value"] + shap[columns].sum(axis=1)
    if bundle.metadata.get("calibration") in (None, "sigmoid"):
        assert np.allclose(log_odds, np.log(p / (1 - p)), atol=1e-4)


def test_global_importance_ranks_every_feature_with_its_description(explained) -> None:
    table = pd.read_csv(catalog_path("global_importance", explained))
    bundle = served_bundle(explained)
    assert sorted(table["feature"]) == sorted(bundle.features)
    assert table["mean_abs_shap"].is_monotonic_decreasing
    assert table["description"].fillna("").str.len().gt(0).all()
    assert catalog_path("fig_global_importance", explained).stat().st_size > 10_000
    assert catalog_path("fig_shap_beeswarm", explained).stat().st_size > 10_000
    import plotly.io

    figure = plotly.io.from_json(catalog_path("global_importance_plotly", explained)
                                 .read_text())
    assert list(figure.data[0].y)[-1] == table["feature"].iloc[0]  # the top feature on top


def test_top_factors_have_the_right_sign(explained) -> None:
    factors = pd.read_parquet(catalog_path("top_factors_test", explained))
    assert (factors.loc[factors.direction == "raises", "contribution"] > 0).all()
    assert (factors.loc[factors.direction == "lowers", "contribution"] < 0).all()
    assert factors.groupby(["SK_ID_CURR", "direction"]).size().max() <= 5


def test_monitoring_finds_the_documented_demo_shift_and_can_fail_the_run(explained, kedro) -> None:
    import json

    kedro(explained, "--pipelines", "monitoring")
    summary = json.loads(catalog_path("data_drift_summary", explained).read_text())
    drifted = {f["feature"] for f in summary["features"] if f["drifted"]}
    monitored = {f["feature"] for f in summary["features"]}
    # demo application_test is drawn older and with lower EXT_SOURCE_3 (demo_data.TEST_SHIFT)
    assert drifted & {"EXT_SOURCE_3", "DAYS_BIRTH", "EXT_SOURCE_MEAN"} & monitored
    assert catalog_path("data_drift_report", explained).stat().st_size > 100_000
    strict = kedro(explained, "--pipelines", "monitoring", "--params",
                   "monitoring.fail_on_drift=true,monitoring.alert_drifted_share=0.01", check=False)
    assert strict.returncode != 0
    assert "DRIFT ALERT" in strict.stderr
