"""Hooks that make failures readable for the person running the pipeline."""

from __future__ import annotations

import logging

from kedro.framework.hooks import hook_impl

from credit_scoring_kedro.errors import RawDataError

logger = logging.getLogger(__name__)


class ClearErrorHooks:
    """Log a one-line cause when bad input stops a run; Kedro still exits non-zero."""

    @hook_impl
    def on_pipeline_error(self, error: Exception, run_params: dict, pipeline, catalog) -> None:
        cause = _root_data_error(error)
        if cause is not None:
            logger.error("Input data problem, nothing was overwritten: %s", cause)


def _root_data_error(error: BaseException | None) -> RawDataError | None:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, RawDataError):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None
