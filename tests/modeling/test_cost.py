"""Business cost and threshold search against hand-computed cases and a brute-force check."""

from __future__ import annotations

import numpy as np
import pytest

from credit_scoring_kedro.modeling.cost import (
    CostWeights,
    best_threshold,
    business_cost,
    cost_curve,
)
from credit_scoring_kedro.modeling.metrics import reference_costs

W = CostWeights(false_negative=10, false_positive=1)


def test_cost_counts_a_missed_defaulter_ten_times_a_refused_good_client() -> None:
    y = np.array([1, 1, 0, 0, 0])
    refused = np.array([0, 1, 1, 0, 0])  # one FN, one FP over five clients
    assert business_cost(y, refused, W) == pytest.approx((10 + 1) / 5)


def test_cost_of_perfect_decisions_is_zero_and_of_accepting_all_is_ten_times_the_default_rate() -> None:
    y = np.array([1, 0, 0, 0])
    assert business_cost(y, y, W) == 0.0
    assert business_cost(y, np.zeros(4), W) == pytest.approx(10 * 0.25)
    assert business_cost(y, np.ones(4), W) == pytest.approx(3 / 4)


def test_cost_weights_come_from_the_caller() -> None:
    y, refused = np.array([1, 0]), np.array([0, 1])
    assert business_cost(y, refused, CostWeights(5, 2)) == pytest.approx((5 + 2) / 2)


def test_best_threshold_on_a_hand_computed_case() -> None:
    y = np.array([1, 0, 0, 1, 0])
    p = np.array([0.9, 0.8, 0.1, 0.3, 0.3])
    # refusing p >= 0.3 refuses 4 clients: 0 FN, 2 FP -> 2 / 5 = 0.4, the minimum
    threshold, cost = best_threshold(y, p, W)
    assert threshold == pytest.approx(0.3)
    assert cost == pytest.approx(0.4)


def test_cost_curve_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(400) < 0.1).astype(int)
    p = np.round(rng.random(400) * 0.5 + 0.3 * y, 2)  # ties on purpose
    curve = cost_curve(y, p, W)
    for threshold, cost in zip(curve["threshold"], curve["cost"], strict=True):
        assert cost == pytest.approx(business_cost(y, p >= threshold, W))
    brute = min(business_cost(y, p >= t, W) for t in np.r_[np.unique(p), 2.0])
    assert best_threshold(y, p, W)[1] == pytest.approx(brute)


def test_calibrated_probabilities_put_the_threshold_near_one_eleventh() -> None:
    # with probabilities equal to the true default rates, refusing is worth it when 10 p > 1 - p
    rng = np.random.default_rng(0)
    p = rng.random(200_000) * 0.3
    y = (rng.random(p.size) < p).astype(int)
    threshold, _ = best_threshold(y, p, W)
    assert threshold == pytest.approx(1 / 11, abs=0.01)


def test_reference_costs_report_threshold_half_and_accept_all() -> None:
    y = np.array([1, 0, 0, 0])
    p = np.array([0.4, 0.2, 0.6, 0.1])
    costs = reference_costs(y, p, 0.3, W)
    assert costs["cost_at_threshold"] == pytest.approx(1 / 4)       # refuses 0.4 and 0.6: one FP
    assert costs["cost_at_0_5"] == pytest.approx((10 + 1) / 4)      # refuses 0.6 only: FN + FP
    assert costs["cost_accept_all"] == pytest.approx(10 / 4)
