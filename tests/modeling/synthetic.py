"""Small synthetic feature tables: a default risk that the features really carry."""

from __future__ import annotations

import numpy as np
import polars as pl


def synthetic_features(n: int, seed: int = 0, first_id: int = 100_000) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(features, default_flags) with a numeric signal, a categorical signal and missing values."""
    rng = np.random.default_rng(seed)
    ext = rng.random(n)
    income = rng.lognormal(11.5, 0.5, n)
    contract = rng.choice(["Cash loans", "Revolving loans"], n, p=[0.9, 0.1])
    logit = -2.6 - 3.0 * (ext - 0.5) + 0.8 * (contract == "Revolving loans")
    target = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    ext_missing = np.where(rng.random(n) < 0.3, np.nan, ext)
    ids = np.arange(first_id, first_id + n)
    features = pl.DataFrame({
        "SK_ID_CURR": ids,
        "NAME_CONTRACT_TYPE": contract,
        "AMT_INCOME_TOTAL": income,
        "EXT_SOURCE_3": ext_missing,
        "EXT_SOURCE_2": np.clip(ext + rng.normal(0, 0.2, n), 0, 1),
        "NOISE": rng.normal(size=n),
    }).with_columns(pl.col("EXT_SOURCE_3").fill_nan(None))
    flags = pl.DataFrame({"SK_ID_CURR": ids, "TARGET": target})
    return features, flags
