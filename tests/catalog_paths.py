"""Where the catalog keeps a dataset under a test's data root, so that tests build no layer paths."""

from __future__ import annotations

from pathlib import Path

from credit_scoring_kedro.modeling.bundle import ModelBundle
from credit_scoring_kedro.modeling.registry_bundles import RegistryBundles
from credit_scoring_kedro.serving import artifacts


def catalog_path(name: str, root: Path) -> Path:
    """The file (or folder) of catalog entry ``name`` when the data root is ``root``."""
    with artifacts.data_root(root):
        path = artifacts.artifact_path(name)
    assert path is not None, f"{name} is not a file-backed catalog entry"
    return path


def raw_dir(root: Path) -> Path:
    """The folder the ``raw_{table}`` entries read the Home Credit tables from."""
    with artifacts.data_root(root):
        return Path(artifacts.dataset_config("raw_application_train")["raw_dir"])


def registry_of(root: Path) -> RegistryBundles:
    """The model bundles of data root ``root``: its own MLflow store (``<root>/mlflow.db``),
    its own registry cache (``06_models/registry_cache``)."""
    with artifacts.data_root(root):
        return artifacts.catalog().get("model_bundle").registry


def served_bundle(root: Path, alias: str = "champion") -> ModelBundle:
    """The bundle that the registry alias (champion by default) of ``root``'s store names."""
    return registry_of(root).load_alias(alias)
