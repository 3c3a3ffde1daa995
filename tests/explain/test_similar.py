"""Similar clients: the nearest peers on the standardised important features."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_scoring_kedro.explain.similar import SimilarClients


def test_nearest_clients_are_the_closest_on_the_standardised_features() -> None:
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"SK_ID_CURR": np.arange(1, 201), "TARGET": rng.integers(0, 2, 200),
                          "A": rng.normal(size=200).astype("float32"),
                          "B": rng.normal(size=200).astype("float32")})
    spec = {"features": ["A", "B"], "mean": [10.0, 0.0], "std": [2.0, 1.0]}
    finder = SimilarClients.build(table, spec)
    target = table.iloc[17]
    # the raw client is (10 + 2 * A, B): standardising brings it back onto row 17
    raw = pd.DataFrame({"A": [10 + 2 * target.A], "B": [target.B]})
    found = finder.query(raw, k=5)
    assert found.loc[0, "SK_ID_CURR"] == 18 and found.loc[0, "distance"] < 1e-5
    assert found["distance"].is_monotonic_increasing
    assert set(found["defaulted"]) <= {0, 1}
    assert 18 not in set(finder.query(raw, k=5, exclude=18)["SK_ID_CURR"])
    missing = finder.query(pd.DataFrame({"A": [np.nan], "B": [np.nan]}), k=3)
    assert len(missing) == 3   # a missing value counts as the population mean
