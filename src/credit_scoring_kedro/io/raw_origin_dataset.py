"""Kedro dataset telling whether the raw tables are the generated demo set or real data."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from kedro.io import AbstractDataset, DatasetError

from credit_scoring_kedro.demo_data.generator import MARKER_FILE


class RawDataOriginDataset(AbstractDataset[None, dict]):
    """Read-only: ``{"generated": bool, ...}`` for the tables in ``raw_dir``.

    The demo-data generator writes :data:`~credit_scoring_kedro.demo_data.MARKER_FILE`
    with the size of every file it wrote. The tables count as generated only while the
    marker is there and ``application_train``'s file still has the size it wrote: real
    tables copied over generated ones are real data, even if the marker was left behind.
    """

    def __init__(self, raw_dir: str, metadata: dict[str, Any] | None = None) -> None:
        self._raw_dir = Path(raw_dir)
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"raw_dir": str(PurePosixPath(self._raw_dir)), "marker": MARKER_FILE}

    def load(self) -> dict:
        marker = self._raw_dir / MARKER_FILE
        if not marker.is_file():
            return {"generated": False}
        spec = json.loads(marker.read_text(encoding="utf-8"))
        sizes = spec.get("files", {})
        train = [name for name in sizes if name.startswith("application_train.")]
        current = all((self._raw_dir / name).is_file()
                      and (self._raw_dir / name).stat().st_size == sizes[name] for name in train)
        if not train or not current:
            return {"generated": False, "stale_marker": True}
        return {"generated": True, **{k: v for k, v in spec.items() if k != "files"}}

    def save(self, data: None) -> None:
        raise DatasetError("raw_data_origin is read-only: the demo-data generator writes the marker")

    def _exists(self) -> bool:
        return True
