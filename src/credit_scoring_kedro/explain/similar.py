"""Find the training clients most similar to a client, with their outcomes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

ID = "SK_ID_CURR"


@dataclass
class SimilarClients:
    """A nearest-neighbour search on the standardised most important features."""

    spec: dict
    ids: np.ndarray
    outcomes: np.ndarray
    index: NearestNeighbors

    @classmethod
    def build(cls, table: pd.DataFrame, spec: dict) -> SimilarClients:
        matrix = table[spec["features"]].to_numpy(dtype=np.float32)
        return cls(spec, table[ID].to_numpy(), table["TARGET"].to_numpy(),
                   NearestNeighbors(n_neighbors=50).fit(matrix))

    def standardise(self, features: pd.DataFrame) -> np.ndarray:
        values = features.reindex(columns=self.spec["features"]).to_numpy(dtype=float, na_value=np.nan)
        z = (values - np.asarray(self.spec["mean"])) / np.asarray(self.spec["std"])
        return np.nan_to_num(z, nan=0.0).astype(np.float32)

    def query(self, features: pd.DataFrame, k: int = 10, exclude: int | None = None) -> pd.DataFrame:
        """The k nearest training clients (the client itself excluded) and whether they defaulted."""
        distances, rows = self.index.kneighbors(self.standardise(features), n_neighbors=k + 1)
        found = pd.DataFrame({ID: self.ids[rows[0]], "defaulted": self.outcomes[rows[0]].astype(int),
                              "distance": distances[0]})
        if exclude is not None:
            found = found[found[ID] != exclude]
        return found.head(k).reset_index(drop=True)
