"""A bad raw file stops `kedro run` with a clear cause and leaves the previous outputs untouched."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import polars as pl
import pytest
from catalog_paths import catalog_path, raw_dir
from kedro_runner import run_kedro

from credit_scoring_kedro.demo_data import generate_demo_data

OUTPUTS = ("03_primary", "04_feature", "08_reporting")


def run(root: Path) -> subprocess.CompletedProcess:
    """`kedro run --pipelines data_engineering` as a user runs it (exit code not checked)."""
    return run_kedro(root, "--pipelines", "data_engineering", check=False, timeout=300)


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for layer in OUTPUTS for p in sorted((root / layer).rglob("*")) if p.is_file()}


def clear_cause(result: subprocess.CompletedProcess) -> str:
    """The one-line cause the project logs before Kedro's traceback."""
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if "Input data problem" in line]
    assert lines, result.stderr[-3000:]
    return lines[0]


@pytest.fixture
def good_run(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    generate_demo_data(raw_dir(tmp_path), n_train=300, n_test=60, seed=2)
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    before = snapshot(tmp_path)
    assert any(k.endswith("train_features.parquet") for k in before)
    return tmp_path, before


def test_duplicated_bureau_key_stops_the_run_and_keeps_outputs(good_run) -> None:
    root, before = good_run
    path = raw_dir(root) / "bureau.csv"
    bureau = pl.read_csv(path, infer_schema=False)
    pl.concat([bureau, bureau.head(1)]).write_csv(path)
    message = clear_cause(run(root))
    assert "bureau.csv" in message and "SK_ID_BUREAU" in message and "unique" in message
    assert snapshot(root) == before


def test_client_in_train_and_test_stops_the_run_and_keeps_outputs(good_run) -> None:
    root, before = good_run
    train = pl.read_csv(raw_dir(root) / "application_train.csv", infer_schema=False)
    test_path = raw_dir(root) / "application_test.csv"
    test = pl.read_csv(test_path, infer_schema=False)
    shared = train["SK_ID_CURR"][0]
    test.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(shared))
                      .otherwise(pl.col("SK_ID_CURR")).alias("SK_ID_CURR")).write_csv(test_path)
    message = clear_cause(run(root))
    assert "application_train and application_test share 1 SK_ID_CURR" in message
    assert snapshot(root) == before


def test_a_missing_column_stops_the_run_in_a_few_lines_without_traceback(tmp_path: Path) -> None:
    generate_demo_data(raw_dir(tmp_path), n_train=200, n_test=40, seed=4)
    path = raw_dir(tmp_path) / "bureau.csv"
    pl.read_csv(path, infer_schema=False).drop("DAYS_CREDIT").write_csv(path)
    result = run(tmp_path)
    assert result.returncode == 1
    assert "bureau.csv: missing required column(s) DAYS_CREDIT" in clear_cause(result)
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    ending = result.stderr[result.stderr.index("Input data problem"):].splitlines()
    assert len(ending) == 2 and "exit code 1" in ending[1], ending   # the cause, the exit code
    assert len(output.splitlines()) < 50, output   # was about 95, most of it traceback


def test_demo_data_run_gives_a_row_per_client_and_described_features(good_run) -> None:
    root, _ = good_run
    train = pl.read_parquet(catalog_path("feat_train", root))
    assert train.height == 300 and train["SK_ID_CURR"].is_unique().all()
    assert any(c.startswith("PREV_") for c in train.columns)  # demo data has every table
    described = {e["name"] for e in json.loads(catalog_path("feature_dictionary", root)
                                                .read_text())}
    assert described == set(train.columns) - {"SK_ID_CURR"}
