"""Kedro dataset for the serving artifact (a folder written atomically)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from kedro.io import AbstractDataset

from credit_scoring_kedro.modeling.bundle import (
    ModelBundle,
    load_bundle,
    publish_bundle,
    resolve_bundle_dir,
)


class ModelBundleDataset(AbstractDataset[ModelBundle, ModelBundle]):
    """The published model bundles: every version kept, ``champion`` / ``challenger`` pointers.

    ``save`` stores the bundle as a new version and moves the pointer named by
    ``bundle.metadata["registry"]["alias"]`` (champion when absent); ``load`` returns
    the bundle of ``alias`` (champion by default).
    """

    def __init__(self, filepath: str, alias: str = "champion",
                 metadata: dict[str, Any] | None = None) -> None:
        self._path = Path(filepath)
        self._alias = alias
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(PurePosixPath(self._path)), "alias": self._alias}

    def load(self) -> ModelBundle:
        return load_bundle(self._path, self._alias)

    def save(self, data: ModelBundle) -> None:
        alias = data.metadata.get("registry", {}).get("alias", "champion")
        publish_bundle(data, self._path, alias)

    def _exists(self) -> bool:
        try:
            resolve_bundle_dir(self._path, self._alias)
        except FileNotFoundError:
            return False
        return True
