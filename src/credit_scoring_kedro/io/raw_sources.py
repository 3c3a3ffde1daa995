"""Find a raw Home Credit table in ``data/01_raw`` whatever form it came in, and turn it into Parquet once.

The Kaggle download and the OpenClassrooms archive arrive as plain CSV, gzipped CSV,
one zip per table or one zip holding every table. Parsing 2.5 GB of CSV costs most of
the ingestion time, so the first read writes a Parquet copy keyed by the source file's
size and modification time; later runs scan that copy.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from credit_scoring_kedro.errors import RawDataError
from credit_scoring_kedro.schema import TableSchema

logger = logging.getLogger(__name__)

#: Bump when the layout of the Parquet copies changes, so that old copies are rebuilt.
CACHE_FORMAT = "2-sorted"
#: Looked for in this order; a Parquet file given by the user wins over a CSV.
SUFFIXES = (".parquet", ".csv", ".csv.gz", ".zip")
_COPY_CHUNK = 16 * 1024 * 1024


@dataclass(frozen=True)
class RawSource:
    """Where a table's data lives: a file, or a member of a zip archive."""

    path: Path
    member: str | None = None

    def __str__(self) -> str:
        return f"{self.path}::{self.member}" if self.member else str(self.path)

    @property
    def kind(self) -> str:
        if self.member is not None:
            return "zip"
        name = self.path.name.lower()
        for suffix in SUFFIXES:
            if name.endswith(suffix):
                return suffix.lstrip(".")
        return "csv"

    def fingerprint(self) -> str:
        """Changes whenever the source file is replaced or edited."""
        stat = self.path.stat()
        key = f"{CACHE_FORMAT}|{self.path.resolve()}|{self.member}|{stat.st_size}|{stat.st_mtime_ns}"
        return hashlib.sha256(key.encode()).hexdigest()[:16]


def locate_table(raw_dir: Path, stem: str) -> RawSource | None:
    """The file holding table ``stem`` in ``raw_dir`` (case-insensitive), or None.

    A file named after the table wins; otherwise any zip in the folder that holds a
    member ``<stem>.csv`` (the all-in-one Kaggle and OpenClassrooms archives).
    """
    if not raw_dir.is_dir():
        return None
    files = {p.name.lower(): p for p in raw_dir.iterdir() if p.is_file()}
    for suffix in SUFFIXES:
        hit = files.get(f"{stem}{suffix}".lower())
        if hit is None:
            continue
        if suffix == ".zip":
            return RawSource(hit, _zip_member(hit, stem))
        return RawSource(hit)
    for name, path in sorted(files.items()):
        if name.endswith(".zip"):
            member = _zip_member(path, stem, required=False)
            if member is not None:
                return RawSource(path, member)
    return None


def _zip_member(archive: Path, stem: str, required: bool = True) -> str | None:
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError) as exc:
        if not required:
            logger.warning("Skipping unreadable archive %s: %s", archive, exc)
            return None
        raise RawDataError(f"{archive}: not a readable zip archive ({exc})") from exc
    wanted = f"{stem}.csv".lower()
    for name in names:
        if Path(name).name.lower() == wanted:
            return name
    if required:
        if len(names) == 1 and names[0].lower().endswith(".csv"):
            return names[0]
        raise RawDataError(f"{archive}: no member named {stem}.csv (members: {', '.join(names[:10])})")
    return None


def unreadable_archives(raw_dir: Path) -> list[str]:
    """Zip files in ``raw_dir`` that cannot be opened (truncated downloads, typically)."""
    if not raw_dir or not raw_dir.is_dir():
        return []
    bad = []
    for path in sorted(raw_dir.glob("*.zip")) + sorted(raw_dir.glob("*.ZIP")):
        try:
            with zipfile.ZipFile(path):
                pass
        except (zipfile.BadZipFile, OSError):
            bad.append(path.name)
    return bad


def read_header(source: RawSource) -> list[str]:
    """Column names of a CSV source, read from its first line only."""
    try:
        with _open_text_bytes(source) as fh:
            first = fh.readline()
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        raise RawDataError(f"{source}: cannot read the file, is it truncated or corrupt? ({exc})") from exc
    if not first.strip():
        raise RawDataError(f"{source}: the file is empty (no header line)")
    text = first.decode("utf-8-sig", errors="replace").strip()
    return [c.strip().strip('"') for c in text.split(",")]


