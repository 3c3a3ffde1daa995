"""The Kedro project as a whole: registered pipelines, kedro-viz, the workflow helper."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from catalog_paths import catalog_path, raw_dir
from kedro.framework.project import pipelines
from kedro.framework.startup import bootstrap_project

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", autouse=True)
def _project() -> None:
    bootstrap_project(PROJECT)


def test_the_pipelines_are_registered() -> None:
    assert {"data_engineering", "modeling", "explainability", "monitoring", "batch_scoring",
            "__default__"} <= set(pipelines)
    assert not {n.name for n in pipelines["batch_scoring"].nodes} & {
        n.name for n in pipelines["__default__"].nodes}  # scoring a batch is on demand
    assert {n.name for n in pipelines["data_engineering"].nodes} <= {
        n.name for n in pipelines["__default__"].nodes}


def test_the_full_run_reads_from_disk_only_raw_data_and_configuration() -> None:
    # an input that another node of the run produces under another name would be read
    # before it is written (this is how monitoring once read last run's scores)
    free = pipelines["__default__"].inputs()
    unexpected = {name for name in free
                  if not name.startswith(("raw_", "params:")) and name not in {
                      "parameters", "feature_glossary", "reason_codes",  # configuration files
                      # the API's decisions, overrides and logged traffic: no node writes them
                      "oversight_log", "prediction_log_traffic",
                      # the registry's champion before this run, read to compare with
                      # (model_bundle, another dataset, moves the alias at the end)
                      "current_champion"}}
    assert unexpected == set()


def test_data_engineering_nodes_carry_both_tags() -> None:
    # nothing in data_engineering is fitted, so scoring can run it as is
    for node in pipelines["data_engineering"].nodes:
        assert {"training", "inference"} <= node.tags, node.name


def test_kedro_viz_build_succeeds(tmp_path: Path) -> None:
    env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "true"}
    result = subprocess.run([sys.executable, "-m", "kedro", "viz", "build"], cwd=PROJECT, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    graph = json.loads((PROJECT / "build" / "api" / "main").read_text())
    tasks = {n["name"] for n in graph["nodes"] if n["type"] == "task"}
    assert {"check_raw_tables", "aggregate_bureau", "build_train_features"} <= tasks


def test_workflow_skips_a_run_when_nothing_changed(tmp_path: Path, monkeypatch) -> None:
    from credit_scoring_kedro import workflow

    raw = raw_dir(tmp_path)
    raw.mkdir()
    (raw / "bureau.csv").write_text("SK_ID_CURR\n1\n")
    monkeypatch.setenv("CREDIT_DATA_ROOT", str(tmp_path))
    first = workflow.fingerprint(raw, "__default__")
    assert workflow.fingerprint(raw, "__default__") == first
    assert workflow.fingerprint(raw, "data_engineering") != first
    (raw / "bureau.csv").write_text("SK_ID_CURR\n1\n2\n")
    assert workflow.fingerprint(raw, "__default__") != first
    calls = []
    monkeypatch.setattr(workflow.subprocess, "call", lambda *a, **k: calls.append(a) or 0)
    assert workflow.run_pipelines("__default__") == 0
    assert workflow.run_pipelines("__default__") == 0
    assert len(calls) == 1  # the second call found the same fingerprint and skipped
    assert workflow.run_pipelines("__default__", env="full") == 0   # another environment: a run
    assert calls[-1][0][-4:] == ["--env", "full", "--pipelines", "__default__"]
    assert catalog_path("pipelines_last_run", tmp_path).is_file()


def test_workflow_detects_raw_tables(tmp_path: Path) -> None:
    from credit_scoring_kedro.workflow import raw_tables_present

    assert raw_tables_present(tmp_path) == []
    (tmp_path / "POS_CASH_balance.csv").write_text("x\n")
    assert raw_tables_present(tmp_path) == ["pos_cash_balance"]
