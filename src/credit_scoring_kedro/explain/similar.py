"""Find the training clients most similar to a client, with their outcomes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ID = "SK_ID_CURR"
_SPARE = 16   # candidates beyond k re-ranked exactly (float32 shortcuts can swap near ties)


@dataclass
class SimilarClients:
    """A nearest-neighbour search on the standardised most important features.

    Plain NumPy, one matrix-vector product per query: scikit-learn's ``kneighbors`` spent
    about 100 ms per client in its parallel brute-force reduction on the 2-core machine
    (11k training clients, 20 features); this takes about a millisecond, and stays linear
    on the full data. The nearest candidates are re-ranked on exact float64 distances.
    """

    spec: dict
    ids: np.ndarray
    outcomes: np.ndarray
    matrix: np.ndarray    # (training clients, features) float32, standardised
    norms: np.ndarray     # squared norm of each row

    @classmethod
    def build(cls, table: pd.DataFrame, spec: dict) -> SimilarClients:
        matrix = np.ascontiguousarray(table[spec["features"]].to_numpy(dtype=np.float32))
        return cls(spec, table[ID].to_numpy(), table["TARGET"].to_numpy(), matrix,
                   np.einsum("ij,ij->i", matrix, matrix))

    def standardise(self, features: pd.DataFrame) -> np.ndarray:
        values = features.reindex(columns=self.spec["features"]).to_numpy(dtype=float, na_value=np.nan)
        z = (values - np.asarray(self.spec["mean"])) / np.asarray(self.spec["std"])
        return np.nan_to_num(z, nan=0.0).astype(np.float32)

    def query(self, features: pd.DataFrame, k: int = 10, exclude: int | None = None) -> pd.DataFrame:
        """The k nearest training clients (the client itself excluded) and whether they defaulted."""
        z = self.standardise(features)[0]
        approx = self.norms - 2.0 * (self.matrix @ z) + float(z @ z)
        wanted = min(k + 1 + _SPARE, len(approx))
        rows = (np.argpartition(approx, wanted - 1)[:wanted] if wanted < len(approx)
                else np.arange(len(approx)))
        exact = np.sqrt(((self.matrix[rows].astype(np.float64) - z) ** 2).sum(axis=1))
        order = np.lexsort((rows, exact))[:k + 1]      # by distance, then row: reproducible
        rows, exact = rows[order], exact[order]
        found = pd.DataFrame({ID: self.ids[rows], "defaulted": self.outcomes[rows].astype(int),
                              "distance": exact})
        if exclude is not None:
            found = found[found[ID] != exclude]
        return found.head(k).reset_index(drop=True)
