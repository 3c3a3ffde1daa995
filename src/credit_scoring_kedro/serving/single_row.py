"""One row through LightGBM's "fast single-row" C entry points: the API's one-client path.

``Booster.predict`` prepares a predictor, checks its input and allocates its output on every
call, which is most of the time spent on one row (about 0.1 ms). LightGBM's C API can
prepare that once (``LGBM_BoosterPredictForMatSingleRowFastInit``) and then predict a
float64 row with a single call. The prepared configuration holds buffers, so a call borrows
one from a small pool and gives it back: as many exist as calls ever ran at the same time
(one per thread), never one per connection (gevent runs each connection in its own
greenlet, and a per-greenlet configuration would leak). Tests check that the probabilities
equal ``Booster.predict``'s.
"""

from __future__ import annotations

import ctypes
import threading
from contextlib import contextmanager

import numpy as np
from lightgbm import Booster
from lightgbm.basic import _LIB, _safe_call

_PREDICT_NORMAL = 0     # C_API_PREDICT_NORMAL: probabilities for a binary objective
_PREDICT_CONTRIB = 3    # C_API_PREDICT_CONTRIB: SHAP values, then the base value
_FLOAT64 = 1            # C_API_DTYPE_FLOAT64


class SingleRowPredictor:
    """``predict(row)``: the probability of one float64 row, as ``Booster.predict`` gives it."""

    _predict_type = _PREDICT_NORMAL

    def __init__(self, booster: Booster) -> None:
        if booster.num_model_per_iteration() != 1:
            raise ValueError("the single-row path serves binary or regression models only")
        self._booster = booster            # the prepared configurations point into it
        self._columns = booster.num_feature()
        self._configs: list[ctypes.c_void_p] = []   # every configuration made, freed at the end
        self._idle: list[ctypes.c_void_p] = []      # those no call is using now
        self._lock = threading.Lock()

    @contextmanager
    def _config(self):
        with self._lock:
            config = self._idle.pop() if self._idle else None
        if config is None:
            config = ctypes.c_void_p()
            _safe_call(_LIB.LGBM_BoosterPredictForMatSingleRowFastInit(
                self._booster._handle, ctypes.c_int(self._predict_type), ctypes.c_int(0),
                ctypes.c_int(-1), ctypes.c_int(_FLOAT64), ctypes.c_int32(self._columns),
                ctypes.c_char_p(b"num_threads=1"), ctypes.byref(config)))
            with self._lock:
                self._configs.append(config)
        try:
            yield config
        finally:
            with self._lock:
                self._idle.append(config)

    @property
    def prepared(self) -> int:
        """How many prepared configurations exist (the most calls ever run at once)."""
        return len(self._configs)

    def predict(self, row: np.ndarray) -> float:
        """Probability of one row of ``num_feature()`` values (NaN: missing)."""
        values = self._checked(row)
        out = ctypes.c_double()
        length = ctypes.c_int64()
        with self._config() as config:
            _safe_call(_LIB.LGBM_BoosterPredictForMatSingleRowFast(
                config, values.ctypes.data_as(ctypes.c_void_p), ctypes.byref(length),
                ctypes.byref(out)))
        return out.value

    def _checked(self, row: np.ndarray) -> np.ndarray:
        values = np.ascontiguousarray(row, dtype=np.float64)
        if values.size != self._columns:
            raise ValueError(f"expected {self._columns} values, got {values.size}")
        return values

    def __del__(self) -> None:
        for config in getattr(self, "_configs", []):
            _LIB.LGBM_FastConfigFree(config)


class SingleRowContributions(SingleRowPredictor):
    """``contributions(row)``: one row's SHAP values (log-odds), as ``pred_contrib=True`` gives them.

    A refusal's reason codes need them on the API's one-client path; ``Booster.predict``
    spends most of a one-row call preparing, as for probabilities.
    """

    _predict_type = _PREDICT_CONTRIB

    def contributions(self, row: np.ndarray) -> np.ndarray:
        """The row's contribution of every feature (the base value is dropped)."""
        values = self._checked(row)
        out = np.empty(self._columns + 1, dtype=np.float64)
        length = ctypes.c_int64()
        with self._config() as config:
            _safe_call(_LIB.LGBM_BoosterPredictForMatSingleRowFast(
                config, values.ctypes.data_as(ctypes.c_void_p), ctypes.byref(length),
                out.ctypes.data_as(ctypes.POINTER(ctypes.c_double))))
        return out[:-1]
