"""Each client page shows what the live API answers: score, decision, reasons, record, peers."""

from __future__ import annotations

import html
import re

import pytest
from apptest import bullet_lists, numbered, open_page, position, texts


def shown_percent(text: str) -> float:
    """'11.4 %' -> 0.114"""
    return float(text.replace("%", "").strip()) / 100


def chart(at, css_class: str) -> str:
    """The HTML of the page's chart of this class (dashboard.charts)."""
    return next(t for t in texts(at.markdown) if f'class="{css_class}"' in t)


def attributes(markup: str, element: str, *names: str) -> list[tuple[str, ...]]:
    """The ``data-*`` attributes of every ``element`` (a class) of a chart, in order."""
    found = []
    for tag in re.findall(rf'<div class="{element}"[^>]*>', markup):
        found.append(tuple(html.unescape(re.search(rf'data-{n}="([^"]*)"', tag)[1])
                           for n in names))
    return found


@pytest.mark.parametrize("decision", ["granted", "refused"])
def test_score_card_shows_the_apis_probability_decision_reading_and_version(
        dashboard_env, granted_and_refused, decision) -> None:
    client_id = granted_and_refused[decision]
    expected = dashboard_env.get(f"/clients/{client_id}/score")
    at = open_page("views/score_card.py", client_id)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    probability = metrics["Probability of payment difficulties"]
    assert shown_percent(probability) == pytest.approx(expected["probability"], abs=5e-4)
    assert shown_percent(metrics["Refusal threshold"]) == pytest.approx(expected["threshold"],
                                                                        abs=5e-4)
    words = {"granted": "Credit granted", "refused": "Credit refused"}[expected["decision"]]
    assert expected["decision"] == decision
    assert metrics["Decision"] == words
    banner = (at.success if decision == "granted" else at.error)[0]
    assert words in banner.value and banner.icon  # an icon and words, not colour alone
    assert any(expected["reading"] in text for text in texts(at.info))
    assert any(expected["model_version"] in text for text in texts(at.caption))
    bar = next(t for t in texts(at.markdown) if 'class="probability-bar"' in t)
    shown = re.search(r'data-probability="([0-9.]+)" data-threshold="([0-9.]+)"', bar)
    assert float(shown[1]) == pytest.approx(expected["probability"], abs=1e-6)
    assert float(shown[2]) == pytest.approx(expected["threshold"], abs=1e-6)
    assert f"Threshold {100 * expected['threshold']:.1f} %" in bar   # the threshold marked
    alt = html.unescape(re.search(r'aria-label="([^"]*)"', bar)[1])  # the bar's text twin, read
    assert words.lower() in alt and alt in texts(at.caption)  # aloud and shown below it


def test_explanation_lists_the_apis_sentences_and_draws_its_contributions(
        dashboard_env, granted_and_refused) -> None:
    client_id = granted_and_refused["refused"]
    expected = dashboard_env.get(f"/clients/{client_id}/explanation")
    at = open_page("views/explanation.py", client_id)
    assert not at.exception
    items = texts(at.markdown)
    raising = [t.removeprefix("- ▲ ") for t in items if t.startswith("- ▲ ")]
    lowering = [t.removeprefix("- ▼ ") for t in items if t.startswith("- ▼ ")]
    assert raising == [f["sentence"] for f in expected["raises_risk"]]
    assert lowering == [f["sentence"] for f in expected["lowers_risk"]]
    assert raising or lowering
    markup = chart(at, "factor-chart")
    bars = attributes(markup, "factor", "feature", "contribution")
    factors = expected["raises_risk"] + expected["lowers_risk"]
    assert sorted(float(c) for _, c in bars) == pytest.approx(
        sorted(f["contribution"] for f in factors), abs=1e-6)
    for factor in factors:                      # direction also as a symbol, value in words
        mark = "▲" if factor["contribution"] > 0 else "▼"
        assert f"{mark} {html.escape(factor['label'])}" in markup
        assert html.escape(factor["display"]) in markup
    caption = " ".join(texts(at.caption))
    assert all(f["label"] in caption for f in factors)
    assert "SHAP" not in caption and "log-odds" not in caption    # no developer words


def test_client_information_shows_labels_and_readable_values(dashboard_env,
                                                             granted_and_refused) -> None:
    client_id = granted_and_refused["granted"]
    expected = dashboard_env.get(f"/clients/{client_id}")["fields"]
    at = open_page("views/client_info.py", client_id)
    assert not at.exception
    table = at.table[0].value
    assert list(table["Information"]) == [f["label"] for f in expected]
    assert list(table["Value"]) == [f["display"] for f in expected]
    assert not set(table["Information"]) & {f["name"] for f in expected if f["name"] != f["label"]}


