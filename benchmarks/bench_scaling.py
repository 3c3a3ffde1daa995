"""Benchmark: how each pipeline's time and memory grow with the number of clients.

For each scale (a multiple of the competition's size: 1 = 307,511 + 48,744 clients and about
58 M history rows), generated data with the real schema is written once (cached in
``benchmarks/.cache/``, shared with ``bench_data_engineering.py``), then
``kedro run --pipelines <name>`` runs for data_engineering, modeling (``--profile``,
``full`` by default), explainability and monitoring, each in a fresh process. For each run:
wall time, CPU time (user + system of the run and its children: less
sensitive than wall time to other work on the machine), and the peak memory of its whole process tree (sum of the RSS of the process and
its children, sampled every 0.2 s, so joblib or LightGBM helpers count too).

A run whose tree exceeds ``--memory-limit-gb`` is stopped and reported as such instead of
letting the kernel's OOM killer pick a victim on a shared machine; the later pipelines of
that scale are then skipped.

Usage: python benchmarks/bench_scaling.py [--scales 1 2 4] [--profile full]
Results: printed as a Markdown table and written to benchmarks/results/scaling.json
(docs/scaling.md quotes them).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data_engineering import ROOT, fresh_data_root, history_rows, raw_dir  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
PIPELINES = ("data_engineering", "modeling", "explainability", "monitoring")
LAYERS = ("02_intermediate", "03_primary", "04_feature", "05_model_input", "06_models",
          "07_model_output", "08_reporting")


def tree_rss(process: psutil.Process) -> int:
    """Bytes resident in a process and all its descendants right now."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_pipeline(root: Path, name: str, profile: str, limit_bytes: int) -> dict:
    env = {**os.environ, "CREDIT_DATA_ROOT": str(root), "KEDRO_DISABLE_TELEMETRY": "true",
           "MLFLOW_TRACKING_URI": f"sqlite:///{root}/mlflow.db"}
    command = [sys.executable, "-m", "kedro", "run", "--pipelines", name]
    if name == "modeling":
        command += ["--params", f"modeling.profile={profile}"]
    log = root / f"{name}.log"
    peak, stopped, usage, code = 0, False, None, None
    started = time.perf_counter()
    with open(log, "w") as out:
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        watched = psutil.Process(child.pid)
        while True:
            # wait4: the exit status and the CPU time of the run and everything it waited for
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
                child.returncode = code
                break
            peak = max(peak, tree_rss(watched))
            if peak > limit_bytes:
                stopped = True
                for p in [*watched.children(recursive=True), watched]:
                    try:
                        p.kill()
                    except psutil.Error:
                        pass
                _, status, usage = os.wait4(child.pid, 0)
                child.returncode = code = os.waitstatus_to_exitcode(status)
                break
            time.sleep(0.2)
    wall = time.perf_counter() - started
    status = "stopped: memory limit" if stopped else ("ok" if code == 0
                                                     else f"failed (exit {code})")
    return {"pipeline": name, "status": status, "wall_s": round(wall, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_tree_rss_gb": round(peak / 2**30, 2), "log": str(log)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 2.0, 4.0])
    parser.add_argument("--profile", default="full", help="modeling profile")
    parser.add_argument("--pipelines", nargs="+", default=list(PIPELINES))
    parser.add_argument("--memory-limit-gb", type=float, default=21.0)
    args = parser.parse_args()
    limit = int(args.memory_limit_gb * 2**30)
    results = []
    RESULTS.mkdir(parents=True, exist_ok=True)
    for scale in args.scales:
        raw = raw_dir(scale)
        clients, rows = history_rows(raw)
        root = fresh_data_root(f"scaling_{scale:g}", raw, LAYERS)
        for name in args.pipelines:
            print(f"scale {scale:g}: {name} ...", flush=True)
            result = {"scale": scale, "clients": clients, "rows": rows,
                      **run_pipeline(root, name, args.profile, limit)}
            results.append(result)
            print(json.dumps(result), flush=True)
            (RESULTS / "scaling.json").write_text(json.dumps(
                {"machine": {"cpus": os.cpu_count(), "memory_gb": round(
                    psutil.virtual_memory().total / 2**30, 1), "python": platform.python_version()},
                 "profile": args.profile, "runs": results}, indent=2))
            if result["status"] != "ok":
                print(f"  {result['status']}; later pipelines of scale {scale:g} skipped; "
                      f"log: {result['log']}", flush=True)
                break
    print("\n| scale | clients | rows, all tables | pipeline | wall (s) | CPU (s) | peak RSS, process tree (GB) | status |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['scale']:g} | {r['clients']:,} | {r['rows'] / 1e6:.1f} M | {r['pipeline']} "
              f"| {r['wall_s']} | {r['cpu_s']} | {r['peak_tree_rss_gb']} | {r['status']} |")


if __name__ == "__main__":
    main()
