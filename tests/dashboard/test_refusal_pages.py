"""A refusal's reasons and what would change it, as the API gives them, on the score card and
"Why this score"; nothing of the kind for a granted client."""

from __future__ import annotations

import pytest
from apptest import bullet_lists, numbered, open_page, position, texts

SCORE = "views/score_card.py"
WHY = "views/explanation.py"
TITLES = ("Main reasons", "What would change the decision")


def refused_client(refusals: dict[str, int], kind: str) -> int:
    assert kind in refusals, f"the demo data has no refused client with {kind}"
    return refusals[kind]


@pytest.mark.parametrize("kind", ["proposals", "message"])
def test_score_card_gives_a_refusals_reasons_in_the_apis_order(dashboard_env, refusals,
                                                                kind) -> None:
    client_id = refused_client(refusals, kind)
    expected = dashboard_env.get(f"/clients/{client_id}/score")
    assert expected["decision"] == "refused"
    at = open_page(SCORE, client_id)
    assert not at.exception
    shown = numbered(at)
    assert shown == [r["reason"] for r in expected["reasons"]]
    assert 1 <= len(shown) <= 4
    codes = [r["code"] for r in expected["reasons"]]
    assert any(all(code in text for code in codes) for text in texts(at.caption))
    assert not any(code in line for code in codes for line in shown)   # codes in small print
    # right under the decision banner, before the probability
    assert (position(at, "error", "Credit refused") < position(at, "subheader", TITLES[0])
            < position(at, "metric", ""))


def test_score_card_lists_what_would_change_a_refusal(dashboard_env, refusals) -> None:
    client_id = refused_client(refusals, "proposals")
    change = dashboard_env.get(f"/clients/{client_id}/score")["what_would_change"]
    at = open_page(SCORE, client_id)
    assert not at.exception
    assert TITLES[1] in texts(at.subheader)
    assert bullet_lists(at) == [[p["sentence"] for p in change["proposals"]]]
    assert change["proposals"]


def test_score_card_says_when_no_change_leads_to_an_approval(dashboard_env, refusals) -> None:
    client_id = refused_client(refusals, "message")
    change = dashboard_env.get(f"/clients/{client_id}/score")["what_would_change"]
    at = open_page(SCORE, client_id)
    assert not at.exception
    assert TITLES[1] in texts(at.subheader)
    assert change["message"] and change["message"] in texts(at.info)
    assert bullet_lists(at) == []


@pytest.mark.parametrize("page", [SCORE, WHY])
def test_a_granted_client_gets_no_reasons(dashboard_env, granted_and_refused, page) -> None:
    client_id = granted_and_refused["granted"]
    assert dashboard_env.get(f"/clients/{client_id}/score")["reasons"] == []
    at = open_page(page, client_id)
    assert not at.exception
    assert not set(TITLES) & set(texts(at.subheader))
    assert numbered(at) == [] and bullet_lists(at) == []


def test_why_this_score_starts_with_the_reasons_of_the_score_card(dashboard_env,
                                                                 refusals) -> None:
    client_id = refused_client(refusals, "proposals")
    expected = dashboard_env.get(f"/clients/{client_id}/explanation")
    at = open_page(WHY, client_id)
    assert not at.exception
    assert numbered(at) == [r["reason"] for r in expected["reasons"]]
    assert expected["reasons"] == dashboard_env.get(f"/clients/{client_id}/score")["reasons"]
    assert position(at, "subheader", TITLES[0]) < position(at, "subheader", "Raises the risk")
    assert TITLES[1] not in texts(at.subheader)     # the proposals live on the score card