def test_comparison_sets_the_client_beside_the_group_the_manager_chooses(
        dashboard_env, granted_and_refused) -> None:
    client_id = granted_and_refused["refused"]
    at = open_page("views/comparison.py", client_id)
    assert not at.exception
    picker = at.selectbox(key="compare-group")
    expected = dashboard_env.get(f"/clients/{client_id}/comparison")
    assert picker.value == "similar"
    assert picker.options == [g["label"] for g in expected["groups"]]   # shown in words
    picker.select("age_band").run()                    # the manager's choice
    assert not at.exception
    expected = dashboard_env.get(f"/clients/{client_id}/comparison", group="age_band")
    assert expected["group"]["name"].startswith("Past clients aged ")
    assert any(expected["group"]["name"] in t and f"{expected['group']['size']:,} past clients"
               in t for t in texts(at.markdown))
    table = at.table[0].value                            # where the client stands
    assert list(table["Factor"]) == [f["label"] for f in expected["factors"]]
    assert list(table["This client"]) == [f["client_display"] for f in expected["factors"]]
    assert list(table["Median of the group"]) == [
        f["group_median_display"] or "not known" for f in expected["factors"]]
    assert list(table["Where the client stands"]) == [f["standing"] for f in expected["factors"]]
    markup = chart(at, "group-chart")
    assert 'data-group="age_band"' in markup
    distribution = expected["distribution"]
    counts = attributes(markup, "bin", "repaid", "defaulted")
    assert [(int(a), int(b)) for a, b in counts] == list(
        zip(distribution["repaid"], distribution["defaulted"], strict=True))
    assert "▼ This client" in markup and html.escape(distribution["bins"][0]) in markup
    assert at.selectbox(key="compare-feature").value == distribution["feature"]

    at.selectbox(key="compare-feature").select("AMT_INCOME_TOTAL").run()   # another feature
    assert not at.exception
    assert 'data-feature="AMT_INCOME_TOTAL"' in chart(at, "group-chart")
    assert 'data-group="age_band"' in chart(at, "group-chart")             # group kept


def test_similar_clients_are_a_table_whose_rows_open_their_figures(dashboard_env,
                                                                   granted_and_refused) -> None:
    client_id = granted_and_refused["refused"]
    similar = dashboard_env.get(f"/clients/{client_id}/similar", k=10)
    at = open_page("views/comparison.py", client_id)
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["Past client"]) == [str(c["client_id"]) for c in similar["clients"]]
    assert list(table["Outcome"]) == ["✖ Difficulties" if c["defaulted"]
                                      else "✔ Repaid" for c in similar["clients"]]
    assert list(table["Loan amount"]) == [c["figures"]["AMT_CREDIT"] for c in similar["clients"]]
    assert not {"AMT_CREDIT", "DAYS_BIRTH"} & set(table.columns)
    at.session_state["similar-clients"] = {"selection": {"rows": [1], "columns": [],
                                                         "cells": []}}
    at.run()
    assert not at.exception
    other = similar["clients"][1]
    beside = at.table[-1].value
    assert list(beside.columns) == ["Figure", f"Client {client_id}",
                                    f"Past client {other['client_id']}"]
    mine = {f["label"]: f["display"] for f in dashboard_env.get(f"/clients/{client_id}")["fields"]}
    row = beside[beside["Figure"] == "Loan amount"].iloc[0]
    assert row[f"Client {client_id}"] == mine["Loan amount"]
    assert row[f"Past client {other['client_id']}"] == other["figures"]["AMT_CREDIT"]


def typed(value: float) -> str:
    """An amount as a manager types it (thousands separated, no decimals)."""
    return f"{value:,.0f}"


def rescore(at, values: dict[str, float], client_id: int):
    for column, value in values.items():
        at.text_input(key=f"wi-{client_id}-{column}").input(typed(value))
    return next(b for b in at.button if b.label == "Re-score").click().run()


def suggestion_values(proposal: dict) -> dict[str, float]:
    """The form's fields a proposal of ``what_would_change`` moves, at its proposed values."""
    values = {
        "loan_amount": {"AMT_CREDIT": proposal["proposed"], "AMT_ANNUITY": proposal.get("annuity"),
                        "AMT_GOODS_PRICE": proposal.get("goods_price")},
        "term": {"AMT_ANNUITY": proposal.get("annuity")},
        "co_borrower_income": {"AMT_INCOME_TOTAL": proposal["proposed"]},
    }[proposal["lever"]]
    return {k: v for k, v in values.items() if v is not None}


