"""Errors that carry a message meant for the person who supplied the data."""

from __future__ import annotations


class RawDataError(ValueError):
    """A raw input file is missing, unreadable or breaks the table contract.

    The message always names the file (or table), the column when there is one,
    and the problem, so that the user can fix the file without reading a traceback.
    """


def root_data_error(error: BaseException | None) -> RawDataError | None:
    """The :class:`RawDataError` behind ``error`` (Kedro wraps it in ``DatasetError``s), if any."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, RawDataError):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None
