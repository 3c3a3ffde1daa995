"""Data drift (evidently) and prediction drift of the new clients, with alerts; drift and
realised performance of the API's logged traffic, window by window, with alerts; and how
often people changed the model's decisions (human oversight, per week)."""

from kedro.pipeline import Node, Pipeline

from credit_scoring_kedro.monitoring.oversight import report_oversight_weekly

from .nodes import (
    choose_drift_features,
    raise_drift_alerts,
    report_data_drift,
    report_prediction_drift,
)
from .traffic_nodes import (
    check_outcomes,
    raise_traffic_alerts,
    report_traffic_windows,
    select_logged_traffic,
    stop_on_performance_alert,
    traffic_metrics,
)


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        Node(choose_drift_features, ["global_importance", "params:monitoring"], "drift_features",
             name="choose_drift_features"),
        Node(report_data_drift,
             ["feat_train", "monitoring_current_features", "drift_features", "params:monitoring"],
             ["data_drift_report", "data_drift_summary", "fig_data_drift"],
             name="report_data_drift"),
        Node(report_prediction_drift, ["model_bundle", "X_test", "monitoring_current_scores"],
             "prediction_drift", name="report_prediction_drift"),
        Node(raise_drift_alerts, ["data_drift_summary", "prediction_drift", "params:monitoring"],
             "drift_alerts", name="raise_drift_alerts"),
        Node(report_oversight_weekly, "oversight_log", "oversight_weekly",
             name="report_oversight_weekly"),
        Node(select_logged_traffic,
             ["prediction_log_traffic", "raw_data_origin", "params:monitoring.traffic"],
             "logged_traffic", name="select_logged_traffic"),
        Node(check_outcomes, "raw_outcomes", "observed_outcomes", name="check_outcomes"),
        Node(report_traffic_windows,
             ["logged_traffic", "model_bundle", "X_test", "observed_outcomes",
              "params:monitoring.traffic"],
             ["traffic_windows", "traffic_feature_drift"], name="report_traffic_windows"),
        Node(raise_traffic_alerts, ["traffic_windows", "params:monitoring.traffic"],
             "traffic_alerts", name="raise_traffic_alerts"),
        Node(traffic_metrics, "traffic_windows", "traffic_metrics", name="log_traffic_metrics"),
        # after raise_traffic_alerts' level, so every report above is saved before a strict stop
        Node(stop_on_performance_alert, ["traffic_alerts", "params:monitoring.traffic"], None,
             name="stop_on_performance_alert"),
    ], tags="inference")
