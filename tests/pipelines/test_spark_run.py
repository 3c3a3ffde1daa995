"""`kedro run --env spark` on the demo data (20,000 clients) gives the default engine's tables and scores.

Opt-in (`make test-slow`): two full data_engineering runs, one per engine, on the same demo
tables; then a smoke model trained on one machine from the feature table Spark wrote, and
batch scoring of application_test on Spark and on polars with that model, from the history
store Spark wrote. tests/features/test_engines.py and
tests/pipelines/batch_scoring/test_spark_batch_scoring.py are the same checks on a few hundred
clients in the default run. Skipped, with the reason, when pyspark or Java is missing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from spark_session import assert_same_table

from credit_scoring_kedro.spark_engine import spark_unavailable_reason

pytestmark = pytest.mark.slow

TABLES = ("03_primary/default_flags.parquet", "04_feature/client_history.parquet",
          "04_feature/train_features.parquet", "04_feature/test_features.parquet")
RUN_DATE = "2026-12-31"


def read(root: Path, relative: str) -> pl.DataFrame:
    path = root / relative
    return pl.read_parquet(path / "*.parquet" if path.is_dir() else path)


@pytest.fixture(scope="module")
def roots(tmp_path_factory, kedro) -> tuple[Path, Path]:
    reason = spark_unavailable_reason()
    if reason:
        pytest.skip(f"Spark tests need pyspark and Java 17+: {reason}")
    from credit_scoring_kedro.demo_data import generate_demo_data

    raw = tmp_path_factory.mktemp("demo_raw")
    generate_demo_data(raw, n_train=20_000, n_test=3_170, seed=0)   # `make demo-data`
    out = []
    for engine in ("polars", "spark"):
        root = tmp_path_factory.mktemp(engine)
        (root / "01_raw").symlink_to(raw)
        env = ["--env", "spark"] if engine == "spark" else []
        kedro(root, *env, "--pipelines", "data_engineering", timeout=1800)
        out.append(root)
    return out[0], out[1]


@pytest.mark.parametrize("table", TABLES)
def test_the_spark_run_writes_the_default_engines_tables(roots, table: str) -> None:
    on_polars, on_spark = roots
    assert (on_spark / table).is_dir()  # Spark's part files, read as one table
    assert_same_table(read(on_polars, table), read(on_spark, table))


def test_training_reads_the_spark_tables_and_batch_scores_agree(roots, kedro) -> None:
    _, root = roots
    kedro(root, "--pipelines", "modeling", "--params", "modeling.profile=smoke", timeout=1800)
    kedro(root, "--env", "spark", "--pipelines", "batch_scoring",
          "--params", f"batch_scoring.run_date={RUN_DATE}", timeout=1800)
    kedro(root, "--pipelines", "batch_scoring", timeout=900)
    on_polars = pl.read_csv(root / "07_model_output" / "batch_scores.csv").sort("SK_ID_CURR")
    partition = root / "07_model_output" / "batch_scores_spark" / f"run_date={RUN_DATE}"
    on_spark = pl.read_parquet(partition / "*.parquet").sort("SK_ID_CURR")
    assert on_spark["SK_ID_CURR"].to_list() == on_polars["SK_ID_CURR"].to_list()
    np.testing.assert_allclose(on_spark["probability"].to_numpy(),
                               on_polars["probability"].to_numpy(), rtol=1e-12, atol=0)
    assert on_spark["decision"].to_list() == on_polars["decision"].to_list()
    assert (on_spark["reason_codes"].fill_null("").to_list()
            == on_polars["reason_codes"].fill_null("").to_list())
