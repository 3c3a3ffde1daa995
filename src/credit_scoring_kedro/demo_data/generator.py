"""Write all eight tables chunk by chunk: bounded memory at any size, same output for the same seed."""

from __future__ import annotations

import gzip
import json
import logging
import os
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import polars as pl
from scipy.special import expit

from credit_scoring_kedro.demo_data.applications import generate_applications
from credit_scoring_kedro.demo_data.descriptions import write_descriptions
from credit_scoring_kedro.demo_data.history import balance_tables, bureau_tables, previous_table
from credit_scoring_kedro.schema import raw_schemas

logger = logging.getLogger(__name__)

#: Row counts of the Kaggle competition's tables.
FULL_SIZE = {
    "application_train": 307_511, "application_test": 48_744, "bureau": 1_716_428,
    "bureau_balance": 27_299_925, "previous_application": 1_670_214,
    "pos_cash_balance": 10_001_358, "installments_payments": 13_605_401,
    "credit_card_balance": 3_840_312,
}
HISTORY = ("bureau", "bureau_balance", "previous_application", "pos_cash_balance",
           "installments_payments", "credit_card_balance")
#: TARGET = 1 with probability expit(INTERCEPT + SLOPE * z): about 8 % defaults.
TARGET_SLOPE, TARGET_INTERCEPT = 1.25, -3.029
CHUNK_CLIENTS = 25_000
FIRST_CLIENT, FIRST_BUREAU, FIRST_PREVIOUS = 100_002, 5_000_000, 1_000_000
#: Written next to the tables: says they are generated (the model card reads it through the
#: catalog entry ``raw_data_origin``), with each file's size so that real tables copied over
#: the generated ones are not taken for demo data.
MARKER_FILE = "GENERATED_DEMO_DATA.json"


def history_rows(n_clients: int, history_scale: float = 1.0) -> dict[str, int]:
    """Rows per history table for ``n_clients`` clients, in the competition's proportions."""
    full_clients = FULL_SIZE["application_train"] + FULL_SIZE["application_test"]
    return {t: int(round(FULL_SIZE[t] * n_clients / full_clients * history_scale)) for t in HISTORY}


def generate_demo_data(out_dir: Path, n_train: int, n_test: int, seed: int = 0,
                       history_scale: float = 1.0, fmt: str = "csv") -> dict[str, int]:
    """Write the eight tables, the column description file and :data:`MARKER_FILE` into ``out_dir``.

    Returns:
        Rows written per file name.
    """
    if fmt not in ("csv", "csv.gz"):
        raise ValueError("fmt must be 'csv' or 'csv.gz'")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_clients = n_train + n_test
    totals = history_rows(n_clients, history_scale)
    rng_ids = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    is_test = np.zeros(n_clients, dtype=bool)
    is_test[rng_ids.choice(n_clients, size=n_test, replace=False)] = True
    n_chunks = max(1, -(-n_clients // CHUNK_CLIENTS))
    seeds = np.random.SeedSequence(seed).spawn(n_chunks)
    names = {t: f"{raw_schemas()[t].file}.{fmt}" for t in FULL_SIZE}
    tmp = {t: out_dir / f".{names[t]}.partial" for t in FULL_SIZE}
    written = dict.fromkeys(FULL_SIZE, 0)
    next_bureau, next_prev = FIRST_BUREAU, FIRST_PREVIOUS
    started = time.perf_counter()
    try:
        with ExitStack() as stack:
            handles = {t: stack.enter_context(_open(tmp[t], fmt)) for t in FULL_SIZE}
            for k in range(n_chunks):
                rng = np.random.default_rng(seeds[k])
                lo, hi = k * CHUNK_CLIENTS, min((k + 1) * CHUNK_CLIENTS, n_clients)
                ids = FIRST_CLIENT + np.arange(lo, hi)
                z = rng.standard_normal(hi - lo)
                chunk_rows = {t: _share(totals[t], lo, hi, n_clients) for t in HISTORY}
                test_mask = is_test[lo:hi]
                train = generate_applications(rng, ids[~test_mask], z[~test_mask],
                                              "application_train", shifted=False)
                target = (rng.random(int((~test_mask).sum())) <
                          expit(TARGET_INTERCEPT + TARGET_SLOPE * z[~test_mask])).astype(np.int64)
                train = train.with_columns(pl.Series("TARGET", target)).select(
                    list(raw_schemas()["application_train"].columns))
                test = generate_applications(rng, ids[test_mask], z[test_mask], "application_test",
                                             shifted=True)
                bureau, balance = bureau_tables(rng, ids, z, chunk_rows["bureau"],
                                                chunk_rows["bureau_balance"], next_bureau)
                previous = previous_table(rng, ids, z, chunk_rows["previous_application"], next_prev)
                next_bureau += bureau.height
                next_prev += previous.height
                balances = balance_tables(rng, previous, dict(zip(ids.tolist(), z.tolist(), strict=True)),
                                          chunk_rows)
                frames = {"application_train": train, "application_test": test, "bureau": bureau,
                          "bureau_balance": balance, "previous_application": previous, **balances}
                for table, frame in frames.items():
                    frame.write_csv(handles[table], include_header=(k == 0))
                    written[table] += frame.height
                logger.info("chunk %d/%d: clients %d-%d written (%.0f s)", k + 1, n_chunks, lo, hi,
                            time.perf_counter() - started)
        for table in FULL_SIZE:
            os.replace(tmp[table], out_dir / names[table])
    finally:
        for path in tmp.values():
            path.unlink(missing_ok=True)
    rows = {names[t]: written[t] for t in FULL_SIZE}
    rows["HomeCredit_columns_description.csv"] = write_descriptions(
        out_dir / "HomeCredit_columns_description.csv")
    marker = {"generator": "credit_scoring_kedro.demo_data", "seed": seed, "n_train": n_train,
              "n_test": n_test, "history_scale": history_scale,
              "files": {name: (out_dir / name).stat().st_size for name in rows}}
    (out_dir / MARKER_FILE).write_text(json.dumps(marker, indent=2) + "\n")
    return rows


def _share(total: int, lo: int, hi: int, n: int) -> int:
    """Rows of a table for clients [lo, hi): cumulative rounding, so the chunks add up exactly."""
    return int(round(total * hi / n)) - int(round(total * lo / n))


def _open(path: Path, fmt: str):
    return gzip.open(path, "wb", compresslevel=3) if fmt == "csv.gz" else path.open("wb")
