"""Kedro dataset over the oversight tables of the prediction log, for the weekly report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from kedro.io import AbstractDataset, DatasetError

from credit_scoring_kedro.serving.oversight import read_frames
from credit_scoring_kedro.serving.prediction_log import _safe, absolute_sqlite_url

TABLES = ("predictions", "overrides", "contests")


class OversightLogDataset(AbstractDataset[None, dict[str, pd.DataFrame]]):
    """Read-only: ``{"predictions", "overrides", "contests"}`` as DataFrames.

    The same database as ``prediction_log`` (the API writes both). A log the API has not
    created yet, or without oversight tables, reads as empty tables: the monitoring
    pipeline runs before any decision was taken, and never creates the database.
    """

    def __init__(self, url: str, metadata: dict[str, Any] | None = None) -> None:
        self.url = absolute_sqlite_url(url, Path.cwd())
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"url": _safe(self.url)}

    def load(self) -> dict[str, pd.DataFrame]:
        empty = {"predictions": pd.DataFrame(columns=["decision_id", "logged_at", "decision"]),
                 "overrides": pd.DataFrame(columns=["decision_id", "at", "reason_code",
                                                    "decision"]),
                 "contests": pd.DataFrame(columns=["contest_id", "decision_id", "at",
                                                   "resolved_at", "outcome"])}
        if self.url.startswith("sqlite:///") and not Path(self.url[len("sqlite:///"):]).exists():
            return empty
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                present = set(sa.inspect(conn).get_table_names())
                if not set(TABLES) <= present:
                    return empty
                return read_frames(conn)
        finally:
            engine.dispose()

    def save(self, data: None) -> None:
        raise DatasetError("The oversight tables are written by the API only")
