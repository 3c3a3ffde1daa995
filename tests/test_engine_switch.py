"""`make pipelines ENGINE=spark` and the `spark` environment: what runs where (no Spark started here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from kedro.config import MissingConfigException

from credit_scoring_kedro import settings
from credit_scoring_kedro.workflow import run_steps

PROJECT = Path(__file__).resolve().parents[1]


def spark_conf(env: str) -> dict:
    """The ``spark`` configuration of ``env`` as the project's own loader reads it."""
    return settings.CONFIG_LOADER_CLASS(conf_source=str(PROJECT / "conf"), env=env,
                                        **settings.CONFIG_LOADER_ARGS)["spark"]


def test_the_spark_engine_runs_data_engineering_and_scoring_on_spark_and_training_alone() -> None:
    steps = run_steps("__default__", "spark")
    assert steps[0] == ("spark", "data_engineering") and steps[-1] == ("spark", "batch_scoring")
    assert [p for env, p in steps if env is None] == ["modeling", "explainability", "monitoring"]


def test_the_default_engine_is_one_plain_kedro_run() -> None:
    assert run_steps("__default__", "polars") == [(None, "__default__")]
    assert run_steps("batch_scoring", "spark") == [("spark", "batch_scoring")]


def test_a_kedro_environment_applies_to_the_steps_off_spark() -> None:
    assert run_steps("__default__", "polars", "full") == [("full", "__default__")]
    steps = run_steps("__default__", "spark", "full")
    assert [env for env, _ in steps] == ["spark", "full", "full", "full", "spark"]


def test_only_the_spark_environment_starts_spark(monkeypatch) -> None:
    monkeypatch.delenv("SPARK_MASTER", raising=False)
    with pytest.raises(MissingConfigException):
        spark_conf("local")     # the default run: SparkHooks finds no spark.yml, imports nothing
    conf = spark_conf("spark")
    assert conf["spark.master"] == "local[2]"
    assert "spark.jars.packages" not in conf   # nothing is downloaded at run time


def test_a_cluster_master_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("SPARK_MASTER", "yarn")
    assert spark_conf("spark")["spark.master"] == "yarn"
