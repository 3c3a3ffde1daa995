"""The business cost of credit decisions and the threshold that minimises it.

A missed defaulter (false negative: credit granted, then not repaid) costs the lender
far more than a good client refused (false positive: a lost margin). With weights
``fn_cost`` and ``fp_cost`` (10 and 1 by default, in parameters_modeling.yml), the cost
per client of a set of decisions is ``(fn_cost * FN + fp_cost * FP) / n``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CostWeights:
    """Cost of each kind of error, in units of a refused good client."""

    false_negative: float = 10.0
    false_positive: float = 1.0


def business_cost(y_true: np.ndarray, refused: np.ndarray, weights: CostWeights) -> float:
    """Average cost per client of the decisions ``refused`` (1 = credit refused)."""
    y_true = np.asarray(y_true).astype(bool)
    refused = np.asarray(refused).astype(bool)
    if y_true.size == 0:
        raise ValueError("business_cost needs at least one client")
    fn = np.sum(y_true & ~refused)
    fp = np.sum(~y_true & refused)
    return float((weights.false_negative * fn + weights.false_positive * fp) / y_true.size)


def cost_curve(y_true: np.ndarray, proba: np.ndarray, weights: CostWeights) -> pd.DataFrame:
    """Cost per client for every distinct threshold, exactly, in O(n log n).

    A client is refused when ``proba >= threshold``. The candidate thresholds are the
    distinct probabilities plus 1.0 + eps ("accept everyone"); between two of them the
    decisions, and so the cost, do not change.
    """
    y_true = np.asarray(y_true).astype(bool)
    proba = np.asarray(proba, dtype=float)
    n = y_true.size
    order = np.argsort(-proba, kind="stable")
    p_sorted, y_sorted = proba[order], y_true[order]
    # refusing the k riskiest clients: FP = non-defaulters among them, FN = defaulters left
    last_of_value = np.r_[np.flatnonzero(np.diff(p_sorted)), n - 1]
    refused_pos = np.cumsum(y_sorted)[last_of_value]
    refused_neg = (last_of_value + 1) - refused_pos
    total_pos = int(y_true.sum())
    fn = total_pos - refused_pos
    cost = (weights.false_negative * fn + weights.false_positive * refused_neg) / n
    thresholds = p_sorted[last_of_value]
    accept_all = weights.false_negative * total_pos / n
    return pd.DataFrame({
        "threshold": np.r_[np.nextafter(1.0, 2.0), thresholds],
        "cost": np.r_[accept_all, cost],
        "refused_share": np.r_[0.0, (last_of_value + 1) / n],
    })


def best_threshold(y_true: np.ndarray, proba: np.ndarray, weights: CostWeights) -> tuple[float, float]:
    """(threshold, cost per client) minimising the business cost; the highest such threshold on ties."""
    curve = cost_curve(y_true, proba, weights)
    best = curve["cost"].min()
    row = curve[np.isclose(curve["cost"], best)].iloc[0]
    return float(min(row["threshold"], 1.0)), float(best)
