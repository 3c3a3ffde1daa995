"""Global importance: mean |SHAP| per feature beside the model's own (split-gain) importance."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_scoring_kedro.explain.contributions import Contributions


def global_importance(result: Contributions, native: dict[str, float] | None,
                      dictionary: list[dict]) -> pd.DataFrame:
    """One row per feature, most important first, with its description and source table."""
    described = {e["name"]: e for e in dictionary}
    mean_abs = np.abs(result.values).mean(axis=0)
    mean_signed = result.values.mean(axis=0)
    table = pd.DataFrame({
        "feature": result.features,
        "mean_abs_shap": mean_abs,
        "mean_shap": mean_signed,
        "native_importance": [float((native or {}).get(f, np.nan)) for f in result.features],
        "description": [described.get(f, {}).get("description", "") for f in result.features],
        "source_table": [described.get(f, {}).get("source_table", "") for f in result.features],
    }).sort_values("mean_abs_shap", ascending=False, ignore_index=True)
    table["rank"] = np.arange(1, len(table) + 1)
    total = table["native_importance"].sum()
    if total and not np.isnan(total):
        table["native_importance"] = table["native_importance"] / total
    return table


def native_importance(model) -> dict[str, float] | None:
    """Split-gain importance of a LightGBM served model (None for other models)."""
    estimator = model.base.steps[-1][1]
    if type(estimator).__name__ != "LGBMClassifier":
        return None
    booster = estimator.booster_
    return dict(zip(booster.feature_name(), booster.feature_importance("gain").tolist(), strict=True))


def top_factors(result: Contributions, ids: np.ndarray, X: pd.DataFrame, k: int) -> pd.DataFrame:
    """The k contributions that raise and the k that lower each client's risk most (long table)."""
    values = result.values
    order = np.argsort(values, axis=1)
    rows = []
    features = np.asarray(result.features)
    raw = X[result.features].to_numpy(dtype=float, na_value=np.nan)
    for direction, picks in (("raises", order[:, ::-1][:, :k]), ("lowers", order[:, :k])):
        for rank in range(picks.shape[1]):
            col = picks[:, rank]
            contribution = values[np.arange(len(ids)), col]
            keep = contribution > 0 if direction == "raises" else contribution < 0
            rows.append(pd.DataFrame({
                "SK_ID_CURR": ids[keep], "direction": direction, "rank": rank + 1,
                "feature": features[col][keep], "contribution": contribution[keep],
                "encoded_value": raw[np.arange(len(ids)), col][keep],
            }))
    return pd.concat(rows, ignore_index=True).sort_values(["SK_ID_CURR", "direction", "rank"],
                                                          ignore_index=True)
