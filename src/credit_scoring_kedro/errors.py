"""Errors that carry a message meant for the person who supplied the data."""


class RawDataError(ValueError):
    """A raw input file is missing, unreadable or breaks the table contract.

    The message always names the file (or table), the column when there is one,
    and the problem, so that the user can fix the file without reading a traceback.
    """
