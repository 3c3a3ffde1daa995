"""The text alternatives of the charts: counts that add up, and plain grammar."""

from __future__ import annotations

import pytest

from dashboard.charts import group_caption


def distribution(unknown: int) -> dict:
    return {"label": "Share of past instalments paid late", "repaid": [38, 4, 3],
            "defaulted": [3, 1, 0], "bins": ["under 5 %", "5 % to 10 %", "10 % to 15 %"],
            "client_bin": 0, "client_display": "0%", "unknown": unknown}


@pytest.mark.parametrize("unknown, sentence", [
    (0, None),
    (1, "1 past client of the group has no value."),
    (2, "2 past clients of the group have no value."),
])
def test_the_group_caption_counts_the_clients_and_the_missing_values(unknown, sentence) -> None:
    caption = group_caption(distribution(unknown), "The 50 past clients most like this one")
    assert "among the 50 past clients most like this one, 49 past clients" in caption
    assert "45 repaid (blue) and 4 had payment difficulties" in caption
    assert "is in the bin “under 5 %”: 38 repaid, 3 had difficulties." in caption
    if sentence is None:
        assert "no value" not in caption
    else:
        assert caption.endswith(sentence)
