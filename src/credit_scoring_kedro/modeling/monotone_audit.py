"""Does the served model follow its declared directions? Probe it the way a client would.

Two probes, both on real applications:
- raw moves (``modeling.monotone.raw_moves``): change the inputs a client can state
  (income up, loan down, a longer term, a better external score) step by step and watch
  the served probability; any rise along the way is a violation, any granted client who
  ends up refused is a flipped decision;
- feature sweeps: move one constrained feature of the encoded row over its range.

The tests run them on the demo data and the real sample (and on an unconstrained model,
where they must find violations); ``benchmarks/monotone_audit.py`` prints the counts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

#: Multipliers of an amount moved up / down, in order (each step further than the last).
AMOUNT_STEPS = {1: (1.25, 1.5, 2.0, 3.0), -1: (0.8, 0.6, 0.4, 0.25)}
#: Share of the distance to the best score (1.0) an external score gains at each step.
SCORE_STEPS = (0.25, 0.5, 0.75, 1.0)
TOLERANCE = 1e-9


def moved_records(record: Mapping, inputs: Mapping[str, int]) -> list[dict] | None:
    """The record after each step of a move, or None when an input of the move is unknown."""
    if any(record.get(column) is None for column in inputs):
        return None
    out = []
    for step in range(len(SCORE_STEPS)):
        changed = dict(record)
        for column, direction in inputs.items():
            value = float(record[column])
            if column.startswith("EXT_SOURCE_"):
                target = 1.0 if direction > 0 else 0.0
                changed[column] = value + (target - value) * SCORE_STEPS[step]
            else:
                changed[column] = value * AMOUNT_STEPS[direction][step]
        out.append(changed)
    return out


def raw_move_violations(probabilities: Callable[[list[dict]], np.ndarray],
                        records: Sequence[Mapping], moves: Mapping[str, Mapping],
                        threshold: float) -> dict[str, dict]:
    """Per move: clients probed, clients whose probability rose, granted clients refused after it.

    ``probabilities``: records -> served probability (one vectorised call per move).
    A rise is counted when the move's required effect on the risk is -1 (the risk must not
    rise) and a step's probability exceeds the previous one by more than :data:`TOLERANCE`;
    the reverse for +1.
    """
    report = {}
    for name, move in moves.items():
        paths = [(i, moved_records(r, move["inputs"])) for i, r in enumerate(records)]
        paths = [(i, p) for i, p in paths if p is not None]
        if not paths:
            report[name] = {"clients": 0, "violations": 0, "flipped_to_refused": 0,
                            "largest_rise": 0.0}
            continue
        batch = [records[i] for i, _ in paths] + [r for _, p in paths for r in p]
        proba = probabilities(batch)
        n, steps = len(paths), len(paths[0][1])
        start = proba[:n]
        path = np.column_stack([start, proba[n:].reshape(n, steps)])
        rise = np.diff(path, axis=1) * -move["risk"]   # > 0: against the required direction
        worst = rise.max(axis=1)
        granted = start < threshold
        report[name] = {
            "clients": n,
            "violations": int((worst > TOLERANCE).sum()),
            "flipped_to_refused": int((granted & (path.max(axis=1) >= threshold)).sum())
            if move["risk"] < 0 else 0,
            "largest_rise": float(max(worst.max(), 0.0)),
        }
    return report


def feature_sweep_violations(probabilities: Callable[[np.ndarray], np.ndarray],
                             matrix: np.ndarray, directions: Sequence[int],
                             grid: Mapping[int, np.ndarray]) -> dict[int, int]:
    """Column -> rows whose probability moves against the column's sign over its grid.

    ``matrix``: encoded rows; ``grid``: column -> increasing values to sweep it over.
    """
    out = {}
    for column, values in grid.items():
        sign = directions[column]
        if sign == 0:
            continue
        swept = np.repeat(matrix, len(values), axis=0)
        swept[:, column] = np.tile(values, len(matrix))
        proba = probabilities(swept).reshape(len(matrix), len(values))
        against = np.diff(proba, axis=1) * sign < -TOLERANCE
        out[column] = int(against.any(axis=1).sum())
    return out
