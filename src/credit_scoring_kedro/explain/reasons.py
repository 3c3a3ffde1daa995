"""Adverse-action reason codes: why a refused application was refused, from a fixed catalogue.

A relationship manager reads the reasons out, so they come from a fixed list of sentences
(``conf/base/reason_codes.yml``) that mean the same thing every time, never from feature
names. Each code covers a group of model features; a client's SHAP contributions
(log-odds) are summed per group and the groups that raised the risk most are the reasons.

Choices, kept consistent everywhere:

- **Net group effect.** A group's contribution is the sum of ALL its features'
  contributions, negative ones included: a group that both raises and lowers the risk
  is a reason only as far as it raises it on balance. Only groups with a positive net
  contribution are reasons, at most ``max_reasons`` of them, largest first.
- **Missing is its own reason.** A feature whose value the client did not give (NaN) feeds
  the code's missing variant ("Not enough information from external credit bureaus"),
  never the factual one: an unknown value is not read out as a fact. A code's
  ``coverage_patterns`` features measure how much is known (the number of external
  scores available) and always feed the missing variant.
- **Deterministic ties**: equal contributions keep catalogue order (a code before its
  missing variant), features keep model order.
- **Fallback.** A refused row may have no group with a positive net sum (the model's base
  value alone can be above the threshold): it then gets the single group with the
  highest net sum among the groups holding at least one feature that raised the risk.
  When no feature raised the risk at all (a model that ignores the client, e.g. the
  dummy baseline), there is no honest reason and the list stays empty.
- **Protected attributes** (``CODE_GENDER`` by default) are never a reason: building a
  catalogue fails if one is among the model features or is named by a code's patterns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Attributes a decision must never be explained by (nor, ideally, be based on).
DEFAULT_PROTECTED = ("CODE_GENDER",)
#: Adverse-action notices give at most four reasons.
MAX_REASONS = 4
#: Features listed under each reason, the largest contributions first.
TOP_FEATURES = 3
#: A group sum at or below this (log-odds) is not positive: float noise of a group that nets out.
MIN_CONTRIBUTION = 1e-9
#: Refused rows explained per block: bounds the temporary arrays of a large batch.
CHUNK = 4096


@dataclass(frozen=True)
class ReasonCatalogue:
    """The catalogue's codes and which of them each model feature feeds.

    Every catalogue entry has two codes ("slots"): its factual code at ``2k`` and its missing
    variant at ``2k + 1``; each feature's slots are precomputed, so explaining a client is
    a bincount and a sort of a few dozen group sums.
    """

    features: tuple[str, ...]
    codes: tuple[str, ...]              # slot ids, 2 per catalogue entry
    sentences: tuple[str, ...]          # slot sentences
    missing_slot: np.ndarray            # (features,) slot of each feature's missing code
    countable: np.ndarray               # (features,) False: always feeds the missing code

    @classmethod
    def build(cls, config: dict, features: Sequence[str],
              protected: Sequence[str] = DEFAULT_PROTECTED) -> ReasonCatalogue:
        """Map each model feature to its code (the first code whose patterns match it).

        Args:
            config: The ``reason_codes`` catalog entry (``conf/base/reason_codes.yml``).
            features: The model's features, in the order of the contribution columns.
            protected: Attributes that must never be a reason.

        Raises:
            ValueError: a protected attribute is a feature or named by a pattern, a feature
                matches no code, or the catalogue is malformed (duplicate ids, no sentence).
        """
        entries = config.get("codes") or []
        if not entries:
            raise ValueError("The reason-code catalogue has no codes")
        features = tuple(features)
        _check_protected(entries, features, protected)
        codes, sentences = [], []
        for item in entries:
            if not item.get("reason") or not item.get("missing_reason"):
                raise ValueError(f"Reason code {item.get('id')!r} needs a reason and a missing_reason")
            codes += [item["id"], item.get("missing_code") or f"{item['id']}_UNKNOWN"]
            sentences += [item["reason"], item["missing_reason"]]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"Duplicate reason codes: {duplicates}")
        rules = [([re.compile(p) for p in item.get("patterns", [])],
                  [re.compile(p) for p in item.get("coverage_patterns", [])]) for item in entries]
        entry = np.empty(len(features), dtype=np.intp)
        countable = np.ones(len(features), dtype=bool)
        unmatched = []
        for j, name in enumerate(features):
            found = next(((k, not any(p.fullmatch(name) for p in counts))
                          for k, (plain, counts) in enumerate(rules)
                          if any(p.fullmatch(name) for p in plain + counts)), None)
            if found is None:
                unmatched.append(name)
            else:
                entry[j], countable[j] = found
        if unmatched:
            raise ValueError(f"Features with no reason code (add a pattern or a catch-all): {unmatched}")
        return cls(features, tuple(codes), tuple(sentences), 2 * entry + 1, countable)

    @property
    def membership(self) -> np.ndarray:
        """(features, catalogue entries) 0/1 matrix: the entry each feature feeds."""
        matrix = np.zeros((len(self.features), len(self.codes) // 2))
        matrix[np.arange(len(self.features)), self.missing_slot // 2] = 1.0
        return matrix

    def code_of(self, feature: str) -> str:
        """The code whose group a feature belongs to (its unknown values feed the missing variant)."""
        return self.codes[int(self.missing_slot[self.features.index(feature)]) - 1]

    def positions(self, features: Sequence[str]) -> np.ndarray:
        """Column index, in ``features``, of each catalogue feature.

        For a caller whose contribution matrix has more columns than the catalogue (e.g. a
        protected attribute the model still uses): ``values[:, catalogue.positions(names)]``.
        """
        index = {name: i for i, name in enumerate(features)}
        absent = [f for f in self.features if f not in index]
        if absent:
            raise ValueError(f"Catalogue features absent from the contributions: {absent}")
        return np.fromiter((index[f] for f in self.features), dtype=np.intp, count=len(self.features))

    def reasons(self, contributions: np.ndarray, known: np.ndarray, refused: np.ndarray,
                max_reasons: int = MAX_REASONS) -> list[list[dict]]:
        """The reasons of each refused row, largest net group contribution first.

        Args:
            contributions: (clients, features) SHAP values in log-odds, catalogue feature order.
            known: (clients, features) True where the client's value is known (not NaN).
            refused: (clients,) True for a refused application.
            max_reasons: At most this many reasons per refused row (1 to 4).

        Returns:
            One list per row, empty for a granted row; each reason is ``{"code", "reason",
            "contribution" (net log-odds of the group), "features" (its up to 3 features
            that raised the risk most)}``.
        """
        if not 1 <= max_reasons <= MAX_REASONS:
            raise ValueError(f"max_reasons must be between 1 and {MAX_REASONS}, not {max_reasons}")
        values = np.asarray(contributions, dtype=np.float64)
        known = np.asarray(known, dtype=bool)
        refused = np.asarray(refused, dtype=bool).reshape(-1)
        if values.ndim != 2 or values.shape[1] != len(self.features) or known.shape != values.shape \
                or refused.shape != (len(values),):
            raise ValueError(f"Expected contributions and known of shape (n, {len(self.features)}) "
                             f"and refused of shape (n,): got {values.shape}, {known.shape}, "
                             f"{refused.shape}")
        out: list[list[dict]] = [[] for _ in range(len(values))]
        rows = refused.nonzero()[0]
        for start in range(0, rows.size, CHUNK):
            part = rows[start:start + CHUNK]
            if part.size < len(values):
                self._explain(values[part], known[part], part.tolist(), max_reasons, out)
            else:                              # every row refused (one client, the API): no copy
                self._explain(values, known, part.tolist(), max_reasons, out)
        return out

    def _explain(self, values: np.ndarray, known: np.ndarray, rows: list[int], max_reasons: int,
                 out: list[list[dict]]) -> None:
        """Fill ``out[row]`` for a block of refused rows (``values`` and ``known`` of those rows)."""
        # slot of each (client, feature): the missing code unless the value is known and countable
        slots = self.missing_slot - (known & self.countable)
        sums = _slot_sums(values, slots, len(self.codes))
        for r, row in enumerate(rows):
            picked = _rank(sums[r], values[r], slots[r], max_reasons)
            listed = _top_features(values[r], slots[r], picked, len(self.codes))
            out[row] = [{"code": self.codes[s], "reason": self.sentences[s],
                         "contribution": sums[r][s],
                         "features": [self.features[j] for j in found]}
                        for s, found in zip(picked, listed, strict=True)]


def read_max_reasons(config: dict) -> int:
    """``max_reasons`` of the catalogue (default 4), checked to be 1 to 4."""
    value = config.get("max_reasons", MAX_REASONS)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_REASONS:
        raise ValueError(f"max_reasons must be an integer from 1 to {MAX_REASONS}, not {value!r}")
    return value


def _check_protected(entries: list[dict], features: tuple[str, ...],
                     protected: Sequence[str]) -> None:
    """A protected attribute must be neither a feature nor named in a pattern (even escaped)."""
    used = [p for p in protected if p in features]
    if used:
        raise ValueError(f"Protected attribute(s) {used} are among the model features: they can "
                         "never be a reason for a refusal (drop them from the model, or from the "
                         "contributions with ReasonCatalogue.positions)")
    for item in entries:
        for pattern in item.get("patterns", []) + item.get("coverage_patterns", []):
            text = pattern.replace("\\", "").upper()
            named = [p for p in protected if p.upper() in text]
            if named:
                raise ValueError(f"Reason code {item.get('id')!r} names protected attribute(s) "
                                 f"{named} in pattern {pattern!r}")


def _slot_sums(values: np.ndarray, slots: np.ndarray, n_slots: int) -> list[list[float]]:
    """Net contribution of every slot for each client, in one bincount."""
    if len(values) == 1:                       # one client (the API): no row offsets needed
        return [np.bincount(slots[0], weights=values[0], minlength=n_slots).tolist()]
    offsets = (slots + n_slots * np.arange(len(values))[:, None]).ravel()
    return np.bincount(offsets, weights=values.ravel(),
                       minlength=n_slots * len(values)).reshape(len(values), n_slots).tolist()


def _rank(sums: list[float], values: np.ndarray, slots: np.ndarray, max_reasons: int) -> list[int]:
    """Slots with a positive net sum, largest first (ties: catalogue order); else the fallback."""
    positive = sorted((-total, s) for s, total in enumerate(sums) if total > MIN_CONTRIBUTION)
    if positive:
        return [s for _, s in positive[:max_reasons]]
    # fallback: the best net sum among the slots holding a feature that raised the risk
    raising = set(slots[values > 0].tolist())
    return [max(raising, key=lambda s: (sums[s], -s))] if raising else []


def _top_features(values: np.ndarray, slots: np.ndarray, picked: list[int],
                  n_slots: int) -> list[list[int]]:
    """For one client, the up to 3 features of each picked slot that raised the risk most."""
    if not picked:
        return []
    wanted = np.zeros(n_slots, dtype=bool)
    for s in picked:                           # a Python loop: cheaper than converting 4 indices
        wanted[s] = True
    found = (wanted.take(slots) & (values > 0)).nonzero()[0]
    contribution, slot, found = values[found].tolist(), slots[found].tolist(), found.tolist()
    buckets: dict[int, list[int]] = {s: [] for s in picked}
    # largest contribution first; sorted() is stable even reversed: ties keep model order
    for t in sorted(range(len(found)), key=contribution.__getitem__, reverse=True):
        bucket = buckets[slot[t]]
        if len(bucket) < TOP_FEATURES:
            bucket.append(found[t])
    return [buckets[s] for s in picked]


def decision_reasons(catalogue: ReasonCatalogue, matrix: np.ndarray, refused: np.ndarray,
                     contributions_of, max_reasons: int = MAX_REASONS) -> list[list[dict]]:
    """The reasons of each row of an encoded matrix, SHAP values computed for refusals only.

    Args:
        matrix: (clients, features) encoded rows in the catalogue's feature order; NaN is
            an unknown value.
        refused: (clients,) True for a refusal.
        contributions_of: encoded rows -> their SHAP values (log-odds), same columns.

    Granted rows cost nothing: most requests are approvals, and the API's latency is
    theirs.
    """
    out: list[list[dict]] = [[] for _ in range(len(matrix))]
    rows = np.flatnonzero(np.asarray(refused, dtype=bool))
    if rows.size:
        part = matrix[rows] if rows.size < len(matrix) else matrix
        found = catalogue.reasons(contributions_of(part), ~np.isnan(part),
                                  np.ones(rows.size, dtype=bool), max_reasons)
        for row, reasons in zip(rows.tolist(), found, strict=True):
            out[row] = reasons
    return out
