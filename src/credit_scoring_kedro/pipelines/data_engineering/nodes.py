"""Nodes of the data-engineering pipeline: pure functions from tables to tables.

Raw tables arrive already checked against their contract (the catalog's
``HomeCreditTableDataset`` validates on load), as polars LazyFrames; in the ``spark``
environment (``SparkHomeCreditTableDataset``) as Spark DataFrames. The nodes are the
same for both: they are written with narwhals, and the engine is whichever one the
catalog loaded the tables with.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import narwhals as nw
import pandas as pd

from credit_scoring_kedro.errors import RawDataError
from credit_scoring_kedro.features.application import (
    ID,
    TARGET,
    application_features,
    attach_history,
)
from credit_scoring_kedro.features.bureau import bureau_aggregates
from credit_scoring_kedro.features.credit_card import credit_card_aggregates
from credit_scoring_kedro.features.dictionary import describe_features, raw_column_descriptions
from credit_scoring_kedro.features.frames import (
    collect_rows,
    has_rows,
    is_spark,
    lazy,
    materialise,
)
from credit_scoring_kedro.features.history_families import HISTORY_FAMILIES, count_columns
from credit_scoring_kedro.features.installments import installments_aggregates
from credit_scoring_kedro.features.pos_cash import pos_cash_aggregates
from credit_scoring_kedro.features.previous_applications import previous_aggregates

logger = logging.getLogger(__name__)

TABLES = ("application_train", "application_test", "bureau", "bureau_balance",
          "previous_application", "pos_cash_balance", "installments_payments",
          "credit_card_balance")


def check_raw_tables(columns_description: pd.DataFrame, **tables: Any) -> dict:
    """Cross-table checks and a data-quality report; passes the tables on unchanged.

    Every raw table is loaded (and so validated) before this node runs, and every
    later node depends on its outputs: a bad file stops the run before any output
    of an earlier run is overwritten.

    Returns:
        ``int_<table>`` for each table, ``int_columns_description``, and ``raw_data_report`` (rows and clients per
        table, share of train clients with history, missing optional tables).
    """
    frames = {name: lazy(t) for name, t in tables.items()}
    queries = [
        t.select(nw.len().alias("rows"),
                 (nw.col(ID).n_unique() if ID in t.collect_schema() else nw.lit(None))
                 .cast(nw.Int64).alias("clients"))
        for t in frames.values()
    ]
    train_ids = frames["application_train"].select(ID)
    history = ("bureau", "previous_application", "pos_cash_balance",
               "installments_payments", "credit_card_balance")
    queries.append(train_ids.join(frames["application_test"].select(ID), on=ID, how="semi")
                   .select(nw.len().alias("overlap")))
    queries += [train_ids.join(frames[name].select(ID).unique(), on=ID, how="semi")
                .select(nw.len().alias(name)) for name in history]
    rows = collect_rows(queries)
    report: dict = {"tables": dict(zip(tables, rows[:len(tables)], strict=True))}
    n_overlap = rows[len(tables)]["overlap"]
    if n_overlap:
        raise RawDataError(
            f"application_train and application_test share {n_overlap} SK_ID_CURR value(s); "
            "a client must be in one of them only"
        )
    report["missing_optional_tables"] = [n for n, v in report["tables"].items() if v["rows"] == 0]
    n_train = max(report["tables"]["application_train"]["rows"], 1)
    coverage = {name: round(row[name] / n_train, 4)
                for name, row in zip(history, rows[len(tables) + 1:], strict=True)}
    report["train_clients_with_history_share"] = coverage
    for name, share in coverage.items():
        if report["tables"][name]["rows"] and share < 0.5:
            logger.warning("%s: only %.0f%% of train clients have rows in it", name, 100 * share)
    return {**{f"int_{name}": frame for name, frame in tables.items()},
            "int_columns_description": columns_description, "raw_data_report": report}


def aggregate_bureau(bureau: Any, bureau_balance: Any) -> Any:
    """Credit Bureau history, one row per client."""
    return materialise("bureau", bureau_aggregates(bureau, bureau_balance))


def aggregate_previous_applications(previous: Any) -> Any:
    """Previous Home Credit applications, one row per client."""
    return materialise("previous_application", previous_aggregates(previous))


def aggregate_pos_cash(pos_cash: Any) -> Any:
    """POS and cash loan monthly records, one row per client."""
    return materialise("pos_cash_balance", pos_cash_aggregates(pos_cash))


def aggregate_installments(installments: Any) -> Any:
    """Instalment repayments, one row per client."""
    return materialise("installments_payments", installments_aggregates(installments))


def aggregate_credit_card(credit_card: Any) -> Any:
    """Credit card monthly records, one row per client."""
    return materialise("credit_card_balance", credit_card_aggregates(credit_card))


def join_client_history(*aggregates: Any) -> Any:
    """All history aggregates side by side, one row per client having any history, by client.

    A family with no rows (its table was absent) contributes no column at all:
    an always-missing feature would only add noise. Polars DataFrames are joined eagerly
    (as many copies as before, no more); Spark DataFrames lazily, computed when written.
    """
    present = [nw.from_native(a) for a in aggregates if has_rows(a)]
    if not present:
        logger.warning("No history table has rows: features come from the application only")
        return nw.from_native(aggregates[0]).select(ID).head(0).to_native()
    history = nw.concat([a.select(ID) for a in present]).unique().sort(ID)
    for frame in present:
        history = history.join(frame, on=ID, how="left")
    if is_spark(history):
        logger.info("client history: %d features (Spark: computed when written)",
                    len(history.collect_schema()) - 1)
        return materialise("client history", history, order_by=ID)
    logger.info("client history: %d clients x %d features", len(history), len(history.columns) - 1)
    return history.to_native()


def build_features(application: Any, client_history: Any) -> Any:
    """One row per application, in client order: its columns, domain features and history aggregates."""
    started = time.perf_counter()
    features = attach_history(application_features(application), client_history, count_columns())
    if is_spark(features):
        return materialise("features", features, order_by=ID)
    logger.info("features: %d clients x %d columns in %.1f s", features.height, features.width - 1,
                time.perf_counter() - started)
    return features


def extract_default_flags(application_train: Any) -> Any:
    """SK_ID_CURR and TARGET only: the label is kept apart from the features."""
    flags = lazy(application_train).select(ID, nw.col(TARGET).cast(nw.Int8))
    if is_spark(flags):
        return materialise("default flags", flags, order_by=ID)
    return flags.collect().to_native()


def build_feature_dictionary(
    train_features: Any, columns_description: pd.DataFrame, glossary: dict
) -> list[dict]:
    """Plain-language description and source table of every feature column."""
    columns = [c for c in train_features.columns if c != ID]
    return describe_features(columns, list(HISTORY_FAMILIES),
                             raw_column_descriptions(columns_description), glossary)
