"""Drift of the logged traffic, window by window: every model feature, the score, the decisions.

Why not evidently here: it takes seconds per feature at 50,000 rows, and the question is asked
for every model feature (about 380) in every window. A population stability index (PSI) over
bins fixed once on the reference costs one ``searchsorted`` per feature, whatever the number of
windows: the whole traffic is binned once, each window is a ``bincount``.

Bins: up to ``max_categories`` distinct reference values (flags, encoded categories, small
counts) get one bin each; other features get reference quantile bins. A missing value has its
own bin, so a feature that starts arriving empty drifts too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_scoring_kedro.features.history_families import HISTORY_FAMILIES
from credit_scoring_kedro.schema import table_schema

#: PSI reading of the credit-risk trade: < 0.1 stable, 0.1-0.25 moderate, > 0.25 major shift.
PSI_FLOOR = 1e-4   # an empty bin counts as this share (PSI is infinite otherwise)
LOG_COLUMNS = ["logged_at", "decision_id", "client_id", "model_version", "probability",
               "decision", "threshold", "purpose", "features"]


def feature_family(name: str) -> str:
    """The family a model feature comes from: a history table, the application, or domain ratios."""
    for family in HISTORY_FAMILIES:
        if name.startswith(f"{family.prefix}_"):
            return family.table
    if name in table_schema("application_test").columns:
        return "application"
    return "domain ratios"


def window_purposes(purposes: list[str], simulation_on_demo_data: bool,
                    demo_data: bool) -> set[str]:
    """Which request purposes form the windows: never ``test``; ``simulation`` on demo data."""
    chosen = {str(p) for p in purposes} - {"test"}
    if simulation_on_demo_data and demo_data:
        chosen.add("simulation")
    return chosen


def select_traffic(log: pd.DataFrame, purposes: set[str], since: str | None = None,
                   until: str | None = None, last_decisions: int | None = None) -> pd.DataFrame:
    """The logged decisions that monitoring reads, oldest first.

    A decision logged before the ``purpose`` column existed is production. ``since`` and
    ``until`` are inclusive dates (ISO); ``last_decisions`` keeps only the newest N after them.
    """
    if log.empty:
        return log.assign(purpose=pd.Series(dtype=str))
    purpose = log["purpose"].fillna("production") if "purpose" in log else "production"
    frame = log.assign(purpose=purpose, logged_at=pd.to_datetime(log["logged_at"], utc=True))
    keep = frame["purpose"].isin(purposes) & frame["purpose"].ne("test")
    if since:
        keep &= frame["logged_at"] >= pd.Timestamp(since, tz="UTC")
    if until:
        keep &= frame["logged_at"] < pd.Timestamp(until, tz="UTC") + pd.Timedelta(days=1)
    frame = frame[keep].sort_values("logged_at", kind="stable")
    if last_decisions:
        frame = frame.tail(int(last_decisions))
    return frame.reset_index(drop=True)


def assign_windows(traffic: pd.DataFrame, window_decisions: int | None = None,
                   window_period: str | None = None) -> pd.Series:
    """The window label of each decision: N consecutive decisions, or a calendar period.

    ``window_period`` (a pandas period such as ``D`` or ``W``) wins when given; a window of
    ``window_decisions`` suits traffic that arrives in bursts, such as the simulator's.
    """
    if window_period:
        stamps = traffic["logged_at"].dt.tz_convert("UTC").dt.tz_localize(None)
        return stamps.dt.to_period(window_period).astype(str)
    size = int(window_decisions or len(traffic) or 1)
    index = np.arange(len(traffic)) // size
    return pd.Series([f"w{i + 1:03d}" for i in index], index=traffic.index)


def fit_bins(reference: np.ndarray, bins: int, max_categories: int) -> list[np.ndarray]:
    """Per feature, the inner bin edges from the reference (missing values aside)."""
    edges = []
    for column in np.asarray(reference, dtype=np.float64).T:
        values = column[np.isfinite(column)]
        distinct = np.unique(values)
        if len(distinct) <= max_categories:
            edges.append((distinct[:-1] + distinct[1:]) / 2)   # one bin per value
        else:
            inner = np.quantile(values, np.linspace(0, 1, bins + 1)[1:-1])
            edges.append(np.unique(inner))
    return edges


def bin_index(matrix: np.ndarray, edges: list[np.ndarray]) -> np.ndarray:
    """(rows, features) bin of each value; the last bin of each feature holds the missing ones."""
    matrix = np.asarray(matrix, dtype=np.float64)
    out = np.empty(matrix.shape, dtype=np.int16)
    for j, inner in enumerate(edges):
        column = matrix[:, j]
        index = np.searchsorted(inner, column, side="right")
        index[np.isnan(column)] = len(inner) + 1
        out[:, j] = index
    return out


def bin_shares(index: np.ndarray, edges: list[np.ndarray], groups: np.ndarray,
               n_groups: int) -> list[np.ndarray]:
    """Per feature, a (groups, bins) array of each group's share of rows in each bin."""
    shares = []
    for j, inner in enumerate(edges):
        n_bins = len(inner) + 2
        counts = np.bincount(groups * n_bins + index[:, j], minlength=n_groups * n_bins)
        counts = counts.reshape(n_groups, n_bins).astype(np.float64)
        shares.append(counts / np.clip(counts.sum(axis=1, keepdims=True), 1, None))
    return shares


