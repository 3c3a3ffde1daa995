"""Every number a model is judged on, computed the same way for CV, the test split and the API."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

from credit_scoring_kedro.modeling.cost import CostWeights, business_cost


def decision_metrics(y_true: np.ndarray, proba: np.ndarray, threshold: float,
                     weights: CostWeights) -> dict[str, float]:
    """AUC, accuracy, precision, recall, F1, Brier score and business cost at ``threshold``."""
    y_true = np.asarray(y_true).astype(int)
    proba = np.asarray(proba, dtype=float)
    refused = (proba >= threshold).astype(int)
    both_classes = len(np.unique(y_true)) == 2
    return {
        "auc": float(roc_auc_score(y_true, proba)) if both_classes else float("nan"),
        "average_precision": float(average_precision_score(y_true, proba)) if both_classes else float("nan"),
        "accuracy": float(accuracy_score(y_true, refused)),
        "precision": float(precision_score(y_true, refused, zero_division=0)),
        "recall": float(recall_score(y_true, refused, zero_division=0)),
        "f1": float(f1_score(y_true, refused, zero_division=0)),
        "brier": float(brier_score_loss(y_true, proba)),
        "business_cost": business_cost(y_true, refused, weights),
        "refused_share": float(refused.mean()),
        "threshold": float(threshold),
    }


def reference_costs(y_true: np.ndarray, proba: np.ndarray, threshold: float,
                    weights: CostWeights) -> dict[str, float]:
    """Cost per client at the chosen threshold, at 0.5, and when every client is accepted."""
    y_true = np.asarray(y_true).astype(int)
    return {
        "cost_at_threshold": business_cost(y_true, np.asarray(proba) >= threshold, weights),
        "cost_at_0_5": business_cost(y_true, np.asarray(proba) >= 0.5, weights),
        "cost_accept_all": business_cost(y_true, np.zeros_like(y_true), weights),
    }
