"""The contract check of a raw table: columns, dtypes, keys and TARGET, in one pass over the data.

It runs on every load so that a file replaced in ``data/01_raw`` is checked before any
feature is computed from it. Every failure names the source, the column and the problem.
"""

from __future__ import annotations

import logging

import polars as pl

from credit_scoring_kedro.errors import RawDataError
from credit_scoring_kedro.schema import TableSchema

logger = logging.getLogger(__name__)

_NUMERIC = (pl.Float32, pl.Float64, pl.Int8, pl.Int16, pl.Int32, pl.Int64,
            pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64, pl.Boolean)
_SHOWN = 5


def validate_table(frame: pl.LazyFrame, schema: TableSchema, source: str) -> pl.LazyFrame:
    """Check ``frame`` against ``schema`` and return it with the contract's columns and dtypes.

    Args:
        frame: The table as read (numbers may still be floats, extra columns may exist).
        schema: The table's contract from ``raw_tables.yml``.
        source: The file it came from, quoted in every error message.

    Returns:
        A lazy frame with exactly the contract's columns, in order: ``int`` columns as
        Int64, ``float`` as Float64, ``str`` as String. Extra columns are dropped with a warning.

    Raises:
        RawDataError: A required column is missing, has the wrong type, holds a
            non-whole number where an integer is expected, a key is null or duplicated,
            TARGET is outside {0, 1}, or a required table is empty.
    """
    present = frame.collect_schema()
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
    stats = frame.select(_check_expressions(present, schema)).collect().row(0, named=True)
    _raise_on_failed_checks(stats, schema, source)
    return frame.select(_canonical(col, kind) for col, kind in schema.columns.items())


def _check_dtypes(present: pl.Schema, schema: TableSchema, source: str) -> None:
    wrong = []
    for col, kind in schema.columns.items():
        dtype = present[col]
        ok = dtype == pl.String if kind == "str" else isinstance(dtype, _NUMERIC) or dtype == pl.Null
        if kind == "str" and dtype == pl.Null:
            ok = True
        if not ok:
            wrong.append(f"{col} is {dtype}, expected {kind}")
    if wrong:
        raise RawDataError(f"{source}: wrong column type(s): {'; '.join(wrong[:_SHOWN])}")


def _check_expressions(present: pl.Schema, schema: TableSchema) -> list[pl.Expr]:
    exprs = [pl.len().alias("rows")]
    for key in schema.keys:
        exprs.append(pl.col(key).null_count().alias(f"null:{key}"))
    for key in schema.unique:
        exprs.append(pl.col(key).is_duplicated().sum().alias(f"dup:{key}"))
        exprs.append(pl.col(key).filter(pl.col(key).is_duplicated()).first().alias(f"dupval:{key}"))
    for col, kind in schema.columns.items():
        if kind == "int" and present[col] in (pl.Float32, pl.Float64):
            value = pl.col(col)
            # NaN / inf parse as floats but are no whole number (the CSV said "NaN" or "inf")
            fractional = value.is_not_null() & (value.is_nan() | value.is_infinite()
                                                | (value != value.floor()))
            exprs.append(fractional.sum().alias(f"frac:{col}"))
            exprs.append(pl.col(col).filter(fractional).first().alias(f"fracval:{col}"))
    if "TARGET" in schema.columns:
        target = pl.col("TARGET").cast(pl.Float64)
        bad = target.is_null() | ~target.is_in([0.0, 1.0])
        exprs.append(bad.sum().alias("badtarget"))
        exprs.append(target.filter(bad).first().alias("badtargetval"))
    return exprs


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


def _canonical(col: str, kind: str) -> pl.Expr:
    dtype = {"int": pl.Int64, "float": pl.Float64, "str": pl.String}[kind]
    return pl.col(col).cast(dtype)


def _num(value: object) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _list(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")
