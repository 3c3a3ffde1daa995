"""The declared directions: parsed, consistent with the raw inputs, enforced by LightGBM."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from credit_scoring_kedro.features.domain import INPUT_COLUMNS, OUTPUT_COLUMNS
from credit_scoring_kedro.features.history_families import HISTORY_FAMILIES
from credit_scoring_kedro.modeling.candidates import make_candidate
from credit_scoring_kedro.modeling.monotone import (
    check_moves,
    constrained,
    monotone_directions,
    response,
)
from credit_scoring_kedro.modeling.monotone_audit import feature_sweep_violations

PARAMS = yaml.safe_load((Path(__file__).resolve().parents[2] / "conf/base/parameters_modeling.yml"
                         ).read_text())["modeling"]
SPEC = PARAMS["monotone"]


def _all_features() -> list[str]:
    history = [f.name for fam in HISTORY_FAMILIES for f in fam.features()]
    return list(dict.fromkeys([*INPUT_COLUMNS, *OUTPUT_COLUMNS, *history]))


def test_the_project_directions_read_as_common_sense() -> None:
    signs = constrained(_all_features(), SPEC)
    assert signs["AMT_INCOME_TOTAL"] == -1 and signs["EXT_SOURCE_3"] == -1
    assert signs["ANNUITY_INCOME_RATIO"] == 1 and signs["INCOME_CREDIT_RATIO"] == -1
    assert signs["AMT_CREDIT"] == 1 and signs["INSTAL_DAYS_PAST_DUE_MAX"] == 1
    assert signs["BURO_AMT_CREDIT_SUM_OVERDUE_SUM"] == 1
    assert "DAYS_BIRTH" not in signs and "CODE_GENDER" not in signs


def test_the_project_moves_are_consistent_once_the_excluded_features_are_out() -> None:
    features = [f for f in _all_features() if f not in PARAMS["excluded_features"]]
    assert check_moves(features, SPEC, SPEC["raw_moves"]) == []


def test_a_feature_no_constraint_can_follow_is_reported() -> None:
    # EXT_SOURCE_STD rises or falls with one score: kept in, the moves cannot all hold
    problems = check_moves(_all_features(), SPEC, SPEC["raw_moves"])
    assert any("EXT_SOURCE_STD" in p for p in problems)


def test_a_wrong_sign_on_a_derived_ratio_is_reported() -> None:
    wrong = {**SPEC, "decreasing_risk": [p for p in SPEC["decreasing_risk"]
                                         if p != "INCOME_CREDIT_RATIO"],
             "increasing_risk": [*SPEC["increasing_risk"], "INCOME_CREDIT_RATIO"]}
    features = ["AMT_INCOME_TOTAL", "AMT_CREDIT", "INCOME_CREDIT_RATIO"]
    problems = check_moves(features, wrong, {"up": {"inputs": {"AMT_INCOME_TOTAL": 1},
                                                    "risk": -1}})
    assert len(problems) == 1 and "INCOME_CREDIT_RATIO" in problems[0]


def test_ratios_of_inputs_moved_together_do_not_move() -> None:
    together = {"AMT_CREDIT": -1, "AMT_ANNUITY": -1}
    assert response("CREDIT_TERM_MONTHS", together) == 0
    assert response("CREDIT_TERM_MONTHS", {"AMT_ANNUITY": -1}) == 1
    assert response("EXT_SOURCE_STD", {"EXT_SOURCE_1": 1}) is None


def test_a_name_in_both_directions_is_refused() -> None:
    with pytest.raises(ValueError, match="both"):
        monotone_directions(["AMT_CREDIT"], {"increasing_risk": ["AMT_.*"],
                                             "decreasing_risk": ["AMT_CREDIT"]})


def test_disabled_constraints_leave_every_feature_free() -> None:
    assert monotone_directions(["AMT_CREDIT"], {**SPEC, "enabled": False}) == [0]


@pytest.fixture(scope="module")
def wavy():
    """A target that rises with x0 except in a band where it falls: a tree follows the dip."""
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"x0": rng.uniform(0, 1, 6000), "x1": rng.normal(size=6000)})
    logit = 3 * X["x0"] - 4 * ((X["x0"] > 0.4) & (X["x0"] < 0.6)) + 0.5 * X["x1"]
    y = (rng.uniform(size=6000) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


@pytest.mark.parametrize("monotone, violations", [([1, 0], False), (None, True)])
def test_lightgbm_enforces_the_constraint_and_the_sweep_sees_it(wavy, monotone, violations) -> None:
    X, y = wavy
    model = make_candidate("lgbm", "none", [], ["x0", "x1"], 0, {"n_estimators": 80},
                           monotone=monotone).fit(X, y)
    found = feature_sweep_violations(lambda m: model.predict_proba(pd.DataFrame(
        m, columns=X.columns))[:, 1], X.to_numpy()[:200], [1, 0],
        {0: np.linspace(0, 1, 21)})
    assert (found[0] > 0) is violations
