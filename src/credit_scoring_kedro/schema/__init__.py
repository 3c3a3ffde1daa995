"""The raw-table contract: column names, dtypes and keys of the eight Home Credit tables.

One YAML file (``raw_tables.yml``) is the single source for ingestion, validation,
the demo-data generator and the API, so that they can never disagree on a column.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import polars as pl
import yaml

#: How a schema dtype is held once validated (nullable everywhere: the real data has gaps).
POLARS_DTYPES: dict[str, pl.DataType] = {"int": pl.Int64(), "float": pl.Float64(), "str": pl.String()}


@dataclass(frozen=True)
class TableSchema:
    """Contract of one raw table."""

    name: str
    file: str
    columns: dict[str, str]
    keys: tuple[str, ...]
    unique: tuple[str, ...]
    optional: bool
    sort_key: str | None = None

    def polars_schema(self) -> dict[str, pl.DataType]:
        """Canonical polars dtypes of the declared columns."""
        return {col: POLARS_DTYPES[kind] for col, kind in self.columns.items()}


@cache
def raw_schemas() -> dict[str, TableSchema]:
    """All table contracts, keyed by the pipeline's table name (e.g. ``pos_cash_balance``)."""
    return _read_schemas("raw_tables.yml")


@cache
def outcome_schemas() -> dict[str, TableSchema]:
    """Tables dropped in data/01_raw after deployment (``outcomes``): not Home Credit tables,
    so the demo generator, the ingestion checks and "is there raw data" ignore them."""
    return _read_schemas("outcome_tables.yml")


def _read_schemas(file: str) -> dict[str, TableSchema]:
    text = resources.files(__package__).joinpath(file).read_text(encoding="utf-8")
    spec = yaml.safe_load(text)["tables"]
    return {
        name: TableSchema(
            name=name,
            file=body["file"],
            columns=dict(body["columns"]),
            keys=tuple(body.get("keys") or ()),
            unique=tuple(body.get("unique") or ()),
            optional=bool(body.get("optional", False)),
            sort_key=body.get("sort_key"),
        )
        for name, body in spec.items()
    }


def table_schema(name: str) -> TableSchema:
    """The contract of one table; a clear error for an unknown name."""
    schemas = raw_schemas() | outcome_schemas()
    if name not in schemas:
        raise KeyError(f"Unknown Home Credit table {name!r}; known: {', '.join(schemas)}")
    return schemas[name]
