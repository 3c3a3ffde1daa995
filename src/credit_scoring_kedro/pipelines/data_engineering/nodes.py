"""Nodes of the data-engineering pipeline: pure functions from tables to tables.

Raw tables arrive already checked against their contract (the catalog's
``HomeCreditTableDataset`` validates on load), as polars LazyFrames.
"""

from __future__ import annotations

import logging
import time

import pandas as pd
import polars as pl

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
from credit_scoring_kedro.features.history_families import HISTORY_FAMILIES, count_columns
from credit_scoring_kedro.features.installments import installments_aggregates
from credit_scoring_kedro.features.pos_cash import pos_cash_aggregates
from credit_scoring_kedro.features.previous_applications import previous_aggregates

logger = logging.getLogger(__name__)

TABLES = ("application_train", "application_test", "bureau", "bureau_balance",
          "previous_application", "pos_cash_balance", "installments_payments",
          "credit_card_balance")


def check_raw_tables(columns_description: pd.DataFrame, **tables: pl.LazyFrame) -> dict:
    """Cross-table checks and a data-quality report; passes the tables on unchanged.

    Every raw table is loaded (and so validated) before this node runs, and every
    later node depends on its outputs: a bad file stops the run before any output
    of an earlier run is overwritten.

    Returns:
        ``int_<table>`` for each table, ``int_columns_description``, and ``raw_data_report`` (rows and clients per
        table, share of train clients with history, missing optional tables).
    """
    queries = [
        t.select(pl.len().alias("rows"),
                 (pl.col(ID).n_unique() if ID in t.collect_schema() else pl.lit(None))
                 .cast(pl.Int64).alias("clients"))
        for t in tables.values()
    ]
    counts = dict(zip(tables, pl.collect_all(queries), strict=True))
    report: dict = {"tables": {name: frame.row(0, named=True) for name, frame in counts.items()}}
    train_ids = tables["application_train"].select(ID)
    overlap = train_ids.join(tables["application_test"].select(ID), on=ID, how="semi").select(pl.len())
    n_overlap = overlap.collect().item()
    if n_overlap:
        raise RawDataError(
            f"application_train and application_test share {n_overlap} SK_ID_CURR value(s); "
            "a client must be in one of them only"
        )
    report["missing_optional_tables"] = [n for n, v in report["tables"].items() if v["rows"] == 0]
    coverage = {}
    for name in ("bureau", "previous_application", "pos_cash_balance",
                 "installments_payments", "credit_card_balance"):
        with_history = train_ids.join(tables[name].select(ID).unique(), on=ID, how="semi")
        coverage[name] = round(with_history.select(pl.len()).collect().item()
                               / max(report["tables"]["application_train"]["rows"], 1), 4)
    report["train_clients_with_history_share"] = coverage
    for name, share in coverage.items():
        if report["tables"][name]["rows"] and share < 0.5:
            logger.warning("%s: only %.0f%% of train clients have rows in it", name, 100 * share)
    return {**{f"int_{name}": frame for name, frame in tables.items()},
            "int_columns_description": columns_description, "raw_data_report": report}


def _collect(name: str, frame: pl.LazyFrame) -> pl.DataFrame:
    started = time.perf_counter()
    out = frame.collect(engine="streaming")
    logger.info("%s: %d clients x %d features in %.1f s", name, out.height, out.width - 1,
                time.perf_counter() - started)
    return out


def aggregate_bureau(bureau: pl.LazyFrame, bureau_balance: pl.LazyFrame) -> pl.DataFrame:
    """Credit Bureau history, one row per client."""
    return _collect("bureau", bureau_aggregates(bureau, bureau_balance))


def aggregate_previous_applications(previous: pl.LazyFrame) -> pl.DataFrame:
    """Previous Home Credit applications, one row per client."""
    return _collect("previous_application", previous_aggregates(previous))


def aggregate_pos_cash(pos_cash: pl.LazyFrame) -> pl.DataFrame:
    """POS and cash loan monthly records, one row per client."""
    return _collect("pos_cash_balance", pos_cash_aggregates(pos_cash))


def aggregate_installments(installments: pl.LazyFrame) -> pl.DataFrame:
    """Instalment repayments, one row per client."""
    return _collect("installments_payments", installments_aggregates(installments))


def aggregate_credit_card(credit_card: pl.LazyFrame) -> pl.DataFrame:
    """Credit card monthly records, one row per client."""
    return _collect("credit_card_balance", credit_card_aggregates(credit_card))


def join_client_history(*aggregates: pl.DataFrame) -> pl.DataFrame:
    """All history aggregates side by side, one row per client having any history.

    A family with no rows (its table was absent) contributes no column at all:
    an always-missing feature would only add noise.
    """
    present = [a for a in aggregates if a.height]
    if not present:
        logger.warning("No history table has rows: features come from the application only")
        return pl.DataFrame(schema={ID: pl.Int64})
    ids = pl.concat([a.select(ID) for a in present]).unique().sort(ID)
    history = ids
    for frame in present:
        history = history.join(frame, on=ID, how="left")
    logger.info("client history: %d clients x %d features", history.height, history.width - 1)
    return history


def build_features(application: pl.LazyFrame, client_history: pl.DataFrame) -> pl.DataFrame:
    """One row per application: its columns, domain features and history aggregates."""
    started = time.perf_counter()
    features = attach_history(application_features(application), client_history, count_columns())
    logger.info("features: %d clients x %d columns in %.1f s", features.height, features.width - 1,
                time.perf_counter() - started)
    return features


def extract_default_flags(application_train: pl.LazyFrame) -> pl.DataFrame:
    """SK_ID_CURR and TARGET only: the label is kept apart from the features."""
    return application_train.select(ID, pl.col(TARGET).cast(pl.Int8)).collect()


def build_feature_dictionary(
    train_features: pl.DataFrame, columns_description: pd.DataFrame, glossary: dict
) -> list[dict]:
    """Plain-language description and source table of every feature column."""
    columns = [c for c in train_features.columns if c != ID]
    return describe_features(columns, list(HISTORY_FAMILIES),
                             raw_column_descriptions(columns_description), glossary)
