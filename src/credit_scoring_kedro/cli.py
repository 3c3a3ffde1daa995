"""`kedro run` that stops on bad input in a few lines: the cause, the exit code, no traceback.

Kedro lets a data error escape to Python, which printed some 90 lines of traceback around
the one sentence that matters. This project's ``run`` (Kedro picks it up from this module, for
``kedro run`` and ``python -m credit_scoring_kedro``) is Kedro's own with that one case
caught: :class:`~credit_scoring_kedro.hooks.ClearErrorHooks` logs the cause, the traceback goes
to DEBUG (a logging.yml named by ``KEDRO_LOGGING_CONFIG`` with ``credit_scoring_kedro`` at
DEBUG shows it). A monitoring alert raised in strict mode ends the same way, with exit code 3.
Any other error keeps its full traceback: it is a bug, not bad input.
"""

from __future__ import annotations

import logging

import click
from kedro.framework.cli.project import run as kedro_run

from credit_scoring_kedro.errors import MonitoringAlert, RawDataError, root_error

logger = logging.getLogger(__name__)

#: Exit code of a run stopped by bad input data (as any failed `kedro run`).
DATA_ERROR_EXIT_CODE = 1
#: Exit code of a monitoring run stopped by its alert in strict mode (the retraining trigger
#: of docs/monitoring.md): schedulers can tell it from a failed run.
ALERT_EXIT_CODE = 3
#: The expected stops, each with its exit code and its last line (the cause appended).
STOPS = ((MonitoringAlert, ALERT_EXIT_CODE,
          "Run stopped by a monitoring alert (exit code {code}): {cause}"),
         (RawDataError, DATA_ERROR_EXIT_CODE,   # the hook logged the cause already
          "Run stopped by the input data problem above (exit code {code})"))


class _ShortDataErrors(click.Command):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as error:
            for kind, code, message in STOPS:
                cause = root_error(error, kind)
                if cause is not None:
                    logger.debug("Traceback of the stopped run", exc_info=error)
                    logger.error(message.format(code=code, cause=cause))
                    ctx.exit(code)
            raise


@click.group(name="credit_scoring_kedro")
def cli() -> None:
    """Project commands: Kedro's, with a shorter `run` failure on bad input."""


run = _ShortDataErrors(name="run", params=kedro_run.params, callback=kedro_run.callback,
                       help=kedro_run.help, short_help=kedro_run.short_help,
                       context_settings=kedro_run.context_settings)
cli.add_command(run)
