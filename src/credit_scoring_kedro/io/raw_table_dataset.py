"""A read-only Kedro dataset for one raw Home Credit table, in whatever form it was dropped."""

from __future__ import annotations

import logging
from pathlib import Path, PurePosixPath
from typing import Any

import polars as pl
from kedro.io import AbstractDataset, DatasetError

from credit_scoring_kedro.errors import RawDataError
from credit_scoring_kedro.io.raw_sources import SUFFIXES, cached_parquet, locate_table
from credit_scoring_kedro.schema import table_schema
from credit_scoring_kedro.validation import validate_table

logger = logging.getLogger(__name__)


class HomeCreditTableDataset(AbstractDataset[None, pl.LazyFrame]):
    """Scan a raw table from ``raw_dir`` as a polars LazyFrame checked against its contract.

    The table is found as ``<file>.parquet``, ``.csv``, ``.csv.gz``, ``.zip`` or as a
    member of any zip in ``raw_dir``; CSV sources are converted once to Parquet in
    ``cache_dir``. An optional table (a history table) that is absent loads as an
    empty frame with the contract's columns, and the pipeline goes on without its
    features; a missing required table is a clear error.

    Example catalog entry (a dataset factory covers the eight tables)::

        raw_{table}:
          type: credit_scoring_kedro.io.HomeCreditTableDataset
          table: "{table}"
          raw_dir: ${globals:data_root}/01_raw
          cache_dir: ${globals:data_root}/02_intermediate/raw_parquet
    """

    def __init__(
        self,
        table: str,
        raw_dir: str,
        cache_dir: str,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self._schema = table_schema(table)
        self._raw_dir = Path(raw_dir)
        self._cache_dir = Path(cache_dir)
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {
            "table": self._schema.name,
            "raw_dir": str(PurePosixPath(self._raw_dir)),
            "cache_dir": str(PurePosixPath(self._cache_dir)),
        }

    def load(self) -> pl.LazyFrame:
        source = locate_table(self._raw_dir, self._schema.file)
        if source is None:
            looked_for = ", ".join(f"{self._schema.file}{s}" for s in SUFFIXES)
            if self._schema.optional:
                logger.warning(
                    "%s: no file in %s (looked for %s or a zip holding %s.csv); "
                    "going on without its features",
                    self._schema.name, self._raw_dir, looked_for, self._schema.file,
                )
                return pl.LazyFrame(schema=self._schema.polars_schema())
            raise RawDataError(
                f"{self._schema.name}: required table not found in {self._raw_dir} "
                f"(looked for {looked_for} or a zip holding {self._schema.file}.csv)"
            )
        parquet = cached_parquet(source, self._schema, self._cache_dir)
        try:
            frame = pl.scan_parquet(parquet)
            frame.collect_schema()
        except Exception as exc:  # a user-supplied Parquet file can be anything
            raise RawDataError(f"{source}: not a readable Parquet file ({exc})") from exc
        validated = validate_table(frame, self._schema, str(source))
        logger.info("%s: read and validated from %s", self._schema.name, source)
        return validated

    def save(self, data: None) -> None:
        raise DatasetError(f"{self._schema.name}: raw tables are read-only")

    def _exists(self) -> bool:
        return locate_table(self._raw_dir, self._schema.file) is not None
