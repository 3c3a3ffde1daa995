"""Nodes of the monitoring pipeline: data drift, prediction drift, alerts.

Reference: the modelling population (application_train's features). Current: the new
clients in production (application_test's features by default; any scored batch named
through the catalog).
"""

from __future__ import annotations

import logging
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402

from credit_scoring_kedro.errors import MonitoringAlert  # noqa: E402
from credit_scoring_kedro.modeling.bundle import ModelBundle  # noqa: E402
from credit_scoring_kedro.monitoring.drift import data_drift, prediction_drift, sample  # noqa: E402

logger = logging.getLogger(__name__)
BLUE, ORANGE, GREY = "#0072B2", "#E69F00", "#999999"


class DriftAlert(MonitoringAlert):
    """Raised when drift exceeds the alert thresholds and ``fail_on_drift`` is set."""


def choose_drift_features(importance: pd.DataFrame, params: dict) -> list[str]:
    """The model's most important features: drift there is what can move decisions."""
    return importance["feature"].head(params["top_features"]).tolist()


def report_data_drift(reference: pl.DataFrame, current: pl.DataFrame, columns: list[str],
                      params: dict) -> tuple[str, dict, plt.Figure]:
    """Evidently HTML, JSON summary and a figure of the drift score of each feature."""
    started = time.perf_counter()
    ref = sample(reference.select(columns).to_pandas(), params["sample_rows"], params["seed"])
    cur = sample(current.select(columns).to_pandas(), params["sample_rows"], params["seed"])
    html, summary = data_drift(ref, cur, columns, params["drift_share"])
    summary["seconds"] = round(time.perf_counter() - started, 1)
    logger.info("data drift: %d of %d features drifted (%.0f%%) on %d / %d rows in %.1f s",
                summary["drifted_features"], summary["features_checked"],
                100 * summary["drifted_share"], len(ref), len(cur), summary["seconds"])
    rows = summary["features"][::-1]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(rows) + 1.5))
    ax.barh([r["feature"] for r in rows], [r["score"] for r in rows],
            color=[ORANGE if r["drifted"] else BLUE for r in rows],
            hatch=None)
    for i, r in enumerate(rows):
        ax.text(r["score"], i, "  drifted" if r["drifted"] else "", va="center", fontsize=8)
    if rows and rows[0]["threshold"] is not None:
        ax.axvline(rows[0]["threshold"], color=GREY, ls="--", label="drift threshold")
        ax.legend(loc="lower right")
    ax.set(xlabel=f"Drift score ({rows[0]['method'] if rows else ''})",
           title="Data drift: new clients vs the modelling population")
    fig.tight_layout()
    return html, summary, fig


def report_prediction_drift(bundle: ModelBundle, reference_features: pd.DataFrame,
                            current_scores: pl.DataFrame) -> dict:
    """Scores of the held-out modelling clients vs the scores of the current population."""
    reference = bundle.predict_proba(reference_features)
    result = prediction_drift(reference, current_scores["probability"].to_numpy(), bundle.threshold)
    logger.info("prediction drift: PSI %.3f, K-S %.3f (p=%.2g), refused %.1f%% -> %.1f%%",
                result["psi"], result["ks_statistic"], result["ks_pvalue"],
                100 * result["reference_refused_share"], 100 * result["current_refused_share"])
    return result


def raise_drift_alerts(summary: dict, predictions: dict, params: dict) -> dict:
    """Compare drift with the alert thresholds; log it, and fail the run when asked to."""
    alerts = []
    if summary["drifted_share"] >= params["alert_drifted_share"]:
        alerts.append(f"{summary['drifted_features']} of {summary['features_checked']} monitored "
                      f"features drifted ({summary['drifted_share']:.0%} >= "
                      f"{params['alert_drifted_share']:.0%})")
    if predictions["psi"] >= params["alert_psi"]:
        alerts.append(f"score distribution shifted: PSI {predictions['psi']:.3f} >= "
                      f"{params['alert_psi']}")
    for alert in alerts:
        logger.warning("DRIFT ALERT: %s", alert)
    if not alerts:
        logger.info("no drift alert (drifted share %.0f%%, PSI %.3f)",
                    100 * summary["drifted_share"], predictions["psi"])
    if alerts and params["fail_on_drift"]:
        raise DriftAlert("; ".join(alerts) + " (monitoring.fail_on_drift is set)")
    return {"alerts": alerts, "drifted_share": summary["drifted_share"],
            "psi": predictions["psi"]}
