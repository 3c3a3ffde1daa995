"""The model card: every section, bootstrap intervals, excluded attributes, limits, demo marker."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import roc_auc_score

from credit_scoring_kedro.demo_data import MARKER_FILE, generate_demo_data
from credit_scoring_kedro.io import RawDataOriginDataset
from credit_scoring_kedro.modeling.bootstrap import _ranked, bootstrap_intervals, weighted_auc
from credit_scoring_kedro.modeling.cost import CostWeights, business_cost
from credit_scoring_kedro.modeling.fairness import fairness_report
from credit_scoring_kedro.modeling.model_card import (
    build_model_card,
    held_out_evidence,
    render_markdown,
    training_populations,
)

CONF = Path(__file__).resolve().parents[2] / "conf" / "base"
MODELING = yaml.safe_load((CONF / "parameters_modeling.yml").read_text())["modeling"]
MONITORING = yaml.safe_load((CONF / "parameters_monitoring.yml").read_text())["monitoring"]
WEIGHTS = CostWeights(10.0, 1.0)
SECTIONS = {"card_version", "model", "intended_use", "out_of_scope", "training_data", "features",
            "performance", "decision_threshold", "monotone_constraints", "fairness",
            "known_limits", "monitoring"}
HEADINGS = ["## Intended use and users", "## Out-of-scope uses", "## Training data",
            "## Features", "## Held-out performance", "## Decision threshold",
            "## Monotone constraints", "## Fairness (held-out clients)", "## Known limits",
            "## Monitoring and retraining"]


def _held_out(n: int, seed: int = 0, refusal_m: float | None = None) -> tuple:
    """Held-out predictions with a real signal, and the gender / age of the same clients."""
    rng = np.random.default_rng(seed)
    target = (rng.random(n) < 0.1).astype(int)
    proba = np.clip(0.08 + 0.25 * target + rng.normal(0, 0.12, n), 0, 1).round(3)  # ties
    gender = np.where(np.arange(n) % 2 == 0, "F", "M")
    refused = proba >= 0.2
    if refusal_m is not None:   # refuse men far more often: a four-fifths flag
        refused = np.where(gender == "M", rng.random(n) < refusal_m, refused)
    ids = np.arange(n)
    predictions = pd.DataFrame({"SK_ID_CURR": ids, "TARGET": target, "probability": proba,
                                "decision": np.where(refused, "refused", "granted")})
    attributes = pd.DataFrame({"SK_ID_CURR": ids, "CODE_GENDER": gender,
                               "DAYS_BIRTH": -365.25 * rng.uniform(21, 69, n)})
    return predictions, attributes


def _card(n: int = 2000, refusal_m: float | None = None, generated: bool = False,
          draws: int = 200) -> dict:
    predictions, attributes = _held_out(n, refusal_m=refusal_m)
    report = fairness_report(predictions, attributes, MODELING["fairness"])
    features = ["AMT_CREDIT", "AMT_INCOME_TOTAL", "EXT_SOURCE_2", "DAYS_BIRTH",
                "CREDIT_TERM_MONTHS", "BURO_CREDIT_DAY_OVERDUE_MAX", "PREV_AMT_CREDIT_MEAN",
                "INSTAL_DAYS_PAST_DUE_MAX"]
    metadata = {"name": "credit_default_scorer", "version": "20261204-120000",
                "trained_at": "2026-12-04T12:00:00", "candidate": "lgbm_class_weight",
                "calibration": "isotonic", "profile": "smoke", "data_fingerprint": "x",
                "test_metrics": {"auc": 0.75, "cost_accept_all": 1.0, "brier": 0.07,
                                 "average_precision": float("nan")},
                "oof_cost": 0.5, "monotone_constraints": {"AMT_CREDIT": 1, "AMT_INCOME_TOTAL": -1,
                                                          "EXT_SOURCE_2": -1}}
    registry = {"registered_model": "credit_default_scorer", "version": "3", "alias": "champion"}
    y = predictions[["SK_ID_CURR", "TARGET"]]
    modeling = {**MODELING, "model_card": {**MODELING["model_card"], "bootstrap_draws": draws}}
    evidence = held_out_evidence(predictions, WEIGHTS, modeling["model_card"])
    populations = training_populations(y, y, {"generated": generated})
    return build_model_card(metadata, 0.2, WEIGHTS, features, registry, evidence, populations,
                            report, modeling, MONITORING)


def test_every_section_is_present_in_the_dict_and_the_markdown() -> None:
    card = _card()
    assert set(card) == SECTIONS
    assert card["model"]["version"] == "20261204-120000"
    assert card["model"]["registry_version"] == "3"
    assert card["training_data"]["period"] is None and "no calendar dates" in (
        card["training_data"]["period_note"])
    assert card["training_data"]["train"]["clients"] == 2000
    assert card["features"]["count"] == 8
    assert card["features"]["families"]["application"] == 4
    assert card["features"]["families"]["derived from the application"] == 1   # the term
    assert {"bureau", "bureau_balance", "previous_application", "installments_payments"} <= set(
        card["training_data"]["source_tables"])
    assert card["monotone_constraints"]["constrained_features"] == 3
    assert card["decision_threshold"]["cost_weights"] == {"false_negative": 10.0,
                                                          "false_positive": 1.0}
    assert card["monitoring"]["alert_psi"] == MONITORING["alert_psi"]
    assert card["monitoring"]["alert_drifted_share"] == MONITORING["alert_drifted_share"]
    text = render_markdown(card)
    positions = [text.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    assert "20261204-120000" in text and "| AUC |" in text


def test_the_card_is_strict_json_nan_written_as_null() -> None:
    card = _card()
    json.dumps(card, allow_nan=False)
    assert card["performance"]["average_precision"] is None


def test_interval_bounds_contain_the_point_and_narrow_with_more_rows() -> None:
    widths = {}
    for n in (500, 20_000):
        predictions, _ = _held_out(n)
        refused = (predictions["decision"] == "refused").to_numpy()
        result = bootstrap_intervals(predictions["TARGET"], predictions["probability"], refused,
                                     WEIGHTS, draws=300, seed=1)
        for name in ("auc", "business_cost"):
            entry = result[name]
            assert entry["low"] <= entry["value"] <= entry["high"], (n, name, entry)
        assert result["auc"]["value"] == pytest.approx(
            roc_auc_score(predictions["TARGET"], predictions["probability"]))
        assert result["business_cost"]["value"] == pytest.approx(
            business_cost(predictions["TARGET"], refused, WEIGHTS))
        widths[n] = {k: result[k]["high"] - result[k]["low"] for k in ("auc", "business_cost")}
    for name in ("auc", "business_cost"):
        assert widths[20_000][name] < widths[500][name] / 3, widths   # about sqrt(40) narrower


def test_the_weighted_auc_of_a_resample_is_sklearn_s() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(400) < 0.2).astype(int)
    proba = (0.3 * y + rng.random(400)).round(2)          # many ties
    counts = np.bincount(rng.integers(0, 400, 400), minlength=400).astype(float)
    group = _ranked(proba)
    assert weighted_auc(y, group, counts, int(group.max()) + 1) == pytest.approx(
        roc_auc_score(y, proba, sample_weight=counts))


def test_excluded_attributes_are_listed_with_why() -> None:
    excluded = {e["name"]: e for e in _card()["features"]["excluded_attributes"]}
    assert set(excluded) == set(MODELING["protected_attributes"]) | set(
        MODELING["excluded_features"])
    assert excluded["CODE_GENDER"]["kind"] == "protected attribute"
    assert excluded["EXT_SOURCE_STD"]["kind"] == "excluded feature"
    assert all(e["why"] for e in excluded.values())


def test_a_fairness_flag_becomes_a_known_limit() -> None:
    fair, flagged = _card(), _card(refusal_m=0.6)
    assert not any(limit["id"] == "fairness_CODE_GENDER" for limit in fair["known_limits"])
    assert flagged["fairness"]["attributes"]["CODE_GENDER"]["four_fifths_flag"] is True
    limit = next(x for x in flagged["known_limits"] if x["id"] == "fairness_CODE_GENDER")
    assert "four-fifths" in limit["text"] and "'M'" in limit["text"]
    assert "below the four-fifths rule" in render_markdown(flagged)


def test_generated_demo_data_is_a_known_limit() -> None:
    real, demo = _card(), _card(generated=True)
    assert not real["training_data"]["generated_demo_data"]
    assert demo["training_data"]["generated_demo_data"] is True
    assert "generated demo data" in demo["training_data"]["source"]
    assert demo["known_limits"][0]["id"] == "generated_demo_data"
    assert "generated_demo_data" not in {x["id"] for x in real["known_limits"]}
    assert "no_dates" in {x["id"] for x in real["known_limits"]}


def test_the_demo_generator_s_marker_is_read_until_real_tables_replace_it(tmp_path) -> None:
    raw = tmp_path / "01_raw"
    assert RawDataOriginDataset(str(raw)).load() == {"generated": False}
    generate_demo_data(raw, n_train=60, n_test=20, seed=1)
    assert (raw / MARKER_FILE).is_file()
    origin = RawDataOriginDataset(str(raw)).load()
    assert origin["generated"] is True and origin["seed"] == 1 and origin["n_train"] == 60
    # real tables copied over the generated ones: the left-over marker no longer counts
    train = raw / "application_train.csv"
    train.write_text(train.read_text() + train.read_text().splitlines()[1] + "\n")
    assert RawDataOriginDataset(str(raw)).load()["generated"] is False
