"""Time the monitoring of logged traffic at 5,000 and 50,000 decisions (docs/monitoring.md).

A prediction log is written in a temporary folder from the held-out clients of a trained data
root (``--root``), the second half with larger credits, with an outcome per client drawn from
the model's own probability; then the traffic nodes of the monitoring pipeline run on it
(reading the log, windows, drift of every model feature, outcomes, alerts), as
``kedro run --pipelines monitoring`` runs them. Run it under ``/usr/bin/time -v`` for the peak
memory. Writes nothing in the data root.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from credit_scoring_kedro.io import PredictionLogDataset
from credit_scoring_kedro.pipelines.monitoring import create_pipeline
from credit_scoring_kedro.serving.prediction_log import PredictionLog

NODES = ["select_logged_traffic", "check_outcomes", "report_traffic_windows",
         "raise_traffic_alerts", "log_traffic_metrics"]
COLUMNS = ["logged_at", "decision_id", "client_id", "model_version", "probability", "decision",
           "threshold", "purpose", "features"]


def write_log(url: str, bundle, X_test: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = X_test.sample(n=n, replace=True, random_state=seed).reset_index(drop=True)
    rows.loc[n // 2:, "AMT_CREDIT"] = rows.loc[n // 2:, "AMT_CREDIT"] * 1.3
    matrix = np.asarray(bundle.encoder.transform(rows), dtype=np.float64)
    proba = bundle.model.predict_proba(matrix)[:, 1]
    log = PredictionLog(url)
    for start in range(0, n, 1000):
        ids = range(start, min(start + 1000, n))
        log.record(f"bench-{start}", bundle.version, float(bundle.threshold),
                   [{"SK_ID_CURR": i} for i in ids],
                   [{"client_id": i, "probability": float(proba[i]),
                     "decision": "refused" if proba[i] >= bundle.threshold else "granted"}
                    for i in ids], features=matrix[start:start + 1000])
    log.close()
    return pd.DataFrame({"SK_ID_CURR": np.arange(n),
                         "DEFAULTED": (rng.random(n) < proba).astype(np.int64),
                         "OBSERVED_AT": "2026-12-04"})


def run_once(url: str, bundle, X_test: pd.DataFrame, outcomes: pd.DataFrame,
             params: dict) -> tuple[float, pd.DataFrame]:
    catalog = DataCatalog({
        "prediction_log_traffic": PredictionLogDataset(url, columns=COLUMNS),
        "raw_data_origin": MemoryDataset({"generated": False}),
        "model_bundle": MemoryDataset(bundle, copy_mode="assign"),
        "X_test": MemoryDataset(X_test, copy_mode="assign"),
        "raw_outcomes": MemoryDataset(pl.from_pandas(outcomes).lazy(), copy_mode="assign"),
        "params:monitoring.traffic": MemoryDataset(params),
    })
    started = time.perf_counter()
    out = SequentialRunner().run(create_pipeline().only_nodes(*NODES), catalog)
    seconds = time.perf_counter() - started
    windows = out["traffic_windows"].load() if "traffic_windows" in out else None
    return seconds, windows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", default="data", help="a trained data root")
    parser.add_argument("--sizes", default="5000,50000")
    args = parser.parse_args()
    os.environ["CREDIT_DATA_ROOT"] = str(Path(args.root).resolve())
    from credit_scoring_kedro.serving.artifacts import catalog, parameters

    bundle = catalog().load("model_bundle")
    X_test = catalog().load("X_test")
    params = parameters("monitoring")["traffic"]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            url = f"sqlite:///{tmp}/log_{n}.db"
            outcomes = write_log(url, bundle, X_test, n, seed=n)
            seconds, _ = run_once(url, bundle, X_test, outcomes, params)
            results.append({"decisions": n, "features": len(bundle.features),
                            "windows": -(-n // params["window_decisions"]),
                            "seconds": round(seconds, 2)})
            sys.stdout.write(json.dumps(results[-1]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
