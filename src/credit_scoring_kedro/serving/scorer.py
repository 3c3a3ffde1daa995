"""Score raw applications in microseconds: the pipelines' features, assembled with NumPy only.

The pipelines build features with polars over whole tables; a scoring request holds one
client (or a thousand). This module computes the same feature row without any DataFrame:
application columns copied, categories coded with the encoder's training labels, domain
ratios from :func:`~credit_scoring_kedro.features.domain.domain_features` (the very function
the pipelines call), and the client's history aggregates looked up in a per-client store
built from ``feat_client_history``. A client with no history gets what the pipelines give
a first-time borrower: zero counts, unknown amounts. Tests check that both paths give the
same probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import polars as pl

from credit_scoring_kedro.features.domain import INPUT_COLUMNS, OUTPUT_COLUMNS, domain_features
from credit_scoring_kedro.modeling.bundle import ModelBundle
from credit_scoring_kedro.modeling.calibration import SigmoidCalibrator, _logit

ID = "SK_ID_CURR"


@dataclass
class HistoryStore:
    """Every client's history aggregates as one float32 matrix, looked up by SK_ID_CURR."""

    columns: list[str]
    matrix: np.ndarray            # (clients, columns) float32
    rows: dict[int, int]          # SK_ID_CURR -> row
    empty_row: np.ndarray         # what a client without history gets

    @classmethod
    def build(cls, history: pl.DataFrame, columns: Sequence[str],
              count_columns: Sequence[str]) -> HistoryStore:
        """``columns``: the model's history features; counts of a missing history are 0."""
        present = [c for c in columns if c in history.columns]
        counts = set(count_columns)
        frame = history.select([ID, *[pl.col(c).cast(pl.Float32) for c in present]])
        frame = frame.with_columns([pl.col(c).fill_null(0.0) for c in present if c in counts])
        matrix = frame.select(present).to_numpy().astype(np.float32, copy=False)
        empty = np.array([0.0 if c in counts else np.nan for c in present], dtype=np.float32)
        ids = frame.get_column(ID).to_list()
        return cls(present, np.ascontiguousarray(matrix), {int(i): r for r, i in enumerate(ids)},
                   empty)

    def lookup(self, ids: Sequence[int | None]) -> tuple[np.ndarray, np.ndarray]:
        """The history block of each client and whether the client has a history."""
        found = np.array([self.rows.get(i, -1) if i is not None else -1 for i in ids])
        has = found >= 0
        block = np.tile(self.empty_row, (len(found), 1))
        if has.any():
            block[has] = self.matrix[found[has]]
        return block, has


class FastScorer:
    """Raw application records -> the model's feature matrix -> probabilities."""

    def __init__(self, bundle: ModelBundle, history: HistoryStore) -> None:
        self.bundle = bundle
        self.history = history
        features = bundle.features
        self.position = {f: i for i, f in enumerate(features)}
        categories = bundle.encoder.categories_
        domain = set(OUTPUT_COLUMNS)
        history_set = set(history.columns)
        self.categorical = {c: {label: float(i) for i, label in enumerate(labels)}
                            for c, labels in categories.items()}
        self.raw_numeric = [f for f in features if f not in categories and f not in history_set
                            and (f not in domain or f == "DAYS_EMPLOYED")]
        self.domain_out = [f for f in OUTPUT_COLUMNS if f in self.position]
        self._raw_idx = np.array([self.position[f] for f in self.raw_numeric], dtype=np.intp)
        self._domain_idx = np.array([self.position[f] for f in self.domain_out], dtype=np.intp)
        self._history_idx = np.array([self.position[c] for c in history.columns
                                      if c in self.position], dtype=np.intp)
        self._history_keep = np.array([c in self.position for c in history.columns])
        self._predict = _fast_predictor(bundle)

    def feature_matrix(self, records: Sequence[dict]) -> tuple[np.ndarray, np.ndarray]:
        """(n, features) float32 matrix of the records, and whether each client has a history."""
        n = len(records)
        out = np.full((n, len(self.position)), np.nan, dtype=np.float64)
        raw = np.array([[r.get(c) for c in self.raw_numeric] for r in records], dtype=np.float64)
        if raw.size:
            out[:, self._raw_idx] = raw.reshape(n, -1)
        for column, lookup in self.categorical.items():
            out[:, self.position[column]] = [lookup.get(r.get(column), np.nan) for r in records]
        inputs = {c: np.array([r.get(c) for r in records], dtype=np.float64) for c in INPUT_COLUMNS}
        computed = domain_features(inputs, n=n)
        for j, name in zip(self._domain_idx, self.domain_out, strict=True):
            out[:, j] = computed[name]
        block, has = self.history.lookup([r.get(ID) for r in records])
        out[:, self._history_idx] = block[:, self._history_keep]
        with np.errstate(over="ignore"):  # extreme ratios become inf, as in the pipelines' encoder
            return out.astype(np.float32), has

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        """Probability of default of each row of a matrix from :meth:`feature_matrix`."""
        return self._predict(matrix)

    def score(self, records: Sequence[dict]) -> tuple[np.ndarray, np.ndarray]:
        matrix, has = self.feature_matrix(records)
        return self.probabilities(matrix), has


def _fast_predictor(bundle: ModelBundle):
    """A function matrix -> probability equal to ``bundle.predict_proba`` without pandas.

    LightGBM is called through its booster on one thread, calibration is applied with
    NumPy; any other model goes through the bundle's own (slower) path.
    """
    model = bundle.model
    base = getattr(model, "base", None)
    steps = [step for _, step in getattr(base, "steps", [])
             if not hasattr(step, "fit_resample")]  # resamplers do nothing at prediction time
    features = bundle.features
    if len(steps) != 1 or type(steps[0]).__name__ != "LGBMClassifier":
        def slow(matrix: np.ndarray) -> np.ndarray:
            return model.predict_proba(pd.DataFrame(matrix, columns=features))[:, 1]
        return slow
    booster = steps[0].booster_
    calibrator = model.calibrator

    def calibrate(p: np.ndarray) -> np.ndarray:
        if calibrator is None:
            return p
        if isinstance(calibrator, SigmoidCalibrator):
            lr = calibrator.lr_
            z = _logit(p)[:, None] @ lr.coef_.T + lr.intercept_
            q = 1.0 / (1.0 + np.exp(-z[:, 0]))
        else:  # isotonic
            q = np.interp(np.clip(p, calibrator.X_min_, calibrator.X_max_),
                          calibrator.X_thresholds_, calibrator.y_thresholds_)
        return np.clip(q, 0.0, 1.0)

    def fast(matrix: np.ndarray) -> np.ndarray:
        return calibrate(booster.predict(matrix, num_threads=1))
    return fast