def _open_text_bytes(source: RawSource):
    try:
        if source.member is not None:
            return zipfile.ZipFile(source.path).open(source.member)
        if source.kind == "csv.gz":
            return gzip.open(source.path, "rb")
        return open(source.path, "rb")
    except (zipfile.BadZipFile, OSError) as exc:
        raise RawDataError(f"{source}: cannot open ({exc})") from exc


def cached_parquet(source: RawSource, schema: TableSchema, cache_dir: Path) -> Path:
    """A Parquet copy of ``source``, written on first use and reused while the source is unchanged."""
    if source.kind == "parquet":
        return source.path
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"{schema.name}-{source.fingerprint()}.parquet"
    if target.exists():
        logger.info("%s: using the Parquet copy %s", schema.name, target.name)
        return target
    started = time.perf_counter()
    _convert_csv(source, schema, target)
    for stale in cache_dir.glob(f"{schema.name}-*.parquet"):
        if stale != target:
            stale.unlink(missing_ok=True)
    logger.info(
        "%s: converted %s to Parquet in %.1f s (%.0f MB)",
        schema.name, source, time.perf_counter() - started, target.stat().st_size / 1e6,
    )
    return target


def _convert_csv(source: RawSource, schema: TableSchema, target: Path) -> None:
    """Stream a CSV (plain, gzipped or zipped) into Parquet with the contract's dtypes.

    Numbers are parsed as floats whatever the contract says: public copies of the
    competition files write integer columns as ``1.0``; the validation step checks
    that they are whole numbers before casting them to integers.
    """
    header = read_header(source)
    overrides = {
        col: (pl.String() if kind == "str" else pl.Float64())
        for col, kind in schema.columns.items()
        if col in header
    }
    extras = [c for c in header if c not in schema.columns]
    overrides.update({c: pl.String() for c in extras})
    tmp_csv: Path | None = None
    tmp_parquet = target.with_suffix(".parquet.tmp")
    try:
        csv_path = source.path
        if source.kind in ("zip", "csv.gz"):
            tmp_csv = _decompress(source, target.parent)
            csv_path = tmp_csv
        frame = pl.scan_csv(
            csv_path,
            schema_overrides=overrides,
            infer_schema=False,
            null_values=[""],
            encoding="utf8-lossy",
        )
        if schema.sort_key and schema.sort_key in header:
            # Rows of one client side by side: the per-client aggregation then reads memory
            # in order, about three times faster than on the file's own order.
            frame = frame.sort(schema.sort_key, nulls_last=True)
        frame.sink_parquet(tmp_parquet, compression="lz4")
        os.replace(tmp_parquet, target)
    except pl.exceptions.NoDataError as exc:
        raise RawDataError(f"{source}: the file is empty (no header line)") from exc
    except pl.exceptions.ComputeError as exc:
        raise RawDataError(f"{source}: {_explain_parse_error(str(exc), schema)}") from exc
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
        raise RawDataError(f"{source}: cannot read the file, is it truncated or corrupt? ({exc})") from exc
    finally:
        tmp_parquet.unlink(missing_ok=True)
        if tmp_csv is not None:
            tmp_csv.unlink(missing_ok=True)


def _decompress(source: RawSource, workdir: Path) -> Path:
    """Extract a zipped or gzipped CSV next to the cache (polars cannot stream either)."""
    fd, name = tempfile.mkstemp(suffix=".csv", dir=workdir)
    with os.fdopen(fd, "wb") as out, _open_text_bytes(source) as src:
        shutil.copyfileobj(src, out, _COPY_CHUNK)
    return Path(name)


def _explain_parse_error(message: str, schema: TableSchema) -> str:
    """Turn polars' parse error into 'column X: value 'v' is not a number'."""
    match = re.search(r"could not parse `(.*?)` as dtype `(\w+)` at column '([^']+)'", message)
    if match:
        value, _, column = match.groups()
        return not_a_number(column, value, schema)
    return message.splitlines()[0]


def not_a_number(column: str, value: str, schema: TableSchema) -> str:
    """The message for text where the contract wants a number (both engines say it this way)."""
    expected = schema.columns.get(column, "number")
    return f"column {column}: value {value!r} is not a number (expected {expected})"
