"""Each client page shows what the live API answers: score, decision, reasons, record, peers."""

from __future__ import annotations

import html
import json
import re

import pytest
from apptest import bullet_lists, numbered, open_page, position, texts


def shown_percent(text: str) -> float:
    """'11.4 %' -> 0.114"""
    return float(text.replace("%", "").strip()) / 100


def figure(at, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


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
    bars = figure(at)["data"][0]
    factors = expected["raises_risk"] + expected["lowers_risk"]
    assert sorted(bars["x"]) == pytest.approx(sorted(f["contribution"] for f in factors))
    for label, value in zip(bars["y"], bars["x"], strict=True):
        assert label.startswith("▲" if value > 0 else "▼")  # direction also as a symbol
    caption = " ".join(texts(at.caption))
    assert all(f["label"] in caption for f in factors)


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


def test_comparison_marks_the_clients_value_and_lists_similar_clients_outcomes(
        dashboard_env, granted_and_refused) -> None:
    client_id = granted_and_refused["refused"]
    offered = dashboard_env.get("/features")["features"]
    feature = next(f for f in offered if f["feature"] == "AMT_CREDIT")
    expected = dashboard_env.get(f"/population/{feature['feature']}", client_id=client_id, k=50)
    similar = dashboard_env.get(f"/clients/{client_id}/similar", k=10)["clients"]

    at = open_page("views/comparison.py", client_id)
    assert not at.exception
    picker = at.selectbox(key="compare-feature")
    assert picker.options == [f["label"] for f in offered]
    picker.select(feature["feature"]).run()
    assert not at.exception
    chart = figure(at)
    assert {trace["name"] for trace in chart["data"]} == {"all clients", "similar clients"}
    marker = [s for s in chart["layout"]["shapes"] if s.get("type") == "line"]
    assert marker[0]["x0"] == pytest.approx(expected["client_value"])
    shares = next(t for t in chart["data"] if t["name"] == "similar clients")["customdata"]
    assert [s[0] for s in shares] == pytest.approx(expected["histograms"]["similar"])
    assert f"{expected['client_value']:,.0f}" in " ".join(texts(at.caption))

    table = at.table[0].value
    assert list(table["Client"]) == [c["client_id"] for c in similar]
    words = ["✖ Had payment difficulties" if c["defaulted"] else "✔ Repaid" for c in similar]
    assert list(table["Outcome"]) == words


def rescore(at, values: dict[str, float], client_id: int):
    for column, value in values.items():
        at.number_input(key=f"wi-{client_id}-{column}").set_value(value)
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
    expected = dashboard_env.post("/simulate", {"clients": [{**record, **values}]})
    expected = expected["predictions"][0]
    assert expected["probability"] != pytest.approx(current["probability"], abs=1e-6)

    at = open_page("views/what_if.py", client_id)
    assert not at.exception
    credit = at.number_input(key=f"wi-{client_id}-AMT_CREDIT")
    assert credit.value == pytest.approx(record["AMT_CREDIT"])  # prefilled from the API record
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
    at.number_input(key=f"wi-{client_id}-AMT_INCOME_TOTAL").set_value(0.0)  # API needs > 0
    next(b for b in at.button if b.label == "Re-score").click().run()
    assert not at.exception
    message = " ".join(texts(at.error))
    assert "rejected the request" in message and "Yearly income" in message
    assert [b.label for b in at.button if b.label == "Retry"] == ["Retry"]
    assert "With the changes" not in [m.label for m in at.metric]
