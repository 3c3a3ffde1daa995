"""`kedro run` in a fresh process, for the tests that run pipelines for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def kedro_env(root: Path) -> dict[str, str]:
    """Environment of a `kedro run` on the data root ``root`` with its own MLflow store."""
    store = f"sqlite:///{root}/mlflow.db"   # tracking, registry, artifacts: the root's own
    return {**os.environ, "CREDIT_DATA_ROOT": str(root), "KEDRO_DISABLE_TELEMETRY": "true",
            "MLFLOW_TRACKING_URI": store, "MLFLOW_REGISTRY_URI": store,
            "CREDIT_MLFLOW_ARTIFACTS": str(Path(root) / "mlruns")}


def run_kedro(root: Path, *args: str, check: bool = True,
              timeout: int = 900) -> subprocess.CompletedProcess:
    """`kedro run <args>` on ``root`` in a fresh process.

    A subprocess, because kedro-mlflow keeps hook state across in-process sessions.
    """
    result = subprocess.run([sys.executable, "-m", "kedro", "run", *args], cwd=PROJECT,
                            env=kedro_env(root), capture_output=True, text=True,
                            timeout=timeout, check=False)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result
