"""Session-wide test settings and the shared fixtures that run Kedro for real."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kedro_runner import run_kedro

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
    generate_demo_data(root / "01_raw", n_train=1500, n_test=300, seed=8)
    run_kedro(root, "--pipelines", "data_engineering")
    run_kedro(root, "--pipelines", "modeling", "--params", "modeling.profile=smoke")
    run_kedro(root, "--pipelines", "explainability")
    return root


@pytest.fixture(scope="session")
def monitored_root(trained_root, tmp_path_factory) -> Path:
    """A copy of the trained root on which the monitoring pipeline also ran."""
    import shutil

    root = tmp_path_factory.mktemp("monitored") / "data"
    shutil.copytree(trained_root, root)
    run_kedro(root, "--pipelines", "monitoring")
    return root
