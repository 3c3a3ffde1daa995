"""A client beside a group of past clients the relationship manager chooses.

Past clients are the training clients: their outcome (repaid or had payment difficulties)
is known. The groups a manager can choose: all of them, the ones most like this client
(nearest neighbours of the similarity index), the same age band, the same income band,
the same contract type (bands as in the client search, :mod:`.client_profile`).

Everything is said in the client's units, with the explanations' formatters
(:class:`~credit_scoring_kedro.explain.units.FeatureUnits`): for each of the client's top
factors, where the client stands in the group (a percentile in words, "older than 72 % of
them") and the group's median; for one feature, the group's distribution over equal-width
bins as counts, repaid and difficulties side by side. Built once at API start-up from the
arrays the population comparison already holds; a request costs a few NumPy passes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from credit_scoring_kedro.explain.units import FeatureUnits
from credit_scoring_kedro.serving.client_profile import AGE_BANDS, INCOME_BANDS, band

ID = "SK_ID_CURR"
DAYS_PER_YEAR = 365.25
DEFAULT_GROUP = "similar"
#: group key -> what it is, as a manager reads it in a picker
GROUPS = {"similar": "Past clients most like this one",
          "age_band": "Past clients of the same age band",
          "income_band": "Past clients of the same income band",
          "contract_type": "Past clients with the same contract type",
          "all": "All past clients"}
#: The key figures of a past client, shown beside the client's own (profile order).
KEY_FIGURES = ("DAYS_BIRTH", "CNT_CHILDREN", "DAYS_EMPLOYED", "AMT_INCOME_TOTAL",
               "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "EXT_SOURCE_2", "EXT_SOURCE_3")
CONTRACT = "NAME_CONTRACT_TYPE"
_MAGNITUDE_KINDS = ("age", "elapsed")    # as the explainer: more negative days = older, longer
BINS = 10                                # about this many bins of equal width
_TAILS = (2.0, 98.0)                     # the axis spans these percentiles of all past clients
NOT_GIVEN = "not given"                  # client_profile's word for a missing field


@dataclass
class PeerGroups:
    """The past clients' values of the comparable features, their bands and outcomes."""

    features: list[str]
    values: np.ndarray            # (past clients, features) float32, raw feature values
    ids: np.ndarray               # SK_ID_CURR per row
    defaulted: np.ndarray         # bool per row (past clients without a known outcome dropped)
    age_band: np.ndarray          # object: the band's name or None
    income_band: np.ndarray
    contract_type: np.ndarray
    units: FeatureUnits
    labels: dict[str, str]
    comparative: dict[str, tuple[str, str]]   # feature -> ("younger", "older")
    currency: str = ""

    @classmethod
    def build(cls, features: list[str], values: np.ndarray, ids: np.ndarray,
              outcomes: dict[int, int], contract_type: np.ndarray, units: FeatureUnits,
              labels: dict[str, str], levels: dict[str, tuple[str, str]],
              currency: str = "") -> PeerGroups:
        """``outcomes``: SK_ID_CURR -> TARGET of the past clients (the similarity index's).

        ``levels``: the explainer's level words per feature ("younger than most clients",
        ...), of which the comparative ("younger") is kept.
        """
        ids, values = np.asarray(ids), np.asarray(values, dtype=np.float32)
        contract = np.asarray(contract_type, dtype=object)
        known = np.array([int(i) in outcomes for i in ids], dtype=bool)
        if not known.all():   # every training client has one: no copy of the values then
            ids, values, contract = ids[known], values[known], contract[known]
        defaulted = np.array([outcomes[int(i)] == 1 for i in ids], dtype=bool)
        column = {f: i for i, f in enumerate(features)}
        ages = (np.abs(values[:, column["DAYS_BIRTH"]]) / DAYS_PER_YEAR
                if "DAYS_BIRTH" in column else np.full(len(ids), np.nan))
        incomes = (values[:, column["AMT_INCOME_TOTAL"]] if "AMT_INCOME_TOTAL" in column
                   else np.full(len(ids), np.nan))
        comparative = {f: tuple(w.split(" than")[0] for w in words)
                       for f, words in levels.items()}
        return cls(list(features), values, ids, defaulted,
                   np.array([band(float(a), AGE_BANDS) for a in ages], dtype=object),
                   np.array([band(float(v), INCOME_BANDS) for v in incomes], dtype=object),
                   contract, units, labels, comparative, currency)

    def __post_init__(self) -> None:
        self._column = {f: i for i, f in enumerate(self.features)}
        self._row = {int(i): r for r, i in enumerate(self.ids)}
        self._axes: dict[str, tuple[float, float]] = {}

    def __len__(self) -> int:
        return len(self.ids)

    # ----- groups ----------------------------------------------------------------------------
    def members(self, group: str, client: dict, neighbours: list[int]) -> tuple[np.ndarray, str]:
        """The rows of the group and its name for this client ("Past clients aged 35-44").

        An empty array when the client's own band is unknown (e.g. no income given).
        """
        if group == "all":
            return np.arange(len(self.ids)), GROUPS["all"]
        if group == "similar":
            rows = np.array([self._row[i] for i in neighbours if i in self._row], dtype=int)
            return rows, f"The {len(rows)} past clients most like this one"
        if group == "age_band":
            age = client.get("DAYS_BIRTH")
            name = band(abs(float(age)) / DAYS_PER_YEAR, AGE_BANDS) if _known(age) else None
            return self._where(self.age_band, name), (f"Past clients aged {name}" if name
                                                      else "Past clients of the same age")
        if group == "income_band":
            income = client.get("AMT_INCOME_TOTAL")
            name = band(float(income), INCOME_BANDS) if _known(income) else None
            return self._where(self.income_band, name), (
                f"Past clients with a yearly income of {self._money_band(name)}" if name
                else "Past clients of the same income band")
        if group == "contract_type":
            name = client.get(CONTRACT)
            name = name if isinstance(name, str) and name else None
            return self._where(self.contract_type, name), (
                f"Past clients with {self.units.category(name).lower()}" if name
                else "Past clients with the same contract type")
        raise KeyError(group)

    def _where(self, column: np.ndarray, value: str | None) -> np.ndarray:
        if value is None:
            return np.empty(0, dtype=int)
        return np.flatnonzero(column == value)

    def _money_band(self, name: str) -> str:
        # "100k-150k" -> "€100k to €150k"; "under 100k" -> "under €100k"
        words = name.replace("-", " to ").split(" ")
        return " ".join(f"{self.currency}{w}" if w[:1].isdigit() else w for w in words)

    def summary(self, rows: np.ndarray) -> dict:
        """Size and share of payment difficulties of a group."""
        size = int(rows.size)
        defaulted = int(self.defaulted[rows].sum()) if size else 0
        return {"size": size, "defaulted": defaulted, "repaid": size - defaulted,
                "default_rate": defaulted / size if size else None}

    # ----- where the client stands -----------------------------------------------------------
    def holds(self, feature: str) -> bool:
        return feature in self._column

    def standing(self, feature: str, value: float | None, rows: np.ndarray) -> dict:
        """The client's value, its percentile in the group in words, the group's median.

        The percentile counts half of the ties (a client equal to everyone stands at 50 %).
        Day counts are compared as the explainer does: a more negative age is older.
        """
        group = self._known_values(feature, rows)
        out = {"feature": feature, "label": self.labels.get(feature, feature),
               "client_display": self.units.format(feature, value),
               "group_median_display": (self.units.format(feature, float(np.median(group)))
                                        if group.size else None),
               "known_in_group": int(group.size), "percentile": None, "standing": None}
        if not _known(value) or not group.size:
            out["standing"] = ("not known for this client" if not _known(value)
                               else "no value known in this group")
            return out
        flip = self.units.kind(feature) in _MAGNITUDE_KINDS
        mine, theirs = (-float(value), -group) if flip else (float(value), group)
        below = float(np.count_nonzero(theirs < mine))
        ties = float(np.count_nonzero(theirs == mine))
        percentile = 100.0 * (below + ties / 2) / group.size
        out["percentile"] = round(percentile, 1)
        out["standing"] = self.standing_words(feature, percentile)
        return out

    def standing_words(self, feature: str, percentile: float) -> str:
        """'older than 72 % of them', 'lower than 90 % of them', 'about the middle of them'."""
        lower, higher = self.comparative.get(feature, ("lower", "higher"))
        if 45 <= percentile <= 55:
            return "about the middle of them"
        if percentile > 50:
            return f"{higher} than {_whole(percentile)} % of them"
        return f"{lower} than {_whole(100 - percentile)} % of them"

    # ----- distribution ----------------------------------------------------------------------
    def axis(self, feature: str) -> dict:
        """How the feature's axis reads: title with its unit, and how a raw value is shown."""
        kind = self.units.kind(feature)
        label = self.labels.get(feature, feature)
        if feature.startswith("DAYS_"):
            return {"title": f"{label} (years)", "scale": "years", "prefix": "", "suffix": ""}
        if kind == "money":
            return {"title": f"{label} ({self.currency or 'amount'})", "scale": "money",
                    "prefix": self.currency, "suffix": ""}
        if kind in ("score", "building", "percent"):
            unit = "%" if kind == "percent" else "out of 100"
            return {"title": f"{label} ({unit})", "scale": "hundredths", "prefix": "",
                    "suffix": " %" if kind == "percent" else ""}
        return {"title": label, "scale": "plain", "prefix": "", "suffix": ""}

    def shown(self, feature: str, values: np.ndarray) -> np.ndarray:
        """Raw values on the axis' scale (years for day counts, x100 for scores and shares)."""
        values = np.asarray(values, dtype=float)
        scale = self.axis(feature)["scale"]
        if scale == "years":
            return np.abs(values) / DAYS_PER_YEAR
        if scale == "hundredths":
            return values * 100
        return values

    def distribution(self, feature: str, value: float | None, rows: np.ndarray) -> dict:
        """The group's values over equal-width bins, as counts of repaid and of difficulties.

        The axis spans the 2nd to 98th percentile of all past clients (so one very large
        income does not squash the rest), in round steps; the first and last bins also hold
        the values beyond. The client's bin is marked.
        """
        axis = self.axis(feature)
        edges = self._edges(feature)
        column = self.values[rows, self._column[feature]].astype(float)
        keep = np.isfinite(column)
        shown = self.shown(feature, column[keep])
        inside = np.clip(shown, edges[0], edges[-1])
        bins = np.clip(np.searchsorted(edges, inside, side="right") - 1, 0, len(edges) - 2)
        defaulted = self.defaulted[rows][keep]
        counts_bad = np.bincount(bins[defaulted], minlength=len(edges) - 1)
        counts_good = np.bincount(bins[~defaulted], minlength=len(edges) - 1)
        client_bin, client_shown = None, None
        if _known(value):
            client_shown = float(self.shown(feature, [value])[0])
            client_bin = int(np.clip(np.searchsorted(edges, client_shown, side="right") - 1,
                                     0, len(edges) - 2))
        names = _bin_names(edges, axis["prefix"], axis["suffix"])
        return {"feature": feature, "label": self.labels.get(feature, feature),
                "axis_title": axis["title"], "bin_edges": [float(e) for e in edges],
                "bins": names, "repaid": counts_good.astype(int).tolist(),
                "defaulted": counts_bad.astype(int).tolist(),
                "unknown": int((~keep).sum()), "client_bin": client_bin,
                "client_value": client_shown,
                "client_display": self.units.format(feature, value)}

    def _edges(self, feature: str) -> np.ndarray:
        if feature not in self._axes:
            every = self.values[:, self._column[feature]].astype(float)
            every = self.shown(feature, every[np.isfinite(every)])
            low, high = (np.percentile(every, _TAILS) if every.size else (0.0, 1.0))
            self._axes[feature] = (float(low), float(high))
        return _round_edges(*self._axes[feature])

    def _known_values(self, feature: str, rows: np.ndarray) -> np.ndarray:
        column = self.values[rows, self._column[feature]].astype(float)
        return column[np.isfinite(column)]

    # ----- past clients ----------------------------------------------------------------------
    def key_figures(self, client_id: int) -> dict[str, str]:
        """A past client's key figures in words (``KEY_FIGURES`` held, then the contract type)."""
        row = self._row.get(int(client_id))
        if row is None:
            return {}
        out = {f: _said(self.units, f, float(self.values[row, self._column[f]]))
               for f in KEY_FIGURES if f in self._column}
        contract = self.contract_type[row]
        out[CONTRACT] = self.units.category(contract) if isinstance(contract, str) else NOT_GIVEN
        return out

    def key_figure_labels(self) -> list[dict]:
        return [{"feature": f, "label": self.labels.get(f, f)}
                for f in (*KEY_FIGURES, CONTRACT) if f in self._column or f == CONTRACT]


def _said(units: FeatureUnits, feature: str, value: float) -> str:
    # "not given", as the client information page says of a missing field
    return units.format(feature, value) if _known(value) else NOT_GIVEN


def _known(value) -> bool:
    if value is None:
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _whole(percent: float) -> int:
    return int(min(99, max(1, round(percent))))


def _round_edges(low: float, high: float, bins: int = BINS) -> np.ndarray:
    """Edges of about ``bins`` equal bins covering [low, high], at a round step (1, 2, 2.5, 5 x 10^k)."""
    if not high > low:
        high = low + 1.0
    raw = (high - low) / bins
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    count = max(1, math.ceil((high - start) / step - 1e-9))
    return np.round(start + step * np.arange(count + 1), 10)


def _bin_names(edges: np.ndarray, prefix: str, suffix: str) -> list[str]:
    def number(x: float) -> str:
        text = f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:,.1f}"
        return f"{prefix}{text}{suffix}"

    last = len(edges) - 2
    names = []
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        if i == 0 and last > 0:
            names.append(f"under {number(b)}")
        elif i == last and last > 0:
            names.append(f"{number(a)} and over")
        else:
            names.append(f"{number(a)} to {number(b)}")
    return names
