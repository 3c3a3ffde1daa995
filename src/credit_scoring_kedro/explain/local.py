"""Explain one client's score in sentences a client can follow.

For each feature the model used, its contribution to the client's risk (SHAP, log-odds)
and where the client's value stands among all clients (low / usual / high, from the
training population's quartiles), turned into a sentence such as
"External credit score 3 is high (0.72): lowers the risk". Labels come from the glossary
(``conf/base/feature_glossary.yml``) or the feature dictionary, never from code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit_scoring_kedro.explain.contributions import contributions
from credit_scoring_kedro.modeling.bundle import ModelBundle


@dataclass
class LocalExplainer:
    """Everything needed to explain one client quickly (built once, e.g. at API start-up)."""

    bundle: ModelBundle
    labels: dict[str, str]
    quartiles: dict[str, tuple[float, float]]   # feature -> (Q1, Q3) over the training clients

    @classmethod
    def build(cls, bundle: ModelBundle, dictionary: list[dict], glossary: dict,
              reference: dict) -> LocalExplainer:
        labels = {e["name"]: feature_label(e, glossary) for e in dictionary}
        quartiles = {f: (r["quantiles"]["all"][5], r["quantiles"]["all"][15])
                     for f, r in reference["features"].items() if r.get("quantiles")}
        return cls(bundle, labels, quartiles)

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
        """
        result = contributions(self.bundle.model, encoded)
        values = result.values[0]
        if probability is None:
            probability = float(self.bundle.model.predict_proba(encoded)[0, 1])
        order = np.argsort(values)
        raising = [i for i in order[::-1][:top_k] if values[i] > 0]
        lowering = [i for i in order[:top_k] if values[i] < 0]
        return {
            "base_value": result.base_value,
            "log_odds": float(result.log_odds[0]),
            "space": result.space,
            "probability": probability,
            "threshold": self.bundle.threshold,
            "raises_risk": [self._factor(result.features[i], row, values[i]) for i in raising],
            "lowers_risk": [self._factor(result.features[i], row, values[i]) for i in lowering],
        }

    def _factor(self, feature: str, row: Mapping, contribution: float) -> dict:
        value = row.get(feature, None)
        label = self.labels.get(feature, feature)
        effect = "raises the risk" if contribution > 0 else "lowers the risk"
        if value is None or (isinstance(value, float) and math.isnan(value)):
            sentence = f"{label} is unknown: {effect}"
            shown = None
        elif isinstance(value, str):
            sentence, shown = f"{label} is '{value}': {effect}", value
        else:
            shown = float(value)
            level = self._level(feature, shown)
            sentence = f"{label} is {level} ({_format(feature, shown)}): {effect}"
        return {"feature": feature, "label": label, "value": shown,
                "contribution": float(contribution), "sentence": sentence}

    def _level(self, feature: str, value: float) -> str:
        q1, q3 = self.quartiles.get(feature, (None, None))
        if q1 is None:
            return "at"
        if feature.startswith("DAYS_"):  # negative day counts: more negative = longer ago/older
            value, q1, q3 = -value, -q3, -q1
        if value < q1:
            return "low"
        if value > q3:
            return "high"
        return "usual"


def feature_label(entry: dict, glossary: dict) -> str:
    """A short name for sentences, from the glossary and the feature dictionary entry.

    In order: the glossary's ``labels``; its ``label_patterns`` (``{words}`` is the first
    group of the pattern in lower-case words); for a history aggregate, "<statistic> <what>
    (<source>)" with the glossary's short ``sources`` (the dictionary's sentence names the
    whole table: too long to read aloud); else the description's first clause.
    """
    name = entry["name"]
    if name in glossary.get("labels", {}):
        return glossary["labels"][name]
    for rule in glossary.get("label_patterns", []):
        found = re.search(rule["pattern"], name)
        if found:
            words = (found.group(1) if found.groups() else name).replace("_", " ").lower()
            return rule["label"].format(words=words)
    description = entry.get("description", "")
    source = glossary.get("sources", {}).get(entry.get("source_table"))
    statistic = glossary.get("statistics", {}).get(entry.get("statistic"))
    if entry.get("kind") == "history_aggregate" and source and statistic \
            and description.startswith(statistic + " ") and " over " in description:
        what = description[len(statistic) + 1:description.index(" over ")]
        what = glossary.get("column_labels", {}).get(entry.get("source_column")) \
            or _first_clause(what)
        scope = glossary.get("scopes", {}).get(entry.get("scope"))
        return f"{statistic} {what} ({source}{', ' + scope if scope else ''})"
    return _first_clause(description)


def _first_clause(description: str) -> str:
    text = re.split(r"[,(;]", description or "")[0].strip().rstrip(".")
    return text or description


def _format(feature: str, value: float) -> str:
    if feature.startswith("DAYS_"):
        return f"{abs(value) / 365.25:.1f} years"
    if feature.startswith("AMT_") or abs(value) >= 1000:
        return f"{value:,.0f}"
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.2f}"
