"""Model bundles stored in the MLflow Model Registry, served through a local read-only cache.

Why the bundle folder rides along as artifacts of the registered model version, rather
than as an MLflow pyfunc model with artifacts: the API, the dashboard, batch scoring and the
audit replay all need the *same* objects (encoder, calibrated model, threshold, feature list,
metadata with the model card), and :func:`~credit_scoring_kedro.modeling.bundle.load_bundle`
already reads them in one place. A pyfunc wrapper would add a second loader (and a
``python_model`` to pickle) only to hide those objects behind ``predict``, while the API needs
probabilities, SHAP contributions and metadata. So the registered version keeps its sklearn
flavour (``mlflow.sklearn.load_model("models:/credit_default_scorer@champion")`` still works
for anyone outside this project) and the folder ``save_bundle`` writes is uploaded into the
same logged model under ``bundle/``: one registry version, one bundle, one version number.

Reading: the alias (``champion``, ``challenger``) is resolved in the registry at every load,
the version's ``bundle/`` is downloaded once into ``<cache>/<version>/`` (atomically: a
reader never sees half a version) and its files are made read-only; a version already in the
cache is not downloaded again, unless the registry now names another logged model under that
number (a registry recreated after ``make clean``), in which case it is replaced.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from credit_scoring_kedro.modeling.bundle import META_FILE, ModelBundle, load_bundle, save_bundle

BUNDLE_PATH = "bundle"          # the bundle folder inside the logged model's artifacts
SOURCE_FILE = "registry.json"   # which registry version a cache folder was downloaded from
CHAMPION, CHALLENGER, PREVIOUS = "champion", "challenger", "previous_champion"
#: bundles published before the registry held them: ``<root>/versions/<id>/``, each registered
#: version tagged ``bundle_version=<id>`` (``registry_cli import-legacy`` uploads them)
LEGACY_VERSIONS, LEGACY_TAG = "versions", "bundle_version"
NO_BUNDLE_HINT = ("registered without one: retrain with `make pipelines FORCE=1`, or, for a "
                  "version of the earlier folder layout, `python -m "
                  "credit_scoring_kedro.modeling.registry_cli import-legacy`")
LEGACY_ID = re.compile(r"\d{8}-\d{6}(-\d+)?")


class RegistryError(LookupError):
    """The registry does not know what was asked (alias, version), or holds no bundle for it."""


@dataclass(frozen=True)
class RegistryBundles:
    """The bundles of one registered model: resolve aliases, fetch versions, publish new ones.

    Args:
        name: The registered model (``credit_default_scorer``).
        tracking_uri: The MLflow store kedro-mlflow writes to (``conf/base/mlflow.yml``).
        cache_dir: Where downloaded versions are kept (``06_models/registry_cache``).
        registry_uri: The model registry, when not the tracking store.
    """

    name: str
    tracking_uri: str
    cache_dir: Path
    registry_uri: str | None = None

    @property
    def client(self) -> MlflowClient:
        return MlflowClient(tracking_uri=self.tracking_uri,
                            registry_uri=self.registry_uri or self.tracking_uri)

    # ----- reading --------------------------------------------------------------------------
    def version_of(self, alias: str, client: MlflowClient | None = None) -> str:
        """The version number ``alias`` names now."""
        client = client or self.client
        try:
            return str(client.get_model_version_by_alias(self.name, alias).version)
        except MlflowException as exc:
            raise RegistryError(f"registered model {self.name} has no {alias!r} alias in "
                                f"{self.tracking_uri}: run the modeling pipeline first "
                                "(`make pipelines`)") from exc

    def fetch(self, version: str, client: MlflowClient | None = None) -> Path:
        """The local folder of ``version``'s bundle, downloaded into the cache when missing."""
        client = client or self.client
        version = str(version)
        try:
            source = client.get_model_version_download_uri(self.name, version)
        except MlflowException as exc:
            raise RegistryError(f"registered model {self.name} has no version {version}") from exc
        target = Path(self.cache_dir) / version
        if _cached_source(target) == source:
            return target                # cached already: no download
        target.parent.mkdir(parents=True, exist_ok=True)
        with _locked(target.parent / f".{version}.lock"):   # one download per version at a time
            if _cached_source(target) != source:             # another worker may have done it
                self._download(version, source, target)
        return target

    def _download(self, version: str, source: str, target: Path) -> None:
        tmp = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=target.parent))
        try:
            try:
                with _quiet_downloads():   # no progress bar on stderr (API logs, one-line CLI)
                    mlflow.artifacts.download_artifacts(
                        artifact_uri=f"{source}/{BUNDLE_PATH}", dst_path=str(tmp),
                        tracking_uri=self.tracking_uri,
                        registry_uri=self.registry_uri or self.tracking_uri)
            except (MlflowException, OSError) as exc:
                raise RegistryError(f"version {version} of {self.name} holds no model bundle "
                                    f"({NO_BUNDLE_HINT})") from exc
            folder = tmp / BUNDLE_PATH
            if not (folder / META_FILE).exists():
                raise RegistryError(f"version {version} of {self.name} holds no model bundle "
                                    f"({NO_BUNDLE_HINT})")
            (folder / SOURCE_FILE).write_text(json.dumps({"name": self.name, "version": version,
                                                          "source": source}))
            _read_only(folder)
            old = target.with_name(f".{version}.old")
            shutil.rmtree(old, ignore_errors=True)
            if target.exists():        # another store's version under the same number
                os.replace(target, old)
            os.replace(folder, target)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def resolve(self, version: str, client: MlflowClient | None = None) -> str:
        """The registry number of ``version``: itself, or, for the id of a bundle published
        before the registry held bundles (a ``YYYYMMDD-HHMMSS`` timestamp, as decisions logged
        then name their model), the registered version tagged ``bundle_version`` with it."""
        version = str(version).strip()
        if version.isdigit():
            return version
        if not LEGACY_ID.fullmatch(version):
            raise RegistryError(f"{version!r} is neither a registry version number nor a "
                                "legacy bundle id")
        client = client or self.client
        found = client.search_model_versions(
            f"name = '{self.name}' and tags.{LEGACY_TAG} = '{version}'")
        if not found:
            raise RegistryError(f"no version of {self.name} is tagged {LEGACY_TAG}={version}")
        return str(found[0].version)

    def load_version(self, version: str) -> ModelBundle:
        """The bundle of ``version`` (a registry number, or a legacy bundle id: :meth:`resolve`);
        its ``version`` is the registry's number."""
        client = self.client
        return self._load(self.resolve(version, client), client)

    def import_legacy(self, root: Path) -> list[tuple[str, str | None, str]]:
        """Upload the bundles an earlier layout kept in ``root/versions/<id>/`` into their
        registered versions, so that the decisions logged with them still replay.

        Each such bundle was registered with the tag ``bundle_version=<id>``; a version that
        holds a bundle already is left as it is, and nothing moves an alias. Returns one
        ``(id, registry version or None, what happened)`` per folder.
        """
        client = self.client
        done = []
        for folder in sorted(Path(root, LEGACY_VERSIONS).glob("*")):
            if not (folder / META_FILE).is_file():
                continue
            try:
                number = self.resolve(folder.name, client)
            except RegistryError as exc:
                done.append((folder.name, None, f"skipped: {exc}"))
                continue
            try:
                self.fetch(number, client)
                done.append((folder.name, number, "already held"))
                continue
            except RegistryError:
                pass                     # registered without a bundle: upload it as it was kept
            client.log_model_artifacts(self._model_id(client, number), str(folder), BUNDLE_PATH)
            done.append((folder.name, number, "imported"))
        return done

    def load_alias(self, alias: str) -> ModelBundle:
        """The bundle the alias names now; ``metadata["registry"]["alias"]`` says which alias."""
        client = self.client
        bundle = self._load(self.version_of(alias, client), client)
        bundle.metadata["registry"] = {**bundle.metadata.get("registry", {}), "alias": alias}
        return bundle

    def _load(self, number: str, client: MlflowClient) -> ModelBundle:
        """The bundle of registry version ``number`` (fetched into the cache), numbered so."""
        bundle = load_bundle(self.fetch(number, client))
        bundle.metadata["version"] = number
        return bundle

    # ----- writing --------------------------------------------------------------------------
    def publish(self, bundle: ModelBundle) -> str:
        """Upload ``bundle`` into its registered version, then give it its alias.

        The version and the alias come from ``bundle.metadata["registry"]`` (the modeling
        pipeline's ``registry_decision``); the alias moves only once the bundle is stored, so
        an API reloading in between never resolves a version without a bundle.
        """
        registry = bundle.metadata.get("registry") or {}
        if "version" not in registry:
            raise RegistryError("the bundle has no registry version: register the model first")
        version, alias = str(registry["version"]), registry.get("alias", CHAMPION)
        bundle = dataclasses.replace(bundle, metadata={**bundle.metadata, "version": version})
        client = self.client
        model_id = self._model_id(client, version)
        with tempfile.TemporaryDirectory(prefix="bundle-") as tmp:
            folder = Path(tmp) / BUNDLE_PATH
            save_bundle(bundle, folder)
            client.log_model_artifacts(model_id, str(folder), BUNDLE_PATH)
        move_alias(client, self.name, alias, version)
        return version

    def _model_id(self, client: MlflowClient, version: str) -> str:
        try:
            found = client.get_model_version(self.name, version)
        except MlflowException as exc:
            raise RegistryError(f"registered model {self.name} has no version {version}") from exc
        model_id = getattr(found, "model_id", None)
        if not model_id and str(found.source).startswith("models:/"):
            model_id = str(found.source).removeprefix("models:/").split("/")[0]
        if not model_id:
            raise RegistryError(f"version {version} of {self.name} has no logged model")
        return model_id


