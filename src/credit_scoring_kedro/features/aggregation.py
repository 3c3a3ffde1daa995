"""A small declarative language for per-client aggregates of a history table.

Each history table is described once as a :class:`Family` (which columns, which
statistics, which subsets such as "active credits only", which category shares).
The same description produces the aggregation and the feature dictionary, so a
feature can never exist without its plain-language description.

The aggregation is written in narwhals expressions: one definition that runs on polars
(the default engine) and on PySpark (``kedro run --env spark``), with the same
meaning on both (a sum over unknown values stays unknown, a variance is the sample
variance, a count of distinct values ignores unknowns). ``tests/features/test_engines.py``
checks that the two engines give the same table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw

from credit_scoring_kedro.features.frames import lazy

#: Statistic name -> how it is computed over the rows of one client (narwhals: any engine).
#: Inputs are Float64 columns (see :meth:`Family.prepare`) and every result is Float64.
STATISTICS: dict[str, Callable[[nw.Expr], nw.Expr]] = {
    "min": lambda e: e.min(),
    "max": lambda e: e.max(),
    "mean": lambda e: e.mean(),
    # a sum over values that are all unknown stays unknown (a plain sum would say 0.0): the
    # model must tell "no debt" from "debt not reported"
    "sum": lambda e: nw.when(e.count() > 0).then(e.sum()),
    "var": lambda e: e.var(ddof=1),
    # distinct known values: an unknown value is not one more version
    "nunique": lambda e: (e.n_unique() - e.is_null().any().cast(nw.Int64)).cast(nw.Float64),
}


@dataclass(frozen=True)
class AggregateFeature:
    """What one aggregate column means: enough to describe it to a non-specialist."""

    name: str
    table: str
    column: str | None
    statistic: str  # a key of STATISTICS, "share" or "count"
    scope: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Scope:
    """A subset of a client's history rows, e.g. active credits only."""

    name: str
    condition: nw.Expr
    numeric: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Family:
    """The aggregates of one history table, grouped by ``by`` (normally SK_ID_CURR)."""

    table: str
    prefix: str
    numeric: dict[str, tuple[str, ...]]
    shares: dict[str, tuple[str, ...]] = field(default_factory=dict)
    scopes: tuple[Scope, ...] = ()
    by: str = "SK_ID_CURR"
    count: bool = True

    def features(self) -> list[AggregateFeature]:
        """Every output column with its meaning, in output order."""
        out = []
        if self.count:
            out.append(AggregateFeature(f"{self.prefix}_COUNT", self.table, None, "count"))
        out += _numeric_features(self, self.numeric, None)
        for column, labels in self.shares.items():
            for label in labels:
                out.append(AggregateFeature(
                    f"{self.prefix}_{column}_{_slug(label)}_SHARE", self.table, column, "share",
                    label=label,
                ))
        for scope in self.scopes:
            out.append(AggregateFeature(f"{self.prefix}_{scope.name}_COUNT", self.table, None,
                                        "count", scope=scope.name))
            out += _numeric_features(self, scope.numeric, scope.name)
        return out

    def prepare(self, frame: nw.LazyFrame) -> nw.LazyFrame:
        """Row-level columns the aggregation reads: floats, scoped copies, category flags.

        Computing them before ``group_by`` keeps every aggregate a plain column
        statistic, which polars runs on its fast grouped kernels (a ``filter`` inside
        ``agg`` would be evaluated group by group, several times slower) and Spark
        as one hash aggregation.
        """
        columns = [nw.col(c).cast(nw.Float64).alias(_float(c)) for c in _all_numeric(self)]
        for column, labels in self.shares.items():
            for label in labels:
                # a missing category counts as "not this label": shares are of all rows
                columns.append((nw.col(column) == label).fill_null(False).cast(nw.Float64)
                               .alias(_flag(column, label)))
        for scope in self.scopes:
            columns.append(scope.condition.cast(nw.Float64).alias(_flag("SCOPE", scope.name)))
            for column in scope.numeric:
                columns.append(nw.when(scope.condition).then(nw.col(column).cast(nw.Float64))
                               .alias(_scoped(column, scope.name)))
        return frame.select(nw.col(self.by), *columns)

    def expressions(self) -> list[nw.Expr]:
        """The aggregation expressions over :meth:`prepare`'s columns, aligned with :meth:`features`."""
        exprs = []
        if self.count:
            exprs.append(nw.len().cast(nw.Float64).alias(f"{self.prefix}_COUNT"))
        exprs += _numeric_exprs(self.prefix, self.numeric, _float)
        for column, labels in self.shares.items():
            for label in labels:
                exprs.append(nw.col(_flag(column, label)).mean()
                             .alias(f"{self.prefix}_{column}_{_slug(label)}_SHARE"))
        for scope in self.scopes:
            exprs.append(nw.col(_flag("SCOPE", scope.name)).sum()
                         .alias(f"{self.prefix}_{scope.name}_COUNT"))
            exprs += _numeric_exprs(f"{self.prefix}_{scope.name}", scope.numeric,
                                    lambda c, s=scope.name: _scoped(c, s))
        return exprs

    def aggregate(self, frame: Any) -> Any:
        """One row per ``by`` key; float columns only, so the model sees one dtype.

        ``frame`` is a polars LazyFrame or a Spark DataFrame (or a narwhals frame over
        either); the result is a lazy query of the same engine.
        """
        return self.prepare(lazy(frame)).group_by(self.by).agg(self.expressions()).to_native()


def _all_numeric(family: Family) -> list[str]:
    return list(dict.fromkeys(family.numeric))


def _float(column: str) -> str:
    return f"__f_{column}"


def _flag(column: str, label: str) -> str:
    return f"__is_{column}_{label}"


def _scoped(column: str, scope: str) -> str:
    return f"__{scope}_{column}"


def _numeric_features(family: Family, numeric: dict[str, tuple[str, ...]], scope: str | None):
    prefix = f"{family.prefix}_{scope}" if scope else family.prefix
    return [
        AggregateFeature(f"{prefix}_{column}_{stat.upper()}", family.table, column, stat, scope=scope)
        for column, stats in numeric.items()
        for stat in stats
    ]


def _numeric_exprs(prefix: str, numeric: dict[str, tuple[str, ...]], source_name) -> list[nw.Expr]:
    # no cast around a statistic: polars fuses `when(count > 0).then(sum)` into one grouped
    # kernel only when nothing wraps it (a cast made it a per-group branch)
    return [
        STATISTICS[stat](nw.col(source_name(column)))
        .alias(f"{prefix}_{column}_{stat.upper()}")
        for column, stats in numeric.items()
        for stat in stats
    ]


def _slug(label: str) -> str:
    """'Bad debt' -> 'BAD_DEBT', 'Returned to the store' -> 'RETURNED_TO_THE_STORE'."""
    out = "".join(ch if ch.isalnum() else "_" for ch in label.upper())
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_")
