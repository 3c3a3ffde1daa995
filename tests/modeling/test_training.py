"""Leak-free split, encoder fitted on train only, resampling inside folds, calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imblearn.under_sampling import RandomUnderSampler

from credit_scoring_kedro.modeling.calibration import choose_calibration, cross_fitted
from credit_scoring_kedro.modeling.candidates import make_candidate
from credit_scoring_kedro.modeling.cost import CostWeights
from credit_scoring_kedro.modeling.encoding import FeatureEncoder
from credit_scoring_kedro.modeling.selection import search, stratified_folds
from credit_scoring_kedro.pipelines.modeling.nodes import split_train_test

PARAMS = {"split": {"test_size": 0.25, "random_state": 7}}


def test_split_is_stratified_disjoint_and_complete(small_features) -> None:
    features, flags = small_features
    X_train, X_test, y_train, y_test = split_train_test(features, flags, PARAMS)
    train_ids, test_ids = set(X_train["SK_ID_CURR"]), set(X_test["SK_ID_CURR"])
    assert not train_ids & test_ids
    assert train_ids | test_ids == set(features["SK_ID_CURR"])
    assert len(X_test) == pytest.approx(0.25 * features.height, abs=1)
    assert (X_train["SK_ID_CURR"].to_numpy() == y_train["SK_ID_CURR"].to_numpy()).all()
    rate = flags["TARGET"].mean()
    assert y_train["TARGET"].mean() == pytest.approx(rate, abs=0.005)
    assert y_test["TARGET"].mean() == pytest.approx(rate, abs=0.005)
    assert "TARGET" not in X_train.columns


def test_split_is_reproducible(small_features) -> None:
    a = split_train_test(*small_features, PARAMS)[1]["SK_ID_CURR"].tolist()
    b = split_train_test(*small_features, PARAMS)[1]["SK_ID_CURR"].tolist()
    assert a == b


def test_encoder_learns_categories_from_training_rows_only() -> None:
    train = pd.DataFrame({"SK_ID_CURR": [1, 2], "KIND": ["a", "b"], "X": [1.0, None]})
    test = pd.DataFrame({"SK_ID_CURR": [3, 4], "KIND": ["c", "b"], "X": [5.0, 6.0]})
    encoder = FeatureEncoder().fit(train)
    assert encoder.categories_ == {"KIND": ["a", "b"]}
    out = encoder.transform(test)
    assert list(out.columns) == ["KIND", "X"]
    assert np.isnan(out["KIND"].iloc[0])       # "c" was never seen in training
    assert out["KIND"].iloc[1] == 1.0
    assert encoder.transform(test.drop(columns="X"))["X"].isna().all()  # absent column -> missing


def test_linear_imputer_statistics_come_from_the_training_part_only(small_features) -> None:
    features, flags = small_features
    X_train, X_test, y_train, _ = split_train_test(features, flags, PARAMS)
    encoder = FeatureEncoder().fit(X_train)
    train_enc, test_enc = encoder.transform(X_train), encoder.transform(X_test)
    # make the test rows very different: a leak into the imputer would move its medians
    test_enc = test_enc.assign(AMT_INCOME_TOTAL=test_enc["AMT_INCOME_TOTAL"] * 1000)
    numeric = [c for c in train_enc.columns if c not in encoder.categories_]
    model = make_candidate("logreg", "class_weight", ["NAME_CONTRACT_TYPE"], numeric, 0)
    model.fit(train_enc, y_train["TARGET"].to_numpy())
    imputer = model.named_steps["columns"].named_transformers_["numeric"]
    expected = train_enc[numeric].median().to_numpy()
    assert np.allclose(imputer.statistics_, expected)
    both = pd.concat([train_enc, test_enc])[numeric].median().to_numpy()
    assert not np.allclose(imputer.statistics_, both)


class CountingSampler(RandomUnderSampler):
    """Records how many rows each resampling call saw."""

    calls: list[int] = []

    def fit_resample(self, X, y, **params):
        CountingSampler.calls.append(len(y))
        return super().fit_resample(X, y, **params)


def test_resampling_happens_inside_training_folds_only(small_features) -> None:
    features, flags = small_features
    encoder = FeatureEncoder().fit(features.to_pandas())
    X = encoder.transform(features.to_pandas())
    y = flags["TARGET"].to_numpy()
    pipeline = make_candidate("lgbm", "undersample", ["NAME_CONTRACT_TYPE"], [], 0,
                              {"n_estimators": 20})
    pipeline.steps[0] = ("resample", CountingSampler(random_state=0))
    CountingSampler.calls = []
    folds = stratified_folds(y, 3, 0)
    result = search("undersampled", pipeline, {}, X, y, folds, halving=False, random_state=0)
    train_sizes = sorted(len(train) for train, _ in folds)
    assert sorted(CountingSampler.calls) == train_sizes      # never the whole data, never a valid fold
    assert result.oof_proba.shape == (len(y),)               # every client scored out of fold
    assert np.isfinite(result.oof_proba).all()
    assert 0.6 < result.cv_auc_mean < 1.0


def test_grid_search_keeps_the_best_auc_configuration(small_features) -> None:
    features, flags = small_features
    X = FeatureEncoder().fit(features.to_pandas()).transform(features.to_pandas())
    y = flags["TARGET"].to_numpy()
    pipeline = make_candidate("logreg", "none", ["NAME_CONTRACT_TYPE"],
                              [c for c in X.columns if c != "NAME_CONTRACT_TYPE"], 0)
    result = search("logreg", pipeline, {"C": [1e-6, 1.0]}, X, y, stratified_folds(y, 3, 0),
                    halving=False, random_state=0)
    assert result.best_params == {"C": 1.0}   # C=1e-6 shrinks every weight to ~0
    assert len(result.cv_table) == 2


def test_cross_fitted_calibration_brings_inflated_probabilities_back_to_default_rates() -> None:
    rng = np.random.default_rng(1)
    true_p = rng.random(20_000) * 0.2
    y = (rng.random(true_p.size) < true_p).astype(int)
    inflated = np.sqrt(true_p)  # what class weights do: too high everywhere
    folds = stratified_folds(y, 3, 0)
    calibrated = cross_fitted(inflated, y, folds, "isotonic")
    assert abs(calibrated.mean() - y.mean()) < 0.005
    assert abs(inflated.mean() - y.mean()) > 0.1
    method, served, report = choose_calibration(inflated, y, folds, ["isotonic", "sigmoid"],
                                                CostWeights())
    assert set(report) == {"none", "isotonic", "sigmoid"}
    assert report[method or "none"]["cost"] == min(r["cost"] for r in report.values())
    assert served.shape == y.shape


def test_fixed_arguments_override_the_defaults() -> None:
    model = make_candidate("logreg", "class_weight", [], ["X"], 0, {"max_iter": 300, "C": 0.5})
    assert model.named_steps["model"].max_iter == 300 and model.named_steps["model"].C == 0.5
    assert model.named_steps["model"].class_weight == "balanced"
    lgbm = make_candidate("lgbm", "none", [], ["X"], 0, {"n_jobs": 1})
    assert lgbm.named_steps["model"].n_jobs == 1
