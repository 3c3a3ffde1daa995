"""How often does the served model contradict common sense? Counts on a run's held-out clients.

For each move of ``modeling.monotone.raw_moves`` (income up, loan down, longer term, better
external scores), every held-out client of the data root is re-scored step by step with
the root's champion (the API's own scoring path); a client whose probability rises along
the way is a violation, a granted client refused after the move a flipped decision.

    python benchmarks/monotone_audit.py --root data [--clients 5000]

Runs on any root, including one trained by an earlier commit (its bundle is read as is).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import yaml

from credit_scoring_kedro.features.history_families import count_columns
from credit_scoring_kedro.modeling.monotone_audit import raw_move_violations
from credit_scoring_kedro.serving.artifacts import data_root, load_artifact, project_root
from credit_scoring_kedro.serving.client_book import application_record
from credit_scoring_kedro.serving.scorer import FastScorer, HistoryStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    root = args.root.resolve()
    moves = yaml.safe_load((project_root() / "conf/base/parameters_modeling.yml").read_text()
                           )["modeling"]["monotone"]["raw_moves"]
    with data_root(root):
        history, X_test = load_artifact("feat_client_history"), load_artifact("X_test")
        bundle = load_artifact("model_bundle")   # the registry's champion of this root
    columns = [c for c in history.columns if c in set(bundle.features)]
    scorer = FastScorer(bundle, HistoryStore.build(history, columns, count_columns()))
    rows = X_test.head(args.clients).astype(object).where(X_test.notna(), None)
    records = [application_record(r) for r in rows.to_dict("records")]
    started = time.perf_counter()
    report = raw_move_violations(lambda batch: scorer.score(batch)[0], records, moves,
                                 bundle.threshold)
    print(f"model {bundle.version} ({root}), {len(records):,} held-out clients, "
          f"{time.perf_counter() - started:.1f} s")
    print(f"  {'move':<26}{'clients':>9}{'risk rose':>12}{'share':>8}{'granted->refused':>18}"
          f"{'largest rise':>14}")
    for name, r in report.items():
        share = r["violations"] / r["clients"] if r["clients"] else 0.0
        print(f"  {name:<26}{r['clients']:>9,}{r['violations']:>12,}{share:>8.1%}"
              f"{r['flipped_to_refused']:>18,}{r['largest_rise']:>14.4f}")
    if args.out:
        args.out.write_text(json.dumps({"version": bundle.version, "moves": report}, indent=2))


if __name__ == "__main__":
    main()
