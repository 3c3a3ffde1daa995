"""Training (tag ``training``) and batch scoring (tag ``inference``) of the default model."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    assemble_bundle,
    compare_candidates,
    compare_on_test,
    encode_features,
    evaluate_served,
    fit_feature_encoder,
    fit_served_model,
    modeling_metrics,
    plot_held_out,
    predict_test,
    publish_model,
    register_model,
    report_fairness,
    score_clients,
    select_and_calibrate,
    split_train_test,
    summarise_searches,
    write_model_card,
)


def create_pipeline(**kwargs) -> Pipeline:
    training = Pipeline([
        Node(split_train_test, ["feat_train", "prm_default_flags", "params:modeling"],
             ["X_train", "X_test", "y_train", "y_test"], name="split_train_test"),
        Node(fit_feature_encoder, ["X_train", "params:modeling"], "feature_encoder",
             name="fit_feature_encoder"),
        Node(encode_features, ["feature_encoder", "X_train"], "X_train_encoded",
             name="encode_train"),
        Node(encode_features, ["feature_encoder", "X_test"], "X_test_encoded", name="encode_test"),
        Node(compare_candidates, ["X_train_encoded", "y_train", "feature_encoder", "params:modeling"],
             "candidate_searches", name="compare_candidates"),
        Node(summarise_searches, "candidate_searches", "cv_results", name="summarise_searches"),
        Node(select_and_calibrate, ["candidate_searches", "y_train", "params:modeling"],
             "model_selection", name="select_and_calibrate"),
        Node(fit_served_model, ["X_train_encoded", "y_train", "candidate_searches", "model_selection"],
             "served_model", name="fit_served_model"),
        Node(predict_test, ["served_model", "X_test_encoded", "y_test", "model_selection"],
             "test_predictions", name="predict_test"),
        Node(evaluate_served, ["served_model", "X_train_encoded", "y_train", "test_predictions",
                               "model_selection", "params:modeling"],
             "test_report", name="evaluate_served"),
        Node(modeling_metrics, ["test_report", "candidate_searches"], "modeling_metrics",
             name="modeling_metrics"),
        Node(compare_on_test, ["candidate_searches", "model_selection", "X_train_encoded",
                               "y_train", "X_test_encoded", "test_predictions", "params:modeling"],
             "model_results_table", name="compare_on_test"),
        Node(plot_held_out, ["served_model", "X_test_encoded", "test_predictions", "test_report",
                             "params:modeling"],
             ["fig_roc_pr", "fig_confusion_matrix", "fig_cost_threshold", "fig_calibration"],
             name="plot_held_out"),
        Node(report_fairness, ["test_predictions", "X_test", "params:modeling"],
             ["fairness_report", "fairness_metrics"], name="report_fairness"),
        Node(assemble_bundle, ["feature_encoder", "served_model", "model_selection", "test_report",
                               "params:modeling", "feat_train"], "candidate_bundle",
             name="assemble_bundle"),
        Node(register_model, ["candidate_bundle", "X_test", "y_test", "params:modeling"],
             "registry_decision", name="register_model"),
        Node(write_model_card,
             ["candidate_bundle", "registry_decision", "test_predictions", "y_train", "y_test",
              "fairness_report", "raw_data_origin", "params:modeling", "params:monitoring"],
             ["model_card", "model_card_markdown"], name="write_model_card"),
        Node(publish_model, ["candidate_bundle", "registry_decision", "model_card"],
             "model_bundle", name="publish_model"),
    ], tags="training")
    inference = Pipeline([
        Node(score_clients, ["model_bundle", "feat_test", "reason_codes"], "test_scores", name="score_test_clients"),
    ], tags="inference")
    return training + inference