def test_what_if_rescores_a_tried_suggestion_as_a_simulation(dashboard_env, refusals) -> None:
    assert "proposals" in refusals, "the demo data has no refused client with proposals"
    client_id = refusals["proposals"]
    record = dashboard_env.get(f"/clients/{client_id}")["application"]
    current = dashboard_env.get(f"/clients/{client_id}/score")
    values = suggestion_values(current["what_would_change"]["proposals"][0])
    values = {k: float(round(v)) for k, v in values.items()}     # what a manager types
    expected = dashboard_env.post("/simulate", {"clients": [{**record, **values}]})
    expected = expected["predictions"][0]
    assert expected["probability"] != pytest.approx(current["probability"], abs=1e-6)

    at = open_page("views/what_if.py", client_id)
    assert not at.exception
    credit = at.text_input(key=f"wi-{client_id}-AMT_CREDIT")
    assert credit.value == typed(record["AMT_CREDIT"])      # prefilled, thousands separated
    assert credit.label == "Loan amount (€)"                # the glossary's label, the currency
    rescore(at, values, client_id)
    assert not at.exception
    metrics = {m.label: m for m in at.metric}
    assert shown_percent(metrics["Current probability"].value) == pytest.approx(
        current["probability"], abs=5e-4)
    new = metrics["With the changes"]
    assert shown_percent(new.value) == pytest.approx(expected["probability"], abs=5e-4)
    points = 100 * (expected["probability"] - current["probability"])
    assert new.delta == f"{points:+.1f} points"
    words = "Credit granted" if expected["decision"] == "granted" else "Credit refused"
    assert any(words in text for text in texts(at.success) + texts(at.error))
    assert numbered(at) == [r["reason"] for r in expected["reasons"]]
    assert expected["decision"] == "granted"          # the suggestion, tried, is approved


def test_what_if_is_never_a_logged_decision(dashboard_env, granted_and_refused) -> None:
    client_id = granted_and_refused["refused"]
    record = dashboard_env.get(f"/clients/{client_id}")["application"]
    at = open_page("views/what_if.py", client_id)
    caption = " ".join(texts(at.caption))
    assert "nothing is saved" in caption and "not a credit decision" in caption
    logged = dashboard_env.logged()
    rescore(at, {"AMT_CREDIT": record["AMT_CREDIT"] / 2}, client_id)
    assert not at.exception and "With the changes" in [m.label for m in at.metric]
    assert dashboard_env.logged() == logged                  # POST /simulate, not /predict
    dashboard_env.post("/predict", {"clients": [record]})    # a real decision is counted
    assert dashboard_env.logged() == logged + 1


def test_what_if_without_changes_gives_back_the_current_score_reasons_and_proposals(
        dashboard_env, refusals) -> None:
    assert "proposals" in refusals, "the demo data has no refused client with proposals"
    client_id = refusals["proposals"]
    current = dashboard_env.get(f"/clients/{client_id}/score")
    record = dashboard_env.get(f"/clients/{client_id}")["application"]
    at = open_page("views/what_if.py", client_id)
    assert not at.exception
    suggestions = [p["sentence"] for p in current["what_would_change"]["proposals"]]
    assert bullet_lists(at) == [suggestions]                 # above the form, before a re-score
    assert position(at, "subheader", "Suggestions") < position(at, "number_input", "")
    next(b for b in at.button if b.label == "Re-score").click().run()
    assert not at.exception
    metrics = {m.label: m for m in at.metric}
    assert metrics["With the changes"].value == metrics["Current probability"].value
    assert shown_percent(metrics["With the changes"].value) == pytest.approx(
        current["probability"], abs=5e-4)
    simulated = dashboard_env.post("/simulate", {"clients": [record]})["predictions"][0]
    assert any("Credit refused" in text for text in texts(at.error))
    assert numbered(at) == [r["reason"] for r in simulated["reasons"]] != []
    assert bullet_lists(at) == [suggestions,
                                [p["sentence"] for p in simulated["what_would_change"]["proposals"]]]


def test_what_if_names_a_refused_field_in_words(dashboard_env, granted_and_refused) -> None:
    client_id = granted_and_refused["granted"]
    at = open_page("views/what_if.py", client_id)
    at.text_input(key=f"wi-{client_id}-AMT_INCOME_TOTAL").input("0")  # API needs > 0
    next(b for b in at.button if b.label == "Re-score").click().run()
    assert not at.exception
    message = " ".join(texts(at.error))
    assert "rejected the request" in message and "Yearly income" in message
    assert "Retry" not in [b.label for b in at.button]   # the same input would fail again
    assert "With the changes" not in [m.label for m in at.metric]


