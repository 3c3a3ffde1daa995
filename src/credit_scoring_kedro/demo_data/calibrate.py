"""Derive the demo generator's statistics from the real Home Credit sample (no rows copied).

For each column of each table present in the sample: its missing rate and either 101
quantiles of its non-missing values (numbers) or the frequencies of its labels (text),
plus rows per client of every history table. The result, ``calibration.json``, is a
few hundred kilobytes of aggregate statistics.

Usage: python -m credit_scoring_kedro.demo_data.calibrate ../shared/data/home-credit-sample
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import polars as pl

from credit_scoring_kedro.schema import raw_schemas

OUT = Path(__file__).with_name("calibration.json")
QUANTILES = np.linspace(0, 1, 101)
MAX_LABELS = 60


def column_stats(series: pl.Series, kind: str) -> dict:
    values = series.drop_nulls()
    stats: dict = {"missing": round(series.null_count() / max(series.len(), 1), 4)}
    if kind == "str":
        freq = values.value_counts(sort=True).head(MAX_LABELS)
        total = max(int(freq["count"].sum()), 1)
        stats["labels"] = {str(k): round(int(c) / total, 5)
                           for k, c in zip(freq[series.name], freq["count"], strict=True)}
    elif values.len():
        q = np.quantile(values.cast(pl.Float64).to_numpy(), QUANTILES)
        stats["quantiles"] = [float(f"{v:.6g}") for v in q]
    return stats


def calibrate(sample_dir: Path) -> dict:
    out: dict = {"source": "aggregate statistics of the real Home Credit sample", "tables": {}}
    for name, schema in raw_schemas().items():
        path = sample_dir / f"{schema.file}.csv"
        if not path.exists():
            continue
        overrides = {c: (pl.String if k == "str" else pl.Float64) for c, k in schema.columns.items()}
        frame = pl.read_csv(path, schema_overrides=overrides, infer_schema=False)
        table = {c: column_stats(frame[c], k) for c, k in schema.columns.items()
                 if c not in ("SK_ID_CURR", "SK_ID_BUREAU", "SK_ID_PREV", "TARGET")}
        if "TARGET" in frame.columns:
            out["default_rate"] = round(float(frame["TARGET"].mean()), 4)
        out["tables"][name] = table
    return out


def main() -> None:
    sample = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data/home-credit-sample")
    OUT.write_text(json.dumps(calibrate(sample), separators=(",", ":")))
    sys.stdout.write(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KB)\n")


if __name__ == "__main__":
    main()
