"""Benchmark: ingestion + validation + feature engineering at 1/4, 1/2 and full size.

Generates full-size demo data once per scale (cached in benchmarks/.cache/, reused
by later runs), then runs `kedro run --pipelines data_engineering` in a fresh
process per measurement and prints wall time, peak RSS and rows per second:

- cold: first read of the CSV files (CSV -> Parquet conversion included);
- warm: the Parquet copies of the raw tables already exist (a rerun on unchanged files).

Usage: python benchmarks/bench_data_engineering.py [--scales 0.25 0.5 1] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache"
RESULTS = ROOT / "benchmarks" / "results"
LAYERS = ("02_intermediate", "03_primary", "04_feature", "08_reporting")

# Run one command and report its wall time and the peak RSS of its process tree's largest process.
_MEASURE = """
import json, os, resource, subprocess, sys, time
t = time.perf_counter()
with open(os.environ["BENCH_LOG"], "w") as log:
    code = subprocess.call(sys.argv[1:], stdout=log, stderr=log)
wall = time.perf_counter() - t
print(json.dumps({"code": code, "wall_s": wall,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def raw_dir(scale: float) -> Path:
    """Full-size-based demo data at ``scale``, generated on first use."""
    out = CACHE / f"raw_scale_{scale:g}"
    done = out / ".complete"
    if not done.exists():
        shutil.rmtree(out, ignore_errors=True)
        print(f"generating demo data at scale {scale:g} into {out} (once) ...", flush=True)
        started = time.perf_counter()
        subprocess.check_call([sys.executable, "-m", "credit_scoring_kedro.demo_data", "--full-size",
                               "--scale", str(scale), "--out", str(out), "--seed", "0", "--quiet"])
        done.write_text(f"{time.perf_counter() - started:.1f}")
    return out


def fresh_data_root(name: str, raw: Path, layers: tuple[str, ...] = LAYERS) -> Path:
    """An empty data root under the cache whose 01_raw is ``raw`` (a symlink: no copy)."""
    root = CACHE / name
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "01_raw").symlink_to(raw)
    for layer in layers:
        (root / layer).mkdir()
    return root


def history_rows(raw: Path) -> tuple[int, int]:
    """(application clients, total rows of all eight tables) of a raw folder."""
    import polars as pl

    clients = rows = 0
    for path in raw.glob("*.csv"):
        if path.name.startswith("HomeCredit"):
            continue
        n = pl.scan_csv(path, infer_schema=False).select(pl.len()).collect().item()
        rows += n
        if path.name.startswith("application_"):
            clients += n
    return clients, rows


def measure(data_root: Path, log: Path) -> dict:
    env = {**os.environ, "CREDIT_DATA_ROOT": str(data_root), "KEDRO_DISABLE_TELEMETRY": "true",
           "MLFLOW_TRACKING_URI": f"sqlite:///{data_root}/mlflow.db", "BENCH_LOG": str(log)}
    cmd = [sys.executable, "-c", _MEASURE, sys.executable, "-m", "kedro", "run",
           "--pipelines", "data_engineering"]
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        raise SystemExit(f"data_engineering failed at {data_root}; see {log}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    args = parser.parse_args()
    rows_out = []
    for scale in args.scales:
        raw = raw_dir(scale)
        clients, rows = history_rows(raw)
        work = fresh_data_root(f"run_scale_{scale:g}", raw)
        for phase in ("cold", "warm"):
            r = measure(work, work / f"{phase}.log")
            rows_out.append({"scale": scale, "phase": phase, "clients": clients, "rows": rows,
                             "wall_s": round(r["wall_s"], 1), "peak_rss_gb": round(r["peak_rss_mb"] / 1024, 2),
                             "rows_per_s": int(rows / r["wall_s"])})
            print(json.dumps(rows_out[-1]), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "data_engineering.json").write_text(json.dumps(rows_out, indent=2))
    print("\n| scale | phase | clients | rows (all tables) | wall (s) | peak RSS (GB) | rows/s |")
    print("|---|---|---|---|---|---|---|")
    for r in rows_out:
        print(f"| {r['scale']:g} | {r['phase']} | {r['clients']:,} | {r['rows']:,} | {r['wall_s']} "
              f"| {r['peak_rss_gb']} | {r['rows_per_s']:,} |")
    print("\nwall = the whole `kedro run --pipelines data_engineering` process (start-up ~3 s included)")


if __name__ == "__main__":
    main()
