"""Minimal valid raw tables built from the contract, to corrupt one thing at a time."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from credit_scoring_kedro.schema import table_schema


def valid_table(name: str, rows: int = 4, first_id: int = 100_001) -> pl.DataFrame:
    """``rows`` rows with every contract column; keys unique, TARGET in {0, 1}."""
    cols = {}
    for column, kind in table_schema(name).columns.items():
        if column in ("SK_ID_CURR", "SK_ID_BUREAU", "SK_ID_PREV"):
            cols[column] = [first_id + i for i in range(rows)]
        elif column == "TARGET":
            cols[column] = [i % 2 for i in range(rows)]
        elif kind == "int":
            cols[column] = [i for i in range(rows)]
        elif kind == "float":
            cols[column] = [0.5 + i for i in range(rows)]
        else:
            cols[column] = ["x"] * rows
    return pl.DataFrame(cols)


def write_csv(frame: pl.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path)
    return path


