"""Nodes of the modeling pipeline: split, encode, compare, calibrate, evaluate, register, score.

Everything that learns from data sees the training part only; the held-out test split
is read once the model is chosen, to report its performance and to compare it with the
registered champion.
"""

from __future__ import annotations

import logging
import time
from importlib.metadata import version
from typing import Any

import matplotlib.pyplot as plt
import mlflow
import numpy as np
import pandas as pd
import polars as pl
from sklearn.base import clone
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from credit_scoring_kedro.explain.contributions import contributions
from credit_scoring_kedro.explain.reasons import (
    DEFAULT_PROTECTED,
    ReasonCatalogue,
    decision_reasons,
    read_max_reasons,
)
from credit_scoring_kedro.modeling import figures
from credit_scoring_kedro.modeling.bundle import ModelBundle
from credit_scoring_kedro.modeling.calibration import (
    CalibratedModel,
    choose_calibration,
    make_calibrator,
)
from credit_scoring_kedro.modeling.candidates import MONOTONE_MODELS, make_candidate
from credit_scoring_kedro.modeling.cost import CostWeights, best_threshold, cost_curve
from credit_scoring_kedro.modeling.encoding import ID, FeatureEncoder
from credit_scoring_kedro.modeling.fairness import fairness_metrics, fairness_report
from credit_scoring_kedro.modeling.metrics import decision_metrics, reference_costs
from credit_scoring_kedro.modeling.model_card import build_model_card, render_markdown
from credit_scoring_kedro.modeling.monotone import check_moves, constrained, monotone_directions
from credit_scoring_kedro.modeling.registry import champion_cost, log_and_register, promote
from credit_scoring_kedro.modeling.selection import SearchResult, search, stratified_folds
from credit_scoring_kedro.schema import table_schema

logger = logging.getLogger(__name__)
TARGET = "TARGET"
APP_ONLY = "lgbm_default_application_only"


def _weights(params: dict) -> CostWeights:
    return CostWeights(float(params["cost"]["false_negative"]), float(params["cost"]["false_positive"]))


def _profile(params: dict) -> dict:
    name = params["profile"]
    if name not in params["profiles"]:
        raise ValueError(f"modeling.profile={name!r}: choose one of {sorted(params['profiles'])}")
    return params["profiles"][name]


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


def _candidate(spec: dict, encoder: FeatureEncoder, columns: list[str], seed: int,
               monotone: dict | None = None):
    """``monotone``: ``params:modeling.monotone`` (None: unconstrained)."""
    categorical = [c for c in columns if c in encoder.categories_]
    numeric = [c for c in columns if c not in encoder.categories_]
    directions = monotone_directions(columns, monotone) if monotone else None
    return make_candidate(spec["model"], spec["imbalance"], categorical, numeric, seed,
                          spec.get("fixed", {}), directions,
                          (monotone or {}).get("method", "advanced"))


def compare_candidates(X: pd.DataFrame, y: pd.DataFrame, encoder: FeatureEncoder, params: dict
                       ) -> dict[str, SearchResult]:
    """Cross-validated search of every candidate of the profile, plus the application-only baseline."""
    profile = _profile(params)
    target = y[TARGET].to_numpy()
    folds = stratified_folds(target, profile["n_splits"], params["random_state"])
    results = {}
    for name, spec in profile["candidates"].items():
        pipeline = _candidate(spec, encoder, list(X.columns), params["random_state"],
                              params.get("monotone"))
        results[name] = search(name, pipeline, spec.get("grid", {}), X, target, folds,
                               profile["halving"], params["random_state"])
    app_columns = [c for c in table_schema("application_test").columns if c in X.columns and c != ID]
    baseline = _candidate(params["app_only_baseline"], encoder, app_columns, params["random_state"])
    results[APP_ONLY] = search(APP_ONLY, baseline, {}, X[app_columns], target, folds, False,
                               params["random_state"])
    results[APP_ONLY].best_params["columns"] = app_columns
    return results


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
    weights, target = _weights(params), y[TARGET].to_numpy()
    profile = _profile(params)
    folds = stratified_folds(target, profile["n_splits"], params["random_state"])
    oof_costs = {name: best_threshold(target, r.oof_proba, weights)[1] for name, r in results.items()
                 if name != APP_ONLY and _servable(profile["candidates"][name], params)}
    chosen = min(oof_costs, key=lambda n: (round(oof_costs[n], 6), -results[n].cv_auc_mean))
    method, served_oof, report = choose_calibration(results[chosen].oof_proba, target, folds,
                                                    params["calibration_methods"], weights)
    threshold, cost = best_threshold(target, served_oof, weights)
    logger.info("selected %s (out-of-fold cost %.4f), calibration %s, threshold %.4f",
                chosen, cost, method or "none", threshold)
    return {"candidate": chosen, "calibration": method, "threshold": threshold,
            "oof_cost": cost, "calibration_report": report, "oof_costs": oof_costs,
            "served_oof": served_oof.tolist()}