def test_what_if_reads_amounts_as_people_type_them(dashboard_env, granted_and_refused) -> None:
    client_id = granted_and_refused["refused"]
    record = dashboard_env.get(f"/clients/{client_id}")["application"]
    half = float(round(record["AMT_CREDIT"] / 2))
    expected = dashboard_env.post("/simulate", {"clients": [{**record, "AMT_CREDIT": half}]})
    at = open_page("views/what_if.py", client_id)
    at.text_input(key=f"wi-{client_id}-AMT_CREDIT").input(f"€ {half:,.0f}".replace(",", " "))
    next(b for b in at.button if b.label == "Re-score").click().run()
    assert not at.exception
    new = {m.label: m for m in at.metric}["With the changes"]
    assert shown_percent(new.value) == pytest.approx(
        expected["predictions"][0]["probability"], abs=5e-4)
    caption = " ".join(texts(at.caption))
    moved = expected["predictions"][0]["probability"] - dashboard_env.get(
        f"/clients/{client_id}/score")["probability"]
    words = "goes down" if moved < -5e-4 else "goes up" if moved > 5e-4 else ""
    assert f"With these changes, the probability of payment difficulties {words}" in caption


def test_what_if_says_which_amount_it_cannot_read(dashboard_env, granted_and_refused) -> None:
    client_id = granted_and_refused["granted"]
    at = open_page("views/what_if.py", client_id)
    at.text_input(key=f"wi-{client_id}-AMT_ANNUITY").input("12k")
    next(b for b in at.button if b.label == "Re-score").click().run()
    assert not at.exception
    warned = " ".join(texts(at.warning))
    assert "Nothing re-scored." in warned and "Loan repayment (annuity): “12k” is not an amount" in warned
    assert "With the changes" not in [m.label for m in at.metric]


CODES = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b")   # EXT_SCORES_LOW, AMT_CREDIT, ...


def summary_text(at) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", chart(at, "decision-summary")))


def test_the_decision_summary_gives_a_refusal_its_reasons_and_way_out_in_plain_words(
        dashboard_env, refusals) -> None:
    assert "proposals" in refusals, "the demo data has no refused client with proposals"
    client_id = refusals["proposals"]
    score = dashboard_env.get(f"/clients/{client_id}/score")
    fields = {f["name"]: f for f in dashboard_env.get(f"/clients/{client_id}")["fields"]}
    at = open_page("views/summary.py", client_id)
    assert not at.exception
    assert at.title[0].value == f"Decision summary · client {client_id}"
    text = " ".join(summary_text(at).split())
    assert "✖ Credit refused" in text
    for reason in score["reasons"]:
        assert " ".join(reason["reason"].split()) in text
    for proposal in score["what_would_change"]["proposals"]:
        assert " ".join(proposal["sentence"].split()) in text
    for name in ("AMT_CREDIT", "AMT_ANNUITY", "AMT_INCOME_TOTAL", "NAME_CONTRACT_TYPE"):
        assert f"{fields[name]['label']} {fields[name]['display']}" in text
    assert f"it estimated {100 * score['probability']:.1f} %" in text
    assert "How the decision is made" in text and "does not use your gender" in text
    assert not CODES.findall(text)                          # no reason code, no column name
    assert "version" not in text.lower()    # no model version (a registry number now)
    assert not any(r["code"] in text for r in score["reasons"])
    download = at.get("download_button")[0]
    assert "Download the summary" in download.proto.label


def test_the_decision_summary_of_an_approval_names_what_weighed_in_favour(
        dashboard_env, granted_and_refused) -> None:
    client_id = granted_and_refused["granted"]
    explanation = dashboard_env.get(f"/clients/{client_id}/explanation")
    at = open_page("views/summary.py", client_id)
    assert not at.exception
    text = " ".join(summary_text(at).split())
    assert "✔ Credit granted" in text
    assert "The main reasons" not in text and "What would change the decision" not in text
    for factor in explanation["lowers_risk"][:3]:
        assert " ".join(factor["sentence"].split()) in text
    assert not CODES.findall(text)


def test_the_summary_document_stands_alone_for_printing() -> None:
    from dashboard import decision_summary

    body = decision_summary.fragment(
        100191, {"decision": "refused", "probability": 0.2, "threshold": 0.1,
                 "reasons": [{"code": "AGE", "reason": "Age of the applicant",
                              "contribution": 0.3}],
                 "what_would_change": {"proposals": [], "message": "No change found."}},
        {"fields": [{"name": "AMT_CREDIT", "label": "Loan amount", "display": "€529,862"}]})
    page = decision_summary.document(body, 100191)
    assert page.startswith("<!doctype html>") and "@page{size:A4" in page
    assert "Client 100191" in page and "€529,862" in page and "Age of the applicant" in page
    assert "No change found." in page and "AGE<" not in page