def psi(reference: np.ndarray, current: np.ndarray) -> np.ndarray:
    """Population stability index of each row of ``current`` against ``reference`` (shares)."""
    ref = np.clip(reference, PSI_FLOOR, None)
    cur = np.clip(current, PSI_FLOOR, None)
    return np.sum((cur - ref) * np.log(cur / ref), axis=-1)


def population_stability_index(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    """PSI of the scores over the reference deciles: < 0.1 stable, 0.1-0.25 moderate shift,
    > 0.25 major shift (the one-off drift report's and each traffic window's score drift)."""
    reference, current = np.asarray(reference, float), np.asarray(current, float)
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    ref_share = np.histogram(reference, edges)[0] / len(reference)
    cur_share = np.histogram(current, edges)[0] / len(current)
    ref_share, cur_share = np.clip(ref_share, 1e-6, None), np.clip(cur_share, 1e-6, None)
    return float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share)))


def input_drift(reference: np.ndarray, current: np.ndarray, windows: np.ndarray,
                features: list[str], bins: int, max_categories: int) -> pd.DataFrame:
    """PSI of every feature in every window against the reference population.

    Args:
        reference: (rows, features) the modelling population, as the model reads it.
        current: (rows, features) the logged feature rows.
        windows: Window number (0, 1, ...) of each row of ``current``.
        features: The model's feature names, in the matrices' column order.

    Returns:
        One row per (window number, feature): ``window_no``, ``feature``, ``family``, ``psi``
        (NaN in a window without a decoded feature row).
    """
    edges = fit_bins(reference, bins, max_categories)
    n_windows = int(windows.max()) + 1 if len(windows) else 0
    ref_shares = bin_shares(bin_index(reference, edges), edges,
                            np.zeros(len(reference), dtype=np.int64), 1)
    cur_shares = bin_shares(bin_index(current, edges), edges, windows.astype(np.int64), n_windows)
    scores = np.column_stack([psi(r[0], c) for r, c in zip(ref_shares, cur_shares, strict=True)])
    scores[np.bincount(windows.astype(np.int64), minlength=n_windows) == 0] = np.nan  # no rows
    families = [feature_family(f) for f in features]
    return pd.DataFrame({
        "window_no": np.repeat(np.arange(n_windows), len(features)),
        "feature": np.tile(features, n_windows),
        "family": np.tile(families, n_windows),
        "psi": scores.reshape(-1) if n_windows else np.array([], dtype=float),
    })
