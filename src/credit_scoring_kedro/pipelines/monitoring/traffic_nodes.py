"""Nodes watching the API's logged traffic: drift and realised performance per window, alerts.

Reference: the held-out modelling clients (``X_test``), as the served model reads them, and
their scores. Current: the decisions of ``prediction_log_traffic``, cut into windows
(``params:monitoring.traffic``). The windows of every run cover the whole selected log (the
log is the history, kept 400 days): the table is a trend, logged to MLflow step by step.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
import polars as pl

from credit_scoring_kedro.audit.record import decode_feature_matrix
from credit_scoring_kedro.errors import MonitoringAlert, RawDataError
from credit_scoring_kedro.modeling.bundle import ModelBundle
from credit_scoring_kedro.monitoring.outcomes import (
    attach_outcomes,
    performance_alerts,
    realised_performance,
)
from credit_scoring_kedro.monitoring.traffic import (
    assign_windows,
    input_drift,
    population_stability_index,
    select_traffic,
    window_purposes,
)

logger = logging.getLogger(__name__)
WINDOW_COLUMNS = ["window", "window_no", "first_logged_at", "last_logged_at", "decisions",
                  "purposes", "model_versions", "granted_rate", "refused_rate", "review_rate",
                  "mean_score", "score_psi", "features_checked", "features_drifted",
                  "drifted_share", "drifted_families", "top_drifted", "outcomes", "realised_auc",
                  "heldout_auc", "default_rate_granted", "realised_cost", "max_cost", "alert"]
DRIFT_COLUMNS = ["window", "window_no", "feature", "family", "psi", "drifted"]


class PerformanceAlert(MonitoringAlert):
    """Raised when the latest window's realised performance alerts and ``strict`` is set."""


def select_logged_traffic(prediction_log: pd.DataFrame, raw_data_origin: dict,
                          params: dict) -> pd.DataFrame:
    """The decisions monitoring reads, each with its ``window``, oldest first.

    Test traffic never enters; simulations only on generated demo data when
    ``simulation_on_demo_data`` is set (the demo loop of ``make simulate-traffic``).
    """
    purposes = window_purposes(params["purposes"], params["simulation_on_demo_data"],
                               bool(raw_data_origin.get("generated")))
    traffic = select_traffic(prediction_log, purposes, params.get("since"),
                             params.get("until"), params.get("last_decisions"))
    if traffic.empty:
        logger.warning("logged traffic: no decision to monitor (%d logged; purposes %s)",
                       len(prediction_log), "+".join(sorted(purposes)))
        return traffic.assign(window=pd.Series(dtype=str))
    windows = assign_windows(traffic, params.get("window_decisions"), params.get("window_period"))
    traffic = traffic.assign(window=windows.to_numpy())
    sizes = traffic["window"].value_counts()
    small = sizes[sizes < params["min_window_decisions"]].index
    if len(small):   # a last, partial window is too small to judge: it waits for more traffic
        traffic = traffic[~traffic["window"].isin(small)].reset_index(drop=True)
    logger.info("logged traffic: %d decisions (%s) in %d window(s); %d left out (purpose, "
                "dates or windows under %d decisions)", len(traffic), "+".join(sorted(purposes)),
                traffic["window"].nunique(), len(prediction_log) - len(traffic),
                params["min_window_decisions"])
    return traffic


def check_outcomes(raw_outcomes: pl.LazyFrame) -> pd.DataFrame:
    """The observed outcomes (validated on load) with DEFAULTED checked to be 0 or 1."""
    outcomes = raw_outcomes.collect().to_pandas()
    bad = outcomes.loc[~outcomes["DEFAULTED"].isin([0, 1]), "DEFAULTED"]
    if len(bad):
        raise RawDataError(f"outcomes: DEFAULTED must be 0 or 1, found {bad.iloc[0]!r} "
                           f"({len(bad)} row(s))")
    return outcomes


