"""Monitoring of the logged traffic: a prediction log with known shifted inputs, outcomes with a
known AUC, alerts, and which request purposes enter the windows."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import polars as pl
import pytest
from kedro.io import DataCatalog, DatasetError, MemoryDataset
from kedro.runner import SequentialRunner
from memory_runner import KeptDataset
from scipy.special import expit

from credit_scoring_kedro.errors import RawDataError
from credit_scoring_kedro.io import HomeCreditTableDataset, PredictionLogDataset
from credit_scoring_kedro.modeling.cost import CostWeights
from credit_scoring_kedro.monitoring.outcomes import performance_alerts, realised_performance
from credit_scoring_kedro.monitoring.traffic_simulator import draw_outcomes
from credit_scoring_kedro.pipelines.monitoring import create_pipeline
from credit_scoring_kedro.pipelines.monitoring.traffic_nodes import (
    PerformanceAlert,
    check_outcomes,
    raise_traffic_alerts,
    select_logged_traffic,
    stop_on_performance_alert,
)
from credit_scoring_kedro.serving.prediction_log import PredictionLog

FEATURES = ["EXT_SOURCE_3", "AMT_CREDIT", "DAYS_BIRTH", "FLAG_OWN_CAR_CODE", "BURO_COUNT",
            "CREDIT_TO_INCOME"]
SHIFTED = {"AMT_CREDIT", "FLAG_OWN_CAR_CODE"}
WINDOW = 1000
TRAFFIC = ["select_logged_traffic", "check_outcomes", "report_traffic_windows",
           "raise_traffic_alerts", "log_traffic_metrics", "stop_on_performance_alert"]


def expected_auc(probability: np.ndarray, score: np.ndarray) -> float:
    """The AUC that outcomes drawn as Bernoulli(probability) give ``score``, in expectation."""
    order = np.argsort(score, kind="stable")
    p = probability[order]
    negatives_below = np.concatenate([[0.0], np.cumsum(1 - p)[:-1]])
    return float(np.sum(p * negatives_below) / (p.sum() * (1 - p).sum()))


def clients(rng: np.random.Generator, n: int, shift: float) -> np.ndarray:
    """(n, features) rows; ``shift`` moves AMT_CREDIT and the share of car owners only."""
    return np.column_stack([
        rng.uniform(0, 1, n),
        rng.lognormal(13 + shift, 0.5, n),
        rng.normal(-15000, 4000, n),
        (rng.random(n) < 0.35 + 0.4 * shift).astype(float),
        np.where(rng.random(n) < 0.2, np.nan, rng.poisson(3, n)),
        rng.gamma(2.0, 1.5, n),
    ])


class _Model:
    """Probability of default from the first feature (EXT_SOURCE_3 low: risky)."""

    def predict_proba(self, matrix: np.ndarray) -> np.ndarray:
        p = expit(-2.5 + 3 * (0.5 - np.asarray(matrix)[:, 0]))
        return np.column_stack([1 - p, p])


def stub_bundle(heldout_auc: float, heldout_cost: float) -> SimpleNamespace:
    return SimpleNamespace(
        features=FEATURES, model=_Model(), threshold=0.09, cost_weights=CostWeights(),
        encoder=SimpleNamespace(transform=lambda frame: frame[FEATURES].to_numpy(float)),
        metadata={"version": "stub", "test_metrics": {"auc": heldout_auc,
                                                      "business_cost": heldout_cost}})


def params(**overrides) -> dict:
    return {"purposes": ["production"], "simulation_on_demo_data": True, "since": None,
            "until": None, "last_decisions": None, "window_decisions": WINDOW,
            "window_period": None, "min_window_decisions": 200, "reference_rows": 5000,
            "seed": 0, "bins": 10, "max_categories": 20, "feature_psi": 0.2,
            "time_budget_seconds": 60, "min_outcomes": 200, "auc_tolerance": 0.05,
            "cost_tolerance": 0.25, "max_cost": None, "strict": False} | overrides


def write_log(url: str, windows: list[tuple[np.ndarray, str]]) -> None:
    """One request per window, of the given feature rows and purpose, scored by the stub."""
    log = PredictionLog(url)
    first = 0
    for number, (matrix, purpose) in enumerate(windows):
        proba = _Model().predict_proba(matrix)[:, 1]
        ids = range(first, first + len(matrix))
        first += len(matrix)
        log.record(f"req{number}", "stub", 0.09, [{"SK_ID_CURR": i} for i in ids],
                   [{"client_id": i, "probability": float(p),
                     "decision": "refused" if p >= 0.09 else "granted"}
                    for i, p in zip(ids, proba, strict=True)],
                   features=matrix, purpose=purpose)
    log.close()


def run_traffic(url: str, bundle, reference: np.ndarray, outcomes: pd.DataFrame, **kw) -> dict:
    catalog = DataCatalog({
        "prediction_log_traffic": PredictionLogDataset(url, columns=[
            "logged_at", "decision_id", "client_id", "model_version", "probability",
            "decision", "threshold", "purpose", "features"]),
        "raw_data_origin": MemoryDataset({"generated": kw.pop("demo", False)}),
        "model_bundle": MemoryDataset(bundle, copy_mode="assign"),
        "X_test": MemoryDataset(pd.DataFrame(reference, columns=FEATURES)),
        "raw_outcomes": MemoryDataset(pl.from_pandas(outcomes).lazy(), copy_mode="assign"),
        "params:monitoring.traffic": MemoryDataset(params(**kw)),
    })
    for name in ("traffic_windows", "traffic_feature_drift", "traffic_alerts",
                 "traffic_metrics", "logged_traffic", "observed_outcomes"):
        catalog[name] = KeptDataset(copy_mode="assign")
    SequentialRunner().run(create_pipeline().only_nodes(*TRAFFIC), catalog)
    return {name: catalog[name].load() for name in
            ("traffic_windows", "traffic_feature_drift", "traffic_alerts", "traffic_metrics")}


def no_outcomes() -> pd.DataFrame:
    return pd.DataFrame({"SK_ID_CURR": pd.Series(dtype="int64"),
                         "DEFAULTED": pd.Series(dtype="int64"), "OBSERVED_AT": []})


def test_the_pipeline_finds_the_shifted_features_and_not_the_others(tmp_path) -> None:
    rng = np.random.default_rng(0)
    url = f"sqlite:///{tmp_path}/log.db"
    write_log(url, [(clients(rng, WINDOW, 0.0), "production"),
                    (clients(rng, WINDOW, 1.0), "production")])
    out = run_traffic(url, stub_bundle(0.7, 0.5), clients(rng, 5000, 0.0), no_outcomes())

    drift = out["traffic_feature_drift"]
    stable, shifted = drift[drift.window_no == 0], drift[drift.window_no == 1]
    assert not stable["drifted"].any()
    assert set(shifted.loc[shifted.drifted, "feature"]) == SHIFTED
    windows = out["traffic_windows"]
    assert windows["features_drifted"].tolist() == [0, 2]
    assert windows["features_checked"].tolist() == [len(FEATURES), len(FEATURES)]
    # grouped by family: AMT_CREDIT is an application column, FLAG_OWN_CAR_CODE is not
    assert windows.loc[1, "drifted_families"] == "application 1/3; domain ratios 1/2"
    assert windows["realised_auc"].isna().all()   # no outcome: no realised figure, no alert
    assert out["traffic_alerts"]["alerts"] == []


def test_realised_auc_of_simulated_outcomes_is_reported_within_two_hundredths() -> None:
    rng = np.random.default_rng(1)
    z = rng.standard_normal(20_000)
    score = expit(-3.0 + 1.25 * z + rng.normal(0, 0.7, len(z)))   # an imperfect model
    defaulted = draw_outcomes(rng, z, shift=0.0).astype(float)
    truth = expected_auc(expit(-3.029 + 1.25 * z), score)
    found = realised_performance(score, np.full(len(z), 0.09), defaulted, CostWeights(), 200)
    assert found["realised_auc"] == pytest.approx(truth, abs=0.02)
    assert found["outcomes"] == len(z)


def test_the_alert_fires_on_a_strongly_shifted_stream_and_not_on_an_unshifted_one(
        tmp_path) -> None:
    rng = np.random.default_rng(2)
    url = f"sqlite:///{tmp_path}/log.db"
    stream = [clients(rng, 3000, 0.0), clients(rng, 3000, 0.0)]
    write_log(url, [(stream[0], "production"), (stream[1], "production")])
    # outcomes from the risk the model reads (window 1), then from a risk it mostly misses
    z = np.concatenate([3 * (0.5 - m[:, 0]) for m in stream])
    defaulted = np.concatenate([draw_outcomes(rng, z[:3000], 0.0),
                                draw_outcomes(rng, z[3000:], 1.0)])
    outcomes = pd.DataFrame({"SK_ID_CURR": np.arange(6000), "DEFAULTED": defaulted,
                             "OBSERVED_AT": "2026-12-01"})
    proba = _Model().predict_proba(stream[0])[:, 1]
    heldout = expected_auc(expit(-3.029 + 1.25 * z[:3000]), proba)
    out = run_traffic(url, stub_bundle(heldout, 10.0), clients(rng, 5000, 0.0), outcomes,
                      window_decisions=3000)

    windows = out["traffic_windows"]
    assert windows.loc[0, "alert"] == ""
    assert "realised AUC" in windows.loc[1, "alert"]
    assert windows.loc[0, "realised_auc"] - windows.loc[1, "realised_auc"] > 0.05
    assert out["traffic_alerts"]["latest_alert"] == windows.loc[1, "alert"]
    assert [m["step"] for m in out["traffic_metrics"]["traffic_realised_auc"]] == [0, 1]
    stop_on_performance_alert(out["traffic_alerts"], params())   # not strict: no stop
    with pytest.raises(PerformanceAlert, match="realised AUC"):
        stop_on_performance_alert(raise_traffic_alerts(windows, params(strict=True)),
                                  params(strict=True))


def test_a_cost_above_its_limit_alerts() -> None:
    window = {"realised_auc": 0.75, "realised_cost": 0.8}
    assert performance_alerts(window, 0.75, 0.05, max_cost=0.6)[0].startswith("realised cost")
    assert performance_alerts(window, 0.75, 0.05, max_cost=0.9) == []


@pytest.mark.parametrize("demo, entering", [(False, {"production"}),
                                            (True, {"production", "simulation"})])
def test_test_traffic_never_enters_the_windows(demo, entering) -> None:
    log = pd.DataFrame({
        "logged_at": pd.date_range("2026-12-01", periods=6, freq="h", tz="UTC"),
        "purpose": ["production", "test", "simulation", None, "test", "simulation"],
        "features": None})
    traffic = select_logged_traffic(log, {"generated": demo},
                                    params(window_decisions=2, min_window_decisions=1))
    assert set(traffic["purpose"]) == entering   # None: logged before purposes were kept
    assert "test" not in set(traffic["purpose"])
    assert len(traffic) == 2 + 2 * demo


def test_an_explicit_test_purpose_in_the_parameters_is_ignored() -> None:
    log = pd.DataFrame({"logged_at": pd.date_range("2026-12-01", periods=2, freq="h", tz="UTC"),
                        "purpose": ["test", "production"], "features": None})
    traffic = select_logged_traffic(log, {"generated": False},
                                    params(purposes=["production", "test"],
                                           min_window_decisions=1))
    assert traffic["purpose"].tolist() == ["production"]


@pytest.mark.parametrize("text, message", [
    ("SK_ID_CURR,DEFAULTED\n1,0\n", "missing required column.*OBSERVED_AT"),   # a column missing
    ("SK_ID_CURR,DEFAULTED,OBSERVED_AT\n1,0,2026-12-01\n1,1,2026-12-02\n", "SK_ID_CURR.*must be unique"),  # twice
    ("SK_ID_CURR,DEFAULTED,OBSERVED_AT\n1,2,2026-12-01\n", "DEFAULTED must be 0 or 1"),
])
def test_a_malformed_outcomes_file_is_refused_with_the_column_named(tmp_path, text,
                                                                     message) -> None:
    raw = tmp_path / "01_raw"
    raw.mkdir()
    (raw / "outcomes.csv").write_text(text)
    table = HomeCreditTableDataset(table="outcomes", raw_dir=str(raw),
                                   cache_dir=str(tmp_path / "cache"))
    with pytest.raises((RawDataError, DatasetError), match=message):   # load, or the check
        check_outcomes(table.load())


def test_well_formed_outcomes_pass_their_check(tmp_path) -> None:
    raw = tmp_path / "01_raw"
    raw.mkdir()
    (raw / "outcomes.csv").write_text("SK_ID_CURR,DEFAULTED,OBSERVED_AT\n1,0,2026-12-01\n"
                                      "2,1,2026-12-02\n")
    table = HomeCreditTableDataset(table="outcomes", raw_dir=str(raw),
                                   cache_dir=str(tmp_path / "cache"))
    assert check_outcomes(table.load())["DEFAULTED"].tolist() == [0, 1]
