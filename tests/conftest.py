"""Session-wide test settings and the shared fixtures that run Kedro for real."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from catalog_paths import raw_dir
from kedro_runner import run_kedro

PROJECT = Path(__file__).resolve().parents[1]
#: The real Home Credit sample (third-party data: read from outside the repository, never copied in).
REAL_SAMPLE = Path(os.environ.get("HOME_CREDIT_SAMPLE",
                                  PROJECT.parent / "shared" / "data" / "home-credit-sample"))

# Never let kedro-telemetry ask, phone home, or write a project id into pyproject.toml.
os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture(scope="session")
def kedro():
    """The :func:`run_kedro` helper, as a fixture."""
    return run_kedro


@pytest.fixture(scope="session")
def trained_root(tmp_path_factory) -> Path:
    """A data root with demo data, features, a trained model (smoke profile) and its explanations.

    Shared by the pipeline, API and dashboard tests: about a minute, paid once per session.
    """
    from credit_scoring_kedro.demo_data import generate_demo_data

    root = tmp_path_factory.mktemp("trained_root")
    generate_demo_data(raw_dir(root), n_train=1500, n_test=300, seed=8)
    run_kedro(root, "--pipelines", "data_engineering")
    run_kedro(root, "--pipelines", "modeling", "--env", "test")   # conf/test: the smoke profile
    run_kedro(root, "--pipelines", "explainability")
    return root


@pytest.fixture(scope="session")
def real_sample_root(tmp_path_factory) -> Path:
    """A data root with the real Home Credit sample, trained (smoke profile), explained, monitored.

    Shared by every real-data test, so the sample is trained once per session (about two
    minutes). Skips when the sample is absent (set HOME_CREDIT_SAMPLE to its folder).
    """
    if not (REAL_SAMPLE / "application_train.csv").exists():
        pytest.skip(f"real Home Credit sample not found at {REAL_SAMPLE} (set HOME_CREDIT_SAMPLE)")
    root = tmp_path_factory.mktemp("real_sample")
    raw_dir(root).mkdir()
    for path in REAL_SAMPLE.glob("*.csv"):
        shutil.copy(path, raw_dir(root) / path.name)
    run_kedro(root, "--pipelines", "data_engineering")
    run_kedro(root, "--pipelines", "modeling", "--env", "test")   # conf/test: the smoke profile
    run_kedro(root, "--pipelines", "explainability")
    run_kedro(root, "--pipelines", "monitoring")
    return root


@pytest.fixture(scope="session")
def monitored_root(trained_root, tmp_path_factory) -> Path:
    """A copy of the trained root on which the monitoring pipeline also ran."""
    root = tmp_path_factory.mktemp("monitored") / "data"
    shutil.copytree(trained_root, root)
    run_kedro(root, "--pipelines", "monitoring")
    return root
