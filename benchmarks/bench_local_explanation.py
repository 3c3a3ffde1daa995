"""Benchmark: in-process local explanation of one client (the API's /explanation path).

Loads the champion bundle and the explainability artifacts of a data root, then times
`LocalExplainer.explain` on single clients and prints p50 / p95 / p99 in milliseconds.

Usage: python benchmarks/bench_local_explanation.py --root data --clients 300
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from credit_scoring_kedro.explain.local import LocalExplainer
from credit_scoring_kedro.serving.artifacts import data_root, load_artifact

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT / "data")
    parser.add_argument("--clients", type=int, default=300)
    args = parser.parse_args()
    with data_root(args.root):
        bundle = load_artifact("model_bundle")   # the registry's champion of this root
    explainer = LocalExplainer.build(
        bundle,
        json.loads((args.root / "04_feature" / "feature_dictionary.json").read_text()),
        yaml.safe_load((ROOT / "conf" / "base" / "feature_glossary.yml").read_text()),
        json.loads((args.root / "07_model_output" / "feature_reference.json").read_text()),
    )
    features = pd.read_parquet(args.root / "04_feature" / "test_features.parquet")
    rows = [features.iloc[[i]] for i in range(min(args.clients, len(features)))]
    explainer.explain(rows[0])  # warm-up
    timings = []
    for row in rows:
        started = time.perf_counter()
        explanation = explainer.explain(row)
        timings.append((time.perf_counter() - started) * 1000)
    p50, p95, p99 = np.percentile(timings, [50, 95, 99])
    print(json.dumps({"clients": len(rows), "features": len(bundle.features),
                      "p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "p99_ms": round(p99, 2),
                      "example": [f["sentence"] for f in explanation["raises_risk"][:2]
                                  + explanation["lowers_risk"][:2]]}, indent=2))


if __name__ == "__main__":
    main()
