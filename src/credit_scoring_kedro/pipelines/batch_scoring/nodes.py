"""Nodes of the batch-scoring pipeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from credit_scoring_kedro.features.frames import is_spark
from credit_scoring_kedro.modeling.bundle import ModelBundle
from credit_scoring_kedro.pipelines.modeling.nodes import score_clients


def score_batch(bundle: ModelBundle, features: Any, reason_codes: dict, params: dict) -> Any:
    """Probability, decision, threshold and reason codes of every application of the batch.

    Args:
        bundle: The served champion (``model_bundle``).
        features: One row per application (``feat_scoring_batch``): a polars DataFrame, or
            a Spark DataFrame in the ``spark`` environment.
        reason_codes: The reason-code catalogue (``conf/base/reason_codes.yml``).
        params: ``params:batch_scoring``; ``run_date`` (default: today, UTC) labels a
            Spark run's output partition.

    Returns:
        ``batch_scores``: a polars DataFrame (CSV), or on Spark a lazy DataFrame with a
        ``run_date`` column, written as Parquet partitioned by it. Each row is scored by
        the same :func:`score_clients` either way.
    """
    if is_spark(features):
        from credit_scoring_kedro.spark_engine import score_on_spark

        run_date = params.get("run_date") or dt.datetime.now(dt.UTC).date().isoformat()
        return score_on_spark(bundle, features, reason_codes, str(run_date))
    return score_clients(bundle, features, reason_codes)
