"""The served model agrees with common sense, on demo and real clients, through the API's own path.

For a few hundred held-out clients: every move of ``modeling.monotone.raw_moves`` (more
income, a smaller loan, a longer term, a better external score) never raises the served
probability, and sweeping each constrained feature over its range never moves it the
wrong way. The same probes on a model trained without constraints find violations, so
they can fail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from imblearn.pipeline import Pipeline as ImbPipeline
from lightgbm import LGBMClassifier

from credit_scoring_kedro.modeling.bundle import ModelBundle
from credit_scoring_kedro.modeling.calibration import CalibratedModel
from credit_scoring_kedro.modeling.monotone import monotone_directions
from credit_scoring_kedro.modeling.monotone_audit import (
    feature_sweep_violations,
    raw_move_violations,
)
from credit_scoring_kedro.serving.artifacts import data_root, load_artifact, project_root
from credit_scoring_kedro.serving.client_book import application_record
from credit_scoring_kedro.serving.scorer import FastScorer
from credit_scoring_kedro.serving.service import ScoringService

SPEC = yaml.safe_load((project_root() / "conf/base/parameters_modeling.yml").read_text()
                      )["modeling"]["monotone"]
CLIENTS = 300


@pytest.fixture(scope="module", params=["trained_root", "real_sample_root"],
            ids=["demo", "real_sample"])
def served(request):
    if request.param == "real_sample_root":
        request.applymarker(pytest.mark.realdata)
    root = request.getfixturevalue(request.param)
    with data_root(root):
        service = ScoringService.from_catalog(log_url="off")
        X_train, y_train = load_artifact("X_train"), load_artifact("y_train")
        X_test = load_artifact("X_test")
    rows = X_test.head(CLIENTS).astype(object).where(X_test.head(CLIENTS).notna(), None)
    records = [application_record(r) for r in rows.to_dict("records")]
    return service, records, X_train, y_train


def _unconstrained(service, X_train, y_train) -> FastScorer:
    """The served model's own hyper-parameters, fitted again without the constraints."""
    bundle = service.bundle
    served = bundle.model.base.steps[-1][1]
    params = {k: v for k, v in served.get_params().items()
              if k not in ("monotone_constraints", "monotone_constraints_method")}
    model = LGBMClassifier(**params).fit(bundle.encoder.transform(X_train),
                                         y_train["TARGET"].to_numpy())
    free = ModelBundle(bundle.encoder, CalibratedModel(ImbPipeline([("model", model)])),
                       bundle.threshold, bundle.cost_weights)
    return FastScorer(free, service.scorer.history)


def _sweep_grid(service, matrix: np.ndarray) -> tuple[list[int], dict[int, np.ndarray]]:
    directions = monotone_directions(service.bundle.features, SPEC)
    grid = {}
    for column, sign in enumerate(directions):
        known = matrix[:, column][np.isfinite(matrix[:, column])]
        if sign and known.size > 10:
            grid[column] = np.unique(np.quantile(known, np.linspace(0, 1, 15)))
    return directions, grid


def test_raw_moves_never_raise_the_served_risk(served) -> None:
    service, records, _, _ = served
    report = raw_move_violations(lambda batch: service.scorer.score(batch)[0], records,
                                 SPEC["raw_moves"], service.bundle.threshold)
    assert report["higher_income"]["clients"] > CLIENTS // 2
    assert {name: r["violations"] for name, r in report.items()} == {
        name: 0 for name in report}


def test_constrained_features_never_move_the_served_risk_the_wrong_way(served) -> None:
    service, records, _, _ = served
    matrix = service.scorer.feature_matrix(records)[0]
    directions, grid = _sweep_grid(service, matrix)
    assert len(grid) >= 10
    found = feature_sweep_violations(service.scorer.probabilities, matrix, directions, grid)
    assert {service.bundle.features[c]: n for c, n in found.items() if n} == {}


def test_the_same_probes_find_violations_without_constraints(served) -> None:
    service, records, X_train, y_train = served
    if service.bundle.model.base.steps[-1][0] != "model" or \
            type(service.bundle.model.base.steps[-1][1]).__name__ != "LGBMClassifier":
        pytest.skip("the served model is not LightGBM")
    free = _unconstrained(service, X_train, y_train)
    report = raw_move_violations(lambda batch: free.score(batch)[0], records,
                                 SPEC["raw_moves"], service.bundle.threshold)
    matrix = free.feature_matrix(records)[0]
    directions, grid = _sweep_grid(service, matrix)
    swept = feature_sweep_violations(free.probabilities, matrix, directions, grid)
    assert sum(r["violations"] for r in report.values()) + sum(swept.values()) > 0


def test_the_served_model_carries_its_constraints(served) -> None:
    service = served[0]
    estimator = service.bundle.model.base.steps[-1][1]
    expected = monotone_directions(service.bundle.features, SPEC)
    if type(estimator).__name__ == "LGBMClassifier":
        assert list(estimator.get_params()["monotone_constraints"]) == expected
    assert service.bundle.metadata["monotone_constraints"] == {
        f: s for f, s in zip(service.bundle.features, expected, strict=True) if s}
    assert pd.Series(expected).abs().sum() >= 10
