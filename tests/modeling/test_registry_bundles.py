"""The MLflow Model Registry is the only registry: bundles stored with their registered
versions, aliases resolved at load, a local read-only cache, ``make promote`` / ``make
rollback`` (``registry_cli``), and no file pointer read anywhere."""

from __future__ import annotations

import json
import re
import stat
import sys
from pathlib import Path

import mlflow
import pytest
from kedro.io.core import DatasetError
from mlflow import MlflowClient
from sklearn.dummy import DummyClassifier

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT / "tests" / "modeling"))
from synthetic import synthetic_features  # noqa: E402

from credit_scoring_kedro.modeling import registry_bundles, registry_cli  # noqa: E402
from credit_scoring_kedro.modeling.bundle import ModelBundle  # noqa: E402
from credit_scoring_kedro.modeling.cost import CostWeights  # noqa: E402
from credit_scoring_kedro.modeling.encoding import FeatureEncoder  # noqa: E402
from credit_scoring_kedro.modeling.registry_bundles import RegistryError  # noqa: E402
from credit_scoring_kedro.serving import artifacts  # noqa: E402

NAME = "credit_default_scorer"


def small_bundle(candidate: str, threshold: float) -> ModelBundle:
    features, flags = synthetic_features(200, seed=3)
    frame = features.to_pandas()
    encoder = FeatureEncoder().fit(frame)
    model = DummyClassifier(strategy="prior").fit(encoder.transform(frame),
                                                  flags["TARGET"].to_numpy())
    return ModelBundle(encoder, model, threshold, CostWeights(), {"candidate": candidate})


def register_version(client: MlflowClient, experiment: str) -> str:
    """A registered version with a logged model and no bundle yet (what ``register_model`` leaves)."""
    logged = client.create_logged_model(experiment, name="model")
    return str(client.create_model_version(NAME, source=f"models:/{logged.model_id}",
                                           model_id=logged.model_id).version)


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A data root with its own MLflow store (``<root>/mlflow.db``, as test roots are trained)
    holding versions 1 (champion) and 2 (challenger), each published with its bundle through
    the catalog's ``model_bundle``; yields (root, client, experiment id)."""
    root = tmp_path / "data"
    root.mkdir()
    uri = f"sqlite:///{root}/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)   # the registry looks logged models up there
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(uri)
    experiment = client.create_experiment("credit_scoring", artifact_location=str(tmp_path / "mlruns"))
    client.create_registered_model(NAME)
    with artifacts.data_root(root):
        dataset = artifacts.catalog().get("model_bundle")
        for candidate, alias, threshold in (("first", "champion", 0.3), ("second", "challenger", 0.4)):
            version = register_version(client, experiment)
            bundle = small_bundle(candidate, threshold)
            bundle.metadata["registry"] = {"version": version, "alias": alias}
            dataset.save(bundle)
    yield root, client, experiment
    mlflow.set_tracking_uri(None)


def load(root: Path, entry: str = "model_bundle") -> ModelBundle:
    with artifacts.data_root(root):
        return artifacts.catalog().load(entry)


def cli(root: Path, *args: str) -> int:
    with artifacts.data_root(root):
        return registry_cli.main(list(args))


def aliases(client: MlflowClient) -> dict[str, str]:
    return {alias: str(version) for alias, version in client.get_registered_model(NAME).aliases.items()}


def test_the_catalog_serves_what_the_alias_names_numbered_as_its_registry_version(store) -> None:
    root, client, _ = store
    assert aliases(client) == {"champion": "1", "challenger": "2"}
    champion = load(root)
    assert champion.version == "1" and champion.metadata["candidate"] == "first"
    assert champion.threshold == 0.3 and champion.metadata["registry"]["alias"] == "champion"
    challenger = load(root, "model_bundle_challenger")
    assert challenger.version == "2" and challenger.metadata["candidate"] == "second"
    # the version's sklearn flavour is untouched: the bundle rides beside it under bundle/
    source = client.get_model_version_download_uri(NAME, "1")
    assert (Path(source) / "bundle" / "bundle.json").is_file()


def test_a_cached_version_is_not_downloaded_again_and_is_read_only(store, monkeypatch) -> None:
    root, _, _ = store
    downloads = []
    real = mlflow.artifacts.download_artifacts
    monkeypatch.setattr(mlflow.artifacts, "download_artifacts",
                        lambda **kwargs: downloads.append(kwargs) or real(**kwargs))
    assert load(root).version == "1"
    assert len(downloads) == 1
    assert load(root).version == "1" and load(root).version == "1"
    assert len(downloads) == 1                     # the second and third loads: from the cache
    cached = root / "06_models" / "registry_cache" / "1"
    assert json.loads((cached / "registry.json").read_text())["version"] == "1"
    assert not (cached / "bundle.json").stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_a_cache_folder_of_another_store_under_the_same_number_is_replaced(store) -> None:
    root, _, _ = store
    stale = root / "06_models" / "registry_cache" / "1"
    stale.mkdir(parents=True)
    (stale / "registry.json").write_text(json.dumps({"source": "/a/recreated/store"}))
    (stale / "bundle.json").write_text("{}")
    assert load(root).metadata["candidate"] == "first"


def test_promote_then_rollback_move_the_champion_alias(store, capsys) -> None:
    root, client, _ = store
    assert cli(root, "promote", "--version", "2") == 0
    assert "champion 1 -> 2" in capsys.readouterr().out
    assert aliases(client) == {"champion": "2", "challenger": "2", "previous_champion": "1"}
    assert load(root).metadata["candidate"] == "second"

    assert cli(root, "rollback") == 0
    assert "champion 2 -> 1 (rolled back)" in capsys.readouterr().out
    assert aliases(client) == {"champion": "1", "challenger": "2"}
    assert load(root).metadata["candidate"] == "first"

    # a second rollback does not undo the first: one line, exit code 1
    assert cli(root, "rollback") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no previous champion" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert cli(root, "show") == 0
    assert capsys.readouterr().out.splitlines() == ["champion: 1", "challenger: 2",
                                                    "previous_champion: (none)"]


