"""A read-only Kedro dataset for one raw Home Credit table, in whatever form it was dropped."""

from __future__ import annotations

import logging
from pathlib import Path, PurePosixPath
from typing import Any

import polars as pl
from kedro.io import AbstractDataset, DatasetError

from credit_scoring_kedro.errors import RawDataError
from credit_scoring_kedro.io.raw_sources import (
    SUFFIXES,
    RawSource,
    cached_parquet,
    locate_table,
    unreadable_archives,
)
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
        raw_dir: str | None = None,
        cache_dir: str | None = None,
        filepath: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """Args:
            table: Name of the contract in ``raw_tables.yml`` (e.g. ``application_test``).
            raw_dir: Folder searched for the table's file (the usual case).
            cache_dir: Where the Parquet copies are written (required).
            filepath: An explicit file instead (e.g. a batch of new applications to
                score, with the application_test columns); wins over ``raw_dir``.
        """
        if not raw_dir and not filepath:
            raise DatasetError(f"{table}: give raw_dir or filepath")
        if not cache_dir:
            raise DatasetError(f"{table}: cache_dir is required")
        self._schema = table_schema(table)
        self._raw_dir = Path(raw_dir) if raw_dir else None
        self._filepath = Path(filepath) if filepath else None
        self._cache_dir = Path(cache_dir)
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {
            "table": self._schema.name,
            "source": str(PurePosixPath(self._filepath or self._raw_dir)),
            "cache_dir": str(PurePosixPath(self._cache_dir)),
        }

    def _locate(self) -> RawSource | None:
        if self._filepath is None:
            return locate_table(self._raw_dir, self._schema.file)
        if not self._filepath.is_file():
            raise RawDataError(f"{self._filepath}: file not found")
        if self._filepath.name.lower().endswith(".zip"):
            return locate_table(self._filepath.parent, self._filepath.name[:-4])
        return RawSource(self._filepath)

    def load(self) -> pl.LazyFrame:
        source = self._locate()
        if source is None:
            looked_for = ", ".join(f"{self._schema.file}{s}" for s in SUFFIXES)
            if self._schema.optional:
                logger.warning(
                    "%s: no file in %s (looked for %s or a zip holding %s.csv); "
                    "going on without its features",
                    self._schema.name, self._raw_dir, looked_for, self._schema.file,
                )
                return self._empty()
            broken = unreadable_archives(self._raw_dir)
            hint = (f"; unreadable archive(s) {', '.join(broken)}: truncated or corrupt download?"
                    if broken else "")
            raise RawDataError(
                f"{self._schema.name}: required table not found in {self._raw_dir} "
                f"(looked for {looked_for} or a zip holding {self._schema.file}.csv){hint}"
            )
        validated = validate_table(self._read(source), self._schema, str(source))
        logger.info("%s: read and validated from %s", self._schema.name, source)
        return validated

    def _cache_for(self) -> Path:
        return self._cache_dir if self._filepath is None else self._cache_dir / "explicit_files"

    def _read(self, source: RawSource) -> pl.LazyFrame:
        """The table as stored (numbers as floats), before the contract check."""
        parquet = cached_parquet(source, self._schema, self._cache_for())
        try:
            frame = pl.scan_parquet(parquet)
            frame.collect_schema()
        except Exception as exc:  # a user-supplied Parquet file can be anything
            raise RawDataError(f"{source}: not a readable Parquet file ({exc})") from exc
        return frame

    def _empty(self) -> pl.LazyFrame:
        """An absent optional table: no rows, the contract's columns."""
        return pl.LazyFrame(schema=self._schema.polars_schema())

    def save(self, data: None) -> None:
        raise DatasetError(f"{self._schema.name}: raw tables are read-only")

    def _exists(self) -> bool:
        try:
            return self._locate() is not None
        except RawDataError:
            return False
