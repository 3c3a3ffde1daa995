"""Raw tables -> validated tables -> per-client history -> feature rows for train and test."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    TABLES,
    aggregate_bureau,
    aggregate_credit_card,
    aggregate_installments,
    aggregate_pos_cash,
    aggregate_previous_applications,
    build_feature_dictionary,
    build_features,
    check_raw_tables,
    extract_default_flags,
    join_client_history,
)


def create_pipeline(**kwargs) -> Pipeline:
    checks = Node(
        check_raw_tables,
        inputs={"columns_description": "raw_columns_description",
                **{name: f"raw_{name}" for name in TABLES}},
        outputs={**{f"int_{name}": f"int_{name}" for name in TABLES},
                 "int_columns_description": "int_columns_description",
                 "raw_data_report": "raw_data_report"},
        name="check_raw_tables",
    )
    history = [
        Node(aggregate_bureau, ["int_bureau", "int_bureau_balance"], "feat_bureau",
             name="aggregate_bureau"),
        Node(aggregate_previous_applications, "int_previous_application", "feat_previous",
             name="aggregate_previous_applications"),
        Node(aggregate_pos_cash, "int_pos_cash_balance", "feat_pos_cash", name="aggregate_pos_cash"),
        Node(aggregate_installments, "int_installments_payments", "feat_installments",
             name="aggregate_installments"),
        Node(aggregate_credit_card, "int_credit_card_balance", "feat_credit_card",
             name="aggregate_credit_card"),
        Node(join_client_history,
             ["feat_bureau", "feat_previous", "feat_pos_cash", "feat_installments", "feat_credit_card"],
             "feat_client_history", name="join_client_history"),
    ]
    rows = [
        Node(build_features, ["int_application_train", "feat_client_history"], "feat_train",
             name="build_train_features"),
        Node(build_features, ["int_application_test", "feat_client_history"], "feat_test",
             name="build_test_features"),
        Node(extract_default_flags, "int_application_train", "prm_default_flags",
             name="extract_default_flags"),
        Node(build_feature_dictionary,
             ["feat_train", "int_columns_description", "feature_glossary"],
             "feature_dictionary", name="build_feature_dictionary"),
    ]
    return Pipeline([checks, *history, *rows], tags=["training", "inference"])
