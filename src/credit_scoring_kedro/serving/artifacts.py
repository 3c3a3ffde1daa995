"""The one door from the services to the pipelines' outputs: the Kedro catalog itself.

The API and the dashboard run outside any Kedro session, yet they must read exactly
what the pipelines wrote. They ask this module for a catalog entry by name; the path,
format and loader come from ``conf/base/catalog.yml`` (with ``CREDIT_DATA_ROOT`` and
``conf/local`` overrides), so no path is ever written twice.
"""

from __future__ import annotations

import contextlib
import os
from functools import cache
from pathlib import Path
from typing import Any

from kedro.config import MissingConfigException
from kedro.io import DataCatalog

PACKAGE_ROOT = Path(__file__).resolve().parents[3]


def project_root() -> Path:
    """The checkout holding ``conf/`` (``CREDIT_PROJECT_ROOT`` overrides it, e.g. in a container)."""
    return Path(os.environ.get("CREDIT_PROJECT_ROOT", PACKAGE_ROOT)).resolve()


@contextlib.contextmanager
def in_project_root():
    """Relative catalog paths (``data/...``, ``conf/...``) are relative to the project root."""
    previous = Path.cwd()
    os.chdir(project_root())
    try:
        yield
    finally:
        os.chdir(previous)


@contextlib.contextmanager
def data_root(root: Path | str):
    """Read the catalog with ``root`` as the data root (``CREDIT_DATA_ROOT``) inside the block.

    For tools and tests that serve another data folder than ``data/`` within one process;
    the previous root and catalog come back afterwards.
    """
    previous = os.environ.get("CREDIT_DATA_ROOT")
    os.environ["CREDIT_DATA_ROOT"] = str(root)
    catalog.cache_clear()
    try:
        yield Path(root)
    finally:
        if previous is None:
            os.environ.pop("CREDIT_DATA_ROOT", None)
        else:
            os.environ["CREDIT_DATA_ROOT"] = previous
        catalog.cache_clear()


@cache
def catalog() -> DataCatalog:
    """The project's catalog, built from ``conf/`` as ``kedro run`` builds it (no session)."""
    from credit_scoring_kedro import settings

    root = project_root()
    loader = settings.CONFIG_LOADER_CLASS(conf_source=str(root / "conf"),
                                          **settings.CONFIG_LOADER_ARGS)
    with in_project_root():
        config = loader["catalog"]
        try:
            credentials = loader["credentials"]
        except MissingConfigException:  # no credentials file: none needed
            credentials = {}
        return DataCatalog.from_config(config, credentials)


def parameters(block: str) -> dict[str, Any]:
    """One block of the project's parameters (``conf/*/parameters*.yml``), e.g. ``explainability``."""
    from credit_scoring_kedro import settings

    loader = settings.CONFIG_LOADER_CLASS(conf_source=str(project_root() / "conf"),
                                          **settings.CONFIG_LOADER_ARGS)
    return dict(loader["parameters"].get(block, {}))


def load_artifact(name: str) -> Any:
    """Load the catalog entry ``name`` (e.g. ``model_bundle``, ``data_drift_summary``).

    Raises:
        FileNotFoundError: the pipeline that writes it has not run yet.
    """
    path = artifact_path(name)
    if path is not None and not path.exists():
        raise FileNotFoundError(f"{name} not found at {path}: run the pipelines first "
                                "(`make pipelines`)")
    with in_project_root():
        return catalog().load(name)


def artifact_path(name: str) -> Path | None:
    """Absolute path of a file-backed catalog entry (None when the entry has no file)."""
    resolved = catalog().config_resolver.resolve_pattern(name)
    filepath = resolved.get("filepath") or resolved.get("dataset", {}).get("filepath")
    if filepath is None:
        return None
    path = Path(filepath)
    return path if path.is_absolute() else project_root() / path


def dataset_config(name: str) -> dict[str, Any]:
    """The resolved configuration of a catalog entry (e.g. the prediction log's URL)."""
    return dict(catalog().config_resolver.resolve_pattern(name))