def _servable(spec: dict, params: dict) -> bool:
    """With monotone constraints on, only a model that enforces them may be served."""
    return not params.get("monotone", {}).get("enabled", False) or spec["model"] in MONOTONE_MODELS


def fit_served_model(X: pd.DataFrame, y: pd.DataFrame, results: dict[str, SearchResult],
                     selection: dict) -> CalibratedModel:
    """Refit the chosen configuration on the whole training part; attach its calibrator."""
    started = time.perf_counter()
    target = y[TARGET].to_numpy()
    chosen = results[selection["candidate"]]
    base = clone(chosen.estimator).fit(X, target)
    calibrator = None
    if selection["calibration"]:
        calibrator = make_calibrator(selection["calibration"]).fit(chosen.oof_proba, target)
    logger.info("served model fitted in %.1f s", time.perf_counter() - started)
    return CalibratedModel(base, calibrator, selection["calibration"])


def evaluate_served(model: CalibratedModel, X_train: pd.DataFrame, y_train: pd.DataFrame,
                    test_predictions: pd.DataFrame, selection: dict, params: dict) -> dict:
    """The served model on the held-out split (its ``test_predictions``): the test report.

    Decision metrics at the chosen threshold, the reference costs (threshold 0.5, accept
    all) and the train AUC, whose gap to the test AUC says how much the model overfits.
    """
    weights = _weights(params)
    y_true = test_predictions[TARGET].to_numpy()
    proba = test_predictions["probability"].to_numpy()
    threshold = selection["threshold"]
    metrics = decision_metrics(y_true, proba, threshold, weights)
    metrics.update(reference_costs(y_true, proba, threshold, weights))
    metrics["train_auc"] = decision_metrics(y_train[TARGET].to_numpy(),
                                            model.predict_proba(X_train)[:, 1], threshold, weights)["auc"]
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


def compare_on_test(results: dict[str, SearchResult], selection: dict, X_train: pd.DataFrame,
                    y_train: pd.DataFrame, X_test: pd.DataFrame, test_predictions: pd.DataFrame,
                    params: dict) -> pd.DataFrame:
    """Every candidate refitted on the training part and scored on the same held-out rows."""
    return _results_table(results, selection, X_train, y_train, X_test,
                          test_predictions[TARGET].to_numpy(), _weights(params),
                          test_predictions["probability"].to_numpy())


def plot_held_out(model: CalibratedModel, X_test: pd.DataFrame, test_predictions: pd.DataFrame,
                  test_report: dict, params: dict
                  ) -> tuple[plt.Figure, plt.Figure, plt.Figure, plt.Figure]:
    """ROC/PR, confusion matrix, cost by threshold and calibration of the served model."""
    weights = _weights(params)
    served = test_report["served"]
    y_true = test_predictions[TARGET].to_numpy()
    proba = test_predictions["probability"].to_numpy()
    raw = model.base.predict_proba(X_test)[:, 1] if model.calibrator is not None else None
    return (
        figures.roc_pr_figure(y_true, proba, served["auc"], served["average_precision"]),
        figures.confusion_figure(y_true, proba, served["threshold"]),
        figures.cost_figure(cost_curve(y_true, proba, weights), served["threshold"],
                            served["business_cost"]),
        figures.calibration_figure(y_true, proba, raw),
    )


def _results_table(results, selection, X_train, y_train, X_test, y_true, weights, served_proba):
    """Model x (CV AUC, train AUC, test AUC, accuracy, cost, threshold, fit time) on the same split."""
    target = y_train[TARGET].to_numpy()
    rows = []
    for name, result in results.items():
        columns = result.best_params.get("columns")   # None: every feature, without a copy
        threshold, oof_cost = best_threshold(target, result.oof_proba, weights)
        started = time.perf_counter()
        fitted = clone(result.estimator).fit(X_train if columns is None else X_train[columns],
                                             target)
        fit_seconds = time.perf_counter() - started
        proba = fitted.predict_proba(X_test if columns is None else X_test[columns])[:, 1]
        test = decision_metrics(y_true, proba, threshold, weights)
        rows.append({"model": name, "cv_auc_mean": result.cv_auc_mean, "cv_auc_std": result.cv_auc_std,
                     "cv_train_auc_mean": result.train_auc_mean,
                     "cv_auc_gap": result.train_auc_mean - result.cv_auc_mean,
                     "cv_accuracy_0_5": result.valid_accuracy_mean,
                     "cv_train_accuracy_0_5": result.train_accuracy_mean,
                     "oof_cost": oof_cost, "threshold": threshold, "test_auc": test["auc"],
                     "test_accuracy": test["accuracy"], "test_cost": test["business_cost"],
                     "fit_seconds": fit_seconds, "search_seconds": result.fit_seconds,
                     "params": str({k: v for k, v in result.best_params.items() if k != "columns"})})
    served = decision_metrics(y_true, served_proba, selection["threshold"], weights)
    rows.append({"model": f"served: {selection['candidate']} "
                          f"(calibration {selection['calibration'] or 'none'})",
                 "cv_auc_mean": results[selection["candidate"]].cv_auc_mean,
                 "cv_auc_std": results[selection["candidate"]].cv_auc_std,
                 "cv_train_auc_mean": results[selection["candidate"]].train_auc_mean,
                 "cv_auc_gap": results[selection["candidate"]].train_auc_mean
                 - results[selection["candidate"]].cv_auc_mean,
                 "oof_cost": selection["oof_cost"], "threshold": selection["threshold"],
                 "test_auc": served["auc"], "test_accuracy": served["accuracy"],
                 "test_cost": served["business_cost"], "fit_seconds": float("nan"),
                 "search_seconds": float("nan"), "params": ""})
    return pd.DataFrame(rows)


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
                       cost_weights=_weights(params), metadata=metadata)