def report_traffic_windows(traffic: pd.DataFrame, bundle: ModelBundle, X_test: pd.DataFrame,
                           outcomes: pd.DataFrame, params: dict
                           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per window: input drift of every model feature, score drift, decision rates, outcomes.

    Returns:
        (``traffic_windows``: one row per window, ``traffic_feature_drift``: one row per window
        and feature with its PSI and verdict).
    """
    if traffic.empty:
        return pd.DataFrame(columns=WINDOW_COLUMNS), pd.DataFrame(columns=DRIFT_COLUMNS)
    started = time.perf_counter()
    features = bundle.features
    reference = X_test.sample(n=min(len(X_test), params["reference_rows"]),
                              random_state=params["seed"])
    ref_matrix = bundle.encoder.transform(reference)
    ref_matrix = np.asarray(ref_matrix, dtype=np.float64)
    ref_scores = bundle.model.predict_proba(ref_matrix)[:, 1]
    labels = list(dict.fromkeys(traffic["window"]))
    window_no = traffic["window"].map({w: i for i, w in enumerate(labels)}).to_numpy()
    matrix, decoded = decode_feature_matrix(traffic["features"], len(features))
    drift = input_drift(ref_matrix, matrix, window_no[decoded], features, params["bins"],
                        params["max_categories"])
    drift["window"] = [labels[i] for i in drift["window_no"]]
    drift["drifted"] = drift["psi"] >= params["feature_psi"]
    seconds = time.perf_counter() - started
    if seconds > params["time_budget_seconds"]:
        logger.warning("traffic drift took %.1f s, over its %s s budget", seconds,
                       params["time_budget_seconds"])
    defaulted = (attach_outcomes(traffic, outcomes).to_numpy() if len(outcomes)
                 else np.full(len(traffic), np.nan))
    heldout = bundle.metadata.get("test_metrics", {})
    max_cost = _max_cost(heldout, params)
    rows = []
    for number, label in enumerate(labels):
        here = window_no == number
        window = traffic[here]
        scores = window["probability"].to_numpy(dtype=float)
        threshold = window["threshold"].to_numpy(dtype=float)
        automatic = np.where(scores >= threshold, "refused", "granted")
        features_here = drift[drift["window_no"] == number]
        by_family = features_here.groupby("family")["drifted"].agg(["sum", "size"])
        row = {
            "window": label, "window_no": number,
            "first_logged_at": window["logged_at"].min().isoformat(),
            "last_logged_at": window["logged_at"].max().isoformat(),
            "decisions": int(here.sum()),
            "purposes": "+".join(sorted(window["purpose"].unique())),
            "model_versions": "+".join(sorted(window["model_version"].astype(str).unique())),
            "granted_rate": float(np.mean(automatic == "granted")),
            "refused_rate": float(np.mean(automatic == "refused")),
            "review_rate": float(np.mean(window["decision"].eq("review"))),
            "mean_score": float(scores.mean()),
            "score_psi": population_stability_index(ref_scores, scores),
            "features_checked": int(features_here["psi"].notna().sum()),
            "features_drifted": int(features_here["drifted"].sum()),
            "drifted_share": float(features_here["drifted"].sum()
                                   / max(features_here["psi"].notna().sum(), 1)),
            "drifted_families": "; ".join(f"{f} {int(r['sum'])}/{int(r['size'])}"
                                          for f, r in by_family.iterrows() if r["sum"]),
            "top_drifted": ", ".join(features_here.nlargest(5, "psi")
                                     .query("drifted")["feature"]),
            **realised_performance(scores, threshold, defaulted[here],
                                   bundle.cost_weights, params["min_outcomes"]),
            "heldout_auc": heldout.get("auc"), "max_cost": max_cost,
        }
        row["alert"] = "; ".join(performance_alerts(row, heldout.get("auc"),
                                                    params["auc_tolerance"], max_cost))
        rows.append(row)
    table = pd.DataFrame(rows)
    logger.info("traffic windows: %d windows, %d decisions, drift on %d features in %.1f s",
                len(labels), len(traffic), len(features), seconds)
    for row in rows:
        logger.info("window %s: %d decisions, %d/%d features drifted, score PSI %.3f, "
                    "granted %.0f%%, realised AUC %s, cost %s", row["window"], row["decisions"],
                    row["features_drifted"], row["features_checked"], row["score_psi"],
                    100 * row["granted_rate"], _fmt(row["realised_auc"]),
                    _fmt(row["realised_cost"]))
    return table[WINDOW_COLUMNS], drift[DRIFT_COLUMNS]


def raise_traffic_alerts(windows: pd.DataFrame, params: dict) -> dict:
    """Log every window's alert; the alerts, and the latest judged window's, for the record.

    Only the latest window with outcomes decides the strict-mode exit
    (:func:`stop_on_performance_alert`): an old alert stays in the trend without failing
    every later run.
    """
    alerted = windows[windows["alert"].fillna("").ne("")] if len(windows) else windows
    for _, row in alerted.iterrows():
        logger.warning("PERFORMANCE ALERT window %s: %s", row["window"], row["alert"])
    judged = windows[windows["outcomes"] >= params["min_outcomes"]] if len(windows) else windows
    latest = judged.iloc[-1] if len(judged) else None
    latest_alert = None if latest is None or not latest["alert"] else str(latest["alert"])
    if not len(alerted):
        logger.info("no performance alert over %d window(s)", len(windows))
    return {"alerts": [{"window": r["window"], "message": r["alert"]}
                       for _, r in alerted.iterrows()],
            "latest_window": None if latest is None else str(latest["window"]),
            "latest_alert": latest_alert, "windows": int(len(windows))}


def stop_on_performance_alert(alerts: dict, params: dict) -> None:
    """In strict mode, fail the run when the latest judged window alerts: the retraining
    trigger (docs/monitoring.md). The last node, so the alerts and metrics are saved first."""
    if params["strict"] and alerts["latest_alert"]:
        raise PerformanceAlert(f"window {alerts['latest_window']}: {alerts['latest_alert']} "
                               "(monitoring.traffic.strict is set)")


def traffic_metrics(windows: pd.DataFrame) -> dict:
    """The windows' figures as MLflow metric histories (step = window number)."""
    names = ("decisions", "granted_rate", "score_psi", "drifted_share", "realised_auc",
             "default_rate_granted", "realised_cost")
    return {f"traffic_{name}": [{"value": float(v), "step": int(s)}
                                for v, s in zip(windows[name], windows["window_no"], strict=True)
                                if v is not None and not pd.isna(v)]
            for name in names if name in windows and windows[name].notna().any()}


def _max_cost(heldout: dict, params: dict) -> float | None:
    if params.get("max_cost") is not None:
        return float(params["max_cost"])
    cost = heldout.get("business_cost")
    return None if cost is None else float(cost) * (1 + params["cost_tolerance"])


def _fmt(value: float | None) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.3f}"