@pytest.mark.parametrize("version, says", [("3", "holds no model bundle"),
                                           ("99", "has no version 99"),
                                           ("latest", "must be a registry version number")])
def test_promote_refuses_a_version_without_a_bundle_in_one_line(store, capsys, version,
                                                                says) -> None:
    root, client, experiment = store
    assert register_version(client, experiment) == "3"   # registered, its bundle never published
    assert cli(root, "promote", "--version", version) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and says in captured.err, captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert aliases(client) == {"champion": "1", "challenger": "2"}   # nothing moved
    assert not (root / "06_models" / "registry_cache" / "3").exists()


def test_publishing_a_bundle_without_a_registry_version_is_refused(store) -> None:
    root, _, _ = store
    with artifacts.data_root(root), pytest.raises(DatasetError, match="no registry version"):
        artifacts.catalog().save("model_bundle", small_bundle("orphan", 0.5))


def test_no_alias_yet_is_one_clear_error(tmp_path) -> None:
    empty = registry_bundles.RegistryBundles(NAME, f"sqlite:///{tmp_path}/empty.db",
                                             tmp_path / "cache")
    with pytest.raises(RegistryError, match="no 'champion' alias .* run the modeling pipeline"):
        empty.load_alias("champion")


#: reads of the retired file pointers (data/06_models/model_bundle/{champion,challenger,versions})
POINTER_READS = [
    re.compile(r"\bVERSIONS\b"),
    re.compile(r"\b(resolve_bundle_dir|publish_bundle)\b"),
    re.compile(r"""/\s*["'](champion|challenger|versions)["']"""),
    re.compile(r"""\(\s*["'](champion|challenger)["']\s*\)\s*\.read_text"""),
    re.compile(r"06_models[/\"', ]+model_bundle"),
]


def test_no_file_pointer_is_read_anywhere() -> None:
    found = []
    for folder in ("src", "api", "dashboard", "benchmarks", "tools"):
        for path in sorted((PROJECT / folder).rglob("*.py")):
            text = path.read_text()
            if path.name == "registry_cli.py":   # import-legacy names the earlier folder in
                text = text.replace("06_models/model_bundle", "")   # its help (no pointer read)
            found += [f"{path.relative_to(PROJECT)}: {pattern.pattern}"
                      for pattern in POINTER_READS if pattern.search(text)]
            # a bundle folder is loaded only from the registry cache
            if "load_bundle(" in text and path.name not in ("bundle.py", "registry_bundles.py"):
                found.append(f"{path.relative_to(PROJECT)}: load_bundle outside the registry")
    assert found == []
    catalog = (PROJECT / "conf" / "base" / "catalog.yml").read_text()
    assert "06_models/model_bundle" not in catalog


def test_an_api_with_no_champion_yet_is_not_ready_in_one_line(tmp_path, monkeypatch,
                                                               caplog) -> None:
    from api.app import load_service

    monkeypatch.setenv("CREDIT_DATA_ROOT", str(tmp_path))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/empty.db")
    state = load_service()
    assert state.service is None
    assert state.error.startswith("model_bundle: registered model credit_default_scorer has "
                                  "no 'champion' alias"), state.error
    assert "\n" not in state.error
    assert [r.exc_info for r in caplog.records if r.name == "api"] == [None]   # no traceback


def test_bundles_of_the_earlier_layout_are_imported_into_their_tagged_versions(
        store, tmp_path, capsys) -> None:
    """Decisions logged before the registry held bundles name a timestamp id; once imported,
    that id resolves to its registered version and the bundle it was scored with."""
    from credit_scoring_kedro.modeling.bundle import save_bundle

    root, client, experiment = store
    assert register_version(client, experiment) == "3"   # registered the earlier way: tag only
    client.set_model_version_tag(NAME, "3", "bundle_version", "20261201-101010")
    legacy = tmp_path / "legacy_bundles"
    for bundle_id, candidate in (("20261201-101010", "legacy"), ("20261130-000000", "orphan")):
        bundle = small_bundle(candidate, 0.45)
        bundle.metadata["version"] = bundle_id
        save_bundle(bundle, legacy / "versions" / bundle_id)

    assert cli(root, "import-legacy", "--bundles", str(legacy)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("20261130-000000 -> -: skipped: no version of "
                               "credit_default_scorer is tagged bundle_version=20261130-000000")
    assert lines[1] == "20261201-101010 -> 3: imported"
    with artifacts.data_root(root):
        registry = artifacts.catalog().get("model_bundle").registry
    old = registry.load_version("20261201-101010")
    assert old.version == "3" and old.metadata["candidate"] == "legacy" and old.threshold == 0.45
    assert aliases(client) == {"champion": "1", "challenger": "2"}   # no alias moved

    assert cli(root, "import-legacy", "--bundles", str(legacy)) == 0   # idempotent
    assert "20261201-101010 -> 3: already held" in capsys.readouterr().out
    with pytest.raises(RegistryError, match="neither a registry version number"):
        registry.load_version("latest")


def test_an_import_that_matches_nothing_is_one_line(store, tmp_path, capsys) -> None:
    root, _, _ = store
    assert cli(root, "import-legacy", "--bundles", str(tmp_path / "nowhere")) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no earlier bundles in") and err.count("\n") == 1
