"""Explain one client's score in sentences a client can follow.

For each feature the model used, its contribution to the client's risk (SHAP, log-odds)
becomes a sentence such as "Age: 23 years, younger than most clients — raises the risk":
the label comes from the glossary (:mod:`.labels`), the value is written in the client's
units (:mod:`.units`), and where the value stands among the training clients (below the
first quartile, above the third) is said only when it is unusual and the unit lends itself
to it. Two rules keep the sentences honest:

- a factor whose contribution is small "weighs little in this decision": telling a client
  that it raised or lowered the risk would overstate it;
- a missing value never lowers the risk in what a client reads (it is not something the
  client did right); when it raises the risk it reads "No information on ...".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from credit_scoring_kedro.explain.contributions import contributions
from credit_scoring_kedro.explain.labels import feature_label
from credit_scoring_kedro.explain.units import MISSING, FeatureUnits, is_missing
from credit_scoring_kedro.modeling.bundle import ModelBundle

#: |contribution| (log-odds) below which a factor weighs little (``explainability.small_contribution``).
SMALL_CONTRIBUTION = 0.05
#: Kinds compared as magnitudes: a more negative day count is an older client, a longer job.
_MAGNITUDE_KINDS = ("age", "elapsed")
RAISES, LOWERS, LITTLE = "raises the risk", "lowers the risk", "weighs little in this decision"


@dataclass
class LocalExplainer:
    """Everything needed to explain one client quickly (built once, e.g. at API start-up)."""

    bundle: ModelBundle
    labels: dict[str, str]
    quartiles: dict[str, tuple[float, float]]   # feature -> (Q1, Q3) over the training clients,
                                                # of -value for ages and times (_MAGNITUDE_KINDS)
    units: FeatureUnits | None = None
    levels: dict[str, tuple[str, str]] = field(default_factory=dict)  # feature -> (below Q1, above Q3)
    small_contribution: float = SMALL_CONTRIBUTION

    @classmethod
    def build(cls, bundle: ModelBundle, dictionary: list[dict], glossary: dict,
              reference: dict, *, small_contribution: float = SMALL_CONTRIBUTION
              ) -> LocalExplainer:
        """Labels, units, quartiles and level words of every feature, computed once.

        Args:
            small_contribution: ``explainability.small_contribution``.
        """
        labels = {e["name"]: feature_label(e, glossary) for e in dictionary}
        units = FeatureUnits.build(dictionary, glossary)
        quartiles = {}
        for feature, entry in reference["features"].items():
            if entry.get("quantiles"):
                q1, q3 = entry["quantiles"]["all"][5], entry["quantiles"]["all"][15]
                flip = units.kind(feature) in _MAGNITUDE_KINDS
                quartiles[feature] = (-q3, -q1) if flip else (q1, q3)
        return cls(bundle, labels, quartiles, units, _level_words(units, glossary),
                   small_contribution)

    def explain(self, features: pd.DataFrame, top_k: int = 5) -> dict:
        """Base value, probability, and the factors that raise and lower the client's risk."""
        if len(features) != 1:
            raise ValueError("explain one client at a time")
        encoded = self.bundle.encoder.transform(features)
        return self.explain_encoded(encoded, features.iloc[0].to_dict(), top_k)

    def explain_encoded(self, encoded: pd.DataFrame, row: Mapping, top_k: int = 5,
                        probability: float | None = None) -> dict:
        """:meth:`explain` for a row the caller has already encoded (the API keeps them).

        Args:
            encoded: The client's encoded features (one row, the bundle's columns).
            row: The client's feature values before encoding (for the sentences).
            probability: The served probability when the caller already has it.

        Returns:
            ``raises_risk`` and ``lowers_risk``: at most ``top_k`` factors each, largest
            first; a feature whose value is missing is never among ``lowers_risk``.
        """
        result = contributions(self.bundle.model, encoded)
        values = result.values[0]
        if probability is None:
            probability = float(self.bundle.model.predict_proba(encoded)[0, 1])
        order = np.argsort(values)
        raising = [i for i in order[::-1][:top_k] if values[i] > 0]
        lowering = self._lowering(order, values, result.features, row, top_k)
        return {
            "base_value": result.base_value,
            "log_odds": float(result.log_odds[0]),
            "space": result.space,
            "probability": probability,
            "threshold": self.bundle.threshold,
            "raises_risk": [self._factor(result.features[i], row, values[i]) for i in raising],
            "lowers_risk": [self._factor(result.features[i], row, values[i]) for i in lowering],
        }

    @staticmethod
    def _lowering(order: np.ndarray, values: np.ndarray, features: list[str], row: Mapping,
                  top_k: int) -> list[int]:
        """The ``top_k`` most negative contributions of features whose value is known."""
        out: list[int] = []
        for i in order:
            if len(out) == top_k or values[i] >= 0:
                break
            if not is_missing(row.get(features[i])):
                out.append(i)
        return out

    def _factor(self, feature: str, row: Mapping, contribution: float) -> dict:
        value = row.get(feature, None)
        label = self.labels.get(feature, feature)
        small = abs(contribution) < self.small_contribution
        effect = LITTLE if small else RAISES if contribution > 0 else LOWERS
        if is_missing(value):
            shown, display = None, MISSING
            sentence = f"No information on {_lower_first(label)} — {effect}"
        else:
            shown = value if isinstance(value, str) else float(value)
            display = self.units.format(feature, shown) if self.units else str(shown)
            level = "" if small or isinstance(shown, str) else self._level(feature, shown)
            sentence = f"{label}: {display}{', ' + level if level else ''} — {effect}"
        return {"feature": feature, "label": label, "value": shown, "display": display,
                "contribution": float(contribution), "sentence": sentence}

    def _level(self, feature: str, value: float) -> str:
        """Words for a value below the first or above the third quartile, else ""."""
        words = self.levels.get(feature)
        bounds = self.quartiles.get(feature)
        if not words or not bounds:
            return ""
        if self.units and self.units.kind(feature) in _MAGNITUDE_KINDS:
            value = -value
        if value < bounds[0]:
            return words[0]
        return words[1] if value > bounds[1] else ""


def _level_words(units: FeatureUnits, glossary: dict) -> dict[str, tuple[str, str]]:
    levels = glossary.get("levels") or {}
    silent = set(levels.get("none", ()))
    default = levels.get("default", ("lower than most clients", "higher than most clients"))
    return {feature: tuple(levels.get(kind, default)) for feature, kind in units.kinds.items()
            if kind not in silent}


def _lower_first(label: str) -> str:
    """"External credit score 3" -> "external credit score 3"; "Credit Bureau ..." unchanged."""
    words = label.split(" ", 2)
    keep = words[0].isupper() or (len(words) > 1 and words[1][:1].isupper())
    return label if keep or not label else label[0].lower() + label[1:]
