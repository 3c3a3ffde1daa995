"""Turn a feature table into the numeric matrix every model reads, with names kept.

Fitted on the training part only (the ``fit_feature_encoder`` node) and applied
unchanged everywhere else, so scoring never refits anything. Categories are stored
as codes learnt on the training part; a category never seen there, or a missing
value, becomes NaN, which every candidate model handles (LightGBM natively, the
linear model through its imputer with a missing-value indicator).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
from sklearn.base import BaseEstimator, TransformerMixin

ID = "SK_ID_CURR"


class FeatureEncoder(TransformerMixin, BaseEstimator):
    """Column selection and categorical encoding learnt on the training part.

    Args:
        protected: Columns the model must never read (e.g. gender): left out of the
            features; their training labels are kept apart, so the API can still check
            and log them for the fairness report.
        excluded: Other columns left out of the model (see ``modeling.excluded_features``).

    Attributes (after ``fit``):
        feature_names_in_: the model's features, in order (the API's contract).
        categories_: column -> ordered list of the labels seen in training.
        protected_categories_: the same for the protected columns (never model inputs).
    """

    def __init__(self, dtype: str = "float32", protected: tuple[str, ...] = (),
                 excluded: tuple[str, ...] = ()) -> None:
        self.dtype = dtype
        self.protected = protected
        self.excluded = excluded

    def fit(self, X: pd.DataFrame | pl.DataFrame, y=None) -> FeatureEncoder:
        frame = _to_pandas(X)
        left_out = {ID, "TARGET", *self.protected, *self.excluded}
        features = [c for c in frame.columns if c not in left_out]
        self.feature_names_in_ = np.asarray(features, dtype=object)
        self.n_features_in_ = len(features)
        self.categories_ = _labels(frame, features)
        self.protected_categories_ = _labels(frame, [c for c in self.protected
                                                     if c in frame.columns])
        return self

    def transform(self, X: pd.DataFrame | pl.DataFrame) -> pd.DataFrame:
        frame = _to_pandas(X)
        features = list(self.feature_names_in_)
        out = np.full((len(frame), len(features)), np.nan, dtype=self.dtype)
        position = {name: i for i, name in enumerate(features)}
        numeric = [c for c in features if c not in self.categories_ and c in frame.columns]
        if numeric:
            block = frame[numeric]
            if not all(pd.api.types.is_numeric_dtype(t) for t in block.dtypes):
                block = block.apply(pd.to_numeric, errors="coerce")
            out[:, [position[c] for c in numeric]] = block.to_numpy(dtype=float, na_value=np.nan)
        for col, labels in self.categories_.items():
            if col in frame.columns:
                lookup = {label: float(i) for i, label in enumerate(labels)}
                out[:, position[col]] = [lookup.get(v, np.nan) if isinstance(v, str) else np.nan
                                         for v in frame[col].tolist()]
        return pd.DataFrame(out, columns=features, index=frame.index)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray(self.feature_names_in_, dtype=object)

    @property
    def categorical_features(self) -> list[str]:
        return list(self.categories_)


def _labels(frame: pd.DataFrame, columns: list[str]) -> dict[str, list[str]]:
    return {col: sorted(frame[col].dropna().astype(str).unique().tolist())
            for col in columns if not pd.api.types.is_numeric_dtype(frame[col])}


def _to_pandas(X: pd.DataFrame | pl.DataFrame) -> pd.DataFrame:
    return X.to_pandas() if isinstance(X, pl.DataFrame) else X
