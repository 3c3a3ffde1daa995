"""What-if proposals for refused clients: granted at the proposal, refused one step before it."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from credit_scoring_kedro.serving import counterfactual
from credit_scoring_kedro.serving.counterfactual import what_would_change

THRESHOLD = 0.5
LEVER_COLUMNS = {"loan_amount": {"AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"},
                 "term": {"AMT_ANNUITY"}, "co_borrower_income": {"AMT_INCOME_TOTAL"}}
OPTIONS = {"currency": "€", "co_borrower": True,
           "loan_amount": {"step": 5000, "min_share": 0.1, "min_amount": 10000},
           "term": {"step_months": 6, "max_months": 60},
           "co_borrower_income": {"step": 5000, "max_multiple": 3.0}}

# Refused by the toy model: credit 3.5 and repayment 0.17 times the yearly income.
# The toy grants up to 460,000 (same term), from 12 more months, with 25,000 more income.
APPLICATION = {
    "SK_ID_CURR": 100001, "AMT_INCOME_TOTAL": 150000.0, "AMT_CREDIT": 529862.0,
    "AMT_ANNUITY": 25000.0, "AMT_GOODS_PRICE": 450000.0, "DAYS_BIRTH": -12000,
    "CODE_GENDER": "F", "CNT_CHILDREN": 1, "CNT_FAM_MEMBERS": 3.0,
    "NAME_FAMILY_STATUS": "Married", "EXT_SOURCE_2": 0.5, "DEF_30_CNT_SOCIAL_CIRCLE": 0.0,
    "AMT_REQ_CREDIT_BUREAU_YEAR": 2.0, "DAYS_LAST_PHONE_CHANGE": -400.0,
}


def toy_risk(record: dict) -> float:
    """Logistic in credit/income and repayment/income: monotone in every lever."""
    income, credit = record["AMT_INCOME_TOTAL"], record["AMT_CREDIT"]
    annuity = record.get("AMT_ANNUITY") or credit / 20      # unknown: a typical 20-month term
    return 1.0 / (1.0 + math.exp(-(-6.0 + credit / income + 20.0 * annuity / income)))


class Recorder:
    """A vectorised scorer that keeps a copy of every record it was asked to score."""

    def __init__(self, risk=toy_risk) -> None:
        self.risk = risk
        self.calls: list[list[dict]] = []

    def __call__(self, records: list[dict]) -> np.ndarray:
        self.calls.append(copy.deepcopy(records))
        return np.array([self.risk(r) for r in records])

    @property
    def records(self) -> list[dict]:
        return [r for call in self.calls for r in call]


def only(lever: str, **extra) -> dict:
    """OPTIONS with one lever enabled."""
    return {**OPTIONS, "co_borrower": lever == "co_borrower_income",
            "loan_amount": {**OPTIONS["loan_amount"], "enabled": lever == "loan_amount"},
            "term": {**OPTIONS["term"], "enabled": lever == "term"}, **extra}


def proposal_of(result: dict, lever: str) -> dict:
    (found,) = [p for p in result["proposals"] if p["lever"] == lever]
    return found


def at_step(record: dict, proposal: dict, steps_back: int, options: dict = OPTIONS) -> dict:
    """The application with the proposal's lever moved ``steps_back`` grid steps back toward it."""
    lever = proposal["lever"]
    if lever == "loan_amount":
        amount = proposal["proposed"] + steps_back * options["loan_amount"]["step"]
        factor = amount / record["AMT_CREDIT"]
        changed = {"AMT_CREDIT": amount, "AMT_ANNUITY": record["AMT_ANNUITY"] * factor}
        if record.get("AMT_GOODS_PRICE") is not None:
            changed["AMT_GOODS_PRICE"] = record["AMT_GOODS_PRICE"] * factor
    elif lever == "term":
        months = proposal["proposed"] - steps_back * options["term"]["step_months"]
        changed = {"AMT_ANNUITY": record["AMT_CREDIT"] / months}
    else:
        changed = {"AMT_INCOME_TOTAL": proposal["proposed"]
                   - steps_back * options["co_borrower_income"]["step"]}
    return {**record, **changed}


@pytest.mark.parametrize("points_per_round", [1, 7])
def test_largest_granted_amount_is_proposed(monkeypatch, points_per_round) -> None:
    monkeypatch.setattr(counterfactual, "POINTS_PER_ROUND", points_per_round)
    result = what_would_change(APPLICATION, Recorder(), THRESHOLD, only("loan_amount"))
    loan = proposal_of(result, "loan_amount")
    assert loan["proposed"] == 460000.0 and loan["proposed"] % 5000 == 0
    assert toy_risk(at_step(APPLICATION, loan, 0)) < THRESHOLD
    assert toy_risk(at_step(APPLICATION, loan, 1)) >= THRESHOLD
    # same term and same loan-to-price
    assert loan["proposed"] / loan["annuity"] == pytest.approx(529862.0 / 25000.0)
    assert loan["goods_price"] / loan["proposed"] == pytest.approx(450000.0 / 529862.0)
    assert loan["checked"] == {"proposed_granted": True, "next_step_refused": True,
                               "monotone": True}
    assert loan["sentence"].startswith("Approved for a loan of up to €460,000 with the same term")


