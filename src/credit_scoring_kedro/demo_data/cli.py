"""Command line of the demo-data generator."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from credit_scoring_kedro.demo_data.generator import FULL_SIZE, generate_demo_data
from credit_scoring_kedro.schema import raw_schemas

FULL_TRAIN, FULL_TEST = FULL_SIZE["application_train"], FULL_SIZE["application_test"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m credit_scoring_kedro.demo_data",
        description="Generate the eight Home Credit tables (real schema, synthetic rows).")
    parser.add_argument("--clients", type=int, default=20_000, help="application_train clients")
    parser.add_argument("--test-clients", type=int, default=None,
                        help="application_test clients (default: the competition's ratio)")
    parser.add_argument("--full-size", action="store_true",
                        help=f"the competition's size: {FULL_TRAIN:,} + {FULL_TEST:,} clients")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="with --full-size: a multiple of the full size (0.25, 2, ...)")
    parser.add_argument("--out", type=Path, default=None,
                        help="default: the raw folder of the catalog (<data root>/01_raw)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=["csv", "csv.gz"], default="csv")
    parser.add_argument("--overwrite", action="store_true", help="replace existing tables")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(asctime)s %(levelname)-7s %(message)s", datefmt="%H:%M:%S")
    if args.full_size:
        n_train, n_test = round(FULL_TRAIN * args.scale), round(FULL_TEST * args.scale)
    else:
        n_train = args.clients
        n_test = args.test_clients if args.test_clients is not None else round(
            args.clients * FULL_TEST / FULL_TRAIN)
    if n_train < 10 or n_test < 1:
        parser.error("need at least 10 train clients and 1 test client")
    if args.out is None:
        from credit_scoring_kedro.serving.artifacts import dataset_config

        args.out = Path(dataset_config("raw_application_train")["raw_dir"])
    existing = [p for s in raw_schemas().values()
                for p in (args.out / f"{s.file}.csv", args.out / f"{s.file}.csv.gz") if p.exists()]
    if existing and not args.overwrite:
        print(f"error: {existing[0]} already exists ({len(existing)} table file(s) in {args.out}); "
              "use --overwrite to replace them", file=sys.stderr)
        return 2
    started = time.perf_counter()
    rows = generate_demo_data(args.out, n_train, n_test, seed=args.seed, fmt=args.format)
    elapsed = time.perf_counter() - started
    if not args.quiet:
        print(f"\n{'file':40s} {'rows':>12s} {'MB':>9s}")
        for name, count in rows.items():
            size = (args.out / name).stat().st_size / 1e6
            print(f"{name:40s} {count:>12,d} {size:>9.1f}")
        print(f"\n{sum(rows.values()):,} rows in {elapsed:.1f} s into {args.out}")
    return 0
