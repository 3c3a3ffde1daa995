"""New applications (application_test columns) -> features -> champion probability and decision.

`kedro run --pipelines batch_scoring --params scoring_file=path/to/new_clients.csv`
scores any file with the application_test columns (csv, csv.gz, zip or parquet); without
``scoring_file`` it scores data/01_raw's application_test. Clients with no history are
scored too: their history features are missing, as for a first-time borrower.

The scoring itself is the modeling pipeline's ``inference``-tagged nodes, rewired onto the
batch: a batch is scored exactly as the held-out application_test is, by the published
bundle, and nothing here fits.

`kedro run --env spark --pipelines batch_scoring` runs the same nodes on Spark: the batch
and the history store load as Spark DataFrames and the scores are written as Parquet,
partitioned by ``run_date`` (``--params batch_scoring.run_date=2026-12-31``; default today).
"""

from kedro.pipeline import Node, Pipeline

from credit_scoring_kedro.pipelines.data_engineering.nodes import build_features
from credit_scoring_kedro.pipelines.modeling import create_pipeline as modeling


def create_pipeline(**kwargs) -> Pipeline:
    scoring = modeling().only_nodes_with_tags("inference")
    return Pipeline([
        Node(build_features, ["raw_scoring_batch", "feat_client_history"], "feat_scoring_batch",
             name="build_batch_features"),
        Pipeline(scoring, namespace="batch_scoring",
                 inputs={"feat_test": "feat_scoring_batch", "model_bundle": "model_bundle",
                         "reason_codes": "reason_codes"},
                 outputs={"test_scores": "batch_scores"},
                 parameters={"params:batch_scoring": "params:batch_scoring"}),
    ], tags="inference")
