"""How sure are the held-out figures? Percentile bootstrap intervals of AUC and business cost.

Each draw resamples the held-out clients with replacement and recomputes both figures on
the same draw. A draw is represented by how many times each client was picked, so the
AUC is a weighted Mann-Whitney statistic on clients sorted once: O(n) per draw instead of
a sort, which keeps 1,000 draws on the full test split (about 61,500 clients) to seconds.
Draws holding a single class have no AUC and are skipped (counted in ``draws``).
"""

from __future__ import annotations

import numpy as np

from credit_scoring_kedro.modeling.cost import CostWeights


def _ranked(proba: np.ndarray) -> np.ndarray:
    """Index of each client's probability among the sorted distinct probabilities (ties share one)."""
    _, index = np.unique(proba, return_inverse=True)
    return index


def weighted_auc(y_true: np.ndarray, tie_group: np.ndarray, counts: np.ndarray,
                 n_groups: int) -> float:
    """AUC of clients weighted by ``counts``; ``tie_group`` from :func:`_ranked` (ties count 1/2)."""
    positive = np.bincount(tie_group, weights=counts * y_true, minlength=n_groups)
    negative = np.bincount(tie_group, weights=counts * (1 - y_true), minlength=n_groups)
    total_pos, total_neg = positive.sum(), negative.sum()
    if total_pos == 0 or total_neg == 0:
        return float("nan")
    below = np.cumsum(negative) - negative        # negatives with a strictly lower probability
    return float(np.sum(positive * (below + 0.5 * negative)) / (total_pos * total_neg))


def bootstrap_intervals(y_true: np.ndarray, proba: np.ndarray, refused: np.ndarray,
                        weights: CostWeights, draws: int = 1000, seed: int = 0,
                        level: float = 0.95) -> dict:
    """Point estimates and percentile intervals of AUC and cost per client on held-out clients.

    Args:
        y_true: TARGET (1 = payment difficulties), one entry per client.
        proba: The served model's probability of default.
        refused: The decision actually taken (1 = refused), at the served threshold.
        weights: Cost of a false negative and of a false positive.
        draws: Bootstrap resamples; ``seed`` makes them reproducible.
        level: Coverage of the interval (0.95: the 2.5th and 97.5th percentiles).

    Returns:
        ``{"clients", "defaults", "draws", "level", "auc": {"value", "low", "high"},
        "business_cost": {...}}``.
    """
    y_true = np.asarray(y_true).astype(np.int64)
    proba = np.asarray(proba, dtype=float)
    refused = np.asarray(refused).astype(bool)
    n = y_true.size
    if n == 0 or not (y_true.size == proba.size == refused.size):
        raise ValueError("bootstrap_intervals needs as many labels, probabilities and decisions, "
                         "and at least one client")
    group = _ranked(proba)
    n_groups = int(group.max()) + 1
    # cost of each client's decision: a defaulter granted, or a good client refused
    error_cost = np.where(y_true == 1, np.where(refused, 0.0, weights.false_negative),
                          np.where(refused, weights.false_positive, 0.0))
    ones = np.ones(n)
    point_auc = weighted_auc(y_true, group, ones, n_groups)
    point_cost = float(error_cost.mean())
    rng = np.random.default_rng(seed)
    aucs, costs = [], []
    for _ in range(draws):
        counts = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        costs.append(float(counts @ error_cost) / n)
        aucs.append(weighted_auc(y_true, group, counts, n_groups))
    aucs_arr, costs_arr = np.asarray(aucs), np.asarray(costs)
    tail = 100 * (1 - level) / 2
    valid_auc = aucs_arr[~np.isnan(aucs_arr)]

    def interval(value: float, sample: np.ndarray) -> dict:
        if sample.size == 0 or np.isnan(value):
            return {"value": None if np.isnan(value) else value, "low": None, "high": None}
        low, high = np.percentile(sample, [tail, 100 - tail])
        return {"value": value, "low": float(low), "high": float(high)}

    return {"clients": int(n), "defaults": int(y_true.sum()), "draws": int(draws),
            "auc_draws_with_both_classes": int(valid_auc.size), "level": level,
            "auc": interval(point_auc, valid_auc),
            "business_cost": interval(point_cost, costs_arr)}