def test_shortest_granted_term_extension_is_proposed() -> None:
    result = what_would_change(APPLICATION, Recorder(), THRESHOLD, only("term"))
    term = proposal_of(result, "term")
    assert term["extension_months"] == 12
    assert term["proposed"] == pytest.approx(529862.0 / 25000.0 + 12)
    assert toy_risk(at_step(APPLICATION, term, 0)) < THRESHOLD
    assert toy_risk(at_step(APPLICATION, term, 1)) >= THRESHOLD
    assert term["sentence"] == ("Approved with a term 12 months longer (about 33 months, "
                                "repayment €15,962 per month)")


def test_smallest_co_borrower_income_is_proposed_only_when_the_product_allows_it() -> None:
    result = what_would_change(APPLICATION, Recorder(), THRESHOLD, only("co_borrower_income"))
    income = proposal_of(result, "co_borrower_income")
    assert income["added_income"] == 25000.0
    assert toy_risk(at_step(APPLICATION, income, 0)) < THRESHOLD
    assert toy_risk(at_step(APPLICATION, income, 1)) >= THRESHOLD
    without = what_would_change(APPLICATION, Recorder(), THRESHOLD, {**OPTIONS, "co_borrower": False})
    assert [p["lever"] for p in without["proposals"]] == ["loan_amount", "term"]


def test_granted_clients_get_no_proposal() -> None:
    scorer = Recorder()
    granted = {**APPLICATION, "AMT_CREDIT": 200000.0, "AMT_ANNUITY": 10000.0}
    result = what_would_change(granted, scorer, THRESHOLD, OPTIONS)
    assert result["decision"] == "granted" and result["probability"] < THRESHOLD
    assert result["proposals"] == [] and result["message"] is None
    assert len(scorer.records) == 1


def test_no_lever_within_the_limits_gives_a_message() -> None:
    result = what_would_change(APPLICATION, Recorder(lambda r: 0.9), THRESHOLD,
                               {**OPTIONS, "co_borrower": False})
    assert result["decision"] == "refused" and result["proposals"] == []
    assert result["message"] == ("No change of amount or term within the product limits "
                                 "leads to an approval")


@pytest.mark.parametrize("lever", list(LEVER_COLUMNS))
def test_levers_change_only_their_own_columns(lever) -> None:
    scorer = Recorder()
    before = copy.deepcopy(APPLICATION)
    what_would_change(APPLICATION, scorer, THRESHOLD, only(lever))
    assert len(scorer.records) > 3
    changed = set()
    for record in scorer.records:
        assert record.keys() == APPLICATION.keys()
        changed |= {c for c in record if record[c] != APPLICATION[c]}
    assert changed and changed <= LEVER_COLUMNS[lever]
    assert APPLICATION == before                    # the caller's record is never modified


def test_a_refusal_just_past_the_grid_is_caught() -> None:
    """Refused at the asked amount only: the nice amount above it is granted, not monotone."""
    def risk(record: dict) -> float:
        return 0.9 if record["AMT_CREDIT"] == APPLICATION["AMT_CREDIT"] else 0.1

    result = what_would_change(APPLICATION, Recorder(risk), THRESHOLD, only("loan_amount"))
    assert result["proposals"] == []
    (dropped,) = result["not_proposed"]
    assert dropped["lever"] == "loan_amount"
    assert dropped["checked"]["proposed_granted"] is True
    assert dropped["checked"]["next_step_refused"] is False


def test_risk_rising_again_along_a_lever_drops_it() -> None:
    """A model refusing terms past 45 months again: the proposal itself is granted, but untrusted."""
    def risk(record: dict) -> float:
        longer = record["AMT_CREDIT"] / record["AMT_ANNUITY"] > 45
        return 1.0 / (1.0 + math.exp(-(math.log(toy_risk(record) / (1 - toy_risk(record)))
                                       + (1.0 if longer else 0.0))))

    result = what_would_change(APPLICATION, Recorder(risk), THRESHOLD, only("term"))
    assert result["proposals"] == []
    (dropped,) = result["not_proposed"]
    assert dropped["checked"] == {"proposed_granted": True, "next_step_refused": True,
                                  "monotone": False}
    assert result["message"] is not None


def test_a_lever_needing_an_unknown_amount_is_skipped() -> None:
    record = {**APPLICATION, "AMT_ANNUITY": None}
    result = what_would_change(record, Recorder(), THRESHOLD, OPTIONS)
    assert [p["lever"] for p in result["proposals"]] == ["co_borrower_income"]
    assert {n["lever"]: n["reason"] for n in result["not_proposed"]} == {
        "loan_amount": "The repayment not known", "term": "The repayment not known"}


