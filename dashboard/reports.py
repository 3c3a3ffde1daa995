"""The pipelines' static reports (drift, global-importance figure), read through the catalog.

They are files, not predictions, so the dashboard reads them from the Kedro catalog entries
(``credit_scoring_kedro.serving.artifacts``) rather than through the API.
"""

from __future__ import annotations

import os
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


CACHE_TTL_S = 300   # for every session: a new pipeline run shows within 5 minutes


def _root() -> str:
    # part of the cache keys: a test (or a tool) may read another data root in this process
    return os.environ.get("CREDIT_DATA_ROOT", "")


def load(name: str) -> Any:
    """The catalog entry ``name`` as its dataset loads it (HTML text, dict, ...).

    Cached 5 minutes for every session and manager: a report depends on no client.
    """
    return _load(name, _root())


@st.cache_data(ttl=CACHE_TTL_S, show_spinner="Reading the report…")
def _load(name: str, root: str) -> Any:
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


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _resolved(name: str, root: str) -> Path | None:
    return _artifacts().artifact_path(name)


def path(name: str) -> Path:
    """The file behind a file-backed catalog entry (e.g. a png figure); it must exist."""
    try:
        found = _resolved(name, _root())
    except ReportUnavailable:
        raise
    except Exception as error:
        raise ReportUnavailable(f"The catalog has no usable entry '{name}': {error}") from error
    if found is None or not Path(found).exists():
        raise ReportUnavailable(
            f"The figure '{name}' has not been produced yet: run the pipelines "
            "(`make pipelines`).")
    return Path(found)
