"""Which way each feature may move the risk: the model's common sense, declared once.

A lender must be able to say "more income never made your risk worse". LightGBM enforces
such directions per feature (``monotone_constraints``: +1 the risk never falls when the
feature rises, -1 it never rises, 0 free). The directions are declared in
``conf/base/parameters_modeling.yml`` as name patterns, so a ratio built from income
(``INCOME_CREDIT_RATIO``) carries its sign next to income itself; a raw input then moves
the risk one way only if every feature built from it carries a compatible sign, which
:func:`check_raw_inputs` verifies against the domain ratios.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from credit_scoring_kedro.features.domain import RATIOS

#: Direction names of the parameters -> LightGBM's sign (risk as the model's output).
SIGNS = {"increasing_risk": 1, "decreasing_risk": -1}


def monotone_directions(features: Iterable[str], spec: Mapping) -> list[int]:
    """One of -1 / 0 / +1 per feature, in the order given (the encoder's column order).

    Args:
        features: Model feature names.
        spec: ``params:modeling.monotone``: ``enabled`` and, per direction of
            :data:`SIGNS`, a list of regular expressions matched against the whole name.
            A name matched by both directions is a configuration error.
    """
    features = list(features)
    if not spec.get("enabled", True):
        return [0] * len(features)
    patterns = {sign: [re.compile(p) for p in spec.get(name, []) or []]
                for name, sign in SIGNS.items()}
    out = []
    for feature in features:
        signs = {sign for sign, rules in patterns.items()
                 if any(rule.fullmatch(feature) for rule in rules)}
        if len(signs) > 1:
            raise ValueError(f"{feature} is declared both increasing and decreasing the risk "
                             "in modeling.monotone")
        out.append(signs.pop() if signs else 0)
    return out


def constrained(features: Iterable[str], spec: Mapping) -> dict[str, int]:
    """Feature -> sign, for the constrained features only (reports and tests)."""
    features = list(features)
    return {f: s for f, s in zip(features, monotone_directions(features, spec), strict=True) if s}


#: Domain features that are plain functions of the external scores, rising with each score;
#: EXT_SOURCE_STD may rise or fall with one score and so cannot be constrained.
_RISING_WITH_EXT = ("EXT_SOURCE_MEAN", "EXT_SOURCE_MIN", "EXT_SOURCE_MAX", "EXT_SOURCE_PROD")
_EITHER_WAY_WITH_EXT = ("EXT_SOURCE_STD",)


def response(feature: str, inputs: Mapping[str, int]) -> int | None:
    """How ``feature`` moves when the raw ``inputs`` move (column -> +1 up / -1 down together).

    +1 / -1: it rises / falls; 0: unchanged (a ratio of two inputs scaled together, or a
    feature that reads none of them); None: it may move either way.
    """
    if feature in inputs:
        return inputs[feature]
    if feature in RATIOS:
        numerator, denominator = RATIOS[feature]
        up = inputs.get(numerator, 0) - inputs.get(denominator, 0)
        return 0 if up == 0 else (1 if up > 0 else -1)
    ext = {inputs[c] for c in inputs if c.startswith("EXT_SOURCE_")}
    if ext and feature in _RISING_WITH_EXT:
        return ext.pop() if len(ext) == 1 else None
    if ext and feature in _EITHER_WAY_WITH_EXT:
        return None
    return 0


def check_moves(features: Iterable[str], spec: Mapping, moves: Mapping[str, Mapping]) -> list[str]:
    """Conflicts that would let a move of raw inputs raise the risk it should lower (or the reverse).

    ``moves``: name -> ``{"inputs": {column: +1|-1}, "risk": +1|-1}``, e.g. a smaller loan
    (credit, annuity and goods price down together) must never raise the risk. Every
    feature the move changes must be constrained with the matching sign; one that moves
    either way, or moves without a constraint, is a conflict. Returns readable messages.
    """
    features = list(features)
    signs = dict(zip(features, monotone_directions(features, spec), strict=True))
    problems = []
    for name, move in moves.items():
        for feature, sign in signs.items():
            moved = response(feature, move["inputs"])
            if moved == 0:
                continue
            if moved is None or sign * moved != move["risk"]:
                problems.append(f"move '{name}': {feature} (constraint {sign:+d}, moves "
                                f"{'either way' if moved is None else f'{moved:+d}'}) could "
                                f"move the risk against {move['risk']:+d}")
    return problems
