"""Nodes of the modeling pipeline: split, encode, compare, calibrate, evaluate, register, score.

Everything that learns from data sees the training part only; the held-out test split
is read once the model is chosen, to report its performance and to compare it with the
registered champion.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import polars as pl
from sklearn.model_selection import train_test_split

from credit_scoring_kedro.explain.contributions import contributions
from credit_scoring_kedro.explain.reasons import (
    DEFAULT_PROTECTED,
    ReasonCatalogue,
    decision_reasons,
    read_max_reasons,
)
from credit_scoring_kedro.features.frames import is_spark
from credit_scoring_kedro.modeling import figures
from credit_scoring_kedro.modeling.bundle import ModelBundle
from credit_scoring_kedro.modeling.calibration import (
    CalibratedModel,
    choose_calibration,
    make_calibrator,
)
from credit_scoring_kedro.modeling.candidates import MONOTONE_MODELS
from credit_scoring_kedro.modeling.cost import best_threshold, cost_curve
from credit_scoring_kedro.modeling.encoding import ID, FeatureEncoder
from credit_scoring_kedro.modeling.fairness import fairness_metrics, fairness_report
from credit_scoring_kedro.modeling.metrics import decision_metrics, reference_costs
from credit_scoring_kedro.modeling.monotone import check_moves, constrained
from credit_scoring_kedro.modeling.selection import SearchResult, stratified_folds

from .candidate_nodes import APP_ONLY, profile, weights

logger = logging.getLogger(__name__)
TARGET = "TARGET"


def split_train_test(features: pl.DataFrame, default_flags: pl.DataFrame, params: dict
                     ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Seeded, stratified split of the labelled clients, before anything is fitted.

    The split is drawn on row positions (clients ordered by SK_ID_CURR) and each part is
    copied out once: joining and splitting the whole feature table in pandas held about five
    copies of it at once, the peak memory of the modeling run.

    Returns:
        X_train, X_test (feature rows with SK_ID_CURR), y_train, y_test (SK_ID_CURR, TARGET).
    """
    flags = default_flags.select(ID, TARGET)
    if flags.get_column(ID).n_unique() != flags.height:
        raise ValueError("default_flags holds several TARGET rows for one SK_ID_CURR")
    labels = features.select(ID).with_row_index("row").join(flags, on=ID, how="inner").sort(ID)
    if labels.height != features.height:
        raise ValueError(f"{features.height - labels.height} feature rows have no TARGET")
    target, rows = labels.get_column(TARGET).to_numpy(), labels.get_column("row").to_numpy()
    train, test = train_test_split(np.arange(labels.height), test_size=params["split"]["test_size"],
                                   stratify=target, random_state=params["split"]["random_state"])
    logger.info("split: %d train / %d test clients, default rate %.2f%% / %.2f%%", len(train),
                len(test), 100 * target[train].mean(), 100 * target[test].mean())

    def part(positions: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        X = features[rows[positions]].to_pandas()
        return X, pd.DataFrame({ID: X[ID].to_numpy(), TARGET: target[positions]})

    (X_train, y_train), (X_test, y_test) = part(train), part(test)
    return X_train, X_test, y_train, y_test


def fit_feature_encoder(X_train: pd.DataFrame, params: dict) -> FeatureEncoder:
    """Learn the feature list and the category codes on the training part.

    Protected attributes and excluded features (``modeling.protected_attributes``,
    ``modeling.excluded_features``) never become model inputs; the moves of raw inputs that
    must lower the risk (``modeling.monotone.raw_moves``) are checked against the
    constraints of the features that remain, so a wrong sign stops the run here.
    """
    encoder = FeatureEncoder(protected=tuple(params.get("protected_attributes", [])),
                             excluded=tuple(params.get("excluded_features", []))).fit(X_train)
    spec = params.get("monotone", {})
    if spec.get("enabled", False):
        problems = check_moves(encoder.feature_names_in_, spec, spec.get("raw_moves", {}))
        if problems:
            raise ValueError("modeling.monotone is inconsistent:\n  " + "\n  ".join(problems))
        logger.info("monotone constraints on %d of %d features",
                    len(constrained(encoder.feature_names_in_, spec)), encoder.n_features_in_)
    return encoder


def encode_features(encoder: FeatureEncoder, X: pd.DataFrame) -> pd.DataFrame:
    """Apply the fitted encoder (never refits)."""
    return encoder.transform(X)


def summarise_searches(results: dict[str, SearchResult]) -> dict[str, Any]:
    """Every candidate's grid and fold scores, for the MLflow run and the methodology note."""
    return {name: {"best_params": {k: v for k, v in r.best_params.items() if k != "columns"},
                   "cv_auc_mean": r.cv_auc_mean, "cv_auc_std": r.cv_auc_std,
                   "cv_train_auc_mean": r.train_auc_mean,
                   "cv_accuracy_0_5": r.valid_accuracy_mean,
                   "cv_train_accuracy_0_5": r.train_accuracy_mean,
                   "grid_size": r.grid_size, "search_seconds": r.fit_seconds, "grid": r.cv_table}
            for name, r in results.items()}


def select_and_calibrate(results: dict[str, SearchResult], y: pd.DataFrame, params: dict
                         ) -> dict[str, Any]:
    """Pick the candidate with the lowest out-of-fold cost, calibrate if it helps, set the threshold.

    The threshold minimises the business cost on the out-of-fold probabilities of the
    model that will be served (calibrated or not), never on the test split.
    """
    costs, target = weights(params), y[TARGET].to_numpy()
    candidates = profile(params)["candidates"]
    folds = stratified_folds(target, profile(params)["n_splits"], params["random_state"])
    oof_costs = {name: best_threshold(target, r.oof_proba, costs)[1] for name, r in results.items()
                 if name != APP_ONLY and _servable(candidates[name], params)}
    chosen = min(oof_costs, key=lambda n: (round(oof_costs[n], 6), -results[n].cv_auc_mean))
    method, served_oof, report = choose_calibration(results[chosen].oof_proba, target, folds,
                                                    params["calibration_methods"], costs)
    threshold, cost = best_threshold(target, served_oof, costs)
    logger.info("selected %s (out-of-fold cost %.4f), calibration %s, threshold %.4f",
                chosen, cost, method or "none", threshold)
    return {"candidate": chosen, "calibration": method, "threshold": threshold,
            "oof_cost": cost, "calibration_report": report, "oof_costs": oof_costs,
            "served_oof": served_oof.tolist()}


def _servable(spec: dict, params: dict) -> bool:
    """With monotone constraints on, only a model that enforces them may be served."""
    return not params.get("monotone", {}).get("enabled", False) or spec["model"] in MONOTONE_MODELS


def gather(**parts: Any) -> dict[str, Any]:
    """One output per candidate namespace -> one dict by candidate name, in ``CANDIDATES`` order."""
    return dict(parts)


def calibrate_served_model(models: dict[str, Any], results: dict[str, SearchResult],
                           y: pd.DataFrame, selection: dict) -> CalibratedModel:
    """The chosen candidate, as fitted on the whole training part by its own namespace, with
    the calibrator fitted on its out-of-fold probabilities (no second fit of the winner)."""
    calibrator = None
    if selection["calibration"]:
        calibrator = make_calibrator(selection["calibration"]).fit(
            results[selection["candidate"]].oof_proba, y[TARGET].to_numpy())
    return CalibratedModel(models[selection["candidate"]], calibrator, selection["calibration"])


def evaluate_served(model: CalibratedModel, X_train: pd.DataFrame, y_train: pd.DataFrame,
                    test_predictions: pd.DataFrame, selection: dict, params: dict) -> dict:
    """The served model on the held-out split (its ``test_predictions``): the test report.

    Decision metrics at the chosen threshold, the reference costs (threshold 0.5, accept
    all) and the train AUC, whose gap to the test AUC says how much the model overfits.
    """
    costs = weights(params)
    y_true = test_predictions[TARGET].to_numpy()
    proba = test_predictions["probability"].to_numpy()
    threshold = selection["threshold"]
    metrics = decision_metrics(y_true, proba, threshold, costs)
    metrics.update(reference_costs(y_true, proba, threshold, costs))
    metrics["train_auc"] = decision_metrics(y_train[TARGET].to_numpy(),
                                            model.predict_proba(X_train)[:, 1], threshold, costs)["auc"]
    metrics["auc_gap_train_test"] = metrics["train_auc"] - metrics["auc"]
    logger.info("test split: AUC %.4f, cost %.4f per client at threshold %.3f "
                "(0.5: %.4f, accept all: %.4f)", metrics["auc"], metrics["cost_at_threshold"],
                threshold, metrics["cost_at_0_5"], metrics["cost_accept_all"])
    return {"served": {"candidate": selection["candidate"], **metrics}, "selection": {
        k: v for k, v in selection.items() if k != "served_oof"}}


def modeling_metrics(test_report: dict, results: dict[str, SearchResult]) -> dict:
    """The MLflow metrics of the run: the held-out figures and the chosen candidate's CV."""
    chosen = results[test_report["served"]["candidate"]]
    metrics = {f"test_{k}": {"value": float(v), "step": 0}
               for k, v in test_report["served"].items() if k != "candidate"}
    metrics.update({
        "cv_auc_mean": {"value": chosen.cv_auc_mean, "step": 0},
        "cv_auc_std": {"value": chosen.cv_auc_std, "step": 0},
        "cv_train_auc_mean": {"value": chosen.train_auc_mean, "step": 0},
        "oof_cost": {"value": test_report["selection"]["oof_cost"], "step": 0},
    })
    return metrics


#: The results table's columns, in order (``08_reporting/model_results.csv``).
RESULT_COLUMNS = ["model", "cv_auc_mean", "cv_auc_std", "cv_train_auc_mean", "cv_auc_gap",
                  "cv_accuracy_0_5", "cv_train_accuracy_0_5", "oof_cost", "threshold",
                  "test_auc", "test_accuracy", "test_cost", "fit_seconds", "search_seconds",
                  "params"]


def tabulate_candidates(rows: dict[str, dict], selection: dict, test_predictions: pd.DataFrame,
                        params: dict) -> pd.DataFrame:
    """Every candidate's row (its namespace's held-out evaluation) and the served model's,
    all on the same held-out clients; the served row keeps its candidate's CV figures."""
    chosen = rows[selection["candidate"]]
    served = decision_metrics(test_predictions[TARGET].to_numpy(),
                              test_predictions["probability"].to_numpy(),
                              selection["threshold"], weights(params))
    served_row = {"model": f"served: {selection['candidate']} "
                           f"(calibration {selection['calibration'] or 'none'})",
                  **{k: chosen[k] for k in ("cv_auc_mean", "cv_auc_std", "cv_train_auc_mean",
                                            "cv_auc_gap")},
                  "oof_cost": selection["oof_cost"], "threshold": selection["threshold"],
                  "test_auc": served["auc"], "test_accuracy": served["accuracy"],
                  "test_cost": served["business_cost"], "fit_seconds": float("nan"),
                  "search_seconds": float("nan"), "params": ""}
    return pd.DataFrame([*rows.values(), served_row], columns=RESULT_COLUMNS)


def plot_held_out(model: CalibratedModel, X_test: pd.DataFrame, test_predictions: pd.DataFrame,
                  test_report: dict, params: dict
                  ) -> tuple[plt.Figure, plt.Figure, plt.Figure, plt.Figure]:
    """ROC/PR, confusion matrix, cost by threshold and calibration of the served model."""
    costs = weights(params)
    served = test_report["served"]
    y_true = test_predictions[TARGET].to_numpy()
    proba = test_predictions["probability"].to_numpy()
    raw = model.base.predict_proba(X_test)[:, 1] if model.calibrator is not None else None
    return (
        figures.roc_pr_figure(y_true, proba, served["auc"], served["average_precision"]),
        figures.confusion_figure(y_true, proba, served["threshold"]),
        figures.cost_figure(cost_curve(y_true, proba, costs), served["threshold"],
                            served["business_cost"]),
        figures.calibration_figure(y_true, proba, raw),
    )


def predict_test(model: CalibratedModel, X_test: pd.DataFrame, y_test: pd.DataFrame,
                 selection: dict) -> pd.DataFrame:
    """The served model's probability and decision for every held-out client.

    Kept as a table (07_model_output) so the fairness report and any comparison of two
    runs read the same rows (``benchmarks/compare_models.py`` pairs them by SK_ID_CURR).
    """
    proba = model.predict_proba(X_test)[:, 1]
    return pd.DataFrame({ID: y_test[ID].to_numpy(), TARGET: y_test[TARGET].to_numpy(),
                         "probability": proba,
                         "decision": np.where(proba >= selection["threshold"], "refused",
                                              "granted")})


def report_fairness(test_predictions: pd.DataFrame, X_test: pd.DataFrame, params: dict
                    ) -> tuple[dict, dict]:
    """Approval, error rates and AUC per gender and age band on the held-out split."""
    spec = params["fairness"]
    columns = [ID, *[c for c in spec["attributes"] if c in X_test.columns]]
    report = fairness_report(test_predictions, X_test[columns], spec)
    for name, entry in report["attributes"].items():
        logger.info("fairness by %s: approval-rate ratio %s, equalized-odds difference %s%s",
                    name, _rounded(entry["approval_rate_ratio"]),
                    _rounded(entry["equalized_odds_difference"]),
                    " -- BELOW THE FOUR-FIFTHS RULE" if entry["four_fifths_flag"] else "")
    return report, fairness_metrics(report)


def _rounded(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def assemble_bundle(encoder: FeatureEncoder, model: CalibratedModel, selection: dict,
                    test_report: dict, params: dict, features: pl.DataFrame) -> ModelBundle:
    """The serving artifact: encoder, model, threshold, features and how they were obtained."""
    ids = features.get_column(ID)
    fingerprint = f"{features.height}x{features.width}:{int(ids.hash().sum()) & 0xFFFFFFFF:08x}"
    metadata = {
        "name": params["registered_model_name"],
        "version": time.strftime("%Y%m%d-%H%M%S"),
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "candidate": selection["candidate"],
        "calibration": selection["calibration"],
        "profile": params["profile"],
        "data_fingerprint": fingerprint,
        "test_metrics": test_report["served"],
        "oof_cost": selection["oof_cost"],
        "protected_attributes": list(encoder.protected),
        "excluded_features": list(encoder.excluded),
        "monotone_constraints": constrained(encoder.feature_names_in_,
                                            params.get("monotone", {"enabled": False})),
    }
    return ModelBundle(encoder=encoder, model=model, threshold=selection["threshold"],
                       cost_weights=weights(params), metadata=metadata)


def score_clients(bundle: ModelBundle, features: pl.DataFrame, reason_codes: dict) -> pl.DataFrame:
    """Probability, decision, threshold and the refusal's reason codes of every row (batch scoring).

    ``reason_codes``: the catalogue (``conf/base/reason_codes.yml``); codes are written
    joined by ``|`` (empty for an approval), the sentences are in the catalogue.
    """
    frame = features.to_pandas()
    encoded = bundle.encoder.transform(frame)
    proba = bundle.model.predict_proba(encoded)[:, 1]
    refused = proba >= bundle.threshold
    catalogue = ReasonCatalogue.build(reason_codes, bundle.features,
                                      bundle.metadata.get("protected_attributes", DEFAULT_PROTECTED))
    reasons = decision_reasons(
        catalogue, encoded.to_numpy(np.float64), refused,
        lambda rows: contributions(bundle.model, pd.DataFrame(rows, columns=bundle.features)).values,
        read_max_reasons(reason_codes))
    logger.info("scored %d clients with model %s: %d refused at threshold %.3f", len(proba),
                bundle.version, int(refused.sum()), bundle.threshold)
    return pl.DataFrame({
        ID: frame[ID].to_numpy(),
        "probability": proba,
        "decision": bundle.decide(proba),
        "threshold": np.full(len(proba), bundle.threshold),
        "model_version": [bundle.version] * len(proba),
        "reason_codes": ["|".join(r["code"] for r in found) for found in reasons],
    })


def score_applications(bundle: ModelBundle, features: Any, reason_codes: dict, params: dict) -> Any:
    """The ``inference`` node: every application scored by the published bundle.

    Args:
        bundle: The served champion (``model_bundle``).
        features: One row per application (``feat_test`` here, ``feat_scoring_batch`` in
            batch_scoring): a polars DataFrame, or a Spark DataFrame in the ``spark``
            environment.
        reason_codes: The reason-code catalogue (``conf/base/reason_codes.yml``).
        params: ``params:batch_scoring``; ``run_date`` (default: today, UTC) labels a
            Spark run's output partition.

    Returns:
        A polars DataFrame, or on Spark a lazy DataFrame with a ``run_date`` column, written
        as Parquet partitioned by it. Each row is scored by :func:`score_clients` either way.
    """
    if is_spark(features):
        from credit_scoring_kedro.spark_engine import score_on_spark

        run_date = params.get("run_date") or dt.datetime.now(dt.UTC).date().isoformat()
        return score_on_spark(bundle, features, reason_codes, str(run_date))
    return score_clients(bundle, features, reason_codes)
