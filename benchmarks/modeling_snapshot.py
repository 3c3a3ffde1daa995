"""What the modeling pipeline concludes on a data set, in memory: to check that a refactor changes nothing.

Runs data_engineering and modeling (up to the bundle, no MLflow) over memory datasets on the
small demo data (1,500 + 300 clients, seed 8) or on a folder of Home Credit CSVs, with the
smoke profile (``conf/test``), and writes the held-out report, the results table (timings
left out) and the MLflow metrics as JSON. Run it on two checkouts, then compare:

    PYTHONPATH=<before>/src CREDIT_PROJECT_ROOT=<before> python benchmarks/modeling_snapshot.py \\
        --out before.json [--csv-dir ../shared/data/home-credit-sample] [--profile fast]
    python benchmarks/modeling_snapshot.py --out after.json [--csv-dir ...]
    python benchmarks/modeling_snapshot.py --compare before.json after.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path


def snapshot(csv_dir: Path | None, profile: str | None) -> dict:
    from credit_scoring_kedro.demo_data import generate_demo_data
    from credit_scoring_kedro.paths import project_root
    from credit_scoring_kedro.pipelines.data_engineering import create_pipeline as data_engineering
    from credit_scoring_kedro.pipelines.modeling import create_pipeline as modeling
    from credit_scoring_kedro.serving import artifacts

    sys.path.insert(0, str(project_root() / "tests"))
    from memory_runner import run_in_memory

    root = Path(tempfile.mkdtemp(prefix="modeling_snapshot_"))
    with artifacts.data_root(root):
        raw = Path(artifacts.dataset_config("raw_application_train")["raw_dir"])
    raw.mkdir(parents=True, exist_ok=True)
    if csv_dir is None:
        generate_demo_data(raw, n_train=1500, n_test=300, seed=8)
    else:
        for path in Path(csv_dir).glob("*.csv"):
            (raw / path.name).symlink_to(path.resolve())
    pipeline = data_engineering()
    with artifacts.data_root(root):
        catalog = artifacts.catalog()
        features = run_in_memory(pipeline, {name: catalog.load(name) for name in pipeline.inputs()})
    training = modeling().to_outputs("test_report", "model_results_table", "modeling_metrics")
    params = artifacts.parameters("modeling")
    params["profile"] = profile or params["profile"]
    out = run_in_memory(training, {"feat_train": features["feat_train"],
                                   "prm_default_flags": features["prm_default_flags"],
                                   "params:modeling": params})
    table = out["model_results_table"].drop(columns=["fit_seconds", "search_seconds"])
    return {"report": out["test_report"], "table": table.to_dict("records"),
            "metrics": out["modeling_metrics"], "nodes": len(modeling().nodes)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="where to write the snapshot (JSON)")
    parser.add_argument("--csv-dir", type=Path, help="Home Credit CSVs (default: small demo data)")
    parser.add_argument("--profile", help="modeling profile (default: conf/test's, smoke)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(p.read_text()) for p in args.compare)
        same = True
        for part in ("report", "table", "metrics"):
            equal = before[part] == after[part]
            same &= equal
            print(f"{part:8s} {'identical' if equal else 'DIFFERENT'}")
        print(f"nodes    {before['nodes']} -> {after['nodes']}")
        print(f"served   AUC {after['report']['served']['auc']:.6f}, cost "
              f"{after['report']['served']['business_cost']:.6f}")
        return 0 if same else 1
    if args.out is None:
        parser.error("give --out, or --compare BEFORE AFTER")
    os.environ["KEDRO_ENV"] = "test"   # the smoke profile: minutes, not hours
    args.out.write_text(json.dumps(snapshot(args.csv_dir, args.profile), indent=1, default=str,
                                   sort_keys=True))
    print(f"snapshot written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
