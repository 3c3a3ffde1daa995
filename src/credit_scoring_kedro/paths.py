"""Where the project is, so that every configured path is absolute whatever the working directory.

The catalog's paths are built from here (``${globals:data_root}``, ``${project_root:}``): no
process needs to change its working directory to read or write an artifact.
"""

from __future__ import annotations

import os
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]


def project_root() -> Path:
    """The checkout holding ``conf/`` (``CREDIT_PROJECT_ROOT`` overrides it, e.g. in a container)."""
    return Path(os.environ.get("CREDIT_PROJECT_ROOT", _CHECKOUT)).resolve()


def under_project(path: str) -> str:
    """``path`` relative to the project root; an absolute ``path`` (``CREDIT_DATA_ROOT``) wins."""
    return str(project_root() / path)
