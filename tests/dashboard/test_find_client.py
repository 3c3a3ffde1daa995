"""Finding a client: by ID, by filters with paging, by a table row, or by a link."""

from __future__ import annotations

import pytest
from apptest import open_page, texts

FIND = "views/find_client.py"


def test_filters_and_paging_list_exactly_the_apis_clients(dashboard_env) -> None:
    at = open_page(FIND)
    assert not at.exception
    decision = at.selectbox(key="filter-decision")
    assert decision.options == ["Any", "Credit granted", "Credit refused"]
    decision.select("refused")
    at.selectbox(key="page-size").select(10)
    at.number_input(key="page").set_value(2)
    at.run()
    assert not at.exception
    expected = dashboard_env.get("/clients", decision="refused", page=2, page_size=10)
    table = at.dataframe[0].value
    assert list(table["Client"]) == [c["client_id"] for c in expected["clients"]]
    assert set(table["Decision"]) == {"Credit refused"}
    assert f"{expected['total']:,} matching clients · page 2 of {expected['pages']}" in texts(
        at.caption)


def test_an_id_opens_the_score_card_and_lands_in_the_url(dashboard_env,
                                                        granted_and_refused) -> None:
    client_id = granted_and_refused["refused"]
    at = open_page(FIND)
    at.text_input(key="typed-id").input(str(client_id))
    next(b for b in at.button if b.label == "Open client").click().run()
    assert not at.exception
    assert at.query_params["client"] == str(client_id)
    assert at.session_state["client_id"] == client_id
    assert at.title[0].value == f"Score card · client {client_id}"
    assert at.metric[0].label == "Probability of payment difficulties"


@pytest.mark.parametrize("typed, message", [
    ("12", "Client 12 is not in the client book"),
    ("abc", "A client ID is a whole number"),
])
def test_a_wrong_id_says_so_and_stays_on_the_page(dashboard_env, typed, message) -> None:
    at = open_page(FIND)
    at.text_input(key="typed-id").input(typed)
    next(b for b in at.button if b.label == "Open client").click().run()
    assert not at.exception
    assert any(message in text for text in texts(at.error) + texts(at.warning))
    assert at.title[0].value == "Find a client"
    assert "client" not in at.query_params


def test_picking_a_row_opens_that_client(dashboard_env) -> None:
    at = open_page(FIND)
    third = at.dataframe[0].value["Client"].iloc[2]
    at.session_state["results"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.title[0].value == f"Score card · client {third}"
    assert at.query_params["client"] == str(third)
    at.switch_page(FIND).run()              # back to the search: no bounce to the card
    assert at.title[0].value == "Find a client"
    assert at.dataframe[0].value["Client"].iloc[2] == third


def test_a_link_opens_the_client_and_the_choice_survives_page_changes(
        dashboard_env, granted_and_refused) -> None:
    client_id = granted_and_refused["granted"]
    at = open_page("views/client_info.py", client_id)
    assert at.title[0].value == f"Client information · client {client_id}"
    at.query_params.clear()               # Streamlit's navigation drops the query string
    at.switch_page("views/explanation.py").run()
    assert at.title[0].value == f"Why this score · client {client_id}"
    assert at.query_params["client"] == str(client_id)  # and the app puts it back


def test_client_pages_ask_for_a_client_first(dashboard_env) -> None:
    at = open_page("views/score_card.py")
    assert not at.exception
    assert any("No client chosen yet" in text for text in texts(at.info))
    assert not at.metric


def test_the_sidebar_opens_another_client_on_the_same_page(dashboard_env,
                                                           granted_and_refused) -> None:
    first, second = granted_and_refused["granted"], granted_and_refused["refused"]
    expected = dashboard_env.get(f"/clients/{second}/explanation")
    at = open_page("views/explanation.py", first)
    at.sidebar.text_input(key="quick-id").input(str(second))
    next(b for b in at.sidebar.button if b.label == "Open").click().run()
    assert not at.exception
    assert at.title[0].value == f"Why this score · client {second}"   # same page, new client
    assert at.query_params["client"] == str(second)
    assert f"**Client {second}**" in texts(at.sidebar.markdown)
    shown = [t.removeprefix("- ▲ ") for t in texts(at.markdown) if t.startswith("- ▲ ")]
    assert shown == [f["sentence"] for f in expected["raises_risk"]]


def test_the_sidebar_refuses_an_unknown_id_and_keeps_the_client(dashboard_env,
                                                               granted_and_refused) -> None:
    client_id = granted_and_refused["granted"]
    at = open_page("views/score_card.py", client_id)
    at.sidebar.text_input(key="quick-id").input("7")
    next(b for b in at.sidebar.button if b.label == "Open").click().run()
    assert not at.exception
    assert "Client 7 is not in the client book" in " ".join(texts(at.sidebar.error))
    assert at.title[0].value == f"Score card · client {client_id}"
