"""LightGBM's prepared single-row call gives Booster.predict's probabilities, in any thread."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from lightgbm import LGBMClassifier

from credit_scoring_kedro.serving.single_row import SingleRowPredictor


@pytest.fixture(scope="module")
def booster():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2000, 12))
    X[rng.random(X.shape) < 0.2] = np.nan        # missing values take LightGBM's default branch
    y = (np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 1]) * X[:, 2].clip(0) > 0.3).astype(int)
    return LGBMClassifier(n_estimators=40, num_leaves=7, verbose=-1).fit(X, y).booster_


def rows(n: int, columns: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=2.0, size=(n, columns))
    X[rng.random(X.shape) < 0.3] = np.nan
    return X


def test_single_rows_equal_booster_predict(booster) -> None:
    X = rows(300, booster.num_feature(), 5)
    predictor = SingleRowPredictor(booster)
    got = np.array([predictor.predict(row) for row in X])
    np.testing.assert_array_equal(got, booster.predict(X))
    assert 0 < got.min() < got.max() < 1


def test_float32_and_non_contiguous_rows_are_read_as_float64(booster) -> None:
    X = rows(20, booster.num_feature(), 6)
    predictor = SingleRowPredictor(booster)
    wide = np.repeat(X, 2, axis=1)[:, ::2]         # a strided view of the same values
    assert predictor.predict(wide[4]) == booster.predict(X[4:5])[0]
    assert predictor.predict(X[4].astype(np.float32)) == booster.predict(
        X[4:5].astype(np.float32).astype(np.float64))[0]


def test_a_row_of_the_wrong_length_is_refused(booster) -> None:
    with pytest.raises(ValueError, match="expected 12 values, got 11"):
        SingleRowPredictor(booster).predict(np.zeros(11))


def test_concurrent_threads_never_share_a_prepared_call(booster) -> None:
    X = rows(400, booster.num_feature(), 7)
    expected = booster.predict(X)
    predictor = SingleRowPredictor(booster)
    results: dict[int, np.ndarray] = {}

    def work(k: int) -> None:
        results[k] = np.array([predictor.predict(row) for row in X])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    for got in results.values():
        np.testing.assert_array_equal(got, expected)
    # one prepared call per call running at the same time, at most one per thread
    assert 1 <= predictor.prepared <= 4


def test_one_rows_contributions_equal_the_boosters_pred_contrib() -> None:
    from credit_scoring_kedro.serving.single_row import SingleRowContributions

    rng = np.random.default_rng(5)
    X = rng.normal(size=(800, 6))
    X[rng.uniform(size=X.shape) < 0.1] = np.nan
    y = (np.nan_to_num(X[:, 0]) + rng.normal(size=800) > 0).astype(int)
    booster = LGBMClassifier(n_estimators=30, num_leaves=7, verbose=-1).fit(X, y).booster_
    single = SingleRowContributions(booster)
    expected = booster.predict(X[:50], pred_contrib=True)[:, :-1]
    got = np.array([single.contributions(row) for row in X[:50]])
    assert np.allclose(got, expected, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="expected 6 values"):
        single.contributions(X[0, :5])


def test_short_lived_threads_reuse_the_prepared_calls(booster) -> None:
    """One thread per connection (gevent's greenlets) must not leave one configuration each."""
    X = rows(5, booster.num_feature(), 8)
    predictor = SingleRowPredictor(booster)
    for row in X:
        for _ in range(20):
            worker = threading.Thread(target=predictor.predict, args=(row,))
            worker.start()
            worker.join()
    assert predictor.prepared == 1
    assert predictor.predict(X[0]) == booster.predict(X[:1])[0]
