"""New applications (application_test columns) -> features -> champion probability and decision.

`kedro run --pipelines batch_scoring --params scoring_file=path/to/new_clients.csv`
scores any file with the application_test columns (csv, csv.gz, zip or parquet); without
``scoring_file`` it scores data/01_raw's application_test. Clients with no history are
scored too: their history features are missing, as for a first-time borrower.
"""

from kedro.pipeline import Node, Pipeline

from credit_scoring_kedro.pipelines.data_engineering.nodes import build_features
from credit_scoring_kedro.pipelines.modeling.nodes import score_clients


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        Node(build_features, ["raw_scoring_batch", "feat_client_history"], "feat_scoring_batch",
             name="build_batch_features"),
        Node(score_clients, ["model_bundle", "feat_scoring_batch", "reason_codes"], "batch_scores",
             name="score_batch"),
    ], tags="inference")
