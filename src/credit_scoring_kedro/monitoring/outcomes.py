"""Realised performance: logged decisions joined to the defaults observed later, and the alerts.

Drift says the clients changed; only outcomes say the model got worse. Each observed outcome
(``raw_outcomes``: SK_ID_CURR, DEFAULTED, OBSERVED_AT) is matched to the client's last logged
decision. The model's own decision is read from the probability and the row's threshold, so
decisions taken under the review switch count as the model decided them.

Caveat for real traffic: a refused client never shows whether they would have repaid, so on
production data the realised AUC and cost cover the granted clients only (a narrower, harder
population: the realised AUC reads lower than the held-out AUC for that reason alone). The
simulator writes outcomes for every client, refused ones included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from credit_scoring_kedro.modeling.cost import CostWeights, business_cost


def attach_outcomes(traffic: pd.DataFrame, outcomes: pd.DataFrame) -> pd.Series:
    """Observed default (1/0, NaN when unknown) of each decision: the client's last one only."""
    observed = outcomes.drop_duplicates("SK_ID_CURR", keep="last").set_index("SK_ID_CURR")
    last = ~traffic["client_id"].duplicated(keep="last") & traffic["client_id"].notna()
    values = traffic["client_id"].map(observed["DEFAULTED"]).astype("float64")
    return values.where(last)


def realised_performance(probability: np.ndarray, threshold: np.ndarray, defaulted: np.ndarray,
                         weights: CostWeights, min_outcomes: int) -> dict:
    """Realised AUC, default rate among granted clients and business cost per decision.

    Computed on the decisions with an observed outcome; None below ``min_outcomes`` of them
    (or without both classes for the AUC): too few to judge.
    """
    known = ~np.isnan(defaulted)
    y = defaulted[known].astype(int)
    refused = probability[known] >= threshold[known]
    out = {"outcomes": int(known.sum()), "realised_auc": None,
           "default_rate_granted": None, "realised_cost": None}
    if out["outcomes"] < min_outcomes:
        return out
    if 0 < y.sum() < len(y):
        out["realised_auc"] = float(roc_auc_score(y, probability[known]))
    if (~refused).any():
        out["default_rate_granted"] = float(y[~refused].mean())
    out["realised_cost"] = business_cost(y, refused, weights)
    return out


def performance_alerts(window: dict, heldout_auc: float | None, auc_tolerance: float,
                       max_cost: float | None) -> list[str]:
    """Why a window's realised performance calls for attention (empty when it does not)."""
    alerts = []
    auc = window.get("realised_auc")
    if auc is not None and heldout_auc is not None and auc < heldout_auc - auc_tolerance:
        alerts.append(f"realised AUC {auc:.3f} below the held-out {heldout_auc:.3f} by more "
                      f"than {auc_tolerance:g}")
    cost = window.get("realised_cost")
    if cost is not None and max_cost is not None and cost > max_cost:
        alerts.append(f"realised cost {cost:.3f} per decision above the {max_cost:.3f} limit")
    return alerts
