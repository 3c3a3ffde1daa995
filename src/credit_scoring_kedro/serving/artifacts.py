"""The one door from the services to the pipelines' outputs: the Kedro catalog itself.

The API and the dashboard run outside any Kedro session, yet they must read exactly
what the pipelines wrote. They ask this module for a catalog entry by name; the path,
format and loader come from ``conf/base/catalog.yml`` (with ``CREDIT_DATA_ROOT`` and
``conf/local`` overrides), so no path is ever written twice. Every path the catalog holds
is absolute (:mod:`credit_scoring_kedro.paths`): nothing here depends on the working directory.
"""

from __future__ import annotations

import contextlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from kedro.config import MissingConfigException
from kedro.io import DataCatalog, DatasetError

from credit_scoring_kedro.errors import root_error
from credit_scoring_kedro.paths import project_root

__all__ = ["artifact_path", "catalog", "configured_data_root", "data_root", "dataset_config",
           "load_artifact", "parameters", "project_root", "registry_env", "root_registry",
           "served_version"]


#: the MLflow store a data root may carry itself (test and benchmark roots: tests/kedro_runner.py)
ROOT_REGISTRY = "mlflow.db"


def registry_env(root: Path | str) -> dict[str, str]:
    """``MLFLOW_TRACKING_URI`` and ``MLFLOW_REGISTRY_URI`` naming the data root's own store,
    when it carries one (:func:`root_registry`); empty otherwise."""
    registry = root_registry(root)
    return {"MLFLOW_TRACKING_URI": registry, "MLFLOW_REGISTRY_URI": registry} if registry else {}


def root_registry(root: Path | str) -> str | None:
    """``sqlite:///<root>/mlflow.db`` when the data root carries its own MLflow store, else None.

    A data root trained with ``MLFLOW_TRACKING_URI`` pointing there (every test and benchmark
    root) keeps its registry beside its data, so the bundle the registry names is the one
    trained on that root; the project's ``data/`` uses the store of ``conf/base/mlflow.yml``.
    """
    path = Path(root) / ROOT_REGISTRY
    return f"sqlite:///{path}" if path.is_file() else None


@contextlib.contextmanager
def data_root(root: Path | str):
    """Read the catalog with ``root`` as the data root (``CREDIT_DATA_ROOT``) inside the block.

    For tools and tests that serve another data folder than ``data/`` within one process;
    the previous root and catalog come back afterwards. A root with its own MLflow store
    (:func:`root_registry`) is read with that store as ``MLFLOW_TRACKING_URI`` and
    ``MLFLOW_REGISTRY_URI``.
    """
    changes = {"CREDIT_DATA_ROOT": str(root), **registry_env(root)}
    previous = {name: os.environ.get(name) for name in changes}
    os.environ.update(changes)
    try:
        yield Path(root)
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def catalog(env: str | None = None) -> DataCatalog:
    """The project's catalog, built from ``conf/`` as ``kedro run --env`` builds it (no session).

    One per environment and data root: a tool or test that changes ``CREDIT_DATA_ROOT`` gets
    the catalog of the new root.
    """
    return _catalog(env or os.environ.get("KEDRO_ENV"), os.environ.get("CREDIT_DATA_ROOT"),
                    project_root(), os.environ.get("MLFLOW_TRACKING_URI"),
                    os.environ.get("MLFLOW_REGISTRY_URI"))


@lru_cache(maxsize=8)   # a few data roots at once (tests, tools), not one per call
def _catalog(env: str | None, data_root_variable: str | None, root: Path,
             tracking_uri: str | None = None, registry_uri: str | None = None) -> DataCatalog:
    """The catalog itself; the arguments are only the cache key (the loader reads them)."""
    from credit_scoring_kedro import settings

    loader = _loader(settings, env)
    config = loader["catalog"]
    try:
        credentials = loader["credentials"]
    except MissingConfigException:  # no credentials file: none needed
        credentials = {}
    return DataCatalog.from_config(config, credentials)


catalog.cache_clear = _catalog.cache_clear   # type: ignore[attr-defined]


def parameters(block: str) -> dict[str, Any]:
    """One block of the project's parameters (``conf/*/parameters*.yml``), e.g. ``explainability``."""
    from credit_scoring_kedro import settings

    return dict(_loader(settings)["parameters"].get(block, {}))


def configured_data_root(env: str | None = None) -> Path:
    """The absolute data root of the catalog (``${globals:data_root}``) in environment ``env``."""
    from credit_scoring_kedro import settings

    return Path(_loader(settings, env)["globals"]["data_root"])


def _loader(settings, env: str | None = None):
    """The configuration of ``env``, else ``KEDRO_ENV`` (``full``, ``test``), as ``kedro run`` reads it."""
    return settings.CONFIG_LOADER_CLASS(conf_source=str(project_root() / "conf"),
                                        env=env or os.environ.get("KEDRO_ENV"),
                                        **settings.CONFIG_LOADER_ARGS)


def load_artifact(name: str) -> Any:
    """Load the catalog entry ``name`` (e.g. ``model_bundle``, ``data_drift_summary``).

    Raises:
        FileNotFoundError: the pipeline that writes it has not run yet.
        RegistryError: the registry names no such model (``model_bundle``: no champion yet),
            one line, not wrapped in Kedro's ``DatasetError``.
    """
    path = artifact_path(name)
    if path is not None and not path.exists():
        raise FileNotFoundError(f"{name} not found at {path}: run the pipelines first "
                                "(`make pipelines`)")
    try:
        return catalog().load(name)
    except DatasetError as error:
        from credit_scoring_kedro.modeling.registry_bundles import RegistryError

        cause = root_error(error, RegistryError)
        if cause is None:
            raise
        raise RegistryError(f"{name}: {cause}") from None


def served_version(alias: str = "champion") -> str:
    """The registry version the catalog's ``model_bundle`` serves now (the alias resolved in
    the MLflow Model Registry; nothing downloaded). The benchmarks check a root is trained.

    Raises:
        LookupError: no such alias yet (the modeling pipeline has not run on this store).
    """
    return catalog().get("model_bundle").registry.version_of(alias)


def artifact_path(name: str, env: str | None = None) -> Path | None:
    """Absolute path of a file-backed catalog entry (None when the entry has no file)."""
    resolved = catalog(env).config_resolver.resolve_pattern(name)
    filepath = resolved.get("filepath") or resolved.get("dataset", {}).get("filepath")
    if filepath is None:
        return None
    path = Path(filepath)
    return path if path.is_absolute() else project_root() / path


def dataset_config(name: str, env: str | None = None) -> dict[str, Any]:
    """The resolved configuration of a catalog entry (e.g. the prediction log's URL)."""
    return dict(catalog(env).config_resolver.resolve_pattern(name))
