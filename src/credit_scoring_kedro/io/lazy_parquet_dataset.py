"""Parquet for polars frames, written atomically so that a failed run never leaves half a file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

import polars as pl
from kedro.io import AbstractDataset


class LazyParquetDataset(AbstractDataset[pl.DataFrame | pl.LazyFrame, pl.LazyFrame | pl.DataFrame]):
    """Save a polars DataFrame or LazyFrame to Parquet; load it lazily (default) or eagerly.

    Saving writes ``<file>.tmp`` and renames it over the target, so the previous
    output stays intact until the new one is complete. Lazy frames are streamed to
    disk, which keeps peak memory low on the full-size tables.

    The same path may hold a Parquet *folder* written by Spark (``kedro run --env spark``
    writes its part files there): it loads as one table, parts in name order, and a
    later save replaces the folder with a file.
    """

    def __init__(
        self,
        filepath: str,
        lazy: bool = True,
        compression: str = "lz4",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self._filepath = Path(filepath)
        self._lazy = lazy
        self._compression = compression
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(PurePosixPath(self._filepath)), "lazy": self._lazy}

    def load(self) -> pl.LazyFrame | pl.DataFrame:
        source = self._filepath / "*.parquet" if self._filepath.is_dir() else self._filepath
        frame = pl.scan_parquet(source)
        return frame if self._lazy else frame.collect()

    def save(self, data: pl.DataFrame | pl.LazyFrame) -> None:
        self._filepath.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._filepath.with_name(self._filepath.name + ".tmp")
        try:
            if isinstance(data, pl.LazyFrame):
                data.sink_parquet(tmp, compression=self._compression)
            else:
                data.write_parquet(tmp, compression=self._compression)
            if self._filepath.is_dir():  # the previous output was written by Spark
                shutil.rmtree(self._filepath)
            os.replace(tmp, self._filepath)
        finally:
            tmp.unlink(missing_ok=True)

    def _exists(self) -> bool:
        return self._filepath.is_file() or self._filepath.is_dir()
