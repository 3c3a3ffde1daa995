"""The competition's column dictionary (HomeCredit_columns_description.csv), wherever it was dropped."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
from kedro.io import AbstractDataset, DatasetError

from credit_scoring_kedro.errors import RawDataError
from credit_scoring_kedro.io.raw_sources import locate_table

STEM = "HomeCredit_columns_description"
COLUMNS = ("Table", "Row", "Description")


class ColumnsDescriptionDataset(AbstractDataset[None, pd.DataFrame]):
    """Load the column dictionary as a DataFrame with columns Table, Row, Description.

    The file is latin-1 encoded in the Kaggle download; UTF-8 copies are read too.
    """

    def __init__(self, raw_dir: str, metadata: dict[str, Any] | None = None) -> None:
        self._raw_dir = Path(raw_dir)
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"raw_dir": str(PurePosixPath(self._raw_dir))}

    def load(self) -> pd.DataFrame:
        source = locate_table(self._raw_dir, STEM)
        if source is None:
            raise RawDataError(f"{STEM}.csv not found in {self._raw_dir}: it describes the features; "
                               "it comes with the Kaggle download and the demo data")
        try:
            if source.member is not None:
                with zipfile.ZipFile(source.path) as zf:
                    raw = zf.read(source.member)
            else:
                raw = source.path.read_bytes()
        except (OSError, zipfile.BadZipFile) as exc:
            raise RawDataError(f"{source}: cannot read ({exc})") from exc
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        try:
            frame = pd.read_csv(io.StringIO(text))
        except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
            raise RawDataError(f"{source}: not a readable CSV ({exc})") from exc
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            raise RawDataError(f"{source}: missing column(s) {', '.join(missing)}")
        return frame[list(COLUMNS)]

    def save(self, data: None) -> None:
        raise DatasetError("The column dictionary is read-only")

    def _exists(self) -> bool:
        return locate_table(self._raw_dir, STEM) is not None
