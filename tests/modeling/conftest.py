"""Fixtures of the modeling tests."""

from __future__ import annotations

import polars as pl
import pytest
from synthetic import synthetic_features


@pytest.fixture
def small_features() -> tuple[pl.DataFrame, pl.DataFrame]:
    return synthetic_features(3000)
