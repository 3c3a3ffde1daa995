"""Hooks: readable failures for the person running the pipeline, and the Spark session of the spark env."""

from __future__ import annotations

import logging

from kedro.config import MissingConfigException
from kedro.framework.hooks import hook_impl

from credit_scoring_kedro.errors import RawDataError, root_error

logger = logging.getLogger(__name__)


class ClearErrorHooks:
    """Log a one-line cause when bad input stops a run; the project's `kedro run` (cli.py) then
    exits with code 1 and keeps the traceback for DEBUG."""

    @hook_impl
    def on_pipeline_error(self, error: Exception, run_params: dict, pipeline, catalog) -> None:
        cause = root_error(error, RawDataError)
        if cause is not None:
            logger.error("Input data problem, nothing was overwritten: %s", cause)


class SparkHooks:
    """Start Spark from ``conf/<env>/spark.yml`` when the run's environment has one (``--env spark``).

    Environments without that file (``base``/``local``, the default) never import pyspark.
    """

    @hook_impl
    def after_context_created(self, context) -> None:
        try:
            conf = context.config_loader["spark"]
        except MissingConfigException:
            return
        if conf:
            from credit_scoring_kedro.spark_engine import start_session

            start_session(conf)

