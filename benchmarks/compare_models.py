"""Two trained runs compared on the same held-out clients: AUC and business cost, paired bootstrap.

Used to measure what a modeling change costs, e.g. the monotone constraints (a run with
``--params modeling.monotone.enabled=false`` against the default run) or a whole change
(the previous commit's run against this one). Both data roots must hold the pipelines'
outputs on the same raw data with the same split (``modeling.split``); the clients are
paired by SK_ID_CURR, and each bootstrap draw resamples the same clients for both models,
so the interval is that of the difference, not of two separate scores.

    python benchmarks/compare_models.py --a /tmp/unconstrained --b data \
        --label-a "without constraints" --label-b "with constraints" --out result.json

Each model is scored from its own root's champion bundle and ``05_model_input/X_test``,
at its own threshold (chosen on its out-of-fold predictions, never on these clients).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from credit_scoring_kedro.modeling.cost import business_cost
from credit_scoring_kedro.serving.artifacts import data_root, load_artifact

ID, TARGET = "SK_ID_CURR", "TARGET"


def held_out(root: Path) -> pd.DataFrame:
    """SK_ID_CURR, TARGET, probability and refused of the root's champion on its test split."""
    with data_root(root):
        X_test, y_test = load_artifact("X_test"), load_artifact("y_test")
        bundle = load_artifact("model_bundle")   # the registry's champion of this root
    proba = bundle.predict_proba(X_test)
    return pd.DataFrame({ID: y_test[ID].to_numpy(), TARGET: y_test[TARGET].to_numpy(),
                         "probability": proba, "refused": proba >= bundle.threshold,
                         "version": bundle.version, "threshold": bundle.threshold,
                         "weights": [bundle.cost_weights] * len(proba)})


def _figures(y: np.ndarray, proba: np.ndarray, refused: np.ndarray, weights) -> tuple[float, float]:
    return float(roc_auc_score(y, proba)), business_cost(y, refused, weights)


def paired_bootstrap(a: pd.DataFrame, b: pd.DataFrame, draws: int, seed: int) -> dict:
    """Point estimates and 95 % percentile intervals of b - a (AUC and cost per client)."""
    pair = a.merge(b, on=[ID, TARGET], suffixes=("_a", "_b"), validate="one_to_one")
    if len(pair) != len(a) or len(pair) != len(b):
        raise SystemExit(f"the two runs do not hold the same held-out clients ({len(a)} and "
                         f"{len(b)}, {len(pair)} in common): same raw data and split needed")
    y = pair[TARGET].to_numpy()
    weights_a, weights_b = a["weights"].iloc[0], b["weights"].iloc[0]
    cols = {s: (pair[f"probability_{s}"].to_numpy(), pair[f"refused_{s}"].to_numpy())
            for s in ("a", "b")}
    point = {s: _figures(y, *cols[s], w) for s, w in (("a", weights_a), ("b", weights_b))}
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(draws):
        rows = rng.integers(0, len(y), len(y))
        if y[rows].min() == y[rows].max():
            continue
        fa = _figures(y[rows], cols["a"][0][rows], cols["a"][1][rows], weights_a)
        fb = _figures(y[rows], cols["b"][0][rows], cols["b"][1][rows], weights_b)
        diffs.append((fb[0] - fa[0], fb[1] - fa[1]))
    diffs = np.asarray(diffs)
    low, high = np.percentile(diffs, [2.5, 97.5], axis=0)
    return {
        "clients": len(y), "defaults": int(y.sum()), "draws": len(diffs),
        "auc_a": point["a"][0], "auc_b": point["b"][0],
        "cost_a": point["a"][1], "cost_b": point["b"][1],
        "auc_difference": point["b"][0] - point["a"][0],
        "auc_difference_95ci": [float(low[0]), float(high[0])],
        "cost_difference": point["b"][1] - point["a"][1],
        "cost_difference_95ci": [float(low[1]), float(high[1])],
        "refused_share_a": float(cols["a"][1].mean()), "refused_share_b": float(cols["b"][1].mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, required=True, help="data root of the reference run")
    parser.add_argument("--b", type=Path, required=True, help="data root of the compared run")
    parser.add_argument("--label-a", default="a")
    parser.add_argument("--label-b", default="b")
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--record", type=Path, metavar="JSON",
                        help="add the figures to this list (e.g. docs/results/model_comparisons.json, "
                             "shown by docs/methodology.md after `make docs`), replacing an "
                             "entry with the same --data, --label-a and --label-b")
    parser.add_argument("--data", default="", help="what the runs were trained on, for --record")
    args = parser.parse_args()
    a, b = held_out(args.a.resolve()), held_out(args.b.resolve())
    result = {"a": args.label_a, "b": args.label_b, "version_a": a["version"].iloc[0],
              "version_b": b["version"].iloc[0], **paired_bootstrap(a, b, args.draws, args.seed)}
    print(f"{result['clients']:,} held-out clients ({result['defaults']} defaults), "
          f"{result['draws']} paired bootstrap draws")
    print(f"  {args.label_a:>30}: AUC {result['auc_a']:.4f}  cost {result['cost_a']:.4f}  "
          f"refused {result['refused_share_a']:.1%}")
    print(f"  {args.label_b:>30}: AUC {result['auc_b']:.4f}  cost {result['cost_b']:.4f}  "
          f"refused {result['refused_share_b']:.1%}")
    lo, hi = result["auc_difference_95ci"]
    print(f"  {'difference (b - a)':>30}: AUC {result['auc_difference']:+.4f} "
          f"[{lo:+.4f}, {hi:+.4f}]", end="")
    lo, hi = result["cost_difference_95ci"]
    print(f"  cost {result['cost_difference']:+.4f} [{lo:+.4f}, {hi:+.4f}]")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    if args.record:
        entries = json.loads(args.record.read_text()) if args.record.exists() else []
        key = (args.data, args.label_a, args.label_b)
        entries = [e for e in entries if (e["data"], e["a"], e["b"]) != key]
        entries.append({"data": args.data, **result})
        args.record.write_text(json.dumps(entries, indent=2) + "\n")


if __name__ == "__main__":
    main()
