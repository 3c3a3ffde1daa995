"""Where a client stands: feature distributions of all, defaulting and repaying clients.

Saved once by the explainability pipeline, read by the API and the dashboard for the
comparison charts and by the local explainer for "low / usual / high".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

QUANTILES = np.linspace(0, 1, 21)   # every 5 %: index 5 = Q1, 10 = median, 15 = Q3
BINS = 20


def feature_reference(features: pd.DataFrame, target: np.ndarray, columns: list[str]) -> dict:
    """Quantiles and histograms of each feature, overall and by outcome."""
    groups = {"all": np.ones(len(features), bool), "defaulted": target == 1, "repaid": target == 0}
    out = {}
    for column in columns:
        values = features[column]
        if not pd.api.types.is_numeric_dtype(values):
            out[column] = {"kind": "categorical", "frequencies": {
                g: values[m].fillna("(missing)").value_counts(normalize=True).round(5).to_dict()
                for g, m in groups.items()}}
            continue
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        finite = numbers[np.isfinite(numbers)]
        if finite.size == 0:
            out[column] = {"kind": "numeric", "quantiles": None, "missing_share": 1.0}
            continue
        edges = np.unique(np.quantile(finite, np.linspace(0.01, 0.99, BINS + 1)))
        entry = {"kind": "numeric", "missing_share": float(np.mean(~np.isfinite(numbers))),
                 "bin_edges": edges.tolist(), "quantiles": {}, "histogram": {}}
        for group, mask in groups.items():
            sub = numbers[mask & np.isfinite(numbers)]
            entry["quantiles"][group] = np.quantile(sub, QUANTILES).tolist() if sub.size else None
            counts = np.histogram(np.clip(sub, edges[0], edges[-1]), edges)[0] if sub.size else []
            entry["histogram"][group] = (np.asarray(counts) / max(sub.size, 1)).round(5).tolist()
        out[column] = entry
    return {"clients": int(len(features)), "default_rate": float(np.mean(target)),
            "features": out}
