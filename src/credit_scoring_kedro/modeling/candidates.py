"""The candidate models and class-imbalance strategies compared in cross-validation.

Every candidate is an imbalanced-learn Pipeline, so a resampler only ever sees the
training folds of a split, never the validation fold.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from imblearn.pipeline import Pipeline as ImbPipeline
from imblearn.under_sampling import RandomUnderSampler
from lightgbm import LGBMClassifier
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

MODELS = ("dummy", "logreg", "lgbm", "hgb")
#: Models that enforce monotone constraints (the dummy's constant score is trivially monotone).
MONOTONE_MODELS = ("dummy", "lgbm", "hgb")
IMBALANCE = ("none", "class_weight", "undersample")


def make_candidate(model: str, imbalance: str, categorical: list[str], numeric: list[str],
                   random_state: int, kwargs: dict[str, Any] | None = None,
                   monotone: list[int] | None = None,
                   monotone_method: str = "advanced") -> ImbPipeline:
    """An unfitted pipeline ``[linear preprocessing] -> [resampler] -> model``.

    Args:
        model: One of :data:`MODELS`.
        imbalance: ``none``, ``class_weight`` (the loss weighs defaulters up) or
            ``undersample`` (random under-sampling of good clients, training folds only).
        categorical: Encoded categorical columns (codes, NaN when missing).
        numeric: The other columns.
        random_state: Seed of every random step.
        kwargs: Fixed model arguments (a search grid varies them as ``model__<name>``).
        monotone: One of -1 / 0 / +1 per input column, in the order the model receives
            them (see :mod:`.monotone`): enforced by LightGBM and HistGradientBoosting.
            The linear candidate cannot enforce a sign without a constrained solver; it is
            reported beside the others but is refused as the served model when
            constraints are set (``modeling.monotone``).
        monotone_method: LightGBM's ``monotone_constraints_method``.
    """
    if model not in MODELS or imbalance not in IMBALANCE:
        raise ValueError(f"Unknown candidate {model}/{imbalance}: models {MODELS}, "
                         f"imbalance strategies {IMBALANCE}")
    kwargs = dict(kwargs or {})
    weight = "balanced" if imbalance == "class_weight" else None
    steps: list[tuple[str, Any]] = []
    if model == "logreg":
        steps += linear_preprocessing(categorical, numeric)
    if imbalance == "undersample":
        steps.append(("resample", RandomUnderSampler(random_state=random_state)))
    if model == "dummy":
        estimator = DummyClassifier(strategy="prior")
    elif model == "logreg":
        estimator = LogisticRegression(**{"max_iter": 2000, **kwargs}, class_weight=weight)
    elif model == "lgbm":
        if monotone is not None and any(monotone):
            kwargs |= {"monotone_constraints": list(monotone),
                       "monotone_constraints_method": monotone_method}
        estimator = LGBMClassifier(**{"n_jobs": 2, "verbose": -1, **kwargs}, class_weight=weight,
                                   random_state=random_state)
    else:
        if monotone is not None and any(monotone):
            kwargs |= {"monotonic_cst": list(monotone)}
        estimator = HistGradientBoostingClassifier(**kwargs, class_weight=weight,
                                                   random_state=random_state)
    steps.append(("model", estimator))
    return ImbPipeline(steps)


def linear_preprocessing(categorical: list[str], numeric: list[str]) -> list[tuple[str, Any]]:
    """Imputation with missing-value indicators, one-hot categories, scaling: what a linear model needs.

    Returned as pipeline steps (imbalanced-learn refuses a nested Pipeline before a resampler).
    """
    columns = ColumnTransformer(
        [
            ("numeric", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
             numeric),
            ("categorical", Pipeline([
                ("impute", SimpleImputer(strategy="constant", fill_value=-1)),
                ("onehot", OneHotEncoder(handle_unknown="ignore", min_frequency=20,
                                         sparse_output=False, dtype=np.float32)),
            ]), categorical),
        ],
        verbose_feature_names_out=False,
    )
    # copy=False: the scaler rescales the column step's fresh output in place, one
    # float64 copy of the training matrix less (the modeling run's peak memory)
    return [("columns", columns), ("scale", StandardScaler(copy=False))]
