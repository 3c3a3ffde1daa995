"""``python -m credit_scoring_kedro.modeling.registry_cli promote --version N`` / ``rollback``.

Moves the aliases of the registered model in the MLflow Model Registry the catalog's
``model_bundle`` reads (``conf/base/mlflow.yml``'s store; ``MLFLOW_TRACKING_URI`` wins):

- ``promote --version N``: ``champion`` -> version N; the version it replaces becomes
  ``previous_champion``. The version must hold a model bundle (a promoted version is served).
- ``rollback``: ``champion`` -> ``previous_champion`` (which is then removed).
- ``show``: the versions the aliases name.
- ``import-legacy [--bundles DIR]``: upload the bundles an earlier layout kept in
  ``<data root>/06_models/model_bundle/versions/<id>/`` into the registered versions tagged
  ``bundle_version=<id>`` (no alias moves), so decisions logged with them still replay and the
  champion registered then is served without retraining. Run once after upgrading.

The API serves the new champion after ``POST /admin/reload`` (no restart). A refusal is one
line on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from mlflow.exceptions import MlflowException

from credit_scoring_kedro.modeling.registry_bundles import (
    CHALLENGER,
    CHAMPION,
    LEGACY_VERSIONS,
    PREVIOUS,
    RegistryBundles,
    RegistryError,
    move_alias,
    rollback,
)


def registry(tracking_uri: str | None = None) -> RegistryBundles:
    """The registered model's bundles as the catalog's ``model_bundle`` reaches them."""
    from credit_scoring_kedro.serving import artifacts

    found = artifacts.catalog().get("model_bundle").registry
    return found if tracking_uri is None else replace(found, tracking_uri=tracking_uri)


def legacy_root() -> Path:
    """Where the earlier layout kept its bundles: ``06_models/model_bundle`` of the data root."""
    from credit_scoring_kedro.serving import artifacts

    return Path(artifacts.dataset_config("feature_encoder")["filepath"]).parent / "model_bundle"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m credit_scoring_kedro.modeling.registry_cli",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--tracking-uri", help="the MLflow store (default: the catalog's)")
    commands = parser.add_subparsers(dest="command", required=True)
    promote = commands.add_parser("promote", help="give the champion alias to a version")
    promote.add_argument("--version", required=True, help="the registry version number")
    commands.add_parser("rollback", help="give the champion alias back to the previous champion")
    commands.add_parser("show", help="the versions the aliases name")
    legacy = commands.add_parser("import-legacy",
                                 help="upload the bundles of the earlier folder layout")
    legacy.add_argument("--bundles", help="the earlier bundles root (default: "
                                          "<data root>/06_models/model_bundle)")
    args = parser.parse_args(argv)
    try:
        bundles = registry(args.tracking_uri)
        client = bundles.client
        if args.command == "promote":
            version = str(args.version).strip()
            if not version.isdigit():
                raise RegistryError(f"version must be a registry version number, not {version!r}")
            bundles.fetch(version, client)   # unknown version, or one without a bundle: refused
            before = move_alias(client, bundles.name, CHAMPION, version)
            print(f"{bundles.name}: champion {before or '(none)'} -> {version}; "
                  "POST /admin/reload to serve it")
        elif args.command == "rollback":
            current, previous = rollback(client, bundles.name)
            print(f"{bundles.name}: champion {current} -> {previous} (rolled back); "
                  "POST /admin/reload to serve it")
        elif args.command == "import-legacy":
            root = Path(args.bundles) if args.bundles else legacy_root()
            if not (root / LEGACY_VERSIONS).is_dir():
                raise RegistryError(f"no earlier bundles in {root / LEGACY_VERSIONS}")
            results = bundles.import_legacy(root)
            for bundle_id, number, what in results:
                print(f"{bundle_id} -> {number or '-'}: {what}")
            if not any(number for _, number, _ in results):
                raise RegistryError(f"none of the {len(results)} bundle(s) in {root} matches a "
                                    f"registered version of {bundles.name}")
        else:
            for alias in (CHAMPION, CHALLENGER, PREVIOUS):
                try:
                    print(f"{alias}: {bundles.version_of(alias, client)}")
                except RegistryError:
                    print(f"{alias}: (none)")
    except (RegistryError, MlflowException, OSError, ValueError) as exc:
        message = str(getattr(exc, "message", exc)).splitlines()[0] if str(exc) else repr(exc)
        print(f"error: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
