"""What a refused client could change to be granted: a smaller loan, a longer term, a co-borrower.

A refusal is only useful to the client with a way out they control. Each lever moves the
application's own columns and nothing else (never age, gender, family or history): the loan
amount (credit, repayment and goods price scaled together, so the term and the loan-to-price
stay), the term (a smaller repayment for the same credit) and, where the product allows it,
a co-borrower's added income. Each lever walks a grid of product-sized steps, from no change
to the product's limit.

The model is constrained to be monotone in these levers, so along a grid the refusals come
first and the approvals after: the first approval is found by bisection in a few scoring
calls. A model that is not monotone after all would make that answer wrong without notice,
so the answer is re-scored in a separate call and every probability seen along the grid is
checked for monotonicity; a lever failing a check is not proposed (and a warning logged).

Independent of Flask and of the model: ``probabilities`` is any vectorised scorer of raw
application records (the service passes ``lambda records: scorer.score(records)[0]``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

Probabilities = Callable[[list[dict]], np.ndarray]

CREDIT, ANNUITY, GOODS, INCOME = "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "AMT_INCOME_TOTAL"
LEVERS = ("loan_amount", "term", "co_borrower_income")
_NAMES = {"loan_amount": "amount", "term": "term", "co_borrower_income": "co-borrower income"}

#: Grid points scored per bisection round. A call's fixed cost (building the feature rows)
#: dominates: on the demo model's FastScorer (2 shared cores) one call costs ~0.6 ms for 1
#: row, ~1.2 ms for 7, ~3.6 ms for 64. All three levers of a refused client then took
#: ~9 ms with 3 to 7 points per round (11 calls), ~12 ms by plain bisection (20 calls) and
#: ~16-20 ms scoring each whole grid at once (216 rows).
POINTS_PER_ROUND = 7

#: Probabilities may tie, never rise, along a monotone lever; this absorbs float noise only.
TOLERANCE = 1e-9

DEFAULTS: dict[str, Any] = {
    "currency": "",
    "co_borrower": False,
    "loan_amount": {"enabled": True, "step": 5000, "min_share": 0.1, "min_amount": 10000},
    "term": {"enabled": True, "step_months": 6, "max_months": 60},
    "co_borrower_income": {"step": 5000, "max_multiple": 3.0},
}


@dataclass(frozen=True)
class _Grid:
    """Steps 1..steps of one lever, each a bigger change than the last; step 0 is refused.

    ``change(k)`` gives the lever's columns at step k. Step 0 is the last point before the
    grid (the application itself, or for the amount the nice amount at or above it);
    ``application_at`` places the application on the same axis for the monotonicity check.
    """

    lever: str
    steps: int
    change: Callable[[int], dict[str, float]]
    application_at: float
    describe: Callable[[int, float], dict]


def what_would_change(record: Mapping, probabilities: Probabilities, threshold: float,
                      options: Mapping | None = None) -> dict:
    """The smallest change of each configured lever that turns a refusal into an approval.

    Args:
        record: One raw application (``AMT_CREDIT``, ``AMT_ANNUITY``, ... possibly None);
            never modified.
        probabilities: Records -> probability of default of each, as served (calibrated).
        threshold: Refused when the probability reaches it.
        options: The ``counterfactual_options`` catalog entry (``conf/base/counterfactual.yml``).

    Returns:
        ``{"decision", "probability", "proposals", "not_proposed", "message"}``: one proposal
        per lever that leads to an approval (``lever``, ``current``, ``proposed``,
        ``probability``, ``checked``, ``sentence`` and the lever's own amounts); the levers
        not proposed with the reason (``checked`` too when the model failed a check);
        ``message`` says why nothing is proposed to a refused client, None otherwise.
    """
    settings = _settings(options or {})
    probability = float(np.asarray(probabilities([dict(record)]), dtype=float)[0])
    decision = "refused" if probability >= threshold else "granted"
    result = {"decision": decision, "probability": probability, "proposals": [],
              "not_proposed": [], "message": None}
    if decision == "granted":
        return result
    for lever in _enabled_levers(settings):
        grid = _GRIDS[lever](record, settings)
        if isinstance(grid, str):
            result["not_proposed"].append({"lever": lever, "reason": grid})
            continue
        proposal, refusal = _search(grid, record, probabilities, threshold, probability)
        if proposal is not None:
            result["proposals"].append(proposal)
        else:
            result["not_proposed"].append({"lever": lever, **refusal})
    if not result["proposals"]:
        tried = [_NAMES[lever] for lever in _enabled_levers(settings)] or ["the application"]
        listed = tried[-1] if len(tried) == 1 else f"{', '.join(tried[:-1])} or {tried[-1]}"
        result["message"] = f"No change of {listed} within the product limits leads to an approval"
    return result


def _settings(options: Mapping) -> dict:
    """Options over the defaults, block by block, with the steps checked."""
    settings = {key: ({**value, **(options.get(key) or {})} if isinstance(value, dict)
                      else options.get(key, value)) for key, value in DEFAULTS.items()}
    for block, key in (("loan_amount", "step"), ("term", "step_months"),
                       ("co_borrower_income", "step")):
        if not settings[block][key] > 0:
            raise ValueError(f"counterfactual option {block}.{key} must be positive, "
                             f"got {settings[block][key]!r}")
    return settings


def _enabled_levers(settings: dict) -> list[str]:
    return [lever for lever in LEVERS
            if (settings["co_borrower"] if lever == "co_borrower_income"
                else settings[lever]["enabled"])]


def _positive(record: Mapping, column: str) -> float | None:
    value = record.get(column)
    if value is None or not math.isfinite(float(value)) or float(value) <= 0:
        return None
    return float(value)


#: Plain names of the columns a lever reads, for the reason a lever is not proposed.
_PLAIN = {CREDIT: "the loan amount", ANNUITY: "the repayment", GOODS: "the goods price",
          INCOME: "the income"}


def _missing(record: Mapping, *columns: str) -> str | None:
    absent = [_PLAIN.get(c, c) for c in columns if _positive(record, c) is None]
    return f"{' and '.join(absent)} not known".capitalize() if absent else None


def _money(value: float, currency: str) -> str:
    """The glossary's convention (explain/units.py): the symbol first, "€310,000"."""
    return f"{currency}{value:,.0f}"


def _loan_amount_grid(record: Mapping, settings: dict) -> _Grid | str:
    """Nice amounts below the asked one, credit, repayment and goods price scaled together."""
    missing = _missing(record, CREDIT, ANNUITY)
    if missing:
        return missing
    credit, annuity, goods = _positive(record, CREDIT), _positive(record, ANNUITY), record.get(GOODS)
    options, currency = settings["loan_amount"], settings["currency"]
    step = float(options["step"])
    top = step * math.ceil(credit / step)          # step 0: the nice amount at or above the ask
    floor = max(options["min_share"] * credit, options["min_amount"])
    steps = max(0, math.floor((top - floor) / step))

    def amount(k: int) -> float:
        return top - k * step

    def change(k: int) -> dict[str, float]:
        factor = amount(k) / credit
        scaled = {CREDIT: amount(k), ANNUITY: annuity * factor}
        if goods is not None:                        # an unknown price stays unknown
            scaled[GOODS] = float(goods) * factor
        return scaled

    def describe(k: int, p: float) -> dict:
        values = change(k)
        return {"lever": "loan_amount", "current": credit, "proposed": amount(k),
                "annuity": values[ANNUITY], "goods_price": values.get(GOODS), "probability": p,
                "sentence": f"Approved for a loan of up to {_money(amount(k), currency)} with "
                            f"the same term (repayment {_money(values[ANNUITY], currency)} "
                            "per month)"}

    return (_Grid("loan_amount", steps, change, (top - credit) / step, describe) if steps
            else "no amount on the grid within the product limits")


def _term_grid(record: Mapping, settings: dict) -> _Grid | str:
    """Longer terms in whole steps: the same credit, a smaller repayment."""
    missing = _missing(record, CREDIT, ANNUITY)
    if missing:
        return missing
    credit, annuity = _positive(record, CREDIT), _positive(record, ANNUITY)
    options, currency = settings["term"], settings["currency"]
    months = credit / annuity                       # CREDIT_TERM_MONTHS, as the features compute it
    step = float(options["step_months"])
    # LightGBM is flat beyond the longest term seen in training (about 45 months on Home
    # Credit): a max_months past it lengthens the loan with no effect on the score.
    steps = max(0, math.floor((options["max_months"] - months) / step))

    def change(k: int) -> dict[str, float]:
        return {ANNUITY: annuity if k == 0 else credit / (months + k * step)}

    def describe(k: int, p: float) -> dict:
        longer = months + k * step
        return {"lever": "term", "current": months, "proposed": longer,
                "extension_months": k * step, "annuity": credit / longer,
                "current_annuity": annuity, "probability": p,
                "sentence": f"Approved with a term {k * step:g} months longer (about "
                            f"{round(longer)} months, repayment "
                            f"{_money(credit / longer, currency)} per month)"}

    return (_Grid("term", steps, change, 0.0, describe) if steps
            else "the term is already at the product's longest")


def _co_borrower_grid(record: Mapping, settings: dict) -> _Grid | str:
    """A co-borrower's yearly income added to the client's, in steps, up to a multiple of it."""
    missing = _missing(record, INCOME)
    if missing:
        return missing
    income = _positive(record, INCOME)
    options, currency = settings["co_borrower_income"], settings["currency"]
    step = float(options["step"])
    steps = max(0, math.floor(options["max_multiple"] * income / step))

    def change(k: int) -> dict[str, float]:
        return {INCOME: income + k * step}

    def describe(k: int, p: float) -> dict:
        return {"lever": "co_borrower_income", "current": income, "proposed": income + k * step,
                "added_income": k * step, "probability": p,
                "sentence": f"Approved with a co-borrower adding {_money(k * step, currency)} "
                            "of yearly income"}

    return (_Grid("co_borrower_income", steps, change, 0.0, describe) if steps
            else "no co-borrower income on the grid within the product limits")


_GRIDS = {"loan_amount": _loan_amount_grid, "term": _term_grid,
          "co_borrower_income": _co_borrower_grid}


def _search(grid: _Grid, record: Mapping, probabilities: Probabilities, threshold: float,
            application_probability: float) -> tuple[dict | None, dict]:
    """(proposal, {}) at the grid's first approval, or (None, why not) when there is none.

    Bisection assumes the approvals form the end of the grid; the checks catch a model
    for which they do not.
    """
    seen: dict[int, float] = {}

    def score(ks: list[int]) -> np.ndarray:
        records = [{**record, **grid.change(k)} for k in ks]   # new dicts: the caller's stays
        return np.asarray(probabilities(records), dtype=float)

    def run(ks: list[int]) -> np.ndarray:
        found = score(ks)
        seen.update(zip(ks, found.tolist(), strict=True))
        return found

    if run([grid.steps])[0] >= threshold:        # the product's limit is refused: nothing is granted
        return None, {"reason": "no approval within the product limits"}
    refused, granted = 0, grid.steps
    while granted - refused > 1:
        inner = _between(refused, granted, POINTS_PER_ROUND)
        found = run(inner)
        approvals = [k for k, p in zip(inner, found, strict=True) if p < threshold]
        granted = min(approvals, default=granted)
        refused = max([k for k in inner if k < granted], default=refused)
    # a separate call, as an audit would make it: the answer and the step before it
    proposed, before = score([granted, granted - 1]).tolist()
    points = [*seen.items(), (granted, proposed), (granted - 1, before),
              (grid.application_at, application_probability)]
    checked = {"proposed_granted": proposed < threshold, "next_step_refused": before >= threshold,
               "monotone": _monotone(points)}
    if not all(checked.values()):
        logger.warning("counterfactual: lever %s not proposed, the model failed %s along it",
                       grid.lever, [name for name, ok in checked.items() if not ok])
        return None, {"reason": "the model is not monotone along this lever",
                      "checked": checked}
    return {**grid.describe(granted, proposed), "checked": checked}, {}


def _between(low: int, high: int, count: int) -> list[int]:
    """Up to ``count`` integers evenly spread strictly between ``low`` and ``high``."""
    if high - low - 1 <= count:
        return list(range(low + 1, high))
    return sorted({low + round((i + 1) * (high - low) / (count + 1)) for i in range(count)})


def _monotone(points: list[tuple[float, float]]) -> bool:
    """Whether no probability rises as the change grows, over (position, probability) pairs."""
    position, probability = np.array(points, dtype=float).T
    further = position[None, :] > position[:, None]
    rises = probability[None, :] > probability[:, None] + TOLERANCE
    return not bool((further & rises).any())
