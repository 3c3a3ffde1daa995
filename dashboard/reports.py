"""The pipelines' static reports (drift, global-importance figure), read through the catalog.

They are files, not predictions, so the dashboard reads them from the Kedro catalog entries
(``credit_scoring_kedro.serving.artifacts``) rather than through the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st


class ReportUnavailable(Exception):
    """A report that cannot be read; ``message`` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _artifacts():
    try:
        from credit_scoring_kedro.serving import artifacts
    except ImportError as error:
        raise ReportUnavailable(
            "The project's catalog helper (credit_scoring_kedro.serving.artifacts) is not "
            f"installed here ({error}). Run `make install`.") from error
    return artifacts


@st.cache_data(ttl=60, show_spinner="Reading the report…")
def load(name: str) -> Any:
    """The catalog entry ``name`` as its dataset loads it (HTML text, dict, ...)."""
    try:
        return _artifacts().load_artifact(name)
    except ReportUnavailable:
        raise
    except FileNotFoundError as error:
        raise ReportUnavailable(
            f"The report '{name}' has not been produced yet: run the pipelines "
            f"(`make pipelines`). ({error})") from error
    except Exception as error:  # a broken or half-written file: say so, no traceback
        raise ReportUnavailable(f"The report '{name}' could not be read: {error}") from error


def path(name: str) -> Path:
    """The file behind a file-backed catalog entry (e.g. a png figure); it must exist."""
    try:
        found = _artifacts().artifact_path(name)
    except ReportUnavailable:
        raise
    except Exception as error:
        raise ReportUnavailable(f"The catalog has no usable entry '{name}': {error}") from error
    if found is None or not Path(found).exists():
        raise ReportUnavailable(
            f"The figure '{name}' has not been produced yet: run the pipelines "
            "(`make pipelines`).")
    return Path(found)
