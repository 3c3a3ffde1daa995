"""Score raw applications in microseconds: the pipelines' features, assembled with NumPy only.

The pipelines build features with polars over whole tables; a scoring request holds one
client (or a thousand). This module computes the same feature row without any DataFrame:
application columns copied, categories coded with the encoder's training labels, domain
ratios from :func:`~credit_scoring_kedro.features.domain.domain_matrix` (the very function
the pipelines call), and the client's history aggregates looked up in a per-client store
built from ``feat_client_history``. A client with no history gets what the pipelines give
a first-time borrower: zero counts, unknown amounts. Tests check that both paths give the
same probabilities.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

import numpy as np
import pandas as pd
import polars as pl

from credit_scoring_kedro.audit.record import snapshot_id
from credit_scoring_kedro.features.domain import INPUT_COLUMNS, OUTPUT_COLUMNS, domain_matrix
from credit_scoring_kedro.modeling.bundle import ModelBundle
from credit_scoring_kedro.modeling.calibration import SigmoidCalibrator, _logit
from credit_scoring_kedro.serving.single_row import SingleRowContributions, SingleRowPredictor

ID = "SK_ID_CURR"
BATCH_ROWS = 200                                 # from this many rows, predict on several threads
BATCH_THREADS = min(4, os.cpu_count() or 1)


@dataclass
class HistoryStore:
    """Every client's history aggregates as one float32 matrix, looked up by SK_ID_CURR."""

    columns: list[str]
    matrix: np.ndarray            # (clients, columns) float32
    rows: dict[int, int]          # SK_ID_CURR -> row
    empty_row: np.ndarray         # what a client without history gets
    snapshot: str = ""            # content hash: which histories a logged decision read

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
        matrix = np.ascontiguousarray(matrix)
        return cls(present, matrix, {int(i): r for r, i in enumerate(ids)}, empty,
                   snapshot_id(present, matrix))

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
        self._domain_keep = np.array([OUTPUT_COLUMNS.index(f) for f in self.domain_out],
                                     dtype=np.intp)
        self._history_idx = np.array([self.position[c] for c in history.columns
                                      if c in self.position], dtype=np.intp)
        self._history_keep = np.array([c in self.position for c in history.columns])
        # what is read from a record: numbers (raw columns, then the domain inputs), and the
        # categories followed by the ID
        self._numeric = [*self.raw_numeric, *INPUT_COLUMNS]
        self._other = [*self.categorical, ID]
        self._numeric_getter = _row_getter(self._numeric)
        self._other_getter = _row_getter(self._other)
        self._predict = _fast_predictor(bundle)
        self._booster = _lightgbm_booster(bundle)
        self._single_contributions = (SingleRowContributions(self._booster)
                                      if self._booster is not None else None)

    def feature_matrix(self, records: Sequence[Mapping]) -> tuple[np.ndarray, np.ndarray]:
        """(n, features) float32 matrix of the records, and whether each client has a history.

        Records validated by the API hold every column (None when unknown), so whole rows
        are read with one ``itemgetter`` call each; a record missing keys takes the ``get``
        path. Absent values (None) become NaN, LightGBM's missing value.
        """
        n = len(records)
        out = np.full((n, len(self.position)), np.nan, dtype=np.float64)
        numeric = np.array(self._rows(records, self._numeric, self._numeric_getter),
                           dtype=np.float64).reshape(n, len(self._numeric))
        out[:, self._raw_idx] = numeric[:, :len(self.raw_numeric)]
        other = self._rows(records, self._other, self._other_getter)
        for at, (column, lookup) in enumerate(self.categorical.items()):
            out[:, self.position[column]] = [lookup.get(row[at], np.nan) for row in other]
        computed = domain_matrix(numeric[:, len(self.raw_numeric):])
        out[:, self._domain_idx] = computed[:, self._domain_keep]
        block, has = self.history.lookup([row[-1] for row in other])
        out[:, self._history_idx] = block[:, self._history_keep]
        with np.errstate(over="ignore"):  # extreme ratios become inf, as in the pipelines' encoder
            # the pipelines' float32 values, handed to LightGBM as float64 (it converts otherwise)
            return out.astype(np.float32).astype(np.float64), has

    @staticmethod
    def _rows(records: Sequence[Mapping], wanted: list[str], getter) -> list[tuple]:
        try:
            return [getter(r) for r in records]
        except KeyError:
            return [tuple(r.get(c) for c in wanted) for r in records]

    def probabilities(self, matrix: np.ndarray, threads: int | None = None) -> np.ndarray:
        """Probability of default of each row of a matrix from :meth:`feature_matrix`.

        ``threads``: LightGBM threads; by default one for a few rows and the cores for a big
        batch. Pass 1 in a process that will fork: an OpenMP thread pool started before a
        fork hangs the children's next parallel call.
        """
        return self._predict(matrix, threads)

    def score(self, records: Sequence[Mapping]) -> tuple[np.ndarray, np.ndarray]:
        matrix, has = self.feature_matrix(records)
        return self.probabilities(matrix), has

    def contributions(self, matrix: np.ndarray) -> np.ndarray:
        """SHAP values (log-odds, one column per model feature) of rows of :meth:`feature_matrix`.

        LightGBM's own TreeSHAP on the booster (one thread for a few rows); other models go
        through :func:`~credit_scoring_kedro.explain.contributions.contributions`.
        """
        if self._booster is not None and len(matrix) == 1:   # one client: the prepared C call
            return self._single_contributions.contributions(matrix[0])[None, :]
        if self._booster is not None:
            raw = self._booster.predict(matrix, pred_contrib=True,
                                        num_threads=1 if len(matrix) < BATCH_ROWS else BATCH_THREADS)
            return np.asarray(raw)[:, :-1]
        from credit_scoring_kedro.explain.contributions import contributions

        frame = pd.DataFrame(matrix, columns=self.bundle.features)
        return contributions(self.bundle.model, frame).values


