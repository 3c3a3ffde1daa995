"""One raw Home Credit table as a Spark DataFrame, checked against the same contract (``spark`` env)."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from credit_scoring_kedro.errors import RawDataError
from credit_scoring_kedro.io.raw_sources import RawSource, _decompress, not_a_number, read_header
from credit_scoring_kedro.io.raw_table_dataset import HomeCreditTableDataset

logger = logging.getLogger(__name__)

_SPARK_TYPES = {"int": "long", "float": "double", "str": "string"}


class SparkHomeCreditTableDataset(HomeCreditTableDataset):
    """Read a raw table with Spark through kedro-datasets' ``spark.SparkDatasetV2``.

    The table is found exactly as the default dataset finds it (``<file>.parquet``,
    ``.csv``, ``.csv.gz``, ``.zip`` or a member of any zip in ``raw_dir``, an explicit
    ``filepath`` for a batch to score). Parquet is read as it is; a CSV source is parsed
    once by Spark (numbers as doubles, as the default engine does) into a Parquet copy in
    ``cache_dir``, keyed by the source file's size and modification time, and later runs
    read that copy. The contract is then checked by the same
    :func:`credit_scoring_kedro.validation.validate_table` as on polars, with the same
    messages; an absent optional table is an empty DataFrame with the contract's columns.

    Example (conf/spark/catalog.yml)::

        raw_{table}:
          type: credit_scoring_kedro.io.SparkHomeCreditTableDataset
          table: "{table}"
          raw_dir: ${globals:data_root}/01_raw
          cache_dir: ${globals:data_root}/02_intermediate/raw_parquet_spark

    On a cluster, ``raw_dir`` discovery needs a local folder: give each table's Parquet copy
    in the lake as a ``filepath`` URI instead (``s3a://bucket/raw/bureau.parquet``), read
    directly and checked the same way.
    """

    def __init__(self, table: str, raw_dir: str | None = None, cache_dir: str | None = None,
                 filepath: str | None = None, metadata: dict[str, Any] | None = None) -> None:
        self._uri = filepath if filepath and "://" in str(filepath) else None
        super().__init__(table, raw_dir=raw_dir or (self._uri and "."),
                         cache_dir=cache_dir or (self._uri and "."),
                         filepath=None if self._uri else filepath, metadata=metadata)

    def load(self) -> Any:
        if self._uri is None:
            return super().load()
        from kedro_datasets.spark import SparkDatasetV2

        from credit_scoring_kedro.validation import validate_table

        if not self._uri.lower().rstrip("/").endswith(".parquet"):
            raise RawDataError(f"{self._uri}: a table in object storage must be Parquet "
                               "(convert it once, e.g. with the default engine's cached copy)")
        frame = SparkDatasetV2(filepath=self._uri, file_format="parquet").load()
        return validate_table(frame, self._schema, self._uri)

    def _describe(self) -> dict[str, Any]:
        return {"table": self._schema.name, "source": self._uri} if self._uri else super()._describe()

    def _exists(self) -> bool:
        return True if self._uri else super()._exists()

    def _read(self, source: RawSource) -> Any:
        from kedro_datasets.spark import SparkDatasetV2

        parquet = source.path if source.kind == "parquet" else self._converted(source)
        try:
            frame = SparkDatasetV2(filepath=str(parquet), file_format="parquet").load()
            frame.schema  # noqa: B018  reads the footer: a broken file fails here, with its name
        except Exception as exc:  # a user-supplied Parquet file can be anything
            raise RawDataError(f"{source}: not a readable Parquet file ({_first_line(exc)})") from exc
        return frame

    def _empty(self) -> Any:
        from kedro_datasets._utils.spark_utils import get_spark_with_remote_support

        ddl = ", ".join(f"`{c}` {_SPARK_TYPES[k]}" for c, k in self._schema.columns.items())
        return get_spark_with_remote_support().createDataFrame([], ddl)

    def _converted(self, source: RawSource) -> Path:
        """The Parquet copy of a CSV source, written by Spark on first use."""
        from kedro_datasets.spark import SparkDatasetV2
        from pyspark.sql.types import DoubleType, StringType, StructField, StructType

        cache = self._cache_for()
        target = cache / f"{self._schema.name}-{source.fingerprint()}.parquet"
        if target.exists():
            logger.info("%s: using the Parquet copy %s", self._schema.name, target.name)
            return target
        cache.mkdir(parents=True, exist_ok=True)
        header = read_header(source)
        # numbers as doubles whatever the contract says (public copies write integers as
        # `1.0`); validation checks they are whole before casting, as on the default engine
        schema = StructType([
            StructField(c, StringType() if self._schema.columns.get(c, "str") == "str"
                        else DoubleType(), True)
            for c in header
        ])
        started = time.perf_counter()
        csv_path, extracted = source.path, None
        if source.kind == "zip":  # Spark reads .csv and .csv.gz, not a zip member
            extracted = csv_path = _decompress(source, cache)
        tmp = target.with_name(target.name + ".tmp")
        try:
            reader = SparkDatasetV2(filepath=str(csv_path), file_format="csv", load_args={
                "header": True, "schema": schema, "mode": "FAILFAST", "nullValue": "",
                "encoding": "UTF-8"})
            writer = SparkDatasetV2(filepath=str(tmp), file_format="parquet",
                                    save_args={"mode": "overwrite"})
            writer.save(reader.load())
            shutil.rmtree(target, ignore_errors=True)
            os.replace(tmp, target)
        except RawDataError:
            raise
        except Exception as exc:
            raise RawDataError(f"{source}: {self._explain(csv_path, header, exc)}") from exc
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            if extracted is not None:
                extracted.unlink(missing_ok=True)
        for stale in cache.glob(f"{self._schema.name}-*.parquet"):
            if stale != target:
                shutil.rmtree(stale, ignore_errors=True)
        logger.info("%s: Spark converted %s to Parquet in %.1f s", self._schema.name, source,
                    time.perf_counter() - started)
        return target

    def _explain(self, csv_path: Path, header: list[str], exc: BaseException) -> str:
        """Spark's parse failure as the default engine words it: column, value, expected type.

        Spark's message names the row but not the column; a second pass, run only after a
        failure, reads the file as text and finds the first value that is not a number.
        """
        from kedro_datasets.spark import SparkDatasetV2
        from pyspark.sql import functions as F
        from pyspark.sql.types import StringType, StructField, StructType

        if "MALFORMED_RECORD_IN_PARSING" not in _all_messages(exc):
            return _first_line(exc)
        text = SparkDatasetV2(filepath=str(csv_path), file_format="csv", load_args={
            "header": True, "nullValue": "", "encoding": "UTF-8",
            "schema": StructType([StructField(c, StringType(), True) for c in header])}).load()
        numeric = [c for c in header if self._schema.columns.get(c, "str") != "str"]
        for column in numeric:
            value = F.col(f"`{column}`")
            bad = text.where(value.isNotNull() & value.try_cast("double").isNull())
            found = bad.select(value).limit(1).collect()
            if found:
                return not_a_number(column, found[0][0], self._schema)
        return _first_line(exc)


def _all_messages(exc: BaseException) -> str:
    parts, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        parts.append(str(exc))
        exc = exc.__cause__ or exc.__context__
    return "\n".join(parts)


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
