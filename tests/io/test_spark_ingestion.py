"""The Spark path refuses the same bad files as the default path, with the same message.

One contract (schema/raw_tables.yml) and one set of rules (validation.py, narwhals) for both
engines: each bad file below is loaded by ``HomeCreditTableDataset`` (polars) and by
``SparkHomeCreditTableDataset`` (the ``spark`` env), and both must say exactly the same thing.
Skipped, with the reason, when pyspark or Java is missing.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from kedro.io import DatasetError
from spark_session import spark_or_skip
from test_raw_ingestion import rows, write

from credit_scoring_kedro.errors import RawDataError
from credit_scoring_kedro.io import HomeCreditTableDataset, SparkHomeCreditTableDataset
from credit_scoring_kedro.schema import table_schema


@pytest.fixture(scope="module")
def spark():
    return spark_or_skip()


def load_both(raw_dir: Path, table: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The table as each engine validated it, both as polars frames sorted by their first column."""
    frames = []
    for kind in (HomeCreditTableDataset, SparkHomeCreditTableDataset):
        cache = raw_dir.parent / f"cache_{kind.__name__}"
        loaded = kind(table=table, raw_dir=str(raw_dir), cache_dir=str(cache)).load()
        frame = loaded.collect() if isinstance(loaded, pl.LazyFrame) else pl.from_arrow(loaded.toArrow())
        frames.append(frame.sort(frame.columns[0]))
    return frames[0], frames[1]


def messages(raw_dir: Path, table: str) -> tuple[str, str]:
    """The RawDataError message each engine raises on ``table``."""
    out = []
    for kind in (HomeCreditTableDataset, SparkHomeCreditTableDataset):
        cache = raw_dir.parent / f"cache_{kind.__name__}"
        dataset = kind(table=table, raw_dir=str(raw_dir), cache_dir=str(cache))
        with pytest.raises(DatasetError) as info:
            loaded = dataset.load()
            if isinstance(loaded, pl.LazyFrame):
                loaded.collect()
        error: BaseException | None = info.value
        while error is not None and not isinstance(error, RawDataError):
            error = error.__cause__
        assert isinstance(error, RawDataError), f"{kind.__name__}: no RawDataError behind {info.value!r}"
        out.append(str(error))
    return out[0], out[1]


def _missing_column(data: dict) -> None:
    del data["AMT_CREDIT"]


def _duplicated_key(data: dict) -> None:
    data["SK_ID_CURR"] = [100_001, 100_007, 100_003, 100_007]


def _target_outside_zero_one(data: dict) -> None:
    data["TARGET"] = [0, 2, 1, 0]


def _target_not_a_number(data: dict) -> None:
    data["TARGET"] = [0, "yes", 1, 0]


def _text_in_a_number(data: dict) -> None:
    data["AMT_CREDIT"][2] = "abc"


def _fractional_integer(data: dict) -> None:
    data["CNT_CHILDREN"] = [0, 1.5, 2, 3]


def _empty_key(data: dict) -> None:
    data["SK_ID_CURR"][1] = None


BAD_FILES = {
    "missing column": (_missing_column, "missing required column(s) AMT_CREDIT"),
    "duplicated key": (_duplicated_key, "2 rows share a key that must be unique (e.g. 100007)"),
    "TARGET outside {0, 1}": (_target_outside_zero_one, "TARGET: 1 value(s) outside {0, 1} (e.g. 2.0)"),
    "TARGET not a number": (_target_not_a_number, "column TARGET: value 'yes' is not a number"),
    "text in a number": (_text_in_a_number, "column AMT_CREDIT: value 'abc' is not a number"),
    "fractional integer": (_fractional_integer, "column CNT_CHILDREN: 1 value(s) are not whole numbers"),
    "empty key": (_empty_key, "column SK_ID_CURR: 1 empty key value(s)"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gets_the_same_message_on_both_engines(case: str, raw_dir: Path, spark) -> None:
    spoil, expected = BAD_FILES[case]
    data = rows("application_train")
    spoil(data)
    write(raw_dir / "application_train.csv", data)
    on_polars, on_spark = messages(raw_dir, "application_train")
    assert expected in on_polars
    assert on_spark == on_polars


def test_a_header_only_required_table_is_refused_alike(raw_dir: Path, spark) -> None:
    write(raw_dir / "application_train.csv", rows("application_train", 0))
    on_polars, on_spark = messages(raw_dir, "application_train")
    assert "no rows" in on_polars and on_spark == on_polars


def test_a_duplicated_history_key_is_refused_alike(raw_dir: Path, spark) -> None:
    data = rows("bureau")
    data["SK_ID_BUREAU"] = [5, 6, 5, 5]
    write(raw_dir / "bureau.csv", data)
    on_polars, on_spark = messages(raw_dir, "bureau")
    assert "SK_ID_BUREAU: 3 rows share a key" in on_polars and on_spark == on_polars


def test_a_wrong_type_in_a_parquet_file_is_refused_alike(raw_dir: Path, spark) -> None:
    frame = pl.DataFrame(rows("bureau")).with_columns(pl.col("AMT_CREDIT_SUM").cast(pl.String))
    frame.write_parquet(raw_dir / "bureau.parquet")
    on_polars, on_spark = messages(raw_dir, "bureau")
    assert "AMT_CREDIT_SUM is String, expected float" in on_polars and on_spark == on_polars


def test_a_good_file_loads_alike_with_the_contract_types(raw_dir: Path, spark) -> None:
    data = rows("application_train")
    data["AMT_ANNUITY"][1] = None
    data["OCCUPATION_TYPE"][2] = None
    write(raw_dir / "application_train.csv", data)
    on_polars, on_spark = load_both(raw_dir, "application_train")
    assert on_spark.columns == list(table_schema("application_train").columns)
    assert on_spark.schema == on_polars.schema
    assert on_spark.equals(on_polars)


def test_an_absent_optional_table_is_empty_alike(raw_dir: Path, spark) -> None:
    write(raw_dir / "application_train.csv", rows("application_train"))
    on_polars, on_spark = load_both(raw_dir, "credit_card_balance")
    assert on_polars.height == on_spark.height == 0
    assert on_spark.schema == on_polars.schema
