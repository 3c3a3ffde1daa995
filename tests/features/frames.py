"""Tiny history tables with every contract column: unspecified columns are missing."""

from __future__ import annotations

import polars as pl

from credit_scoring_kedro.schema import table_schema


def table(name: str, **columns: list) -> pl.LazyFrame:
    """A LazyFrame of ``name`` with the given columns and nulls elsewhere, in contract dtypes."""
    n = len(next(iter(columns.values())))
    schema = table_schema(name).polars_schema()
    data = {c: pl.Series(c, columns.get(c, [None] * n), dtype=dtype) for c, dtype in schema.items()}
    return pl.DataFrame(data).lazy()


def by_client(frame: pl.LazyFrame) -> dict[int, dict]:
    """Collected aggregates keyed by SK_ID_CURR."""
    return {row["SK_ID_CURR"]: row for row in frame.collect().iter_rows(named=True)}
