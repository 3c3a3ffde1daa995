"""New applications (application_test columns) -> features -> champion probability and decision.

`kedro run --pipelines batch_scoring --params scoring_file=path/to/new_clients.csv`
scores any file with the application_test columns (csv, csv.gz, zip or parquet); without
``scoring_file`` it scores data/01_raw's application_test. Clients with no history are
scored too: their history features are missing, as for a first-time borrower.

`kedro run --env spark --pipelines batch_scoring` runs the same nodes on Spark: the batch
and the history store load as Spark DataFrames and the scores are written as Parquet,
partitioned by ``run_date`` (``--params batch_scoring.run_date=2026-12-31``; default today).
"""

from kedro.pipeline import Node, Pipeline

from credit_scoring_kedro.pipelines.data_engineering.nodes import build_features

from .nodes import score_batch


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        Node(build_features, ["raw_scoring_batch", "feat_client_history"], "feat_scoring_batch",
             name="build_batch_features"),
        Node(score_batch, ["model_bundle", "feat_scoring_batch", "reason_codes",
                           "params:batch_scoring"], "batch_scores", name="score_batch"),
    ], tags="inference")
