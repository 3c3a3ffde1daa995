"""One feature row per application: its own columns, domain ratios and the client's history."""

from __future__ import annotations

import polars as pl

from credit_scoring_kedro.features.domain import INPUT_COLUMNS, OUTPUT_COLUMNS, domain_features

ID = "SK_ID_CURR"
TARGET = "TARGET"


def application_features(application: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """The application's columns (TARGET removed) with the domain features added.

    DAYS_EMPLOYED is replaced by its cleaned version (365243 -> missing) and the
    anomaly kept as its own flag, so the model sees both facts.
    """
    frame = application.lazy().collect() if isinstance(application, pl.LazyFrame) else application
    frame = frame.drop(TARGET, strict=False)
    inputs = {c: frame.get_column(c).to_numpy() for c in INPUT_COLUMNS if c in frame.columns}
    computed = domain_features(inputs, n=frame.height)
    added = pl.DataFrame({name: computed[name] for name in OUTPUT_COLUMNS},
                         schema={name: pl.Float64 for name in OUTPUT_COLUMNS})
    added = added.with_columns(pl.all().fill_nan(None))
    return frame.drop([c for c in OUTPUT_COLUMNS if c in frame.columns]).hstack(added)


def attach_history(features: pl.DataFrame, history: pl.DataFrame, count_columns: list[str]) -> pl.DataFrame:
    """Left-join the per-client history aggregates; a client with no history row gets zero counts."""
    joined = features.join(history, on=ID, how="left")
    present = [c for c in count_columns if c in joined.columns]
    return joined.with_columns(pl.col(present).fill_null(0.0))
