"""Cross-validated search of each candidate and its out-of-fold predictions.

All candidates see the same stratified folds of the training part. A grid search
(GridSearchCV, or HalvingGridSearchCV in the full profile) picks the hyper-parameters
by ROC AUC; the chosen configuration is then refitted fold by fold to get out-of-fold
probabilities, on which the business-cost threshold is chosen without touching the
held-out test split.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.experimental import enable_halving_search_cv  # noqa: F401  (registers the class)
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, StratifiedKFold

logger = logging.getLogger(__name__)


@dataclass
class SearchResult:
    """What cross-validation says about one candidate."""

    name: str
    estimator: Any  # unfitted, with the chosen hyper-parameters
    best_params: dict[str, Any]
    cv_auc_mean: float
    cv_auc_std: float
    train_auc_mean: float
    valid_accuracy_mean: float
    train_accuracy_mean: float
    oof_proba: np.ndarray
    fit_seconds: float
    grid_size: int
    cv_table: list[dict] = field(default_factory=list)


def stratified_folds(y: np.ndarray, n_splits: int, random_state: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The folds every candidate shares, as explicit index pairs."""
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    return list(splitter.split(np.zeros(len(y)), y))


def search(name: str, pipeline: Any, grid: dict[str, list], X: pd.DataFrame, y: np.ndarray,
           folds: list[tuple[np.ndarray, np.ndarray]], halving: bool, random_state: int) -> SearchResult:
    """Grid-search ``pipeline`` on the shared folds, then compute its out-of-fold probabilities."""
    started = time.perf_counter()
    param_grid = {f"model__{k}": list(v) for k, v in grid.items()}
    n_combos = int(np.prod([len(v) for v in param_grid.values()])) if param_grid else 1
    if n_combos > 1:
        if halving:
            searcher = HalvingGridSearchCV(
                pipeline, param_grid, scoring="roc_auc", cv=folds, factor=3,
                min_resources=max(len(y) // 9, 2000), refit=False, error_score="raise",
                random_state=random_state, return_train_score=True)
        else:
            searcher = GridSearchCV(pipeline, param_grid, scoring="roc_auc", cv=folds, refit=False,
                                    error_score="raise", return_train_score=True)
        searcher.fit(X, y)
        best_params = searcher.best_params_
        cv_table = _cv_table(searcher.cv_results_)
    else:
        best_params, cv_table = {k: v[0] for k, v in param_grid.items()}, []
    estimator = clone(pipeline).set_params(**best_params)
    oof = np.zeros(len(y), dtype=float)
    valid_auc, train_auc, valid_acc, train_acc = [], [], [], []
    for train_idx, valid_idx in folds:
        model = clone(estimator).fit(X.iloc[train_idx], y[train_idx])
        oof[valid_idx] = model.predict_proba(X.iloc[valid_idx])[:, 1]
        in_sample = model.predict_proba(X.iloc[train_idx])[:, 1]
        valid_auc.append(_auc(y[valid_idx], oof[valid_idx]))
        train_auc.append(_auc(y[train_idx], in_sample))
        # accuracy at 0.5, the usual default: with 8 % defaults it mostly measures "accept all"
        valid_acc.append(float(np.mean((oof[valid_idx] >= 0.5) == y[valid_idx])))
        train_acc.append(float(np.mean((in_sample >= 0.5) == y[train_idx])))
    elapsed = time.perf_counter() - started
    logger.info("%-28s CV AUC %.4f ± %.4f (train %.4f) in %.0f s, params %s", name,
                np.mean(valid_auc), np.std(valid_auc), np.mean(train_auc), elapsed,
                {k.removeprefix("model__"): v for k, v in best_params.items()})
    return SearchResult(
        name=name, estimator=estimator,
        best_params={k.removeprefix("model__"): v for k, v in best_params.items()},
        cv_auc_mean=float(np.mean(valid_auc)), cv_auc_std=float(np.std(valid_auc)),
        train_auc_mean=float(np.mean(train_auc)), valid_accuracy_mean=float(np.mean(valid_acc)),
        train_accuracy_mean=float(np.mean(train_acc)), oof_proba=oof, fit_seconds=elapsed,
        grid_size=n_combos, cv_table=cv_table,
    )


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    return float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else float("nan")


def _cv_table(results: dict) -> list[dict]:
    keep = [k for k in results if k.startswith("param_")] + ["mean_test_score", "std_test_score",
                                                              "mean_train_score", "mean_fit_time"]
    keep += [k for k in ("iter", "n_resources") if k in results]
    rows = []
    for i in range(len(results["mean_test_score"])):
        row = {}
        for k in keep:
            value = results[k][i]
            row[k.removeprefix("param_model__")] = value.item() if hasattr(value, "item") else value
        rows.append(row)
    return rows
