"""Benchmark: wall time and peak memory of the modeling pipeline on a data folder.

Runs `kedro run --pipelines modeling --params modeling.profile=<profile>` in a fresh
process against CREDIT_DATA_ROOT=<root> (which must hold the data_engineering outputs),
with a throw-away MLflow store, and prints wall time, peak RSS and the test metrics.

Usage: python benchmarks/bench_modeling.py --root data --profile fast
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT / "data")
    parser.add_argument("--profile", default="fast")
    args = parser.parse_args()
    root = args.root.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CREDIT_DATA_ROOT": str(root), "KEDRO_DISABLE_TELEMETRY": "true",
               "MLFLOW_TRACKING_URI": f"sqlite:///{tmp}/mlflow.db",
               "MLFLOW_REGISTRY_URI": f"sqlite:///{tmp}/mlflow.db",
               "CREDIT_MLFLOW_ARTIFACTS": f"{tmp}/mlruns"}   # nothing lands in the checkout
        log = Path(tmp) / "run.log"
        started = time.perf_counter()
        with log.open("w") as out:
            code = subprocess.call([sys.executable, "-m", "kedro", "run", "--pipelines", "modeling",
                                    "--params", f"modeling.profile={args.profile}"],
                                   cwd=ROOT, env=env, stdout=out, stderr=out)
        wall = time.perf_counter() - started
        if code != 0:
            sys.stdout.write(log.read_text()[-4000:])
            raise SystemExit(f"modeling failed (exit {code})")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    report = json.loads((root / "08_reporting" / "model_test_report.json").read_text())["served"]
    print(json.dumps({"root": str(root), "profile": args.profile, "wall_s": round(wall, 1),
                      "peak_rss_gb": round(peak, 2), "candidate": report["candidate"],
                      "test_auc": round(report["auc"], 4),
                      "test_cost": round(report["business_cost"], 4),
                      "threshold": round(report["threshold"], 4)}, indent=2))


if __name__ == "__main__":
    main()
