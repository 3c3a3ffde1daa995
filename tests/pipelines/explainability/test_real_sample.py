"""Explainability and monitoring on the real Home Credit sample, run as `kedro run`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

PROJECT = Path(__file__).resolve().parents[3]
SAMPLE = Path(os.environ.get("HOME_CREDIT_SAMPLE",
                             PROJECT.parent / "shared" / "data" / "home-credit-sample"))


@pytest.fixture(scope="module")
def sample_root(tmp_path_factory, kedro) -> Path:
    if not (SAMPLE / "application_train.csv").exists():
        pytest.skip(f"real Home Credit sample not found at {SAMPLE} (set HOME_CREDIT_SAMPLE)")
    root = tmp_path_factory.mktemp("real_sample")
    (root / "01_raw").mkdir()
    for path in SAMPLE.glob("*.csv"):
        shutil.copy(path, root / "01_raw" / path.name)
    kedro(root, "--pipelines", "data_engineering")
    kedro(root, "--pipelines", "modeling", "--params", "modeling.profile=smoke")
    kedro(root, "--pipelines", "explainability")
    kedro(root, "--pipelines", "monitoring")
    return root


@pytest.mark.realdata
def test_real_sample_is_explained_and_monitored(sample_root) -> None:
    importance = pd.read_csv(sample_root / "08_reporting" / "global_importance.csv")
    assert importance["feature"].str.startswith("EXT_SOURCE").head(10).any()
    assert not importance["feature"].str.startswith("PREV_").any()   # the sample has no previous_application
    summary = json.loads((sample_root / "08_reporting" / "data_drift_summary.json").read_text())
    assert summary["features_checked"] == 30
    assert summary["reference_rows"] == 10_943 and summary["current_rows"] == 5_000
    prediction = json.loads((sample_root / "08_reporting" / "prediction_drift.json").read_text())
    assert 0 <= prediction["psi"] < 1
    reference = json.loads((sample_root / "07_model_output" / "feature_reference.json").read_text())
    assert reference["clients"] == 10_943
    assert set(reference["features"]["EXT_SOURCE_3"]["quantiles"]) == {"all", "defaulted", "repaid"}