def test_an_unknown_goods_price_stays_unknown() -> None:
    record = {k: v for k, v in APPLICATION.items() if k != "AMT_GOODS_PRICE"}
    scorer = Recorder()
    result = what_would_change(record, scorer, THRESHOLD, only("loan_amount"))
    loan = proposal_of(result, "loan_amount")
    assert loan["proposed"] == 460000.0 and loan["goods_price"] is None
    assert all("AMT_GOODS_PRICE" not in r for r in scorer.records)


def test_a_zero_step_is_refused() -> None:
    with pytest.raises(ValueError, match="term.step_months must be positive"):
        what_would_change(APPLICATION, Recorder(), THRESHOLD, {"term": {"step_months": 0}})


def test_the_catalog_options_run() -> None:
    from credit_scoring_kedro.serving.artifacts import load_artifact

    options = load_artifact("counterfactual_options")
    currency = load_artifact("feature_glossary")["currency"]["symbol"]
    result = what_would_change(APPLICATION, Recorder(), THRESHOLD,
                               options | {"currency": currency})
    assert [p["lever"] for p in result["proposals"]] == ["loan_amount", "term"]
    assert f"up to {currency}" in result["proposals"][0]["sentence"]


# ----- the trained demo model ---------------------------------------------------------------
@pytest.fixture(scope="module")
def served(trained_root):
    """(probabilities, refused clients' application records, threshold, options) of the model."""
    from credit_scoring_kedro.features.history_families import count_columns
    from credit_scoring_kedro.serving.artifacts import data_root, load_artifact
    from credit_scoring_kedro.serving.client_book import ClientBook
    from credit_scoring_kedro.serving.scorer import FastScorer, HistoryStore

    with data_root(trained_root):
        bundle = load_artifact("model_bundle")
        history = load_artifact("feat_client_history")
        clients = load_artifact("feat_test")
        options = load_artifact("counterfactual_options")
    columns = [c for c in history.columns if c in set(bundle.features)]
    scorer = FastScorer(bundle, HistoryStore.build(history, columns, count_columns()))
    book = ClientBook.build(clients, bundle, lambda m: scorer.probabilities(m, threads=1))
    refused = [i for i in sorted(book.row_of) if book.score(i)[1] == "refused"]
    assert refused
    records = [book.application_record(i) for i in refused]
    return ((lambda rs: scorer.score(rs)[0]), records, bundle.threshold,
            {**options, "co_borrower": True})


def walk(record: dict, lever: str, options: dict) -> list[dict]:
    """The application and every grid point of a lever, in the order the risk may only fall."""
    credit, annuity = record.get("AMT_CREDIT"), record.get("AMT_ANNUITY")
    income, goods = record.get("AMT_INCOME_TOTAL"), record.get("AMT_GOODS_PRICE")
    if lever == "loan_amount" and credit and annuity:
        step = options["loan_amount"]["step"]
        floor = max(options["loan_amount"]["min_share"] * credit,
                    options["loan_amount"]["min_amount"])
        amounts = sorted({credit, *np.arange(step * math.ceil(credit / step), floor, -step)},
                         reverse=True)
        return [{**record, "AMT_CREDIT": a, "AMT_ANNUITY": annuity * a / credit,
                 **({"AMT_GOODS_PRICE": goods * a / credit} if goods else {})} for a in amounts]
    if lever == "term" and credit and annuity:
        months = np.arange(credit / annuity, options["term"]["max_months"],
                           options["term"]["step_months"])
        return [record, *({**record, "AMT_ANNUITY": credit / m} for m in months[1:])]
    if lever == "co_borrower_income" and income:
        step = options["co_borrower_income"]["step"]
        added = np.arange(step, options["co_borrower_income"]["max_multiple"] * income, step)
        return [record, *({**record, "AMT_INCOME_TOTAL": income + a} for a in added)]
    return [record]


def test_real_model_proposals_are_granted_and_the_step_before_refused(served) -> None:
    probabilities, records, threshold, options = served
    checked = 0
    for record in records:
        result = what_would_change(record, probabilities, threshold, options)
        assert result["decision"] == "refused"
        for proposal in result["proposals"]:
            granted, before = probabilities([at_step(record, proposal, 0, options),
                                             at_step(record, proposal, 1, options)])
            assert granted < threshold <= before, proposal
            checked += 1
    assert checked, "no refused client got any proposal: nothing was checked"


def test_real_model_risk_never_rises_along_a_lever(served) -> None:
    """The bisection's premise: along each grid the served probability may only fall."""
    probabilities, records, _, options = served
    for record in records[:100]:
        for lever in LEVER_COLUMNS:
            risk = probabilities(walk(record, lever, options))
            rises = np.flatnonzero(np.diff(risk) > counterfactual.TOLERANCE)
            assert rises.size == 0, (lever, record["SK_ID_CURR"], risk[rises], risk[rises + 1])
