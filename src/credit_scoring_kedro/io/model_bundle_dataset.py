"""Kedro dataset for the serving artifact: a model bundle in the MLflow Model Registry."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

from kedro.io import AbstractDataset

from credit_scoring_kedro.modeling.bundle import ModelBundle
from credit_scoring_kedro.modeling.registry_bundles import RegistryBundles, RegistryError


class ModelBundleDataset(AbstractDataset[ModelBundle, ModelBundle]):
    """The bundle a registry alias names (``models:/<name>@<alias>``), cached locally.

    ``load`` resolves the alias in the registry *now* (a promotion or a rollback is served at
    the next load: ``POST /admin/reload``), downloads that version's bundle into
    ``cache_dir/<version>`` unless it is there already, and loads it. ``save`` uploads the
    bundle into the registered version named by ``bundle.metadata["registry"]`` and gives it
    that decision's alias (see :mod:`credit_scoring_kedro.modeling.registry_bundles`).

    Args:
        registered_model_name: The registered model (``credit_default_scorer``).
        tracking_uri: The MLflow store (the same expression as ``conf/base/mlflow.yml``);
            ``MLFLOW_TRACKING_URI`` when omitted.
        cache_dir: The local, read-only copies of the versions already served.
        alias: Which alias ``load`` serves (``champion``, ``challenger``).
        registry_uri: The registry, when not the tracking store (``MLFLOW_REGISTRY_URI`` when
            omitted and set, as MLflow itself resolves it).
        missing_ok: ``load`` gives None when the alias names no version yet (the champion
            the modeling pipeline compares with, before the first run) instead of failing.
    """

    def __init__(self, registered_model_name: str, cache_dir: str, tracking_uri: str | None = None,
                 alias: str = "champion", registry_uri: str | None = None,
                 metadata: dict[str, Any] | None = None, missing_ok: bool = False) -> None:
        uri = tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
        if not uri:
            raise ValueError("ModelBundleDataset needs a tracking_uri (or MLFLOW_TRACKING_URI)")
        # as register_model's MlflowClient() resolves it: MLFLOW_REGISTRY_URI, else the tracking store
        registry_uri = registry_uri or os.environ.get("MLFLOW_REGISTRY_URI") or None
        self.registry = RegistryBundles(registered_model_name, uri, Path(cache_dir), registry_uri)
        self._alias = alias
        self._missing_ok = missing_ok
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"registered_model_name": self.registry.name, "alias": self._alias,
                "tracking_uri": self.registry.tracking_uri,
                "cache_dir": str(PurePosixPath(self.registry.cache_dir))}

    def load(self) -> ModelBundle | None:
        if self._missing_ok and not self._exists():
            return None
        return self.registry.load_alias(self._alias)

    def save(self, data: ModelBundle) -> None:
        self.registry.publish(data)

    def _exists(self) -> bool:
        try:
            self.registry.version_of(self._alias)
        except RegistryError:
            return False
        return True
