"""The contract check of a raw table: columns, dtypes, keys and TARGET, in one aggregation pass (plus a group-by per unique key).

It runs on every load so that a file replaced in ``data/01_raw`` is checked before any
feature is computed from it. Every failure names the source, the column and the problem.

The rules are written once, in narwhals expressions, and run on whichever engine read
the table: polars (the default) or Spark (``kedro run --env spark``), with the same
messages (``tests/io/test_spark_ingestion.py`` checks it).
"""

from __future__ import annotations

import logging
from typing import Any

import narwhals as nw

from credit_scoring_kedro.errors import RawDataError
from credit_scoring_kedro.features.frames import collect_rows, lazy
from credit_scoring_kedro.schema import TableSchema

logger = logging.getLogger(__name__)

_SHOWN = 5


def validate_table(frame: Any, schema: TableSchema, source: str) -> Any:
    """Check ``frame`` against ``schema`` and return it with the contract's columns and dtypes.

    Args:
        frame: The table as read (numbers may still be floats, extra columns may exist):
            a polars LazyFrame or a Spark DataFrame.
        schema: The table's contract from ``raw_tables.yml``.
        source: The file it came from, quoted in every error message.

    Returns:
        A lazy frame of the same engine with exactly the contract's columns, in order:
        ``int`` columns as Int64, ``float`` as Float64, ``str`` as String. Extra columns
        are dropped with a warning.

    Raises:
        RawDataError: A required column is missing, has the wrong type, holds a
            non-whole number where an integer is expected, a key is null or duplicated,
            TARGET is outside {0, 1}, or a required table is empty.
    """
    table = lazy(frame)
    present = table.collect_schema()
    missing = [c for c in schema.columns if c not in present]
    if missing:
        raise RawDataError(
            f"{source}: missing required column(s) {_list(missing)} "
            f"({len(present)} columns found; is this the {schema.name} table?)"
        )
    extras = [c for c in present if c not in schema.columns]
    if extras:
        logger.warning("%s: ignoring %d extra column(s) %s", source, len(extras), _list(extras))
    _check_dtypes(present, schema, source)
    queries = [table.select(_check_expressions(present, schema))]
    queries += [_duplicates(table, key) for key in schema.unique]
    stats = {k: v for row in collect_rows(queries) for k, v in row.items()}
    _raise_on_failed_checks(stats, schema, source)
    return table.select(_canonical(col, kind) for col, kind in schema.columns.items()).to_native()


def _check_dtypes(present: nw.Schema, schema: TableSchema, source: str) -> None:
    wrong = []
    for col, kind in schema.columns.items():
        dtype = present[col]
        # an all-empty column has no type yet (polars Null, Spark void): it fits any contract
        untyped = dtype == nw.Unknown
        numeric = dtype.is_numeric() or dtype == nw.Boolean
        ok = untyped or (dtype == nw.String if kind == "str" else numeric)
        if not ok:
            wrong.append(f"{col} is {dtype}, expected {kind}")
    if wrong:
        raise RawDataError(f"{source}: wrong column type(s): {'; '.join(wrong[:_SHOWN])}")


def _check_expressions(present: nw.Schema, schema: TableSchema) -> list[nw.Expr]:
    """One aggregation row: counts of each kind of bad value and the smallest bad value (the example)."""
    exprs = [nw.len().alias("rows")]
    for key in schema.keys:
        exprs.append(nw.col(key).null_count().alias(f"null:{key}"))
    for col, kind in schema.columns.items():
        if kind == "int" and present[col] in (nw.Float32, nw.Float64):
            value = nw.col(col)
            # NaN / inf parse as floats but are no whole number (the CSV said "NaN" or "inf")
            fractional = ~value.is_null() & (~value.is_finite() | (value != value.floor()))
            exprs.append(fractional.cast(nw.Int64).sum().alias(f"frac:{col}"))
            exprs.append(nw.when(fractional).then(value).min().alias(f"fracval:{col}"))
    if "TARGET" in schema.columns:
        target = nw.col("TARGET").cast(nw.Float64)
        bad = target.is_null() | ~target.is_in([0.0, 1.0])
        exprs.append(bad.cast(nw.Int64).sum().alias("badtarget"))
        exprs.append(nw.when(bad).then(target).min().alias("badtargetval"))
    return exprs


def _duplicates(table: nw.LazyFrame, key: str) -> nw.LazyFrame:
    """Rows whose ``key`` value is shared by another row, and the smallest such value."""
    return (table.group_by(key).agg(nw.len().alias("n")).filter(nw.col("n") > 1)
            .select(nw.col("n").sum().alias(f"dup:{key}"), nw.col(key).min().alias(f"dupval:{key}")))


def _raise_on_failed_checks(stats: dict, schema: TableSchema, source: str) -> None:
    problems = []
    if stats["rows"] == 0 and not schema.optional:
        problems.append("the table has a header but no rows")
    for key in schema.keys:
        if stats[f"null:{key}"]:
            problems.append(f"column {key}: {stats[f'null:{key}']} empty key value(s)")
    for key in schema.unique:
        if stats[f"dup:{key}"]:
            problems.append(
                f"column {key}: {stats[f'dup:{key}']} rows share a key that must be unique "
                f"(e.g. {_num(stats[f'dupval:{key}'])})"
            )
    for name, value in stats.items():
        if name.startswith("frac:") and value:
            col = name.removeprefix("frac:")
            problems.append(
                f"column {col}: {value} value(s) are not whole numbers "
                f"(e.g. {stats[f'fracval:{col}']}), expected int"
            )
    if stats.get("badtarget"):
        problems.append(
            f"column TARGET: {stats['badtarget']} value(s) outside {{0, 1}} "
            f"(e.g. {stats['badtargetval']})"
        )
    if problems:
        raise RawDataError(f"{source}: " + "; ".join(problems))


def _canonical(col: str, kind: str) -> nw.Expr:
    dtype = {"int": nw.Int64, "float": nw.Float64, "str": nw.String}[kind]
    return nw.col(col).cast(dtype)


def _num(value: object) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _list(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")
