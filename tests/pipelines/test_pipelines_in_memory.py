"""data_engineering and modeling (up to the bundle) run in memory, and agree with `kedro run`.

The session's ``trained_root`` ran the same demo data (n_train=1500, n_test=300, seed 8)
through ``kedro run`` in subprocesses (conf/test for modeling). Running the same pipelines
in this process over memory datasets must give the same feature table and the same held-out
metrics: the nodes depend on their inputs and parameters only, not on files or the session.
The registry nodes (register_model, write_model_card, publish_model) talk to MLflow through
the project's hooks and are left to the subprocess runs.
"""

from __future__ import annotations

import json

import polars as pl
import pytest
from catalog_paths import catalog_path, raw_dir
from memory_runner import run_in_memory
from polars.testing import assert_frame_equal

from credit_scoring_kedro.demo_data import generate_demo_data
from credit_scoring_kedro.pipelines.data_engineering import create_pipeline as data_engineering
from credit_scoring_kedro.pipelines.modeling import create_pipeline as modeling
from credit_scoring_kedro.serving import artifacts

REGISTRY_NODES = ("score_champion", "register_model", "write_model_card", "publish_model",
                  "score_clients")


@pytest.fixture(scope="module")
def features(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("memory_root")
    raw = raw_dir(root)
    generate_demo_data(raw, n_train=1500, n_test=300, seed=8)   # = conftest.trained_root
    pipeline = data_engineering()
    with artifacts.data_root(root):   # the raw tables as the catalog reads them, then memory
        catalog = artifacts.catalog()
        inputs = {name: catalog.load(name) for name in pipeline.inputs()}
    return run_in_memory(pipeline, inputs)


def test_data_engineering_in_memory_gives_the_kedro_runs_feature_tables(features,
                                                                        trained_root) -> None:
    for name in ("feat_train", "feat_test"):
        on_disk = pl.read_parquet(catalog_path(name, trained_root))
        in_memory = features[name]
        in_memory = in_memory.collect() if isinstance(in_memory, pl.LazyFrame) else in_memory
        assert in_memory.height == on_disk.height > 0
        assert_frame_equal(in_memory.sort("SK_ID_CURR"), on_disk.sort("SK_ID_CURR"),
                           check_column_order=False)


def test_modeling_in_memory_gives_the_kedro_runs_held_out_metrics(features, trained_root,
                                                                  monkeypatch) -> None:
    monkeypatch.setenv("KEDRO_ENV", "test")   # the smoke profile, as trained_root's run
    params = artifacts.parameters("modeling")
    pipeline = modeling().to_outputs("candidate_bundle", "test_predictions", "fairness_report")
    assert not set(REGISTRY_NODES) & {node.name for node in pipeline.nodes}
    out = run_in_memory(pipeline, {"feat_train": features["feat_train"],
                                   "prm_default_flags": features["prm_default_flags"],
                                   "params:modeling": params})
    on_disk = json.loads(catalog_path("test_report", trained_root).read_text())
    report = out["test_report"]
    assert report["served"]["candidate"] == on_disk["served"]["candidate"]
    for metric in ("auc", "business_cost", "brier", "threshold"):
        assert report["served"][metric] == pytest.approx(on_disk["served"][metric],
                                                         abs=1e-9), metric
    assert report["selection"]["oof_costs"] == pytest.approx(on_disk["selection"]["oof_costs"],
                                                             abs=1e-12)
    assert out["candidate_bundle"].threshold == pytest.approx(on_disk["served"]["threshold"],
                                                              abs=1e-12)
