"""End to end on demo data: features, a smoke model, then batch scoring of a new file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from catalog_paths import catalog_path, raw_dir, served_bundle


@pytest.fixture(scope="module")
def trained(trained_root: Path) -> Path:
    """The session's trained demo root (tests/conftest.py)."""
    return trained_root


def test_a_new_file_is_scored_including_clients_with_no_history(trained, kedro, tmp_path) -> None:
    batch = pd.read_csv(raw_dir(trained) / "application_test.csv").head(20)
    batch.loc[0, "SK_ID_CURR"] = 999_999_001           # a first-time borrower: no history rows
    batch.loc[1, ["EXT_SOURCE_1", "EXT_SOURCE_3"]] = None  # optional fields missing
    path = tmp_path / "new_clients.csv"
    batch.to_csv(path, index=False)
    kedro(trained, "--pipelines", "batch_scoring", "--params", f"scoring_file={path}")
    scores = pd.read_csv(catalog_path("batch_scores", trained))
    assert len(scores) == 20
    assert sorted(scores.SK_ID_CURR) == sorted(batch.SK_ID_CURR)  # one row per client, by id
    assert 999_999_001 in set(scores.SK_ID_CURR)
    assert scores.probability.between(0, 1).all()
    bundle = served_bundle(trained)
    assert (scores.decision.eq("refused") == (scores.probability >= bundle.threshold)).all()
    assert (scores.model_version.astype(str) == bundle.version).all()   # the registry version


def test_batch_scores_equal_the_test_scores_of_the_modeling_pipeline(trained, kedro) -> None:
    kedro(trained, "--pipelines", "batch_scoring")   # default: application_test of data/01_raw
    batch = pd.read_csv(catalog_path("batch_scores", trained)).set_index("SK_ID_CURR")
    reference = pd.read_parquet(catalog_path("test_scores", trained)).set_index(
        "SK_ID_CURR")
    assert len(batch) == 300
    joined = batch.join(reference, rsuffix="_ref")
    assert (joined.probability - joined.probability_ref).abs().max() < 1e-9
