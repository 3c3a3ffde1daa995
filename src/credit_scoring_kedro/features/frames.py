"""The few places where the two engines differ in execution, never in meaning.

The feature definitions are written once as narwhals expressions, which run on polars
(the default, one machine) and on PySpark (the ``spark`` Kedro environment). What a
definition computes is the same on both; *how* a result is materialised is not:

- polars collects a lazy query with its streaming engine and keeps a sorted file's
  row order through a join (the per-client aggregation then reads memory in order);
- Spark stays lazy until a Spark dataset writes the result, and has no row order.

Every function here takes and returns native frames (polars or Spark) unless it says
otherwise; nothing here imports pyspark, so the default path never needs it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import narwhals as nw
import polars as pl

logger = logging.getLogger(__name__)


def lazy(frame: Any) -> nw.LazyFrame:
    """A narwhals LazyFrame over a polars (Lazy)DataFrame, a Spark DataFrame or a narwhals frame."""
    wrapped = nw.from_native(frame)
    return wrapped.lazy() if isinstance(wrapped, nw.DataFrame) else wrapped


def is_spark(frame: Any) -> bool:
    """True for a Spark DataFrame (or a narwhals frame over one)."""
    native = nw.to_native(frame) if isinstance(frame, nw.LazyFrame | nw.DataFrame) else frame
    return type(native).__module__.startswith("pyspark.")


def left_join_in_order(left: nw.LazyFrame, right: nw.LazyFrame, on: str) -> nw.LazyFrame:
    """``left`` with ``right``'s columns attached on ``on``.

    On polars the left frame's row order is kept (the raw Parquet copies are sorted by
    client, and the per-client group-by is about three times faster on sorted rows);
    Spark has no row order to keep.
    """
    if left.implementation is nw.Implementation.POLARS:
        joined = left.to_native().join(right.to_native(), on=on, how="left",
                                       maintain_order="left")
        return nw.from_native(joined)
    return left.join(right, on=on, how="left")


def materialise(name: str, frame: Any, order_by: str | None = None) -> Any:
    """A node's result: polars queries are run (streaming engine), Spark ones stay lazy.

    A Spark result is computed where it is written (a ``spark.SparkDatasetV2`` in the
    ``spark`` environment), as one Spark job per output. ``order_by`` sorts a Spark
    result so that its Parquet parts, read in name order, give the rows in the order the
    polars path writes them (clients in id order, from the sorted raw copies); the polars
    path keeps that order through its joins and is not sorted again.
    """
    native = nw.to_native(frame) if isinstance(frame, nw.LazyFrame | nw.DataFrame) else frame
    if is_spark(native):
        return native.orderBy(order_by) if order_by else native
    if not isinstance(native, pl.LazyFrame):
        return native
    started = time.perf_counter()
    out = native.collect(engine="streaming")
    logger.info("%s: %d clients x %d features in %.1f s", name, out.height, out.width - 1,
                time.perf_counter() - started)
    return out


def collect_rows(frames: list[nw.LazyFrame]) -> list[dict]:
    """The first row of each small query, as a dict; polars runs them in parallel."""
    natives = [f.to_native() for f in frames]
    if all(isinstance(n, pl.LazyFrame) for n in natives):
        return [f.row(0, named=True) for f in pl.collect_all(natives)]
    return [f.collect().rows(named=True)[0] for f in frames]


def has_rows(frame: Any) -> bool:
    """Whether a frame has at least one row (reads one row of a lazy or Spark frame)."""
    native = nw.to_native(frame) if isinstance(frame, nw.LazyFrame | nw.DataFrame) else frame
    if isinstance(native, pl.DataFrame):
        return native.height > 0
    return lazy(native).head(1).collect().shape[0] > 0
