"""SHAP values of the served (champion) model for the held-out split and application_test."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    build_feature_reference,
    build_similarity_index,
    explain_new_clients,
    explain_test_split,
    summarise_importance,
)


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        Node(explain_test_split, ["model_bundle", "X_test", "params:explainability"],
             ["shap_test", "top_factors_test"], name="explain_test_split"),
        Node(explain_new_clients, ["model_bundle", "feat_test", "params:explainability"],
             ["shap_new_clients", "top_factors_new_clients"], name="explain_new_clients"),
        Node(summarise_importance,
             ["model_bundle", "shap_test", "X_test", "feature_dictionary",
              "params:explainability"],
             ["global_importance", "fig_global_importance", "fig_shap_beeswarm",
              "global_importance_plotly"], name="summarise_importance"),
        Node(build_feature_reference, ["model_bundle", "feat_train", "prm_default_flags"],
             "feature_reference", name="build_feature_reference"),
        Node(build_similarity_index,
             ["model_bundle", "feat_train", "prm_default_flags", "global_importance",
              "params:explainability"],
             ["similarity_index", "similarity_spec"], name="build_similarity_index"),
    ], tags="inference")
