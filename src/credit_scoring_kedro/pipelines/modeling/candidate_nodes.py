"""Nodes of the candidate template: one candidate's search, out-of-fold verdict, fit and held-out row.

Each candidate of the comparison runs the same four nodes in its own namespace
(:func:`~credit_scoring_kedro.pipelines.modeling.pipeline.candidate_pipeline`), so adding a
candidate is one entry of ``CANDIDATES`` and its parameters, not a branch in a loop. The
candidate is fitted once on the whole training part: the served model reuses that fit
(:func:`~credit_scoring_kedro.pipelines.modeling.nodes.calibrate_served_model`) instead of
fitting the winner a second time.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pandas as pd
from sklearn.base import clone

from credit_scoring_kedro.modeling.candidates import make_candidate
from credit_scoring_kedro.modeling.cost import CostWeights, best_threshold
from credit_scoring_kedro.modeling.encoding import ID, FeatureEncoder
from credit_scoring_kedro.modeling.metrics import decision_metrics
from credit_scoring_kedro.modeling.monotone import monotone_directions
from credit_scoring_kedro.modeling.selection import SearchResult, search, stratified_folds
from credit_scoring_kedro.schema import table_schema

logger = logging.getLogger(__name__)
TARGET = "TARGET"
#: The reference every tuned model must beat: LightGBM with default parameters on the
#: application table alone (``params:modeling.app_only_baseline``).
APP_ONLY = "lgbm_default_application_only"


def weights(params: dict) -> CostWeights:
    """The business cost of each error (``modeling.cost``)."""
    return CostWeights(float(params["cost"]["false_negative"]), float(params["cost"]["false_positive"]))


def profile(params: dict) -> dict:
    """The active profile of ``modeling.profiles`` (folds, halving, every candidate's grid)."""
    name = params["profile"]
    if name not in params["profiles"]:
        raise ValueError(f"modeling.profile={name!r}: choose one of {sorted(params['profiles'])}")
    return params["profiles"][name]


def candidate_spec(params: dict, name: str) -> dict:
    """``name``'s model, imbalance strategy, fixed parameters and grid in the active profile."""
    candidates = profile(params)["candidates"]
    if name not in candidates:
        raise ValueError(f"modeling.profiles.{params['profile']}.candidates has no {name!r}: "
                         f"every profile sizes every candidate ({sorted(candidates)} given)")
    return candidates[name]


def _estimator(spec: dict, encoder: FeatureEncoder, columns: list[str], seed: int,
               monotone: dict | None = None):
    """``monotone``: ``params:modeling.monotone`` (None: unconstrained)."""
    categorical = [c for c in columns if c in encoder.categories_]
    numeric = [c for c in columns if c not in encoder.categories_]
    directions = monotone_directions(columns, monotone) if monotone else None
    return make_candidate(spec["model"], spec["imbalance"], categorical, numeric, seed,
                          spec.get("fixed", {}), directions,
                          (monotone or {}).get("method", "advanced"))


def search_candidate(X: pd.DataFrame, y: pd.DataFrame, encoder: FeatureEncoder, params: dict,
                     *, name: str) -> SearchResult:
    """Cross-validated grid search of candidate ``name`` and its out-of-fold probabilities.

    Every candidate shares the same seeded folds, so their out-of-fold scores compare.
    """
    spec, folds_spec = candidate_spec(params, name), profile(params)
    target = y[TARGET].to_numpy()
    folds = stratified_folds(target, folds_spec["n_splits"], params["random_state"])
    estimator = _estimator(spec, encoder, list(X.columns), params["random_state"],
                           params.get("monotone"))
    return search(name, estimator, spec.get("grid", {}), X, target, folds,
                  folds_spec["halving"], params["random_state"])


def search_app_only(X: pd.DataFrame, y: pd.DataFrame, encoder: FeatureEncoder, params: dict
                    ) -> SearchResult:
    """The application-only baseline on the same folds (its columns in ``best_params``)."""
    target = y[TARGET].to_numpy()
    folds = stratified_folds(target, profile(params)["n_splits"], params["random_state"])
    columns = [c for c in table_schema("application_test").columns if c in X.columns and c != ID]
    estimator = _estimator(params["app_only_baseline"], encoder, columns, params["random_state"])
    result = search(APP_ONLY, estimator, {}, X[columns], target, folds, False,
                    params["random_state"])
    result.best_params["columns"] = columns
    return result


def _subset(X: pd.DataFrame, columns: list[str] | None) -> pd.DataFrame:
    return X if columns is None else X[columns]   # None: every feature, without a copy


def fit_candidate(result: SearchResult, X: pd.DataFrame, y: pd.DataFrame) -> tuple[Any, float]:
    """The chosen configuration fitted on the whole training part, and the seconds it took."""
    started = time.perf_counter()
    fitted = clone(result.estimator).fit(_subset(X, result.best_params.get("columns")),
                                         y[TARGET].to_numpy())
    seconds = time.perf_counter() - started
    logger.info("%s fitted on %d clients in %.1f s", result.name, len(X), seconds)
    return fitted, seconds


def judge_out_of_fold(result: SearchResult, y: pd.DataFrame, params: dict) -> dict:
    """The candidate's cross-validation figures and the cost-minimising threshold of its
    out-of-fold probabilities (the threshold its held-out row is judged at)."""
    threshold, oof_cost = best_threshold(y[TARGET].to_numpy(), result.oof_proba, weights(params))
    return {"model": result.name, "cv_auc_mean": result.cv_auc_mean,
            "cv_auc_std": result.cv_auc_std, "cv_train_auc_mean": result.train_auc_mean,
            "cv_auc_gap": result.train_auc_mean - result.cv_auc_mean,
            "cv_accuracy_0_5": result.valid_accuracy_mean,
            "cv_train_accuracy_0_5": result.train_accuracy_mean,
            "oof_cost": oof_cost, "threshold": threshold,
            "search_seconds": result.fit_seconds,
            "params": str({k: v for k, v in result.best_params.items() if k != "columns"}),
            "columns": result.best_params.get("columns")}


def evaluate_candidate(model: Any, fit_seconds: float, out_of_fold: dict, X_test: pd.DataFrame,
                       y_test: pd.DataFrame, params: dict) -> dict:
    """The candidate's row of the results table: its figures on the held-out clients."""
    proba = model.predict_proba(_subset(X_test, out_of_fold["columns"]))[:, 1]
    test = decision_metrics(y_test[TARGET].to_numpy(), proba, out_of_fold["threshold"],
                            weights(params))
    row = {k: v for k, v in out_of_fold.items() if k != "columns"}
    return {**row, "test_auc": test["auc"], "test_accuracy": test["accuracy"],
            "test_cost": test["business_cost"], "fit_seconds": fit_seconds}
