"""Batch scoring on Spark gives the single-machine path's probabilities, decisions and reasons.

The session's trained demo root (tests/conftest.py: a smoke model on 1,800 demo clients) is
scored twice: on polars, as `kedro run --pipelines batch_scoring` does, and on Spark
(local[2]), as `kedro run --env spark --pipelines batch_scoring` does, the batch read by
Spark and the history store written by the polars run read back by Spark ("written by
either engine"). Skipped, with the reason, when pyspark or Java is missing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from catalog_paths import catalog_path, raw_dir, served_bundle
from spark_session import spark_or_skip, to_polars

from credit_scoring_kedro.io import (
    HomeCreditTableDataset,
    LazyParquetDataset,
    SparkHomeCreditTableDataset,
)
from credit_scoring_kedro.pipelines.data_engineering.nodes import build_features
from credit_scoring_kedro.pipelines.modeling.nodes import score_applications as score_batch

PROJECT = Path(__file__).resolve().parents[3]
RUN_DATE = "2026-12-31"


@pytest.fixture(scope="module")
def scores(trained_root: Path, tmp_path_factory):
    spark = spark_or_skip()
    bundle = served_bundle(trained_root)
    reasons = yaml.safe_load((PROJECT / "conf" / "base" / "reason_codes.yml").read_text())
    raw, cache = raw_dir(trained_root), tmp_path_factory.mktemp("batch_cache")
    params = {"run_date": RUN_DATE}

    batch = HomeCreditTableDataset(table="application_test", raw_dir=str(raw), cache_dir=str(cache))
    history = LazyParquetDataset(str(catalog_path("feat_client_history", trained_root)),
                                 lazy=False).load()
    on_polars = score_batch(bundle, build_features(batch.load(), history), reasons, params)

    spark_batch = SparkHomeCreditTableDataset(table="application_test", raw_dir=str(raw),
                                              cache_dir=str(cache / "spark"))
    spark_history = spark.read.parquet(str(catalog_path("feat_client_history", trained_root)))
    on_spark = score_batch(bundle, build_features(spark_batch.load(), spark_history), reasons,
                           params)
    return bundle, on_polars, to_polars(on_spark).sort("SK_ID_CURR")


def test_every_client_is_scored_once_with_the_run_date(scores) -> None:
    _, on_polars, on_spark = scores
    assert on_spark.height == on_polars.height == 300
    assert on_spark["SK_ID_CURR"].is_unique().all()
    assert set(on_spark["run_date"]) == {RUN_DATE}


def test_same_probabilities_decisions_and_reasons(scores) -> None:
    bundle, on_polars, on_spark = scores
    expected = on_polars.sort("SK_ID_CURR")
    assert on_spark["SK_ID_CURR"].to_list() == expected["SK_ID_CURR"].to_list()
    np.testing.assert_allclose(on_spark["probability"].to_numpy(),
                               expected["probability"].to_numpy(), rtol=1e-12, atol=0)
    assert on_spark["decision"].to_list() == expected["decision"].to_list()
    assert on_spark["reason_codes"].to_list() == expected["reason_codes"].to_list()
    assert set(on_spark["model_version"]) == {bundle.version}
    assert (on_spark["decision"] == "refused").any()  # the check is not vacuous
