"""SHAP additivity: base value + contributions = the served model's log-odds, for every model kind."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "modeling"))
from synthetic import synthetic_features  # noqa: E402

from credit_scoring_kedro.explain.contributions import contributions  # noqa: E402
from credit_scoring_kedro.modeling.calibration import CalibratedModel, make_calibrator  # noqa: E402
from credit_scoring_kedro.modeling.candidates import make_candidate  # noqa: E402
from credit_scoring_kedro.modeling.encoding import FeatureEncoder  # noqa: E402


@pytest.fixture(scope="module")
def data():
    features, flags = synthetic_features(2000, seed=21)
    frame = features.to_pandas()
    encoder = FeatureEncoder().fit(frame)
    X = encoder.transform(frame)
    return X, flags["TARGET"].to_numpy(), list(encoder.categories_)


def served(model: str, imbalance: str, calibration: str | None, data) -> CalibratedModel:
    X, y, categorical = data
    numeric = [c for c in X.columns if c not in categorical]
    base = make_candidate(model, imbalance, categorical, numeric, 0,
                          {"n_estimators": 40} if model == "lgbm" else {}).fit(X, y)
    calibrator = None
    if calibration:
        calibrator = make_calibrator(calibration).fit(base.predict_proba(X)[:, 1], y)
    return CalibratedModel(base, calibrator, calibration)


def logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


@pytest.mark.parametrize("model, imbalance", [("lgbm", "none"), ("lgbm", "undersample"),
                                              ("logreg", "class_weight"), ("logreg", "undersample")])
def test_contributions_add_up_to_the_model_log_odds(data, model, imbalance) -> None:
    X = data[0]
    served_model = served(model, imbalance, None, data)
    result = contributions(served_model, X.head(200))
    assert result.values.shape == (200, X.shape[1])
    assert result.features == list(X.columns)
    p = served_model.predict_proba(X.head(200))[:, 1]
    assert np.allclose(result.log_odds, logit(p), atol=1e-6)
    assert result.space == "model log-odds"


def test_sigmoid_calibration_keeps_additivity_on_the_calibrated_scale(data) -> None:
    X = data[0]
    served_model = served("lgbm", "class_weight", "sigmoid", data)
    result = contributions(served_model, X.head(100))
    p = served_model.predict_proba(X.head(100))[:, 1]
    assert result.space == "calibrated log-odds"
    assert np.allclose(result.log_odds, logit(p), atol=1e-5)


def test_isotonic_calibration_is_explained_on_the_model_scale(data) -> None:
    X = data[0]
    served_model = served("lgbm", "none", "isotonic", data)
    result = contributions(served_model, X.head(50))
    raw = served_model.base.predict_proba(X.head(50))[:, 1]
    assert result.space == "model log-odds"
    assert np.allclose(result.log_odds, logit(raw), atol=1e-6)


def test_the_strongest_signal_gets_the_largest_contributions(data) -> None:
    X = data[0]
    result = contributions(served("lgbm", "none", None, data), X)
    importance = dict(zip(result.features, np.abs(result.values).mean(axis=0), strict=True))
    # the synthetic risk is driven by EXT_SOURCE_3/2 and the contract type, not by NOISE
    assert max(importance, key=importance.get) in {"EXT_SOURCE_3", "EXT_SOURCE_2"}
    assert importance["NOISE"] < importance["EXT_SOURCE_2"]


def test_linear_one_hot_levels_are_summed_back_onto_their_feature(data) -> None:
    X = data[0]
    result = contributions(served("logreg", "none", None, data), X.head(20))
    assert "NAME_CONTRACT_TYPE" in result.features
    column = result.features.index("NAME_CONTRACT_TYPE")
    assert np.abs(result.values[:, column]).sum() > 0
