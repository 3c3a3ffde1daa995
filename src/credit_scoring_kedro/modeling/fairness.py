"""Does the model treat groups of clients alike? Rates per gender and age band on held-out clients.

The model never reads the protected attributes, yet it can still treat their groups
differently through correlated features; only measuring tells. For each attribute, per
group: approval rate, false-negative rate (defaulters granted), false-positive rate
(good clients refused), AUC; across groups: fairlearn's demographic-parity and
equalized-odds differences and the lowest approval rate divided by the highest, flagged
under 0.8 (the "four-fifths rule" of US fair-lending and employment practice).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    equalized_odds_difference,
    false_negative_rate,
    false_positive_rate,
)
from sklearn.metrics import roc_auc_score

DAYS_PER_YEAR = 365.25


def age_bands(days_birth: pd.Series, edges: list[int]) -> pd.Series:
    """DAYS_BIRTH (negative days) -> "under 30", "30-39", ..., "60 and over"."""
    years = -days_birth.astype(float) / DAYS_PER_YEAR
    labels = [f"under {edges[0]}"] + [f"{a}-{b - 1}" for a, b in zip(edges, edges[1:], strict=False)]
    labels.append(f"{edges[-1]} and over")
    bands = pd.cut(years, [-math.inf, *edges, math.inf], right=False, labels=labels)
    return bands.astype(str).where(years.notna(), "unknown")


def _auc(y_true, y_score) -> float:
    return float(roc_auc_score(y_true, y_score)) if len(set(y_true)) == 2 else float("nan")


def _approval_rate(y_true, y_pred) -> float:
    return float(1.0 - np.mean(y_pred))


def group_report(y_true: np.ndarray, refused: np.ndarray, probability: np.ndarray,
                 groups: pd.Series, min_group_size: int, four_fifths: float) -> dict:
    """One attribute's table and disparity figures.

    ``refused`` is the model's positive prediction (1 = refused), so a false negative is a
    defaulter granted a loan and a false positive a good client refused. Groups smaller than
    ``min_group_size`` are listed but left out of the differences and the ratio: their
    rates are noise.
    """
    y_true, refused = np.asarray(y_true, dtype=int), np.asarray(refused, dtype=int)
    frame = MetricFrame(
        metrics={"count": count, "approval_rate": _approval_rate,
                 "false_negative_rate": false_negative_rate,
                 "false_positive_rate": false_positive_rate},
        y_true=y_true, y_pred=refused, sensitive_features=groups.to_numpy())
    auc = MetricFrame(metrics=_auc, y_true=y_true, y_pred=np.asarray(probability, dtype=float),
                      sensitive_features=groups.to_numpy()).by_group
    table = frame.by_group
    defaults = pd.Series(y_true).groupby(groups.to_numpy()).mean()
    rows = {str(g): {"clients": int(r["count"]), "default_rate": float(defaults[g]),
                     "approval_rate": float(r["approval_rate"]),
                     "false_negative_rate": _number(r["false_negative_rate"]),
                     "false_positive_rate": _number(r["false_positive_rate"]),
                     "auc": _number(auc[g]),
                     "compared": bool(r["count"] >= min_group_size)}
            for g, r in table.iterrows()}
    kept = groups.isin([g for g, r in rows.items() if r["compared"]]).to_numpy()
    out: dict = {"groups": rows}
    compared = [r for r in rows.values() if r["compared"]]
    if len(compared) >= 2:
        rates = [r["approval_rate"] for r in compared]
        ratio = min(rates) / max(rates) if max(rates) > 0 else float("nan")
        sensitive = groups.to_numpy()[kept]
        out |= {
            "demographic_parity_difference": float(demographic_parity_difference(
                y_true[kept], refused[kept], sensitive_features=sensitive)),
            "equalized_odds_difference": float(equalized_odds_difference(
                y_true[kept], refused[kept], sensitive_features=sensitive)),
            "approval_rate_ratio": float(ratio),
            "four_fifths_flag": bool(ratio < four_fifths),
        }
    else:
        out |= {"demographic_parity_difference": None, "equalized_odds_difference": None,
                "approval_rate_ratio": None, "four_fifths_flag": False}
    return out


def fairness_report(predictions: pd.DataFrame, attributes: pd.DataFrame,
                    params: Mapping) -> dict:
    """The report of every protected or monitored attribute on the held-out split.

    Args:
        predictions: SK_ID_CURR, TARGET, probability, decision ("refused"/"granted").
        attributes: SK_ID_CURR and the raw columns the groups come from (CODE_GENDER,
            DAYS_BIRTH), joined on SK_ID_CURR.
        params: ``params:modeling.fairness``: ``attributes`` (column -> "category" or
            "age_band"), ``age_band_edges``, ``min_group_size``, ``four_fifths``.
    """
    frame = predictions.merge(attributes, on="SK_ID_CURR", how="left", validate="one_to_one")
    refused = (frame["decision"] == "refused").to_numpy()
    report = {"clients": len(frame), "threshold_decisions": "refused = probability >= threshold",
              "four_fifths": params["four_fifths"], "min_group_size": params["min_group_size"],
              "attributes": {}}
    for column, kind in params["attributes"].items():
        if column not in frame.columns:
            continue
        if kind == "age_band":
            groups, name = age_bands(frame[column], params["age_band_edges"]), "age_band"
        else:
            groups, name = frame[column].astype(str).where(frame[column].notna(), "unknown"), column
        entry = group_report(frame["TARGET"].to_numpy(), refused,
                             frame["probability"].to_numpy(), groups,
                             params["min_group_size"], params["four_fifths"])
        entry["groups"] = dict(sorted(entry["groups"].items(), key=lambda g: _order(g[0])))
        report["attributes"][name] = {"column": column, **entry}
    return report


def _order(group: str) -> tuple[int, str]:
    """Reading order: "under 30" before "30-39", "unknown" last (the rest as they sort)."""
    return (0 if group.startswith("under ") else 2 if group == "unknown" else 1, group)


def fairness_metrics(report: dict) -> dict:
    """The disparity figures as MLflow metrics (``fairness_<attribute>_<figure>``)."""
    out = {}
    for name, entry in report["attributes"].items():
        for key in ("demographic_parity_difference", "equalized_odds_difference",
                    "approval_rate_ratio"):
            if entry.get(key) is not None:
                out[f"fairness_{name}_{key}"] = {"value": float(entry[key]), "step": 0}
    return out


def _number(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value