def _row_getter(columns: list[str]):
    """record -> tuple of its values for ``columns`` (``itemgetter`` of one key gives a scalar)."""
    get = itemgetter(*columns)
    return get if len(columns) > 1 else (lambda record: (get(record),))


def _lightgbm_booster(bundle: ModelBundle):
    """The booster of a served LightGBM model, None for any other model."""
    base = getattr(bundle.model, "base", None)
    steps = [step for _, step in getattr(base, "steps", []) if not hasattr(step, "fit_resample")]
    if len(steps) == 1 and type(steps[0]).__name__ == "LGBMClassifier":
        return steps[0].booster_
    return None


def _fast_predictor(bundle: ModelBundle):
    """A function matrix -> probability equal to ``bundle.predict_proba`` without pandas.

    LightGBM is called through its booster on one thread, calibration is applied with
    NumPy; any other model goes through the bundle's own (slower) path.
    """
    model = bundle.model
    features = bundle.features
    booster = _lightgbm_booster(bundle)   # resamplers do nothing at prediction time
    if booster is None:
        def slow(matrix: np.ndarray, threads: int | None = None) -> np.ndarray:
            return model.predict_proba(pd.DataFrame(matrix, columns=features))[:, 1]
        return slow
    single = SingleRowPredictor(booster)
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

    def fast(matrix: np.ndarray, threads: int | None = None) -> np.ndarray:
        # one thread for a few rows (no start-up cost, no oversubscription between workers);
        # the cores for a big batch, where threads halve the time
        if len(matrix) == 1:   # one client: LightGBM's prepared single-row call
            return calibrate(np.array([single.predict(matrix[0])]))
        if threads is None:
            threads = 1 if len(matrix) < BATCH_ROWS else BATCH_THREADS
        return calibrate(booster.predict(matrix, num_threads=threads))
    return fast
