"""Kedro dataset over the API's prediction log, so monitoring can watch real traffic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from kedro.io import AbstractDataset, DatasetError

from credit_scoring_kedro.serving.prediction_log import PredictionLog, _safe, absolute_sqlite_url


class PredictionLogDataset(AbstractDataset[None, pd.DataFrame]):
    """Read-only: one row per logged prediction, the request's fields as columns.

    The API writes the log (``credit_scoring_kedro.serving.prediction_log``); its URL lives
    here, in the catalog, so that the API, the dashboard and the pipelines agree on it.
    ``PREDICTION_LOG_URL`` overrides it (see conf/base/catalog.yml).
    """

    def __init__(self, url: str, metadata: dict[str, Any] | None = None) -> None:
        self.url = absolute_sqlite_url(url, Path.cwd())
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"url": _safe(self.url)}

    def load(self) -> pd.DataFrame:
        rows = PredictionLog(self.url).read()
        if not rows:
            return pd.DataFrame()
        inputs = pd.json_normalize([r.pop("inputs") for r in rows])
        return pd.concat([pd.DataFrame(rows), inputs.add_prefix("input_")], axis=1)

    def save(self, data: None) -> None:
        raise DatasetError("The prediction log is written by the API only")

    def _exists(self) -> bool:
        try:
            PredictionLog(self.url).read()
        except Exception:
            return False
        return True
