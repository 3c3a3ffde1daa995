"""The exploration notebook runs headless on a trained, monitored data root (so it never rots)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from catalog_paths import catalog_path

PROJECT = Path(__file__).resolve().parents[1]
NOTEBOOK = PROJECT / "notebooks" / "exploration.ipynb"


def test_the_notebook_is_committed_without_outputs() -> None:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code and all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert "%load_ext kedro.ipython" in "".join(code[0]["source"])


def test_the_notebook_runs_through_the_kedro_catalog(monitored_root) -> None:
    env = {**os.environ, "CREDIT_DATA_ROOT": str(monitored_root), "MPLBACKEND": "Agg",
           "KEDRO_DISABLE_TELEMETRY": "true"}
    result = subprocess.run([sys.executable, str(PROJECT / "tools" / "run_notebook.py"),
                             str(NOTEBOOK)], env=env, capture_output=True, text=True,
                            timeout=300, cwd=PROJECT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    flags = json.loads(catalog_path("data_drift_summary", monitored_root).read_text())
    assert "training clients, default rate" in result.stdout
    assert (f"{flags['drifted_features']} of {flags['features_checked']} features drift"
            in result.stdout)
    assert "cells ran" in result.stdout
