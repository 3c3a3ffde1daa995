"""The score in words: how far a client's probability is from the risk limit."""

from __future__ import annotations


def margin_reading(probability: float, threshold: float) -> str:
    """A plain reading of the margin, e.g. "just above the risk limit".

    The bands are relative to the threshold (a probability of 0.05 is "well below" a limit
    of 0.10 but "just below" a limit of 0.06), so the reading stays meaningful whatever
    threshold the cost optimisation chose.
    """
    if threshold <= 0:
        return "above the risk limit"
    ratio = probability / threshold
    if ratio < 0.5:
        return "well below the risk limit"
    if ratio < 0.8:
        return "below the risk limit"
    if ratio < 1.0:
        return "just below the risk limit"
    if ratio < 1.25:
        return "just above the risk limit"
    if ratio < 2.0:
        return "above the risk limit"
    return "well above the risk limit"
