"""Drift is found where it was injected, not between two halves of the same data; alerts act."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_scoring_kedro.monitoring.drift import (
    data_drift,
    population_stability_index,
    prediction_drift,
)
from credit_scoring_kedro.pipelines.monitoring.nodes import DriftAlert, raise_drift_alerts


def population(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "EXT_SOURCE_3": rng.beta(5, 3, n),
        "AMT_CREDIT": rng.lognormal(13, 0.5, n),
        "DAYS_BIRTH": -rng.integers(7000, 25000, n).astype(float),
        "CONTRACT": rng.choice(["Cash loans", "Revolving loans"], n, p=[0.9, 0.1]),
    })


COLUMNS = ["EXT_SOURCE_3", "AMT_CREDIT", "DAYS_BIRTH", "CONTRACT"]


def test_two_halves_of_the_same_data_do_not_drift() -> None:
    data = population(8000, 1)
    _, summary = data_drift(data.iloc[:4000], data.iloc[4000:], COLUMNS, drift_share=0.5)
    assert summary["features_checked"] == 4
    assert summary["drifted_features"] == 0
    assert not summary["dataset_drift"]


def test_an_injected_shift_is_detected_on_the_shifted_columns_only() -> None:
    reference, current = population(4000, 2), population(4000, 3)
    current["AMT_CREDIT"] *= 1.4
    current["EXT_SOURCE_3"] = np.clip(current["EXT_SOURCE_3"] - 0.15, 0, 1)
    html, summary = data_drift(reference, current, COLUMNS, drift_share=0.5)
    drifted = {f["feature"] for f in summary["features"] if f["drifted"]}
    assert drifted == {"AMT_CREDIT", "EXT_SOURCE_3"}
    assert summary["drifted_share"] == 0.5 and summary["dataset_drift"]
    assert all(f["method"] and f["threshold"] is not None for f in summary["features"])
    assert "<html" in html.lower()


def test_psi_is_zero_for_the_same_distribution_and_large_for_a_shift() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.beta(2, 20, 50_000), rng.beta(2, 20, 50_000)
    assert population_stability_index(a, b) < 0.01
    assert population_stability_index(a, b * 2) > 0.25
    result = prediction_drift(a, b * 2, threshold=0.1)
    assert result["ks_pvalue"] < 1e-6 and result["current_refused_share"] > result["reference_refused_share"]


PARAMS = {"alert_drifted_share": 0.3, "alert_psi": 0.2, "fail_on_drift": False}


def test_alerts_are_reported_and_fail_the_run_only_when_asked() -> None:
    calm = raise_drift_alerts({"drifted_share": 0.1, "drifted_features": 3, "features_checked": 30},
                              {"psi": 0.05}, PARAMS)
    assert calm["alerts"] == []
    storm = {"drifted_share": 0.5, "drifted_features": 15, "features_checked": 30}
    report = raise_drift_alerts(storm, {"psi": 0.3}, PARAMS)
    assert len(report["alerts"]) == 2
    with pytest.raises(DriftAlert, match="15 of 30"):
        raise_drift_alerts(storm, {"psi": 0.0}, {**PARAMS, "fail_on_drift": True})
