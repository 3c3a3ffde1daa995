"""The traffic simulator: the generator's latent risk rebuilt, a growing shift, outcomes written."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score

from credit_scoring_kedro.demo_data import generate_demo_data
from credit_scoring_kedro.demo_data.generator import FIRST_CLIENT
from credit_scoring_kedro.monitoring.traffic_simulator import (
    known_categories_only,
    latent_risk,
    merge_outcomes,
    shift_inputs,
    simulate,
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    generate_demo_data(out, n_train=3000, n_test=100, seed=7, history_scale=0.02)
    train = pl.read_csv(out / "application_train.csv", infer_schema_length=None)
    return train, latent_risk(7, 3100)[train["SK_ID_CURR"].to_numpy() - FIRST_CLIENT]


def test_the_rebuilt_latent_risk_is_the_one_the_generator_drew_targets_from(demo) -> None:
    train, z = demo
    # TARGET ~ Bernoulli(expit(-3.03 + 1.25 z)): z ranks it at ~0.78; a wrong z at ~0.5
    assert roc_auc_score(train["TARGET"].to_numpy(), z) > 0.7
    other_seed = latent_risk(8, 3100)[train["SK_ID_CURR"].to_numpy() - FIRST_CLIENT]
    assert abs(roc_auc_score(train["TARGET"].to_numpy(), other_seed) - 0.5) < 0.06


def test_the_stream_grows_its_shift_and_writes_one_outcome_per_client(demo) -> None:
    train, z = demo
    sent: list[list[dict]] = []
    outcomes = simulate(train.drop("TARGET"), z, sent.append, decisions=2000, batch=500,
                        max_shift=1.0, seed=0)
    assert [len(b) for b in sent] == [500] * 4
    credit = [np.mean([r["AMT_CREDIT"] for r in batch]) for batch in sent]
    assert credit == sorted(credit) and credit[-1] > 1.3 * credit[0]
    assert all("TARGET" not in r for r in sent[0])
    sent_ids = [r["SK_ID_CURR"] for batch in sent for r in batch]
    assert outcomes["SK_ID_CURR"].to_list() == sent_ids
    assert outcomes["SK_ID_CURR"].n_unique() == 2000
    assert set(outcomes["DEFAULTED"].unique()) == {0, 1}
    # the first batch's defaults follow the latent risk; the last batch's much less
    rows = {c: i for i, c in enumerate(train["SK_ID_CURR"].to_list())}
    risk = np.array([z[rows[c]] for c in sent_ids])
    first = roc_auc_score(outcomes["DEFAULTED"][:500], risk[:500])
    last = roc_auc_score(outcomes["DEFAULTED"][1500:], risk[1500:])
    assert first > last + 0.05


def test_shifted_inputs_stay_within_the_api_bounds(demo) -> None:
    train, _ = demo
    shifted = shift_inputs(train, 1.0)
    assert shifted["DAYS_BIRTH"].max() <= -5844
    assert shifted["EXT_SOURCE_3"].drop_nulls().is_between(0, 1).all()
    assert shift_inputs(train, 0.0).equals(train)


def test_new_outcomes_replace_those_of_the_same_clients() -> None:
    old = pl.DataFrame({"SK_ID_CURR": [1, 2], "DEFAULTED": [0, 0], "OBSERVED_AT": ["a", "a"]})
    new = pl.DataFrame({"SK_ID_CURR": [2, 3], "DEFAULTED": [1, 1], "OBSERVED_AT": ["b", "b"]})
    merged = merge_outcomes(old, new)
    assert sorted(merged.rows()) == [(1, 0, "a"), (2, 1, "b"), (3, 1, "b")]


def test_clients_with_a_category_the_model_never_saw_are_left_out_not_altered() -> None:
    applications = pl.DataFrame({"SK_ID_CURR": [1, 2, 3, 4],
                                 "ORGANIZATION_TYPE": ["Bank", "Trade: type 4", None, "Bank"],
                                 "NAME_CONTRACT_TYPE": ["Cash loans"] * 3 + ["Revolving loans"]})
    kept = known_categories_only(applications, {"ORGANIZATION_TYPE": ["Bank", "Religion"],
                                                "NAME_CONTRACT_TYPE": ["Cash loans"],
                                                "NOT_SENT": ["x"]})
    assert kept["SK_ID_CURR"].to_list() == [1, 3]      # a missing value is not an unseen one
    assert kept.row(0) == applications.row(0)
