"""Every path comes from the catalog, absolute: nothing depends on the working directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from kedro_runner import kedro_env

from credit_scoring_kedro.serving import artifacts

PROJECT = Path(__file__).resolve().parents[1]


def test_no_service_or_pipeline_changes_the_working_directory() -> None:
    found = [f"{path.relative_to(PROJECT)}:{number}"
             for folder in ("src", "api", "dashboard")
             for path in sorted((PROJECT / folder).rglob("*.py"))
             for number, line in enumerate(path.read_text().splitlines(), start=1)
             if "chdir" in line]
    assert found == []


def test_every_catalog_path_is_absolute_from_any_working_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CREDIT_DATA_ROOT", raising=False)
    monkeypatch.delenv("PREDICTION_LOG_URL", raising=False)
    paths = {name: artifacts.artifact_path(name) for name in artifacts.catalog().keys()}
    files = {name: path for name, path in paths.items() if path is not None}
    assert len(files) > 30
    assert {name for name, path in files.items() if not path.is_absolute()} == set()
    # the served model is in the MLflow Model Registry, cached under the data root
    assert "model_bundle" not in files
    bundle = artifacts.dataset_config("model_bundle")
    assert bundle["cache_dir"] == str(PROJECT / "data" / "06_models" / "registry_cache")
    assert bundle["alias"] == "champion" and bundle["registered_model_name"] == "credit_default_scorer"
    assert files["reason_codes"] == PROJECT / "conf" / "base" / "reason_codes.yml"
    assert artifacts.dataset_config("prediction_log")["url"] == (
        f"sqlite:///{PROJECT}/data/07_model_output/prediction_log.db")


def test_the_data_root_is_the_variable_or_the_environments(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CREDIT_DATA_ROOT", str(tmp_path))
    assert artifacts.artifact_path("feat_train") == tmp_path / "04_feature" / "train_features.parquet"
    monkeypatch.setenv("CREDIT_DATA_ROOT", "elsewhere")     # relative: to the project root
    assert artifacts.configured_data_root() == PROJECT / "elsewhere"
    monkeypatch.delenv("CREDIT_DATA_ROOT")
    assert artifacts.configured_data_root() == PROJECT / "data"
    assert artifacts.configured_data_root("test") == PROJECT / "tests" / "fixtures" / "data"


@pytest.mark.parametrize(("env", "profile"), [(None, "fast"), ("full", "full"), ("test", "smoke")])
def test_each_environment_chooses_its_training_profile(env, profile, monkeypatch) -> None:
    if env is None:
        monkeypatch.delenv("KEDRO_ENV", raising=False)
    else:
        monkeypatch.setenv("KEDRO_ENV", env)
    assert artifacts.parameters("modeling")["profile"] == profile


def test_the_api_loads_from_another_working_directory(trained_root, tmp_path, monkeypatch) -> None:
    from api.access import Access
    from api.app import create_app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "chdir", lambda path: pytest.fail(f"os.chdir({path}) while serving"))
    monkeypatch.setenv("CREDIT_DATA_ROOT", str(trained_root))
    # the registry the root was trained into (its served model is an alias there)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", kedro_env(trained_root)["MLFLOW_TRACKING_URI"])
    monkeypatch.setenv("PREDICTION_LOG_URL", f"sqlite:///{tmp_path / 'log' / 'log.db'}")
    (tmp_path / "log").mkdir()
    client = create_app(access=Access.off(), cors_origins=[]).test_client()
    assert client.get("/api/v1/ready").status_code == 200
    assert [p.name for p in tmp_path.iterdir()] == ["log"]   # nothing written beside it


def test_a_pipeline_run_from_another_working_directory_writes_under_the_data_root(
        tmp_path) -> None:
    from credit_scoring_kedro.demo_data import generate_demo_data

    root, elsewhere = tmp_path / "root", tmp_path / "elsewhere"
    generate_demo_data(root / "01_raw", n_train=200, n_test=40, seed=3)
    elsewhere.mkdir()
    script = ("from kedro.framework.session import KedroSession\n"
              "from kedro.framework.startup import bootstrap_project\n"
              f"bootstrap_project({str(PROJECT)!r})\n"
              f"with KedroSession.create(project_path={str(PROJECT)!r}, env='test') as session:\n"
              "    session.run(pipeline_names=['data_engineering'])\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=elsewhere, env=kedro_env(root),
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (root / "04_feature" / "train_features.parquet").exists()
    assert list(elsewhere.iterdir()) == []
