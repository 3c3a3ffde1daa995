"""Where a client stands among all clients and among the clients most like them.

"All clients" distributions come from the explainability pipeline's feature reference
(training clients); the similar group is the client's nearest training neighbours, whose
values are kept for a short list of comparable features (the most important ones and
the descriptive fields). Day counts are shown in years, as a client thinks of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ID = "SK_ID_CURR"
DAYS_PER_YEAR = 365.25


@dataclass
class PopulationComparison:
    reference: dict                 # feature_reference artifact
    labels: dict[str, str]
    features: list[str]             # the comparable features
    train_rows: dict[int, int]      # training SK_ID_CURR -> row of `values`
    values: np.ndarray              # (training clients, features) float32

    def unit(self, feature: str) -> str:
        return "years" if feature.startswith("DAYS_") else "value"

    def to_display(self, feature: str, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        return np.abs(values) / DAYS_PER_YEAR if feature.startswith("DAYS_") else values

    def compare(self, feature: str, client_value: float | None,
                neighbour_ids: list[int]) -> dict:
        """Histograms on shared bins for all / defaulted / repaid / similar clients."""
        entry = self.reference["features"][feature]
        edges = np.asarray(entry["bin_edges"], dtype=float)
        histograms = {g: list(entry["histogram"][g]) for g in ("all", "defaulted", "repaid")}
        rows = [self.train_rows[i] for i in neighbour_ids if i in self.train_rows]
        similar = self.values[rows, self.features.index(feature)].astype(float)
        known = similar[np.isfinite(similar)]
        counts = (np.histogram(np.clip(known, edges[0], edges[-1]), edges)[0] / max(known.size, 1)
                  if known.size and edges.size > 1 else np.zeros(max(edges.size - 1, 0)))
        histograms["similar"] = counts.round(5).tolist()
        shown_edges = self.to_display(feature, edges)
        if feature.startswith("DAYS_"):  # negative days: reverse so that years increase
            shown_edges = shown_edges[::-1]
            histograms = {g: h[::-1] for g, h in histograms.items()}
        missing = client_value is None or not np.isfinite(client_value)
        quantiles = entry["quantiles"]["all"]
        return {
            "feature": feature,
            "label": self.labels.get(feature, feature),
            "unit": self.unit(feature),
            "bin_edges": shown_edges.round(6).tolist(),
            "histograms": histograms,
            "client_value": None if missing else float(self.to_display(feature, [client_value])[0]),
            "client_percentile": None if missing else _percentile(quantiles, client_value,
                                                                  feature.startswith("DAYS_")),
            "similar_values": self.to_display(feature, known).round(6).tolist(),
            "similar_count": len(rows),
            "all_median": float(self.to_display(feature, [quantiles[10]])[0]),
            "similar_median": (float(self.to_display(feature, [np.median(known)])[0])
                               if known.size else None),
        }


def _percentile(quantiles: list[float], value: float, reverse: bool = False) -> float:
    """Share of clients below ``value`` (in %), interpolated on the 5 % quantile grid.

    ``reverse`` for day counts (negative): fewer clients are older than an older client.
    """
    grid = np.linspace(0, 100, len(quantiles))
    share = float(np.interp(value, np.asarray(quantiles, dtype=float), grid))
    return round(100.0 - share if reverse else share, 1)
