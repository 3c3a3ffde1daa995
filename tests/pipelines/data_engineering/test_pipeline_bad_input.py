"""A bad raw file stops `kedro run` with a clear cause and leaves the previous outputs untouched."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import polars as pl
import pytest
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
    generate_demo_data(tmp_path / "01_raw", n_train=300, n_test=60, seed=2)
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    before = snapshot(tmp_path)
    assert any(k.endswith("train_features.parquet") for k in before)
    return tmp_path, before


def test_duplicated_bureau_key_stops_the_run_and_keeps_outputs(good_run) -> None:
    root, before = good_run
    path = root / "01_raw" / "bureau.csv"
    bureau = pl.read_csv(path, infer_schema=False)
    pl.concat([bureau, bureau.head(1)]).write_csv(path)
    message = clear_cause(run(root))
    assert "bureau.csv" in message and "SK_ID_BUREAU" in message and "unique" in message
    assert snapshot(root) == before


def test_client_in_train_and_test_stops_the_run_and_keeps_outputs(good_run) -> None:
    root, before = good_run
    train = pl.read_csv(root / "01_raw" / "application_train.csv", infer_schema=False)
    test_path = root / "01_raw" / "application_test.csv"
    test = pl.read_csv(test_path, infer_schema=False)
    shared = train["SK_ID_CURR"][0]
    test.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(shared))
                      .otherwise(pl.col("SK_ID_CURR")).alias("SK_ID_CURR")).write_csv(test_path)
    message = clear_cause(run(root))
    assert "application_train and application_test share 1 SK_ID_CURR" in message
    assert snapshot(root) == before


def test_demo_data_run_gives_a_row_per_client_and_described_features(good_run) -> None:
    root, _ = good_run
    train = pl.read_parquet(root / "04_feature" / "train_features.parquet")
    assert train.height == 300 and train["SK_ID_CURR"].is_unique().all()
    assert any(c.startswith("PREV_") for c in train.columns)  # demo data has every table
    described = {e["name"] for e in json.loads((root / "04_feature" / "feature_dictionary.json")
                                                .read_text())}
    assert described == set(train.columns) - {"SK_ID_CURR"}
