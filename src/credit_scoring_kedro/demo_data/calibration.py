"""Access to the sample-derived statistics and the draws they allow."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import numpy as np
from scipy.special import ndtr


@cache
def calibration() -> dict:
    text = resources.files(__package__).joinpath("calibration.json").read_text(encoding="utf-8")
    return json.loads(text)


def stats(table: str, column: str) -> dict | None:
    return calibration()["tables"].get(table, {}).get(column)


def from_quantiles(quantiles: list[float], u: np.ndarray) -> np.ndarray:
    """Inverse CDF by linear interpolation of the 101-point quantile grid."""
    grid = np.linspace(0.0, 1.0, len(quantiles))
    return np.interp(u, grid, np.asarray(quantiles, dtype=float))


def latent_uniform(rng: np.random.Generator, signal: np.ndarray | None, rho: float) -> np.ndarray:
    """Uniform draws whose normal score has correlation ``rho`` with ``signal`` (Gaussian copula)."""
    n = len(signal) if signal is not None else 0
    noise = rng.standard_normal(n)
    score = rho * signal + np.sqrt(1.0 - rho**2) * noise if signal is not None else noise
    return ndtr(score)


def draw_labels(rng: np.random.Generator, labels: dict[str, float], n: int,
                tilt: np.ndarray | None = None, favoured: tuple[str, ...] = ()) -> np.ndarray:
    """Labels with the given frequencies; ``tilt`` > 0 makes ``favoured`` labels more likely."""
    names = np.array(list(labels))
    p = np.array(list(labels.values()), dtype=float)
    p = p / p.sum()
    if tilt is None or not favoured:
        return names[rng.choice(len(names), size=n, p=p)]
    mask = np.isin(names, favoured)
    weights = np.where(mask[None, :], np.exp(tilt)[:, None], 1.0) * p[None, :]
    weights /= weights.sum(axis=1, keepdims=True)
    cum = np.cumsum(weights, axis=1)
    idx = (rng.random(n)[:, None] > cum).sum(axis=1)
    return names[np.minimum(idx, len(names) - 1)]
