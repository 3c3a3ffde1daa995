"""Fixtures of the ingestion tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "01_raw"
    folder.mkdir()
    return folder
