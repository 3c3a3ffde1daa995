"""What a decision record holds so that it can be replayed, and the seal that shows it is intact.

Why the feature vector itself: the client-history features come from a store that the next
pipeline run rebuilds, so the inputs alone cannot show, a month later, why a client was
refused. The record keeps the exact row the model read, as float32 bytes (the scorer's values
are float32 numbers: the bytes are exact), base64 in a text column: about 2 KB per decision
for 382 features. The seal is a SHA-256 of the decision's content in a canonical form; it
shows that nothing was changed after the record was written (a forger who also recomputes
the seal is caught by the replay, which recomputes the application features from the inputs).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np

SEALED = ("decision_id", "client_id", "model_version", "threshold", "probability", "decision",
          "inputs", "reason_codes", "features", "history_snapshot")
#: Sealed when present: columns added later (who asked for the decision, what the model
#: decided under the review switch, why the request was sent). A row logged before them seals as it always did.
SEALED_WHEN_PRESENT = ("automatic_decision", "acting_user", "purpose")


def encode_features(row: np.ndarray) -> str:
    """One feature row as base64 of its little-endian float32 bytes (NaN and inf kept)."""
    return base64.b64encode(np.asarray(row, dtype="<f4").tobytes()).decode("ascii")


def decode_features(text: str) -> np.ndarray:
    """The row :func:`encode_features` wrote, as float64 (what the model is given)."""
    return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(np.float64)


def decode_feature_matrix(texts, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, features) float32 matrix of many rows :func:`encode_features` wrote, and which
    rows decoded: one buffer for the whole log (monitoring reads 50,000 rows at once).

    A row without features (logged before they were kept, not a string) or of another length
    (another model's feature list) is left out, not guessed.
    """
    width = 4 * n_features   # float32
    raw = [base64.b64decode(t) if isinstance(t, str) else b"" for t in texts]
    ok = np.array([len(b) == width for b in raw], dtype=bool)
    data = b"".join(b for b, good in zip(raw, ok, strict=True) if good)
    return np.frombuffer(data, dtype="<f4").reshape(int(ok.sum()), n_features), ok


def seal(row: Mapping[str, Any]) -> str:
    """SHA-256 of the record's decision content (floats by their exact repr)."""
    content = {k: (repr(float(row[k])) if k in ("threshold", "probability") and row.get(k)
                   is not None else row.get(k)) for k in SEALED}
    content |= {k: row[k] for k in SEALED_WHEN_PRESENT if row.get(k) is not None}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def snapshot_id(columns: list[str], matrix: np.ndarray) -> str:
    """Content hash of a history store (which snapshot of the client histories was read)."""
    digest = hashlib.sha256(json.dumps(columns).encode())
    digest.update(np.ascontiguousarray(matrix).tobytes())
    return digest.hexdigest()[:32]
