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

    Attributes (after ``fit``):
        feature_names_in_: the model's features, in order (the API's contract).
        categories_: column -> ordered list of the labels seen in training.
    """

    def __init__(self, dtype: str = "float32") -> None:
        self.dtype = dtype

    def fit(self, X: pd.DataFrame | pl.DataFrame, y=None) -> FeatureEncoder:
        frame = _to_pandas(X)
        features = [c for c in frame.columns if c not in (ID, "TARGET")]
        self.feature_names_in_ = np.asarray(features, dtype=object)
        self.n_features_in_ = len(features)
        self.categories_ = {
            col: sorted(frame[col].dropna().astype(str).unique().tolist())
            for col in features
            if not pd.api.types.is_numeric_dtype(frame[col])
        }
        return self

    def transform(self, X: pd.DataFrame | pl.DataFrame) -> pd.DataFrame:
        frame = _to_pandas(X)
        out = {}
        for col in self.feature_names_in_:
            values = frame[col] if col in frame.columns else pd.Series(np.nan, index=frame.index)
            if col in self.categories_:
                codes = pd.Categorical(values.astype("string"), categories=self.categories_[col]).codes
                out[col] = np.where(codes < 0, np.nan, codes).astype(self.dtype)
            else:
                out[col] = pd.to_numeric(values, errors="coerce").to_numpy(dtype=self.dtype,
                                                                           na_value=np.nan)
        return pd.DataFrame(out, index=frame.index)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray(self.feature_names_in_, dtype=object)

    @property
    def categorical_features(self) -> list[str]:
        return list(self.categories_)


def _to_pandas(X: pd.DataFrame | pl.DataFrame) -> pd.DataFrame:
    return X.to_pandas() if isinstance(X, pl.DataFrame) else X
