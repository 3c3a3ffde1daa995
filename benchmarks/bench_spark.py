"""Benchmark: the same data engineering and batch scoring on polars and on Spark local[2].

For each scale (a multiple of the competition's size: 1 = 307,511 + 48,744 clients and about
58 M history rows; generated once into ``benchmarks/.cache/``, shared with the other
benchmarks), each engine gets a fresh data root over the same raw CSV files and runs, each in
a fresh process:

1. ``kedro run [--env spark] --pipelines data_engineering`` from the CSV files (the first
   run: the CSV -> Parquet copies are written, then checked, aggregated and joined);
2. ``kedro run [--env spark] --pipelines batch_scoring``: application_test of that scale
   scored by a served bundle (a smoke model trained once on the 20,000-client demo data,
   cached in ``benchmarks/.cache/spark_bench_model``, copied in), from the history store
   the engine just wrote.

For each run: wall time, CPU time (user + system of the run and everything it waited for)
and the peak memory of its whole process tree (sum of RSS, sampled every 0.2 s: the JVM and
Spark's Python workers count). The machine's load average is recorded before each run: the
machine is shared, and a loaded machine slows both engines.

Usage: python benchmarks/bench_spark.py [--scales 1 2] (``make bench-spark``)
Results: printed as a Markdown table and written to benchmarks/results/spark.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data_engineering import ROOT, fresh_data_root, history_rows, raw_dir  # noqa: E402
from bench_scaling import tree_rss  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
LAYERS = ("02_intermediate", "03_primary", "04_feature", "06_models", "07_model_output",
          "08_reporting")
MODEL_ROOT = ROOT / "benchmarks" / ".cache" / "spark_bench_model"


def served_registry() -> Path:
    """The MLflow store (``mlflow.db``) whose champion is a model of the current code, trained
    once (smoke profile, 20,000 demo clients); its bundle is in the registry."""
    store = MODEL_ROOT / "mlflow.db"
    if (MODEL_ROOT / ".complete-registry").exists():
        return store
    from credit_scoring_kedro.demo_data import generate_demo_data

    shutil.rmtree(MODEL_ROOT, ignore_errors=True)
    print(f"training the served bundle once into {MODEL_ROOT} ...", flush=True)
    generate_demo_data(MODEL_ROOT / "01_raw", n_train=20_000, n_test=3_170, seed=0)
    env = {**os.environ, "CREDIT_DATA_ROOT": str(MODEL_ROOT), "KEDRO_DISABLE_TELEMETRY": "true",
           "MLFLOW_TRACKING_URI": f"sqlite:///{MODEL_ROOT}/mlflow.db"}
    for args in (["--pipelines", "data_engineering"],
                 ["--pipelines", "modeling", "--params", "modeling.profile=smoke"]):
        subprocess.run([sys.executable, "-m", "kedro", "run", *args], cwd=ROOT, env=env,
                       check=True, capture_output=True)
    (MODEL_ROOT / ".complete-registry").write_text("ok")
    return store


def run(root: Path, engine: str, pipeline: str) -> dict:
    """One `kedro run` in a fresh process, with its wall, CPU and peak tree memory."""
    env = {**os.environ, "CREDIT_DATA_ROOT": str(root), "KEDRO_DISABLE_TELEMETRY": "true",
           "MLFLOW_TRACKING_URI": f"sqlite:///{root}/mlflow.db"}
    command = [sys.executable, "-m", "kedro", "run", "--pipelines", pipeline]
    if engine == "spark":
        command[4:4] = ["--env", "spark"]
    log = root / f"{engine}_{pipeline}.log"
    load = os.getloadavg()[0]
    peak, started = 0, time.perf_counter()
    with open(log, "w") as out:
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        watched = psutil.Process(child.pid)
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
                break
            peak = max(peak, tree_rss(watched))
            time.sleep(0.2)
    wall = time.perf_counter() - started
    return {"engine": engine, "pipeline": pipeline, "status": "ok" if code == 0 else f"exit {code}",
            "wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_tree_rss_gb": round(peak / 2**30, 2), "load_before": round(load, 2),
            "log": str(log)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 2.0])
    parser.add_argument("--engines", nargs="+", default=["polars", "spark"])
    args = parser.parse_args()
    store = served_registry()
    results = []
    RESULTS.mkdir(parents=True, exist_ok=True)
    for scale in args.scales:
        raw = raw_dir(scale)
        clients, rows = history_rows(raw)
        for engine in args.engines:
            root = fresh_data_root(f"spark_bench_{engine}_{scale:g}", raw, LAYERS)
            shutil.copy(store, root / "mlflow.db")   # the champion: fetched into the root's cache
            for pipeline in ("data_engineering", "batch_scoring"):
                print(f"scale {scale:g}: {engine} {pipeline} ...", flush=True)
                result = {"scale": scale, "clients": clients, "rows": rows,
                          **run(root, engine, pipeline)}
                results.append(result)
                print(json.dumps(result), flush=True)
                (RESULTS / "spark.json").write_text(json.dumps(
                    {"machine": {"cpus": os.cpu_count(), "memory_gb": round(
                        psutil.virtual_memory().total / 2**30, 1),
                        "python": platform.python_version()},
                     "runs": results}, indent=2))
                if result["status"] != "ok":
                    print(f"  failed; log: {result['log']}", flush=True)
                    break
    print("\n| scale | rows, all tables | engine | pipeline | wall (s) | CPU (s) "
          "| peak RSS, process tree (GB) | load before |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['scale']:g} | {r['rows'] / 1e6:.1f} M | {r['engine']} | {r['pipeline']} "
              f"| {r['wall_s']} | {r['cpu_s']} | {r['peak_tree_rss_gb']} | {r['load_before']} |")


if __name__ == "__main__":
    main()
