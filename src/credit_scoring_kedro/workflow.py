"""What `make run` does between installing and serving: demo data if needed, pipelines if stale.

A run is skipped when nothing it depends on changed since the last successful run:
the raw files (name, size, modification time), the configuration, the source code
and the pinned dependencies. The fingerprint is stored next to the outputs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

from credit_scoring_kedro.io.raw_sources import locate_table
from credit_scoring_kedro.paths import project_root
from credit_scoring_kedro.schema import raw_schemas
from credit_scoring_kedro.serving import artifacts

logger = logging.getLogger("credit_scoring_kedro.workflow")

PROJECT_ROOT = project_root()


def data_root(env: str | None = None) -> Path:
    """The data root the catalog of ``env`` uses (``CREDIT_DATA_ROOT`` or ``<project>/data``)."""
    return artifacts.configured_data_root(env)


def raw_locations(env: str | None = None) -> tuple[Path, Path]:
    """The raw tables' folder and their Parquet cache, as the catalog's ``raw_{table}`` reads them."""
    raw = artifacts.dataset_config("raw_application_train", env)
    return Path(raw["raw_dir"]), Path(raw["cache_dir"])


def raw_tables_present(raw_dir: Path) -> list[str]:
    """Names of the Home Credit tables found in ``raw_dir``."""
    return [name for name, s in raw_schemas().items() if locate_table(raw_dir, s.file) is not None]


def fingerprint(raw: Path, pipelines: str) -> str:
    """Hash of everything a pipeline run depends on (``raw``: the raw tables' folder)."""
    digest = hashlib.sha256(pipelines.encode())
    for path in sorted(p for p in raw.rglob("*") if p.is_file() and p.name != ".gitkeep"):
        stat = path.stat()
        digest.update(f"{path.relative_to(raw)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    for folder, patterns in (("conf", ("*.yml", "*.yaml")), ("src", ("*.py", "*.yml", "*.json"))):
        for pattern in patterns:
            for path in sorted((PROJECT_ROOT / folder).rglob(pattern)):
                if "local" in path.relative_to(PROJECT_ROOT).parts[:2]:
                    continue
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    for name in ("pyproject.toml", "constraints.txt"):
        path = PROJECT_ROOT / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


#: What `make pipelines ENGINE=spark` runs: data engineering and batch scoring in the `spark`
#: environment, training and what follows it on one machine (docs/scaling.md says why).
#: One run each: run apart from data engineering, monitoring reads this run's scores from
#: its own catalog entries, which no node of modeling links it to.
SPARK_STEPS = (("spark", "data_engineering"), (None, "modeling"), (None, "explainability"),
               (None, "monitoring"), ("spark", "batch_scoring"))


def run_steps(pipelines: str, engine: str,
              env: str | None = None) -> list[tuple[str | None, str]]:
    """The `kedro run` calls behind one `make pipelines`: (environment, pipelines) pairs.

    ``env`` (``full``, ``test``) is the environment of the steps that do not run on Spark.
    """
    if engine == "spark":
        if pipelines != "__default__":
            return [("spark", pipelines)]
        return [(step_env or env, names) for step_env, names in SPARK_STEPS]
    return [(env, pipelines)]


def run_pipelines(pipelines: str, force: bool = False, engine: str = "polars",
                  env: str | None = None) -> int:
    """Run ``kedro run --pipelines <pipelines>`` (on ``engine``, in ``env``) unless its inputs are unchanged."""
    state_file = artifacts.artifact_path("pipelines_last_run", env)
    what = "|".join([pipelines, *([engine] if engine != "polars" else []),
                     *([f"env={env}"] if env else [])])
    current = fingerprint(raw_locations(env)[0], what)
    if not force and state_file.exists():
        state = json.loads(state_file.read_text())
        if state.get("fingerprint") == current:
            logger.info("Pipelines '%s' are up to date (last run %s): skipping. "
                        "`make pipelines FORCE=1` reruns them.", pipelines, state.get("finished"))
            return 0
    logger.info("Running pipelines '%s' (engine: %s) ...", pipelines, engine)
    started = time.perf_counter()
    for step_env, names in run_steps(pipelines, engine, env):
        cmd = [sys.executable, "-m", "kedro", "run", *(["--env", step_env] if step_env else []),
               "--pipelines", names]
        code = subprocess.call(cmd, cwd=PROJECT_ROOT)
        if code != 0:
            logger.error("`%s` failed with exit code %d; see the messages above", " ".join(cmd[2:]), code)
            return code
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps({
        "fingerprint": current, "pipelines": pipelines, "engine": engine, "env": env,
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
        "seconds": round(time.perf_counter() - started, 1),
    }, indent=2))
    return 0


def summarise_outputs(env: str | None = None) -> str:
    """A table of what the pipelines produced and where (the raw tables and their cache left out)."""
    root = data_root(env)
    inputs = raw_locations(env)
    lines = [f"Outputs under {root}:"]
    for path in sorted(root.rglob("*")):
        if (path.is_file() and path.name != ".gitkeep" and not path.name.endswith(".tmp")
                and not any(path.is_relative_to(folder) for folder in inputs)):
            lines.append(f"  {path.relative_to(root)!s:<60} {path.stat().st_size / 1e6:8.2f} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m credit_scoring_kedro.workflow",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    parser.add_argument("--env", default=None,
                        help="Kedro environment: full (the real data), test; default: base + local")
    sub.add_parser("has-raw-data", help="exit 0 when the raw folder holds any Home Credit table")
    run = sub.add_parser("pipelines", help="run the pipelines unless up to date")
    run.add_argument("--pipelines", default="__default__")
    run.add_argument("--force", action="store_true")
    run.add_argument("--engine", choices=("polars", "spark"), default="polars",
                     help="spark: data engineering and batch scoring in `kedro run --env spark`")
    sub.add_parser("summary", help="list the produced outputs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s %(message)s",
                        datefmt="%H:%M:%S")
    if args.command == "has-raw-data":
        raw = raw_locations(args.env)[0]
        found = raw_tables_present(raw)
        if found:
            logger.info("%s holds %d table(s): %s", raw, len(found), ", ".join(found))
        return 0 if found else 1
    if args.command == "pipelines":
        return run_pipelines(args.pipelines, args.force, args.engine, args.env)
    sys.stdout.write(summarise_outputs(args.env) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
