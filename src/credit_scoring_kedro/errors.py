"""Errors that carry a message meant for a person: bad input data, or a monitoring alert."""

from __future__ import annotations


class RawDataError(ValueError):
    """A raw input file is missing, unreadable or breaks the table contract.

    The message always names the file (or table), the column when there is one,
    and the problem, so that the user can fix the file without reading a traceback.
    """


class MonitoringAlert(RuntimeError):
    """A monitoring run found what it was asked to fail on (drift, realised performance).

    Raised only in the strict modes (``monitoring.fail_on_drift``, ``monitoring.traffic.strict``)
    for schedulers: an expected verdict, not a bug, so the run ends in a few lines with its
    own exit code (:data:`credit_scoring_kedro.cli.ALERT_EXIT_CODE`).
    """


def root_error(error: BaseException | None, kind: type[BaseException]) -> BaseException | None:
    """The error of type ``kind`` behind ``error`` (Kedro wraps errors), if any."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None

