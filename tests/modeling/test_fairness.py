"""The fairness report: known group rates come out, small groups are not compared, flags fire."""

from __future__ import annotations

import numpy as np
import pandas as pd
from catalog_paths import catalog_path, served_bundle

from credit_scoring_kedro.modeling.fairness import age_bands, fairness_metrics, fairness_report

PARAMS = {"attributes": {"CODE_GENDER": "category", "DAYS_BIRTH": "age_band"},
          "age_band_edges": [30, 40, 50, 60], "min_group_size": 30, "four_fifths": 0.8}


def _clients(refusal_f: float, refusal_m: float, n: int = 1000, xna: int = 4) -> tuple:
    rng = np.random.default_rng(0)
    gender = np.array(["F"] * n + ["M"] * n + ["XNA"] * xna)
    target = rng.uniform(size=gender.size) < 0.1
    refused = np.where(gender == "F", np.arange(gender.size) % 100 < refusal_f * 100,
                       np.arange(gender.size) % 100 < refusal_m * 100)
    ids = np.arange(gender.size)
    predictions = pd.DataFrame({"SK_ID_CURR": ids, "TARGET": target.astype(int),
                                "probability": np.where(refused, 0.5, 0.05) + 0.3 * target,
                                "decision": np.where(refused, "refused", "granted")})
    attributes = pd.DataFrame({"SK_ID_CURR": ids, "CODE_GENDER": gender,
                               "DAYS_BIRTH": -365.25 * rng.uniform(21, 69, gender.size)})
    return predictions, attributes


def test_group_rates_and_the_four_fifths_flag() -> None:
    report = fairness_report(*_clients(0.10, 0.40), PARAMS)
    gender = report["attributes"]["CODE_GENDER"]
    assert gender["groups"]["F"]["approval_rate"] == 0.9
    assert gender["groups"]["M"]["approval_rate"] == 0.6
    assert abs(gender["approval_rate_ratio"] - 0.6 / 0.9) < 1e-12
    assert gender["four_fifths_flag"] is True
    assert abs(gender["demographic_parity_difference"] - 0.3) < 1e-12
    assert gender["groups"]["XNA"]["compared"] is False      # 4 clients: listed, not compared
    for group in gender["groups"].values():
        assert set(group) >= {"approval_rate", "false_negative_rate", "false_positive_rate", "auc"}


def test_equal_treatment_raises_no_flag() -> None:
    report = fairness_report(*_clients(0.2, 0.2), PARAMS)
    gender = report["attributes"]["CODE_GENDER"]
    assert gender["four_fifths_flag"] is False and gender["approval_rate_ratio"] == 1.0
    assert gender["equalized_odds_difference"] >= 0
    assert set(report["attributes"]["age_band"]["groups"]) <= {
        "under 30", "30-39", "40-49", "50-59", "60 and over"}
    metrics = fairness_metrics(report)
    assert metrics["fairness_CODE_GENDER_approval_rate_ratio"]["value"] == 1.0


def test_age_bands_from_days_of_birth() -> None:
    days = pd.Series([-365.25 * 29.9, -365.25 * 30, -365.25 * 59.99, -365.25 * 61, None])
    assert age_bands(days, [30, 40, 50, 60]).tolist() == [
        "under 30", "30-39", "50-59", "60 and over", "unknown"]


def test_the_modeling_run_writes_the_report_and_never_reads_gender(trained_root) -> None:
    import json


    report = json.loads(catalog_path("fairness_report", trained_root).read_text())
    assert set(report["attributes"]) == {"CODE_GENDER", "age_band"}
    gender = report["attributes"]["CODE_GENDER"]
    assert {"F", "M"} <= set(gender["groups"])
    assert set(gender) >= {"demographic_parity_difference", "equalized_odds_difference",
                           "approval_rate_ratio", "four_fifths_flag"}
    predictions = pd.read_parquet(catalog_path("test_predictions", trained_root))
    assert report["clients"] == len(predictions)
    bundle = served_bundle(trained_root)
    assert "CODE_GENDER" not in bundle.features and "EXT_SOURCE_STD" not in bundle.features
    assert bundle.metadata["protected_attributes"] == ["CODE_GENDER"]
