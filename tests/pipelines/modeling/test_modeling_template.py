"""The modeling template in memory, on tiny synthetic data: one namespace per candidate, pure nodes.

Runs over memory datasets (tests/memory_runner.py), no session and no MLflow: the registry
nodes that need a tracking run (register_model onwards) are left to test_modeling_run.py.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from memory_runner import run_in_memory
from sklearn.metrics import roc_auc_score

from credit_scoring_kedro.modeling.cost import best_threshold
from credit_scoring_kedro.pipelines.batch_scoring import create_pipeline as batch_scoring
from credit_scoring_kedro.pipelines.modeling import create_pipeline as modeling
from credit_scoring_kedro.pipelines.modeling.candidate_nodes import APP_ONLY, weights
from credit_scoring_kedro.pipelines.modeling.pipeline import (
    CANDIDATES,
    candidate_pipeline,
)
from credit_scoring_kedro.pipelines.modeling.registry_nodes import publish_model
from credit_scoring_kedro.serving import artifacts

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "modeling"))
from synthetic import synthetic_features  # noqa: E402


@pytest.fixture(scope="module")
def params() -> dict:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KEDRO_ENV", "test")     # the smoke profile
        return artifacts.parameters("modeling")


@pytest.fixture(scope="module")
def trained(params) -> tuple[dict, dict, dict]:
    """The training pipeline up to the champion decision, with no champion yet:
    (what it produced, the inputs it was given, a deep copy of them taken before)."""
    features, flags = synthetic_features(1200, seed=11)
    inputs = {"feat_train": features, "prm_default_flags": flags, "params:modeling": params,
              "current_champion": None}
    kept = copy.deepcopy(inputs)
    out = run_in_memory(modeling().to_outputs("promotion", "model_results_table"), inputs)
    return out, inputs, kept


def test_every_candidate_runs_the_same_four_nodes_in_its_own_namespace() -> None:
    pipeline = modeling()
    for name in (*CANDIDATES, APP_ONLY):
        nodes = {n.name for n in pipeline.nodes if n.namespace == name}
        assert nodes == {f"{name}.{step}" for step in
                         ("search", "judge_out_of_fold", "fit", "evaluate_held_out")}, name
        assert {f"{name}_search", f"{name}_model", f"{name}_row"} <= pipeline.all_outputs()


def test_every_profile_sizes_every_candidate(params) -> None:
    for profile, spec in params["profiles"].items():
        assert set(spec["candidates"]) == set(CANDIDATES), profile


def test_one_candidate_namespace_alone_gives_its_fit_and_held_out_row(trained, params) -> None:
    out, _, _ = trained
    shared = {name: out[name] for name in
              ("X_train_encoded", "y_train", "X_test_encoded", "y_test", "feature_encoder")}
    alone = run_in_memory(candidate_pipeline("lgbm_class_weight"),
                          {**shared, "params:modeling": params})
    search, model, row = (alone[f"lgbm_class_weight_{part}"] for part in ("search", "model", "row"))
    proba = model.predict_proba(shared["X_test_encoded"])[:, 1]
    assert row["test_auc"] == pytest.approx(roc_auc_score(shared["y_test"]["TARGET"], proba))
    threshold, cost = best_threshold(shared["y_train"]["TARGET"].to_numpy(), search.oof_proba,
                                     weights(params))
    assert (row["threshold"], row["oof_cost"]) == pytest.approx((threshold, cost))
    assert len(search.oof_proba) == len(shared["y_train"])
    # the namespace alone agrees with the whole pipeline's run of it
    assert row["test_auc"] == pytest.approx(
        out["candidate_rows"]["lgbm_class_weight"]["test_auc"], abs=1e-12)


def test_the_results_table_has_every_candidate_the_baseline_and_the_served_model(trained) -> None:
    out, _, _ = trained
    table = out["model_results_table"]
    assert list(table["model"][:-1]) == [*CANDIDATES, "lgbm_default_application_only"]
    assert table["model"].iloc[-1].startswith("served: ")
    assert table["test_auc"].between(0, 1).all()


def test_the_served_model_is_the_chosen_candidates_own_fit(trained) -> None:
    out, _, _ = trained
    chosen = out["model_selection"]["candidate"]
    served = out["served_model"]
    X = out["X_test_encoded"]
    np.testing.assert_array_equal(served.base.predict_proba(X),
                                  out["candidate_models"][chosen].predict_proba(X))


def test_with_no_champion_the_new_model_becomes_champion(trained) -> None:
    out, _, _ = trained
    assert out["champion_on_test"] == {"version": None, "cost": None, "reason": "no champion yet"}
    assert out["promotion"]["alias"] == "champion"
    assert out["promotion"]["new_cost"] == pytest.approx(
        out["test_report"]["served"]["business_cost"])


def test_a_champion_as_good_as_the_new_model_keeps_its_alias(trained, params) -> None:
    out, _, _ = trained
    champion = publish_model(out["candidate_bundle"], {"version": "7"}, {})
    decided = run_in_memory(modeling().from_nodes("score_champion").to_outputs("promotion"),
                            {"current_champion": champion, "X_test": out["X_test"],
                             "y_test": out["y_test"], "params:modeling": params,
                             "candidate_bundle": out["candidate_bundle"]})
    assert decided["champion_on_test"]["version"] == "7"
    assert decided["champion_on_test"]["cost"] == pytest.approx(decided["promotion"]["new_cost"])
    assert decided["promotion"]["alias"] == "challenger"      # not strictly better


def test_nodes_leave_their_inputs_as_they_found_them(trained) -> None:
    out, given, kept = trained
    pd.testing.assert_frame_equal(given["feat_train"].to_pandas(), kept["feat_train"].to_pandas())
    assert given["params:modeling"] == kept["params:modeling"]
    bundle = out["candidate_bundle"]
    before = copy.deepcopy(bundle.metadata)
    published = publish_model(bundle, {"version": "3", "alias": "champion"}, {"card": 1})
    assert bundle.metadata == before and published is not bundle
    assert published.metadata["version"] == "3" and published.metadata["model_card"] == {"card": 1}


def test_batch_scoring_is_the_modelings_inference_nodes_on_a_batch() -> None:
    inference = modeling().only_nodes_with_tags("inference")
    batch = batch_scoring()
    scorers = [n for n in batch.nodes if n.name.endswith("score_clients")]
    assert [n.func for n in scorers] == [n.func for n in inference.nodes]
    assert scorers[0].outputs == ["batch_scores"] and "feat_scoring_batch" in scorers[0].inputs
    # nothing tagged inference fits: it only reads the published bundle and the rows to score
    assert inference.inputs() == {"model_bundle", "feat_test", "reason_codes",
                                  "params:batch_scoring"}
    assert not inference.all_outputs() & modeling().only_nodes_with_tags("training").inputs()
