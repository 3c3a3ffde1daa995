"""Finding a client: by ID, by filters with paging, by a table row, or by a link."""

from __future__ import annotations

import pytest
from apptest import open_page, results, texts

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
    table = results(at)
    assert [r["Client"] for r in table] == [str(c["client_id"]) for c in expected["clients"]]
    assert [r["opens"] for r in table] == [r["Client"] for r in table]
    assert {r["Decision"] for r in table} == {"Credit refused"}
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


def test_ids_in_the_table_are_whole_numbers_even_where_floats_are_not_exact() -> None:
    from dashboard.client_table import results_table

    rows = [{"client_id": i, "decision": "granted", "probability": 0.05, "gender": "Female",
             "contract_type": "Cash loans",
             "display": {"age_years": "35 years", "income": "€180,000", "credit": "€529,862"}}
            for i in (100191, 100040, 100053)]
    table = results_table(rows, {"age_years": "Age", "income": "Yearly income",
                                 "credit": "Loan amount"})
    # text, not a float the browser rounds: 100191 read as 100190.99999999999 before
    assert list(table["Client"]) == ["100191", "100040", "100053"]
    assert list(table["Loan amount"]) == ["€529,862"] * 3
    assert list(table["Probability"]) == ["5.0 %"] * 3


def test_the_table_shows_the_apis_ids_and_figures_as_every_page_does(dashboard_env) -> None:
    at = open_page(FIND)
    assert not at.exception
    expected = dashboard_env.get("/clients", page=1, page_size=20)["clients"]
    table = results(at)
    assert [r["Client"] for r in table] == [str(c["client_id"]) for c in expected]
    assert all(r["Client"].isdigit() and r["opens"] == r["Client"] for r in table)
    assert [r["Yearly income"] for r in table] == [c["display"]["income"] for c in expected]
    assert [r["Age"] for r in table] == [c["display"]["age_years"] for c in expected]
    first = dashboard_env.get(f"/clients/{expected[0]['client_id']}")["fields"]
    loan = next(f["display"] for f in first if f["name"] == "AMT_CREDIT")
    assert table[0]["Loan amount"] == loan      # the same rounding as the client's page
    assert not {"Credit amount", "Age (years)"} & set(table[0])


def search_with_filters(at):
    """The manager's search: refused clients, 10 a page, page 2."""
    at.selectbox(key="filter-decision").select("refused")
    at.selectbox(key="page-size").select(10)
    at.number_input(key="page").set_value(2)
    return at.run()


@pytest.mark.parametrize("typed, message", [
    ("99999999", "No client with ID 99999999 in the client book. Check the number."),
    ("abc", "“abc” is not a client ID: a client ID is a whole number"),
    ("12345678901234567890", "“12345678901234567890” has 20 digits: a client ID has at most 19"),
])
def test_a_typo_or_an_unknown_id_says_so_and_keeps_the_search(dashboard_env, typed,
                                                              message) -> None:
    at = search_with_filters(open_page(FIND))
    before = [r["Client"] for r in results(at)]
    at.text_input(key="typed-id").input(typed)
    next(b for b in at.button if b.label == "Open client").click().run()
    assert not at.exception
    assert any(message in text for text in texts(at.warning))
    assert not at.error                                     # not an outage
    assert "Retry" not in [b.label for b in at.button]
    assert not any("search page" in text for text in texts(at.warning))   # we are on it
    assert at.title[0].value == "Find a client"
    assert "client" not in at.query_params
    assert at.selectbox(key="filter-decision").value == "refused"       # the search is kept
    assert at.number_input(key="page").value == 2
    assert [r["Client"] for r in results(at)] == before
    assert at.text_input(key="typed-id").value == typed                 # to correct it


@pytest.mark.parametrize("link, message", [
    ("abc", "“abc” is not a client ID"),
    ("12345678901234567890", "has 20 digits"),
])
def test_a_link_with_a_bad_id_says_so(dashboard_env, granted_and_refused, link,
                                      message) -> None:
    at = open_page("views/score_card.py", granted_and_refused["granted"])   # a client chosen
    at.query_params["client"] = link
    at.run()
    assert not at.exception
    warned = " ".join(texts(at.warning))
    assert "This link names no client." in warned and message in warned
    assert not any("No client chosen yet" in text for text in texts(at.info))
    assert not at.metric                    # never the client chosen before the link


def test_an_id_in_the_table_links_to_that_clients_card(dashboard_env) -> None:
    at = open_page(FIND)
    third = results(at)[2]["Client"]
    link = [link for link in at.page_link if link.value == third][0].proto
    assert link.page.endswith("score_card") and link.query_string == f"client={third}"
    at.query_params["client"] = third    # what the link opens (AppTest cannot click links)
    at.switch_page("views/score_card.py").run()
    assert not at.exception
    assert at.title[0].value == f"Score card · client {third}"
    assert at.session_state["client_id"] == int(third)
    at.query_params.clear()              # Streamlit's navigation drops the query string
    at.switch_page(FIND).run()           # back to the search: no bounce to the card
    assert at.title[0].value == "Find a client"
    assert results(at)[2]["Client"] == third


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
    assert "No client with ID 7 in the client book" in " ".join(texts(at.sidebar.warning))
    assert not at.sidebar.error
    assert at.title[0].value == f"Score card · client {client_id}"
