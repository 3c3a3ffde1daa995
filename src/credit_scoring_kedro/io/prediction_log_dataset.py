"""Kedro dataset over the API's prediction log, so monitoring can watch real traffic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from kedro.io import AbstractDataset, DatasetError

from credit_scoring_kedro.serving.prediction_log import (
    PREDICTIONS,
    PredictionLog,
    _safe,
    absolute_sqlite_url,
)


class PredictionLogDataset(AbstractDataset[None, pd.DataFrame]):
    """Read-only: one row per logged prediction, the request's fields as columns.

    The API writes the log (``credit_scoring_kedro.serving.prediction_log``); its URL lives
    here, in the catalog, so that the API, the dashboard and the pipelines agree on it.
    ``PREDICTION_LOG_URL`` overrides it (see conf/base/catalog.yml).

    ``columns``: only these columns of the ``predictions`` table, as stored (no input
    expansion): monitoring reads 50,000 decisions in a second this way.
    """

    def __init__(self, url: str, columns: list[str] | None = None,
                 metadata: dict[str, Any] | None = None) -> None:
        self.url = absolute_sqlite_url(url, Path.cwd())
        self.columns = list(columns) if columns else None
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"url": _safe(self.url), "columns": self.columns}

    def load(self) -> pd.DataFrame:
        if self.columns:
            return self._load_columns()
        rows = PredictionLog(self.url).read()
        if not rows:
            return pd.DataFrame()
        inputs = pd.json_normalize([r.pop("inputs") for r in rows])
        return pd.concat([pd.DataFrame(rows), inputs.add_prefix("input_")], axis=1)

    def _load_columns(self) -> pd.DataFrame:
        log = PredictionLog(self.url)
        query = sa.select(*[PREDICTIONS.c[c] for c in self.columns]).order_by(PREDICTIONS.c.id)
        with log._connect().connect() as conn:
            return pd.DataFrame(conn.execute(query).fetchall(), columns=self.columns)

    def save(self, data: None) -> None:
        raise DatasetError("The prediction log is written by the API only")

    def _exists(self) -> bool:
        try:
            PredictionLog(self.url).read()
        except Exception:
            return False
        return True
