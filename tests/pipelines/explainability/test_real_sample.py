"""Explainability and monitoring on the real Home Credit sample, run as `kedro run`."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from catalog_paths import catalog_path

# The sample is copied, trained (smoke profile), explained and monitored once per session by
# the ``real_sample_root`` fixture of tests/conftest.py, shared with the other real-data tests.


@pytest.mark.realdata
def test_real_sample_is_explained_and_monitored(real_sample_root) -> None:
    importance = pd.read_csv(catalog_path("global_importance", real_sample_root))
    assert importance["feature"].str.startswith("EXT_SOURCE").head(10).any()
    assert not importance["feature"].str.startswith("PREV_").any()   # the sample has no previous_application
    summary = json.loads(catalog_path("data_drift_summary", real_sample_root).read_text())
    assert summary["features_checked"] == 30
    assert summary["reference_rows"] == 10_943 and summary["current_rows"] == 5_000
    prediction = json.loads(catalog_path("prediction_drift", real_sample_root).read_text())
    assert 0 <= prediction["psi"] < 1
    reference = json.loads(catalog_path("feature_reference", real_sample_root).read_text())
    assert reference["clients"] == 10_943
    assert set(reference["features"]["EXT_SOURCE_3"]["quantiles"]) == {"all", "defaulted", "repaid"}
