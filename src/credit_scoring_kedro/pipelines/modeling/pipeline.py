"""Training (tag ``training``) and scoring (tag ``inference``) of the default model.

Every candidate runs the same template in its own namespace (search on shared folds with
out-of-fold probabilities, out-of-fold verdict, fit on the training part, held-out row);
selection, calibration, the champion comparison and the registration follow as separate
nodes. The ``inference`` nodes only read a published bundle: ``batch_scoring`` is built
from them (:func:`inference_pipeline`), so a batch is scored exactly as the held-out
application_test is here, and nothing tagged ``inference`` ever fits.
"""

from functools import partial

from kedro.pipeline import Node, Pipeline

from credit_scoring_kedro.modeling.model_card import training_populations

from .candidate_nodes import (
    APP_ONLY,
    evaluate_candidate,
    fit_candidate,
    judge_out_of_fold,
    search_app_only,
    search_candidate,
)
from .nodes import (
    assemble_bundle,
    calibrate_served_model,
    encode_features,
    evaluate_served,
    fit_feature_encoder,
    gather,
    modeling_metrics,
    plot_held_out,
    predict_test,
    report_fairness,
    score_applications,
    select_and_calibrate,
    split_train_test,
    summarise_searches,
    tabulate_candidates,
)
from .registry_nodes import (
    bootstrap_held_out,
    compare_with_champion,
    publish_model,
    register_model,
    score_champion,
    write_model_card,
)

#: The candidates every profile sizes (``modeling.profiles.<profile>.candidates``), one
#: namespace each, in the order of the results table.
CANDIDATES = ("dummy", "logreg_class_weight", "lgbm_none", "lgbm_class_weight",
              "lgbm_undersample")
#: What every candidate namespace reads from the shared training pipeline.
SHARED = {"X_train_encoded", "y_train", "X_test_encoded", "y_test", "feature_encoder"}


def _search_of(name: str):
    """``search_candidate`` bound to candidate ``name``, named for Kedro's log lines."""
    bound = partial(search_candidate, name=name)
    bound.__name__ = bound.__qualname__ = "search_candidate"
    return bound


def candidate_pipeline(name: str, search=None) -> Pipeline:
    """Candidate ``name``: search -> out-of-fold verdict -> fit -> held-out row, namespaced.

    Outputs ``<name>_search`` (CV result with out-of-fold probabilities), ``<name>_model``
    (fitted on the whole training part) and ``<name>_row`` (its row of the results table);
    the rest stays inside the namespace.
    """
    template = Pipeline([
        Node(search or _search_of(name),
             ["X_train_encoded", "y_train", "feature_encoder", "params:modeling"], "search",
             name="search"),
        Node(judge_out_of_fold, ["search", "y_train", "params:modeling"], "out_of_fold",
             name="judge_out_of_fold"),
        Node(fit_candidate, ["search", "X_train_encoded", "y_train"], ["model", "fit_seconds"],
             name="fit"),
        Node(evaluate_candidate, ["model", "fit_seconds", "out_of_fold", "X_test_encoded",
                                  "y_test", "params:modeling"], "row", name="evaluate_held_out"),
    ])
    return Pipeline(template, namespace=name, inputs=SHARED,
                    outputs={o: f"{name}_{o}" for o in ("search", "model", "row")},
                    parameters={"params:modeling": "params:modeling"})


def _gather(output: str, target: str, names: tuple[str, ...]) -> Node:
    return Node(gather, {n: f"{n}_{output}" for n in names}, target, name=f"gather_{target}")


def inference_pipeline() -> Pipeline:
    """Scoring with the published bundle (application_test here); ``batch_scoring`` is these
    nodes, selected by their tag, on a new batch."""
    return Pipeline([
        Node(score_applications, ["model_bundle", "feat_test", "reason_codes",
                                  "params:batch_scoring"], "test_scores", name="score_clients"),
    ], tags="inference")


def create_pipeline(**kwargs) -> Pipeline:
    everyone = (*CANDIDATES, APP_ONLY)   # the application-only reference last
    candidates = sum((candidate_pipeline(name) for name in CANDIDATES), Pipeline([]))
    training = Pipeline([
        Node(split_train_test, ["feat_train", "prm_default_flags", "params:modeling"],
             ["X_train", "X_test", "y_train", "y_test"], name="split_train_test"),
        Node(fit_feature_encoder, ["X_train", "params:modeling"], "feature_encoder",
             name="fit_feature_encoder"),
        Node(encode_features, ["feature_encoder", "X_train"], "X_train_encoded",
             name="encode_train"),
        Node(encode_features, ["feature_encoder", "X_test"], "X_test_encoded", name="encode_test"),
        candidates,
        candidate_pipeline(APP_ONLY, search_app_only),
        _gather("search", "candidate_searches", everyone),
        _gather("model", "candidate_models", CANDIDATES),
        _gather("row", "candidate_rows", everyone),
        Node(summarise_searches, "candidate_searches", "cv_results", name="summarise_searches"),
        Node(select_and_calibrate, ["candidate_searches", "y_train", "params:modeling"],
             "model_selection", name="select_and_calibrate"),
        Node(calibrate_served_model, ["candidate_models", "candidate_searches", "y_train",
                                      "model_selection"], "served_model",
             name="calibrate_served_model"),
        Node(predict_test, ["served_model", "X_test_encoded", "y_test", "model_selection"],
             "test_predictions", name="predict_test"),
        Node(evaluate_served, ["served_model", "X_train_encoded", "y_train", "test_predictions",
                               "model_selection", "params:modeling"],
             "test_report", name="evaluate_served"),
        Node(modeling_metrics, ["test_report", "candidate_searches"], "modeling_metrics",
             name="modeling_metrics"),
        Node(tabulate_candidates, ["candidate_rows", "model_selection", "test_predictions",
                                   "params:modeling"],
             "model_results_table", name="tabulate_candidates"),
        Node(plot_held_out, ["served_model", "X_test_encoded", "test_predictions", "test_report",
                             "params:modeling"],
             ["fig_roc_pr", "fig_confusion_matrix", "fig_cost_threshold", "fig_calibration"],
             name="plot_held_out"),
        Node(report_fairness, ["test_predictions", "X_test", "params:modeling"],
             ["fairness_report", "fairness_metrics"], name="report_fairness"),
        Node(assemble_bundle, ["feature_encoder", "served_model", "model_selection", "test_report",
                               "params:modeling", "feat_train"], "candidate_bundle",
             name="assemble_bundle"),
        Node(score_champion, ["current_champion", "X_test", "y_test", "params:modeling"],
             "champion_on_test", name="score_champion"),
        Node(compare_with_champion, ["candidate_bundle", "champion_on_test"], "promotion",
             name="compare_with_champion"),
        Node(register_model, ["candidate_bundle", "promotion", "X_test", "params:modeling"],
             "registry_decision", name="register_model"),
        Node(bootstrap_held_out, ["test_predictions", "params:modeling"], "held_out_evidence",
             name="bootstrap_held_out"),
        Node(training_populations, ["y_train", "y_test", "raw_data_origin"],
             "training_populations", name="describe_populations"),
        Node(write_model_card,
             ["candidate_bundle", "registry_decision", "held_out_evidence", "training_populations",
              "fairness_report", "params:modeling", "params:monitoring"],
             ["model_card", "model_card_markdown"], name="write_model_card"),
        Node(publish_model, ["candidate_bundle", "registry_decision", "model_card"],
             "model_bundle", name="publish_model"),
    ], tags="training")
    return training + inference_pipeline()