def move_alias(client: MlflowClient, name: str, alias: str, version: str) -> str | None:
    """Give ``alias`` to ``version``; when the champion changes, the one it replaces becomes
    ``previous_champion`` (what ``make rollback`` restores). Returns the version it had before."""
    try:
        before = str(client.get_model_version_by_alias(name, alias).version)
    except MlflowException:
        before = None
    client.set_registered_model_alias(name, alias, str(version))
    if alias == CHAMPION and before is not None and before != str(version):
        client.set_registered_model_alias(name, PREVIOUS, before)
    return before


def rollback(client: MlflowClient, name: str) -> tuple[str, str]:
    """Give ``champion`` back to ``previous_champion``; returns (from, to) versions.

    The alias ``previous_champion`` is removed afterwards: a second rollback does not undo
    the first (promote explicitly for that).
    """
    try:
        previous = str(client.get_model_version_by_alias(name, PREVIOUS).version)
    except MlflowException as exc:
        raise RegistryError(f"registered model {name} has no previous champion to roll "
                            "back to") from exc
    current = str(client.get_model_version_by_alias(name, CHAMPION).version)
    client.set_registered_model_alias(name, CHAMPION, previous)
    client.delete_registered_model_alias(name, PREVIOUS)
    return current, previous


@contextmanager
def _quiet_downloads() -> Iterator[None]:
    previous = os.environ.get(_PROGRESS_BAR)
    os.environ[_PROGRESS_BAR] = "false"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(_PROGRESS_BAR, None)
        else:
            os.environ[_PROGRESS_BAR] = previous


_PROGRESS_BAR = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (the API's workers load at the same time)."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _cached_source(folder: Path) -> str | None:
    try:
        return json.loads((folder / SOURCE_FILE).read_text()).get("source")
    except (OSError, ValueError):
        return None


def _read_only(folder: Path) -> None:
    """Files of a cached version cannot be rewritten in place (folders stay removable)."""
    mode = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(mode)
