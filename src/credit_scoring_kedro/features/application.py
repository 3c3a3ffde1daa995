"""One feature row per application: its own columns, domain ratios and the client's history."""

from __future__ import annotations

from typing import Any

import narwhals as nw
import polars as pl

from credit_scoring_kedro.features.domain import INPUT_COLUMNS, OUTPUT_COLUMNS, domain_features
from credit_scoring_kedro.features.frames import is_spark

ID = "SK_ID_CURR"
TARGET = "TARGET"


def application_features(application: Any) -> Any:
    """The application's columns (TARGET removed) with the domain features added.

    DAYS_EMPLOYED is replaced by its cleaned version (365243 -> missing) and the
    anomaly kept as its own flag, so the model sees both facts. On a Spark DataFrame
    the same NumPy function runs on each partition's Arrow batches
    (:func:`credit_scoring_kedro.spark_engine.domain_features_on_spark`).
    """
    if is_spark(application):
        from credit_scoring_kedro.spark_engine import domain_features_on_spark

        return domain_features_on_spark(application)
    frame = application.lazy().collect() if isinstance(application, pl.LazyFrame) else application
    frame = frame.drop(TARGET, strict=False)
    inputs = {c: frame.get_column(c).to_numpy() for c in INPUT_COLUMNS if c in frame.columns}
    computed = domain_features(inputs, n=frame.height)
    added = pl.DataFrame({name: computed[name] for name in OUTPUT_COLUMNS},
                         schema={name: pl.Float64 for name in OUTPUT_COLUMNS})
    added = added.with_columns(pl.all().fill_nan(None))
    return frame.drop([c for c in OUTPUT_COLUMNS if c in frame.columns]).hstack(added)


def attach_history(features: Any, history: Any, count_columns: list[str]) -> Any:
    """Left-join the per-client history aggregates; a client with no history row gets zero counts.

    Polars DataFrames in, a polars DataFrame out, joined eagerly as polars always did (the
    applications' order kept); Spark DataFrames in, a lazy Spark DataFrame out.
    """
    joined = nw.from_native(features).join(nw.from_native(history), on=ID, how="left")
    present = [c for c in count_columns if c in joined.collect_schema()]
    out = joined.with_columns(nw.col(*present).fill_null(0.0)) if present else joined
    return out.to_native()
