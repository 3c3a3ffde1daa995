"""Nodes of the explainability pipeline: SHAP values of the served model and global importance."""

from __future__ import annotations

import logging
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402

from credit_scoring_kedro.explain.contributions import contributions  # noqa: E402
from credit_scoring_kedro.explain.importance import (  # noqa: E402
    global_importance,
    native_importance,
    top_factors,
)
from credit_scoring_kedro.explain.reference import feature_reference  # noqa: E402
from credit_scoring_kedro.modeling.bundle import ModelBundle  # noqa: E402

logger = logging.getLogger(__name__)
ID = "SK_ID_CURR"
BLUE, ORANGE = "#0072B2", "#E69F00"


def _explain(bundle: ModelBundle, features: pd.DataFrame, params: dict):
    started = time.perf_counter()
    encoded = bundle.encoder.transform(features)
    result = contributions(bundle.model, encoded)
    check = bundle.model.predict_proba(encoded.head(200))[:, 1]
    if result.space == "calibrated log-odds":
        gap = np.abs(result.log_odds[:200] - np.log(check / (1 - check))).max()
        if gap > params["additivity_tolerance"]:
            raise ValueError(f"SHAP values do not add up to the model output (gap {gap:.2e})")
    logger.info("SHAP values of %d clients x %d features in %.1f s (%s)", len(features),
                len(result.features), time.perf_counter() - started, result.space)
    ids = features[ID].to_numpy()
    shap_frame = pd.concat([pd.DataFrame({ID: ids, "base_value": result.base_value}),
                            result.frame()], axis=1)
    factors = top_factors(result, ids, encoded, params["top_factors"])
    return result, shap_frame, factors


def explain_test_split(bundle: ModelBundle, X_test: pd.DataFrame, params: dict):
    """SHAP values and top factors of the held-out clients (the global picture comes from them)."""
    _, shap_frame, factors = _explain(bundle, X_test, params)
    return shap_frame, factors


def explain_new_clients(bundle: ModelBundle, features: pl.DataFrame, params: dict):
    """SHAP values and top factors of application_test, the 'new clients in production'."""
    _, shap_frame, factors = _explain(bundle, features.to_pandas(), params)
    return shap_frame, factors


def summarise_importance(bundle: ModelBundle, shap_test: pd.DataFrame, X_test: pd.DataFrame,
                         dictionary: list[dict], params: dict):
    """Global importance: table (mean |SHAP| beside native importance), bar, beeswarm, plotly."""
    import plotly.graph_objects as go
    import shap

    from credit_scoring_kedro.explain.contributions import Contributions

    features = [c for c in shap_test.columns if c not in (ID, "base_value")]
    result = Contributions(values=shap_test[features].to_numpy(),
                           base_value=float(shap_test["base_value"].iloc[0]),
                           features=features, space="")
    table = global_importance(result, native_importance(bundle.model), dictionary)
    top_n = params["figure_top_n"]
    top = table.head(top_n).iloc[::-1]
    bar, ax = plt.subplots(figsize=(8, 0.32 * len(top) + 1.2))
    ax.barh(top["feature"], top["mean_abs_shap"], color=BLUE)
    ax.set(xlabel="Mean |contribution| to the risk score (log-odds)",
           title=f"Global importance: the {len(top)} features that move the score most")
    bar.tight_layout()
    encoded = bundle.encoder.transform(X_test.set_index(ID).loc[shap_test[ID]].reset_index())
    explanation = shap.Explanation(values=result.values, base_values=result.base_value,
                                   data=encoded[features].to_numpy(), feature_names=features)
    plt.figure()
    shap.plots.beeswarm(explanation, max_display=top_n, show=False,
                        color=plt.get_cmap("cividis"))  # colour-blind safe: yellow high, blue low
    beeswarm = plt.gcf()
    beeswarm.suptitle("Each dot is a client; colour = the feature's value (yellow high, blue low)")
    beeswarm.set_size_inches(10, 0.35 * top_n + 2)
    beeswarm.tight_layout()
    interactive = go.Figure(go.Bar(
        x=top["mean_abs_shap"], y=top["feature"], orientation="h", marker_color=BLUE,
        customdata=top[["description", "source_table"]].to_numpy(),
        hovertemplate="%{y}<br>%{customdata[0]}<br>source: %{customdata[1]}"
                      "<br>mean |contribution|: %{x:.3f}<extra></extra>"))
    interactive.update_layout(title="Global importance (mean |SHAP|)",
                              xaxis_title="Mean |contribution| (log-odds)", height=24 * len(top) + 120)
    logger.info("most important features: %s", ", ".join(table["feature"].head(5)))
    return table, bar, beeswarm, interactive


def build_feature_reference(bundle: ModelBundle, features: pl.DataFrame, flags: pl.DataFrame) -> dict:
    """Distributions of every model feature for all, defaulting and repaying training clients."""
    frame = features.join(flags, on=ID, how="inner").to_pandas()
    return feature_reference(frame, frame["TARGET"].to_numpy(), bundle.features)


def build_similarity_index(bundle: ModelBundle, features: pl.DataFrame, flags: pl.DataFrame,
                           importance: pd.DataFrame, params: dict) -> tuple[pd.DataFrame, dict]:
    """Standardised top features of every training client, to find a client's nearest peers.

    Returns the table (SK_ID_CURR, TARGET, one column per feature) and its spec (features,
    means and standard deviations) so that a new client is standardised the same way.
    """
    frame = features.join(flags, on=ID, how="inner").to_pandas()
    numeric = [f for f in importance["feature"] if f not in bundle.encoder.categories_]
    columns = numeric[: params["similarity_features"]]
    values = frame[columns].astype(float)
    means, stds = values.mean(), values.std().replace(0, 1.0).fillna(1.0)
    standardised = ((values - means) / stds).fillna(0.0).astype("float32")
    table = pd.concat([frame[[ID, "TARGET"]].reset_index(drop=True),
                       standardised.reset_index(drop=True)], axis=1)
    spec = {"features": columns, "mean": means.fillna(0.0).tolist(), "std": stds.tolist(),
            "missing_as": "population mean (0 after standardisation)"}
    return table, spec
