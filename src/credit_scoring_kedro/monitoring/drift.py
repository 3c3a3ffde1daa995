"""Data drift with evidently 0.7, prediction drift with PSI and a two-sample test.

The report runs on the model's most important features and a row sample (both in
parameters) so that it stays fast at full size; the numbers land in a JSON summary
that a scheduler can read, the HTML is for people.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset
from scipy.stats import ks_2samp

from credit_scoring_kedro.monitoring.traffic import population_stability_index


def sample(frame: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    return frame.sample(n=rows, random_state=seed) if len(frame) > rows else frame


def data_drift(reference: pd.DataFrame, current: pd.DataFrame, columns: list[str],
               drift_share: float) -> tuple[str, dict]:
    """Evidently's data-drift report on ``columns``: (HTML, machine-readable summary).

    The method is evidently's default for the reference size (Wasserstein / Jensen-Shannon
    distance above 1,000 rows, K-S / chi-square p-values below); each feature's verdict is
    evidently's own test status.
    """
    snapshot = Report([DataDriftPreset(columns=columns, drift_share=drift_share)],
                      include_tests=True).run(current_data=current[columns],
                                              reference_data=reference[columns])
    result = snapshot.dict()
    verdicts = {t["metric_config"]["params"]["column"]: t["status"] for t in result["tests"]
                if "column" in t["metric_config"]["params"]}
    features = []
    for metric in result["metrics"]:
        config = metric["config"]
        if "column" not in config:
            continue
        column = config["column"]
        status = str(getattr(verdicts.get(column), "value", verdicts.get(column)))
        features.append({"feature": column, "method": config.get("method"),
                         "threshold": config.get("threshold"), "score": float(metric["value"]),
                         "drifted": status == "FAIL"})
    drifted = [f for f in features if f["drifted"]]
    summary = {
        "reference_rows": len(reference), "current_rows": len(current),
        "features_checked": len(features), "drifted_features": len(drifted),
        "drifted_share": len(drifted) / max(len(features), 1),
        "dataset_drift": len(drifted) / max(len(features), 1) >= drift_share,
        "features": sorted(features, key=lambda f: -f["score"]),
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "drift.html"
        snapshot.save_html(str(path))
        html = path.read_text(encoding="utf-8")
    return html, summary


def prediction_drift(reference: np.ndarray, current: np.ndarray, threshold: float) -> dict:
    """Shift of the score distribution: PSI, K-S statistic and p-value, refusal rates."""
    ks = ks_2samp(reference, current)
    psi = population_stability_index(reference, current)
    return {"psi": psi, "ks_statistic": float(ks.statistic), "ks_pvalue": float(ks.pvalue),
            "reference_mean_score": float(np.mean(reference)),
            "current_mean_score": float(np.mean(current)),
            "reference_refused_share": float(np.mean(np.asarray(reference) >= threshold)),
            "current_refused_share": float(np.mean(np.asarray(current) >= threshold)),
            "reference_clients": int(len(reference)), "current_clients": int(len(current))}
