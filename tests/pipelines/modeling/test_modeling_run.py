"""The modeling pipeline through a Kedro session: MLflow run, registry, promotion both ways, scoring."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import mlflow
import numpy as np
import polars as pl
import pytest
from catalog_paths import catalog_path, registry_of, served_bundle

PROJECT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(PROJECT / "tests" / "modeling"))
from synthetic import synthetic_features  # noqa: E402

NAME = "credit_default_scorer"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, kedro):
    """Three runs on the same data: dummy only, then a real model, then dummy only again."""
    root = tmp_path_factory.mktemp("modeling_root")
    features, flags = synthetic_features(2500, seed=5)
    test_features, _ = synthetic_features(400, seed=6, first_id=900_000)
    for layer in ("03_primary", "04_feature"):
        (root / layer).mkdir()
    features.write_parquet(catalog_path("feat_train", root))
    test_features.write_parquet(catalog_path("feat_test", root))
    flags.write_parquet(catalog_path("prm_default_flags", root))
    uri = f"sqlite:///{root}/mlflow.db"
    decisions = []
    for profile in ("baseline_only", "smoke", "baseline_only"):
        kedro(root, "--pipelines", "modeling", "--params", f"modeling.profile={profile}")
        decisions.append(json.loads(catalog_path("registry_decision", root).read_text()))
    return root, uri, decisions


def test_first_model_becomes_champion(runs) -> None:
    _, _, decisions = runs
    assert decisions[0]["alias"] == "champion"
    assert decisions[0]["champion_version"] is None


def test_better_model_is_promoted(runs) -> None:
    _, _, decisions = runs
    assert decisions[1]["alias"] == "champion"
    assert decisions[1]["new_cost"] < decisions[1]["champion_cost"]
    assert decisions[1]["champion_version"] == decisions[0]["version"]


def test_worse_model_stays_challenger(runs) -> None:
    root, uri, decisions = runs
    assert decisions[2]["alias"] == "challenger"
    assert decisions[2]["new_cost"] > decisions[2]["champion_cost"]
    client = mlflow.MlflowClient(tracking_uri=uri)
    assert str(client.get_model_version_by_alias(NAME, "champion").version) == decisions[1]["version"]
    assert str(client.get_model_version_by_alias(NAME, "challenger").version) == decisions[2]["version"]
    # the served bundle is still the champion's: each bundle is numbered as its registry version
    bundle = served_bundle(root)
    assert bundle.metadata["registry"]["version"] == decisions[1]["version"] == bundle.version
    challenger = served_bundle(root, alias="challenger")
    assert challenger.metadata["candidate"] == "dummy"
    assert challenger.version == decisions[2]["version"]
    # every registered version holds its bundle; the replaced champion is the rollback target
    assert str(client.get_model_version_by_alias(NAME, "previous_champion").version) == \
        decisions[0]["version"]
    assert registry_of(root).load_version(decisions[0]["version"]).metadata["candidate"] == "dummy"


def test_each_run_is_an_mlflow_run_with_metrics_and_a_registered_model(runs,
                                                                       monkeypatch) -> None:
    _, uri, decisions = runs
    # MLflow's setters also export MLFLOW_TRACKING_URI / MLFLOW_REGISTRY_URI to every later
    # subprocess: monkeypatch puts the environment back as it was, the registry global too.
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", uri)
    previous = mlflow.get_tracking_uri()  # other tests' Kedro sessions may have set it globally
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    try:
        _check_runs_and_registry(uri)
    finally:
        mlflow.set_tracking_uri(previous)
        mlflow.set_registry_uri(None)     # the registry follows the tracking store again


def _check_runs_and_registry(uri: str) -> None:
    client = mlflow.MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("credit_scoring")
    modeling_runs = [r for r in client.search_runs([experiment.experiment_id])
                     if r.data.tags.get("mlflow.runName") == "modeling"]
    assert len(modeling_runs) == 3
    for run in modeling_runs:
        logged = {k.removeprefix("modeling_metrics.") for k in run.data.metrics}
        assert {"test_auc", "test_business_cost", "cv_auc_mean", "oof_cost"} <= logged
        assert "modeling.profile" in run.data.params
    versions = client.search_model_versions(f"name='{NAME}'")
    assert sorted(int(v.version) for v in versions) == [1, 2, 3]
    model = mlflow.sklearn.load_model(f"models:/{NAME}@champion")
    assert model.predict_proba(synthetic_features(10, seed=9)[0].to_pandas()).shape == (10, 2)


def test_smoke_model_beats_the_baselines_on_the_test_split(runs) -> None:
    root, _, decisions = runs
    table = pl.read_csv(catalog_path("model_results_table", root))
    # the last run was baseline_only; the smoke run's report is in the MLflow run, the decision here
    assert decisions[1]["new_cost"] < decisions[0]["new_cost"]
    assert "dummy" in table["model"].to_list()


def test_batch_scoring_gives_one_consistent_row_per_client(runs) -> None:
    root, _, _ = runs
    scores = pl.read_parquet(catalog_path("test_scores", root))
    test_ids = pl.read_parquet(catalog_path("feat_test", root))["SK_ID_CURR"]
    assert scores.height == test_ids.len()
    assert scores["SK_ID_CURR"].n_unique() == scores.height
    assert set(scores["SK_ID_CURR"]) == set(test_ids)
    p = scores["probability"].to_numpy()
    assert ((p >= 0) & (p <= 1)).all()
    refused = scores["decision"].to_numpy() == "refused"
    assert (refused == (p >= scores["threshold"].to_numpy())).all()
    assert set(np.unique(scores["decision"].to_numpy())) <= {"granted", "refused"}


def test_the_inference_tag_scores_with_the_champion_and_fits_nothing(runs, kedro) -> None:
    """`kedro run --tags inference`: the published champion scores application_test again;
    no model is trained, registered or published (the run is a subprocess: MLflow hooks)."""
    root, uri, decisions = runs
    scores_path = catalog_path("test_scores", root)
    scores_path.unlink()
    client = mlflow.MlflowClient(tracking_uri=uri)
    before = sorted(int(v.version) for v in client.search_model_versions(f"name='{NAME}'"))
    kedro(root, "--pipelines", "modeling", "--tags", "inference")
    scores = pl.read_parquet(scores_path)
    assert set(scores["model_version"]) == {decisions[1]["version"]}   # the champion
    assert sorted(int(v.version) for v in client.search_model_versions(f"name='{NAME}'")) == before
