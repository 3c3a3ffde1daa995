"""The whole data_engineering pipeline on the real sample, run as `kedro run`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from catalog_paths import catalog_path, raw_dir

PROJECT = Path(__file__).resolve().parents[3]
SAMPLE = Path(os.environ.get("HOME_CREDIT_SAMPLE", PROJECT.parent / "shared" / "data" / "home-credit-sample"))
LAYERS = ("01_raw", "02_intermediate", "03_primary", "04_feature", "08_reporting")


@pytest.fixture(scope="module")
def sample_outputs(tmp_path_factory: pytest.TempPathFactory, kedro) -> Path:
    if not (SAMPLE / "application_train.csv").exists():
        pytest.skip(f"real Home Credit sample not found at {SAMPLE} (set HOME_CREDIT_SAMPLE)")
    root = tmp_path_factory.mktemp("sample_root")
    for layer in LAYERS:
        (root / layer).mkdir()
    for path in SAMPLE.glob("*.csv"):
        shutil.copy(path, raw_dir(root) / path.name)
    kedro(root, "--pipelines", "data_engineering", timeout=300)
    return root


@pytest.mark.realdata
def test_real_sample_gives_one_row_per_application(sample_outputs: Path) -> None:
    raw = pl.read_csv(SAMPLE / "application_train.csv", columns=["SK_ID_CURR"])
    train = pl.read_parquet(catalog_path("feat_train", sample_outputs))
    test = pl.read_parquet(catalog_path("feat_test", sample_outputs))
    assert train.height == raw.height
    assert train["SK_ID_CURR"].n_unique() == train.height
    assert set(train["SK_ID_CURR"]) == set(raw["SK_ID_CURR"])
    assert test.height == pl.read_csv(SAMPLE / "application_test.csv", columns=["SK_ID_CURR"]).height
    assert "TARGET" not in train.columns
    assert train.columns == test.columns


@pytest.mark.realdata
def test_real_sample_without_previous_application_has_no_prev_features(sample_outputs: Path) -> None:
    train = pl.read_parquet(catalog_path("feat_train", sample_outputs))
    assert not [c for c in train.columns if c.startswith("PREV_")]
    assert [c for c in train.columns if c.startswith("BURO_")]
    report = json.loads(catalog_path("raw_data_report", sample_outputs).read_text())
    assert report["missing_optional_tables"] == ["previous_application"]


@pytest.mark.realdata
def test_real_sample_bureau_counts_match_the_raw_rows(sample_outputs: Path) -> None:
    bureau = pl.read_csv(SAMPLE / "bureau.csv", columns=["SK_ID_CURR", "CREDIT_ACTIVE"])
    expected = bureau.group_by("SK_ID_CURR").agg(
        pl.len().alias("n"), (pl.col("CREDIT_ACTIVE") == "Active").sum().alias("active"))
    train = pl.read_parquet(catalog_path("feat_train", sample_outputs),
                            columns=["SK_ID_CURR", "BURO_COUNT", "BURO_ACTIVE_COUNT"])
    joined = train.join(expected, on="SK_ID_CURR", how="left").with_columns(
        pl.col("n").fill_null(0), pl.col("active").fill_null(0))
    assert (joined["BURO_COUNT"] == joined["n"].cast(pl.Float64)).all()
    assert (joined["BURO_ACTIVE_COUNT"] == joined["active"].cast(pl.Float64)).all()
    assert (joined["BURO_COUNT"] == 0).sum() > 0  # clients with no bureau row: zero, not missing


@pytest.mark.realdata
def test_real_sample_feature_dictionary_describes_every_feature(sample_outputs: Path) -> None:
    train = pl.read_parquet(catalog_path("feat_train", sample_outputs))
    entries = json.loads(catalog_path("feature_dictionary", sample_outputs).read_text())
    assert [e["name"] for e in entries] == [c for c in train.columns if c != "SK_ID_CURR"]
    assert all(e["description"] and e["source_table"] for e in entries)


@pytest.mark.realdata
def test_real_sample_default_flags_kept_apart(sample_outputs: Path) -> None:
    flags = pl.read_parquet(catalog_path("prm_default_flags", sample_outputs))
    raw = pl.read_csv(SAMPLE / "application_train.csv", columns=["SK_ID_CURR", "TARGET"])
    assert flags.columns == ["SK_ID_CURR", "TARGET"]
    assert flags.sort("SK_ID_CURR")["TARGET"].to_list() == raw.sort("SK_ID_CURR")["TARGET"].to_list()


@pytest.mark.realdata
def test_run_is_tracked_in_mlflow(sample_outputs: Path) -> None:
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{sample_outputs}/mlflow.db")
    experiment = client.get_experiment_by_name("credit_scoring")
    assert experiment is not None
    runs = client.search_runs([experiment.experiment_id])
    assert any(r.data.tags.get("mlflow.runName") == "data_engineering" for r in runs)
