"""Reading raw tables in every form they come in, and clear errors on bad input."""

from __future__ import annotations

import gzip
import logging
import os
import time
import zipfile
from pathlib import Path

import polars as pl
import pytest
from kedro.io import DatasetError
from raw_table_factory import valid_table, write_csv

from credit_scoring_kedro.errors import RawDataError
from credit_scoring_kedro.io import ColumnsDescriptionDataset, HomeCreditTableDataset
from credit_scoring_kedro.schema import table_schema


def load(raw_dir: Path, table: str = "application_train") -> pl.DataFrame:
    dataset = HomeCreditTableDataset(table=table, raw_dir=str(raw_dir),
                                     cache_dir=str(raw_dir.parent / "cache"))
    return dataset.load().collect()


def data_error(raw_dir: Path, table: str = "application_train") -> str:
    """The RawDataError message behind a failed load (Kedro wraps it in a DatasetError)."""
    with pytest.raises(DatasetError) as info:
        load(raw_dir, table)
    error: BaseException | None = info.value
    while error is not None and not isinstance(error, RawDataError):
        error = error.__cause__
    assert isinstance(error, RawDataError), f"no RawDataError behind {info.value!r}"
    return str(error)


# ---------- happy paths ----------

def test_plain_csv_loads_with_contract_dtypes(raw_dir) -> None:
    write_csv(valid_table("application_train"), raw_dir / "application_train.csv")
    frame = load(raw_dir)
    assert frame.height == 4
    assert list(frame.columns) == list(table_schema("application_train").columns)
    assert frame.schema["SK_ID_CURR"] == pl.Int64
    assert frame.schema["AMT_CREDIT"] == pl.Float64
    assert frame.schema["CODE_GENDER"] == pl.String


def test_integers_written_as_floats_are_accepted(raw_dir) -> None:
    frame = valid_table("application_train").with_columns(pl.col("CNT_CHILDREN").cast(pl.Float64))
    path = write_csv(frame, raw_dir / "application_train.csv")
    assert "0.0" in path.read_text().splitlines()[1]
    loaded = load(raw_dir)
    assert loaded.schema["CNT_CHILDREN"] == pl.Int64
    assert loaded["CNT_CHILDREN"].to_list() == [0, 1, 2, 3]


def test_gzipped_csv(raw_dir) -> None:
    path = write_csv(valid_table("bureau"), raw_dir / "tmp.csv")
    with gzip.open(raw_dir / "bureau.csv.gz", "wb") as out:
        out.write(path.read_bytes())
    path.unlink()
    assert load(raw_dir, "bureau").height == 4


