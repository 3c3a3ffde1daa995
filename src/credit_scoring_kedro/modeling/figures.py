"""Evaluation figures of the served model on the held-out split (saved through the catalog).

Colours come from the Okabe-Ito palette, readable with the common colour-vision deficiencies.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.calibration import calibration_curve  # noqa: E402
from sklearn.metrics import confusion_matrix, precision_recall_curve, roc_curve  # noqa: E402

BLUE, ORANGE, GREEN, GREY = "#0072B2", "#E69F00", "#009E73", "#999999"


def roc_pr_figure(y: np.ndarray, proba: np.ndarray, auc: float, ap: float) -> plt.Figure:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    fpr, tpr, _ = roc_curve(y, proba)
    left.plot(fpr, tpr, color=BLUE, lw=2, label=f"model (AUC {auc:.3f})")
    left.plot([0, 1], [0, 1], color=GREY, ls="--", label="random (AUC 0.5)")
    left.set(xlabel="Good clients refused (false positive rate)",
             ylabel="Defaulters caught (true positive rate)", title="ROC curve")
    left.legend(loc="lower right")
    precision, recall, _ = precision_recall_curve(y, proba)
    right.plot(recall, precision, color=BLUE, lw=2, label=f"model (AP {ap:.3f})")
    right.axhline(np.mean(y), color=GREY, ls="--", label=f"default rate {np.mean(y):.1%}")
    right.set(xlabel="Recall (defaulters caught)", ylabel="Precision (refused who default)",
              title="Precision-recall curve")
    right.legend(loc="upper right")
    fig.tight_layout()
    return fig


def confusion_figure(y: np.ndarray, proba: np.ndarray, threshold: float) -> plt.Figure:
    matrix = confusion_matrix(y, (proba >= threshold).astype(int), labels=[0, 1])
    fig, ax = plt.subplots(figsize=(5, 4.2))
    ax.imshow(matrix, cmap="Blues")
    labels = [["granted, repaid (TN)", "refused, would repay (FP)"],
              ["granted, defaulted (FN)", "refused, would default (TP)"]]
    for i in range(2):
        for j in range(2):
            ax.text(j, i, f"{matrix[i, j]:,}\n{labels[i][j]}", ha="center", va="center",
                    color="white" if matrix[i, j] > matrix.max() / 2 else "black", fontsize=9)
    ax.set(xticks=[0, 1], yticks=[0, 1], xticklabels=["granted", "refused"],
           yticklabels=["repaid", "defaulted"], xlabel="Decision", ylabel="Outcome",
           title=f"Confusion matrix at threshold {threshold:.3f}")
    fig.tight_layout()
    return fig


def cost_figure(curve: pd.DataFrame, threshold: float, cost: float) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(7, 4.2))
    shown = curve[curve["threshold"] <= 1.0]
    ax.plot(shown["threshold"], shown["cost"], color=BLUE, lw=2, label="cost per client")
    ax.axvline(threshold, color=ORANGE, ls="--", label=f"chosen threshold {threshold:.3f}")
    ax.axvline(0.5, color=GREY, ls=":", label="threshold 0.5")
    ax.scatter([threshold], [cost], color=ORANGE, zorder=3)
    ax.set(xlabel="Decision threshold (refuse when probability ≥ threshold)",
           ylabel="Business cost per client", title="Business cost versus threshold (test split)")
    ax.legend()
    fig.tight_layout()
    return fig


def calibration_figure(y: np.ndarray, proba: np.ndarray, raw: np.ndarray | None = None) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.plot([0, 1], [0, 1], color=GREY, ls="--", label="perfect calibration")
    frac, mean = calibration_curve(y, proba, n_bins=10, strategy="quantile")
    ax.plot(mean, frac, marker="o", color=BLUE, label="served model")
    if raw is not None:
        frac_r, mean_r = calibration_curve(y, raw, n_bins=10, strategy="quantile")
        ax.plot(mean_r, frac_r, marker="s", color=ORANGE, ls="-.", label="before calibration")
    ax.set(xlabel="Predicted probability of default", ylabel="Observed default rate",
           title="Reliability curve (test split)")
    ax.legend()
    fig.tight_layout()
    return fig
