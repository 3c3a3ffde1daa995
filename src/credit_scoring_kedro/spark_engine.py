"""What only Spark needs: its session, and NumPy / model code run on each partition.

Used by the ``spark`` Kedro environment (``kedro run --env spark``, conf/spark/). The
history aggregates and the raw-table checks need nothing from here: they are narwhals
expressions that Spark runs as SQL. Two steps are not expressions but Python code
shared with the API, and run on each partition's Arrow batches (``mapInArrow``, the
Arrow form of ``mapInPandas``: no pandas copy of the 120 application columns):

- the domain features, through :func:`credit_scoring_kedro.features.domain.domain_matrix`,
  the very function the API calls on one client;
- batch scoring, through the served champion's bundle (encoder, model, threshold,
  reason codes): :func:`credit_scoring_kedro.pipelines.modeling.nodes.score_clients`.

pyspark is an optional extra (``pip install -e '.[spark]'``); this module imports it
only inside its functions, so the default engine never needs it.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from credit_scoring_kedro.features.domain import INPUT_COLUMNS, OUTPUT_COLUMNS, domain_matrix

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

logger = logging.getLogger(__name__)

ID = "SK_ID_CURR"
TARGET = "TARGET"
#: The only Java the project needs: Debian's headless runtime (`make java` installs it).
JAVA_PACKAGE = "openjdk-17-jre-headless"


class SparkUnavailableError(RuntimeError):
    """pyspark or a Java runtime is missing: says how to install it."""


def spark_unavailable_reason() -> str | None:
    """Why Spark cannot start here, or None when pyspark and Java are both installed."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return ("pyspark is not installed: `make install-spark` (or "
                "`pip install -e '.[spark]'`) adds the optional extra")
    java_home = os.environ.get("JAVA_HOME")
    if not (shutil.which("java") or (java_home and os.path.exists(os.path.join(java_home, "bin", "java")))):
        return (f"no Java runtime: `make java` installs Debian's {JAVA_PACKAGE} "
                "(Spark 4 needs Java 17 or later)")
    return None


def start_session(conf: Mapping[str, Any]) -> SparkSession:
    """The process's Spark session, built from ``conf`` (conf/<env>/spark.yml) on first use.

    kedro-datasets' Spark datasets then pick it up with ``getOrCreate``. Python workers
    run this interpreter (the project's venv), not whatever ``python3`` is on the PATH.
    """
    reason = spark_unavailable_reason()
    if reason:
        raise SparkUnavailableError(f"The spark environment cannot start: {reason}")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, str(value).lower() if isinstance(value, bool) else str(value))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(str(conf.get("spark.log.level", "ERROR")).upper())
    logger.info("Spark %s session on %s (%s)", spark.version, spark.sparkContext.master,
                spark.sparkContext.appName)
    return spark


def domain_features_on_spark(application: DataFrame) -> DataFrame:
    """The application's columns (TARGET removed) and the domain features, on Spark.

    Same columns, order and values as the polars path's ``application_features``:
    DAYS_EMPLOYED replaced by its cleaned value, the 19 domain features appended as
    doubles (NaN written as missing). Each partition's rows go, in Arrow batches,
    through :func:`domain_matrix`.
    """
    from pyspark.sql.types import DoubleType, StructField, StructType

    frame = application.drop(TARGET) if TARGET in application.columns else application
    inputs = [c for c in INPUT_COLUMNS if c in frame.columns]
    kept = [f for f in frame.schema.fields if f.name not in OUTPUT_COLUMNS]
    schema = StructType(kept + [StructField(n, DoubleType(), True) for n in OUTPUT_COLUMNS])
    kept_names = [f.name for f in kept]
    at = {name: i for i, name in enumerate(INPUT_COLUMNS)}

    def compute(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            block = np.full((batch.num_rows, len(INPUT_COLUMNS)), np.nan)
            for name in inputs:
                column = batch.column(name).cast(pa.float64())
                block[:, at[name]] = column.to_numpy(zero_copy_only=False)
            out = domain_matrix(block)
            added = [pa.array(out[:, j], type=pa.float64(), from_pandas=True)  # NaN -> missing
                     for j in range(len(OUTPUT_COLUMNS))]
            yield pa.RecordBatch.from_arrays(
                [batch.column(n) for n in kept_names] + added,
                names=kept_names + list(OUTPUT_COLUMNS))

    return frame.mapInArrow(compute, schema)


#: Columns of a Spark batch score, as the single-machine ``batch_scores`` plus the run date.
SCORE_SCHEMA = ("SK_ID_CURR long, probability double, decision string, threshold double, "
                "model_version string, reason_codes string")


def score_on_spark(bundle: Any, features: DataFrame, reason_codes: dict, run_date: str) -> DataFrame:
    """The champion's probability, decision and reason codes of every row, on Spark.

    The bundle (encoder, model, threshold) travels to the workers with the function;
    each Arrow batch is scored by the same ``score_clients`` as the single-machine path,
    so probabilities and decisions are the same row for row. ``run_date`` is added as
    the column the output is partitioned by.
    """
    import polars as pl
    from pyspark.sql import functions as F

    from credit_scoring_kedro.pipelines.modeling.nodes import score_clients

    wanted = [ID, *[f for f in bundle.features if f != ID]]
    columns = [c for c in wanted if c in features.columns]

    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            scored = score_clients(bundle, pl.from_arrow(batch), reason_codes)
            yield from scored.with_columns(pl.col(ID).cast(pl.Int64)).to_arrow().to_batches()

    return (features.select(*columns).mapInArrow(score, SCORE_SCHEMA)
            .withColumn("run_date", F.lit(run_date)))