def test_one_zip_per_table(raw_dir) -> None:
    path = write_csv(valid_table("bureau"), raw_dir.parent / "bureau.csv")
    with zipfile.ZipFile(raw_dir / "bureau.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(path, "bureau.csv")
    assert load(raw_dir, "bureau").height == 4


def test_all_in_one_zip_like_the_kaggle_download(raw_dir) -> None:
    staging = raw_dir.parent / "staging"
    write_csv(valid_table("application_train"), staging / "application_train.csv")
    write_csv(valid_table("pos_cash_balance"), staging / "POS_CASH_balance.csv")
    with zipfile.ZipFile(raw_dir / "home-credit-default-risk.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(staging / "application_train.csv", "application_train.csv")
        zf.write(staging / "POS_CASH_balance.csv", "data/POS_CASH_balance.csv")
    assert load(raw_dir).height == 4
    assert load(raw_dir, "pos_cash_balance").height == 4


def test_extra_column_is_dropped_with_a_warning(raw_dir, caplog) -> None:
    frame = valid_table("application_train").with_columns(pl.lit("?").alias("MY_NOTES"))
    write_csv(frame, raw_dir / "application_train.csv")
    with caplog.at_level(logging.WARNING):
        loaded = load(raw_dir)
    assert "MY_NOTES" not in loaded.columns
    assert "MY_NOTES" in caplog.text and "application_train.csv" in caplog.text


def test_optional_table_absent_loads_empty_with_contract_columns(raw_dir, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        frame = load(raw_dir, "previous_application")
    assert frame.height == 0
    assert list(frame.columns) == list(table_schema("previous_application").columns)
    assert "previous_application" in caplog.text and "going on without" in caplog.text


def test_parquet_copy_is_reused_then_rebuilt_when_the_file_changes(raw_dir) -> None:
    path = write_csv(valid_table("application_train"), raw_dir / "application_train.csv")
    load(raw_dir)
    cache = list((raw_dir.parent / "cache").glob("application_train-*.parquet"))
    assert len(cache) == 1
    stamp = cache[0].stat().st_mtime_ns
    load(raw_dir)
    assert cache[0].stat().st_mtime_ns == stamp  # reused
    write_csv(valid_table("application_train", rows=6), path)
    os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    assert load(raw_dir).height == 6
    assert not cache[0].exists()  # the stale copy is removed


def test_columns_description_reads_latin1(raw_dir) -> None:
    text = ',Table,Row,Description,Special\n1,bureau.csv,SK_ID_CURR,Identifiant du cr\xe9dit,\n'
    (raw_dir / "HomeCredit_columns_description.csv").write_bytes(text.encode("latin-1"))
    frame = ColumnsDescriptionDataset(str(raw_dir)).load()
    assert frame.loc[0, "Description"] == "Identifiant du crédit"


# ---------- bad input: each error names the file, the column and the problem ----------

def test_missing_required_column(raw_dir) -> None:
    write_csv(valid_table("application_train").drop("AMT_CREDIT"), raw_dir / "application_train.csv")
    message = data_error(raw_dir)
    assert "application_train.csv" in message
    assert "missing required column(s) AMT_CREDIT" in message


def test_text_in_a_numeric_column(raw_dir) -> None:
    frame = valid_table("application_train").with_columns(
        pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("abc"))
        .otherwise(pl.col("AMT_CREDIT").cast(pl.String)).alias("AMT_CREDIT"))
    write_csv(frame, raw_dir / "application_train.csv")
    message = data_error(raw_dir)
    assert "application_train.csv" in message and "AMT_CREDIT" in message
    assert "'abc' is not a number" in message


def test_duplicated_client_id(raw_dir) -> None:
    frame = valid_table("application_train").with_columns(
        pl.Series("SK_ID_CURR", [100001, 100002, 100002, 100004]))
    write_csv(frame, raw_dir / "application_train.csv")
    message = data_error(raw_dir)
    assert "SK_ID_CURR" in message and "unique" in message and "100002" in message


def test_empty_file(raw_dir) -> None:
    (raw_dir / "application_train.csv").write_bytes(b"")
    message = data_error(raw_dir)
    assert "application_train.csv" in message and "empty" in message


def test_header_only_required_table(raw_dir) -> None:
    write_csv(valid_table("application_train").head(0), raw_dir / "application_train.csv")
    message = data_error(raw_dir)
    assert "no rows" in message


def test_truncated_zip(raw_dir) -> None:
    path = write_csv(valid_table("application_train", rows=400), raw_dir.parent / "a.csv")
    archive = raw_dir / "application_train.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(path, "application_train.csv")
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    message = data_error(raw_dir)
    assert "application_train.zip" in message
    assert "zip" in message.lower()


def test_non_numeric_target(raw_dir) -> None:
    frame = valid_table("application_train").with_columns(
        pl.Series("TARGET", ["0", "yes", "1", "0"]))
    write_csv(frame, raw_dir / "application_train.csv")
    message = data_error(raw_dir)
    assert "TARGET" in message and "'yes'" in message


def test_target_outside_zero_one(raw_dir) -> None:
    frame = valid_table("application_train").with_columns(pl.Series("TARGET", [0, 2, 1, 0]))
    write_csv(frame, raw_dir / "application_train.csv")
    message = data_error(raw_dir)
    assert "TARGET" in message and "outside {0, 1}" in message and "2" in message


def test_fractional_value_in_an_integer_column(raw_dir) -> None:
    frame = valid_table("application_train").with_columns(
        pl.Series("CNT_CHILDREN", [0.0, 1.5, 2.0, 3.0]))
    write_csv(frame, raw_dir / "application_train.csv")
    message = data_error(raw_dir)
    assert "CNT_CHILDREN" in message and "not whole numbers" in message and "1.5" in message


def test_missing_required_table_says_what_was_looked_for(raw_dir) -> None:
    message = data_error(raw_dir, "application_test")
    assert "application_test" in message and "not found" in message
    assert "application_test.csv.gz" in message and ".zip" in message


def test_wrong_dtype_in_a_parquet_file(raw_dir) -> None:
    frame = valid_table("bureau").with_columns(pl.col("AMT_CREDIT_SUM").cast(pl.String))
    frame.write_parquet(raw_dir / "bureau.parquet")
    message = data_error(raw_dir, "bureau")
    assert "bureau.parquet" in message and "AMT_CREDIT_SUM" in message and "expected float" in message