def register_model(bundle: ModelBundle, X_test: pd.DataFrame, y_test: pd.DataFrame,
                   params: dict) -> dict:
    """Log the served model to MLflow, register it, and decide its alias: champion if it beats
    the champion, else challenger (the alias moves when ``publish_model`` stores its bundle)."""
    name = params["registered_model_name"]
    served = Pipeline([("encode", bundle.encoder), ("model", bundle.model)])
    requirements = [f"{p}=={version(p)}" for p in
                    ("scikit-learn", "lightgbm", "imbalanced-learn", "pandas", "numpy", "polars")]
    client = mlflow.MlflowClient()
    weights, y_true = bundle.cost_weights, y_test[TARGET].to_numpy()
    old_version, old_cost, reason = champion_cost(client, name, X_test, y_true, "threshold", weights)
    new_version = log_and_register(served, X_test.head(50), name, requirements)
    client.set_model_version_tag(name, new_version, "threshold", str(bundle.threshold))
    # the bundle itself is stored with this version (publish_model) and numbered like it
    client.set_model_version_tag(name, new_version, "trained_at", bundle.metadata["trained_at"])
    new_cost = float(bundle.metadata["test_metrics"]["business_cost"])
    decision = promote(name, new_version, new_cost, old_version, old_cost, reason)
    for key in ("new_cost", "champion_cost"):
        if decision[key] is not None:
            mlflow.log_metric(f"registry_{key}", decision[key])
    mlflow.set_tag("registry_decision", decision["alias"])
    return decision


def write_model_card(bundle: ModelBundle, decision: dict, test_predictions: pd.DataFrame,
                     y_train: pd.DataFrame, y_test: pd.DataFrame, fairness: dict,
                     raw_data_origin: dict, params: dict, monitoring: dict) -> tuple[dict, str]:
    """The model card of this run's model, as a dict and as Markdown (both logged to MLflow).

    Args:
        bundle: ``candidate_bundle`` (version, training time, threshold, features, metrics).
        decision: ``registry_decision`` (the MLflow model version the card describes).
        test_predictions: The served model's held-out probabilities and decisions.
        y_train, y_test: Labels of the two parts (clients and defaults per part).
        fairness: ``fairness_report`` of this run.
        raw_data_origin: Whether the raw tables are the generated demo set.
        params: ``params:modeling``; monitoring: ``params:monitoring``.

    Returns:
        ``model_card`` (JSON) and ``model_card_markdown``; the card also enters the bundle.
    """
    # the bundle is published under its registry version number (publish_model)
    metadata = {**bundle.metadata, "version": str(decision["version"])}
    card = build_model_card(metadata, bundle.threshold, bundle.cost_weights,
                            bundle.features, decision, test_predictions, y_train, y_test,
                            fairness, params, monitoring, raw_data_origin)
    perf = card["performance"]
    logger.info("model card %s: AUC %s, cost per client %s, %d known limit(s)",
                card["model"]["version"], _interval(perf["auc"]),
                _interval(perf["business_cost_per_client"]), len(card["known_limits"]))
    return card, render_markdown(card)


def _interval(entry: dict) -> str:
    if entry["low"] is None:
        return _rounded(entry["value"])
    return f"{entry['value']:.4f} [{entry['low']:.4f}, {entry['high']:.4f}]"


def publish_model(bundle: ModelBundle, decision: dict, card: dict) -> ModelBundle:
    """The bundle with its registry decision and model card, numbered as its registry version.

    Saving it (``model_bundle``) uploads it into that registered version and gives the version
    its alias: champion (served) or challenger (kept); the API serves the card of the bundle
    it serves.
    """
    bundle.metadata["version"] = str(decision["version"])
    bundle.metadata["registry"] = decision
    bundle.metadata["model_card"] = card
    return bundle


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
