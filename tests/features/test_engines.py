"""One definition, two engines: the data-engineering nodes on polars and on Spark give the same tables.

A few hundred demo clients go through the same node functions twice, once from the polars
datasets and once from the Spark ones (local[2]); the feature tables must have the same
columns in the same order, the same missing values and numbers within 1e-9 relative, and the
data-quality report and the feature dictionary must be identical. The full-size check, through
`kedro run --env spark` on the demo data, is tests/pipelines/test_spark_run.py (slow).
Skipped, with the reason, when pyspark or Java is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from spark_session import assert_same_table, spark_or_skip

from credit_scoring_kedro.io import (
    ColumnsDescriptionDataset,
    HomeCreditTableDataset,
    SparkHomeCreditTableDataset,
)
from credit_scoring_kedro.pipelines.data_engineering import nodes

PROJECT = Path(__file__).resolve().parents[2]


def run_data_engineering(raw: Path, cache: Path, dataset) -> dict:
    """The data_engineering pipeline's nodes, in order, on the tables ``dataset`` loads.

    On Spark, the outputs conf/spark/catalog.yml writes are written and read back the same
    way (spark.SparkDatasetV2, Parquet), so that later nodes start from them as in `kedro run`.
    """
    def keep(name: str, frame):
        if dataset is HomeCreditTableDataset:
            return frame
        from kedro_datasets.spark import SparkDatasetV2

        stored = SparkDatasetV2(filepath=str(cache / "outputs" / f"{name}.parquet"),
                                save_args={"mode": "overwrite"})
        stored.save(frame)
        return stored.load()

    tables = {name: dataset(table=name, raw_dir=str(raw), cache_dir=str(cache)).load()
              for name in nodes.TABLES}
    description = ColumnsDescriptionDataset(raw_dir=str(raw)).load()
    checked = nodes.check_raw_tables(description, **tables)
    t = {name: checked[f"int_{name}"] for name in nodes.TABLES}
    history = keep("client_history", nodes.join_client_history(
        keep("bureau", nodes.aggregate_bureau(t["bureau"], t["bureau_balance"])),
        keep("previous", nodes.aggregate_previous_applications(t["previous_application"])),
        keep("pos_cash", nodes.aggregate_pos_cash(t["pos_cash_balance"])),
        keep("installments", nodes.aggregate_installments(t["installments_payments"])),
        keep("credit_card", nodes.aggregate_credit_card(t["credit_card_balance"])),
    ))
    train = keep("train", nodes.build_features(t["application_train"], history))
    glossary = yaml.safe_load((PROJECT / "conf" / "base" / "feature_glossary.yml").read_text())
    return {
        "report": checked["raw_data_report"],
        "history": history,
        "train": train,
        "test": keep("test", nodes.build_features(t["application_test"], history)),
        "flags": keep("flags", nodes.extract_default_flags(t["application_train"])),
        "dictionary": nodes.build_feature_dictionary(train, checked["int_columns_description"],
                                                     glossary),
    }


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory) -> tuple[dict, dict]:
    spark_or_skip()
    from credit_scoring_kedro.demo_data import generate_demo_data

    root = tmp_path_factory.mktemp("engines")
    generate_demo_data(root / "01_raw", n_train=300, n_test=100, seed=11)
    on_polars = run_data_engineering(root / "01_raw", root / "cache_polars", HomeCreditTableDataset)
    on_spark = run_data_engineering(root / "01_raw", root / "cache_spark",
                                    SparkHomeCreditTableDataset)
    return on_polars, on_spark


@pytest.mark.parametrize("table", ["history", "train", "test", "flags"])
def test_the_feature_tables_are_the_same_on_both_engines(both_engines, table: str) -> None:
    on_polars, on_spark = both_engines
    assert_same_table(on_polars[table], on_spark[table])


def test_every_history_family_has_columns_on_spark(both_engines) -> None:
    _, on_spark = both_engines
    columns = on_spark["history"].columns
    for prefix in ("BURO_", "PREV_", "POS_", "INSTAL_", "CC_"):
        assert any(c.startswith(prefix) for c in columns), prefix


def test_the_report_and_the_dictionary_are_the_same(both_engines) -> None:
    on_polars, on_spark = both_engines
    assert on_spark["report"] == on_polars["report"]
    assert on_spark["dictionary"] == on_polars["dictionary"]
