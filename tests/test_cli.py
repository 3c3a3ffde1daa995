"""The project's `kedro run`: bad input and strict-mode monitoring alerts end in a few lines."""

from __future__ import annotations

import logging

import click
import pytest
from click.testing import CliRunner

from credit_scoring_kedro.cli import ALERT_EXIT_CODE, DATA_ERROR_EXIT_CODE, _ShortDataErrors
from credit_scoring_kedro.errors import RawDataError
from credit_scoring_kedro.pipelines.monitoring.nodes import DriftAlert
from credit_scoring_kedro.pipelines.monitoring.traffic_nodes import PerformanceAlert


def failing_run(error: Exception) -> click.Command:
    """A `run` whose pipeline fails as Kedro reports it: the node's error wrapped once more."""
    def callback() -> None:
        try:
            raise error
        except Exception as cause:
            raise RuntimeError("node 'raise_traffic_alerts' failed") from cause
    return _ShortDataErrors(name="run", callback=callback)


@pytest.mark.parametrize("error, code, says", [
    (PerformanceAlert("window w012: realised AUC 0.619 below the held-out 0.756"),
     ALERT_EXIT_CODE, "Run stopped by a monitoring alert (exit code 3): window w012"),
    (DriftAlert("15 of 30 features drifted (monitoring.fail_on_drift is set)"),
     ALERT_EXIT_CODE, "Run stopped by a monitoring alert (exit code 3): 15 of 30"),
    (RawDataError("outcomes.csv: missing required column(s) OBSERVED_AT"),
     DATA_ERROR_EXIT_CODE, "Run stopped by the input data problem above (exit code 1)"),
])
def test_an_alert_or_bad_input_ends_with_its_code_and_one_line(error, code, says,
                                                               caplog) -> None:
    with caplog.at_level(logging.DEBUG, logger="credit_scoring_kedro.cli"):
        result = CliRunner().invoke(failing_run(error), [])
    assert result.exit_code == code
    assert "Traceback" not in result.output
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith(says), errors
    assert [r.exc_info for r in caplog.records if r.levelno == logging.DEBUG][0] is not None


def test_any_other_error_keeps_its_traceback() -> None:
    result = CliRunner().invoke(failing_run(KeyError("a bug")), [])
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)   # raised on, not turned into a verdict
    assert isinstance(result.exception.__cause__, KeyError)
