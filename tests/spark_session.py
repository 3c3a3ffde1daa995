"""One local Spark session per test process, configured by conf/spark/spark.yml (the `spark` env).

Tests that need Spark call :func:`spark_or_skip`: without pyspark or a Java runtime they are
skipped with the reason and the command that installs what is missing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


@cache
def _session():
    from credit_scoring_kedro import settings
    from credit_scoring_kedro.spark_engine import start_session

    # the project's own loader arguments (resolvers, patterns), as `kedro run --env spark`
    conf = settings.CONFIG_LOADER_CLASS(conf_source=str(PROJECT / "conf"), env="spark",
                                        **settings.CONFIG_LOADER_ARGS)["spark"]
    return start_session(conf)


def spark_or_skip():
    """The shared local[2] session, or a skip saying what is missing."""
    from credit_scoring_kedro.spark_engine import spark_unavailable_reason

    reason = spark_unavailable_reason()
    if reason:
        pytest.skip(f"Spark tests need pyspark and Java 17+: {reason}")
    return _session()


def to_polars(frame):
    """A Spark DataFrame (or a polars one) as a polars DataFrame."""
    import polars as pl

    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if isinstance(frame, pl.DataFrame):
        return frame
    return pl.from_arrow(frame.toArrow())


def assert_same_table(expected, actual, rel: float = 1e-9) -> None:
    """Same columns in the same order, same dtypes, same missing values, numbers within ``rel``.

    Rows are compared in the order given (both engines write clients in id order).
    """
    import numpy as np
    import polars as pl

    a, b = to_polars(expected), to_polars(actual)
    assert a.columns == b.columns
    assert a.height == b.height
    problems = []
    for c in a.columns:
        x, y = a.get_column(c), b.get_column(c)
        if x.dtype != y.dtype:
            problems.append(f"{c}: dtype {x.dtype} vs {y.dtype}")
        elif x.dtype.is_numeric():
            u, v = x.cast(pl.Float64).to_numpy(), y.cast(pl.Float64).to_numpy()
            if not np.array_equal(np.isnan(u), np.isnan(v)):
                problems.append(f"{c}: missing in different rows")
                continue
            known = ~np.isnan(u)
            scale = np.maximum(np.abs(u[known]), np.abs(v[known]))
            off = np.abs(u[known] - v[known]) > rel * scale
            if off.any():
                problems.append(f"{c}: {int(off.sum())} value(s) differ by more than {rel:g} relative")
        elif x.to_list() != y.to_list():
            problems.append(f"{c}: values differ")
    assert not problems, problems[:10]
