"""The sidebar on every page: the chosen client, and a box to open another one by ID.

Opening a client from here keeps the current page (compare two clients' explanations, or
go from card to card): the page renders in the same script run for the new client, with no
page switch. From the search page it goes to the score card.
"""

from __future__ import annotations

import streamlit as st

from dashboard import api_client, navigation, state, ui


def _open_typed(typed: str, page_title: str) -> None:
    problem = state.id_problem(typed)
    if problem:                          # a typo: said as such, the API is not asked
        st.warning(problem, icon=":material/pin:")
        return
    client_id = int(typed.strip())
    on_search_page = page_title == "Find a client"
    shown = st.session_state.get(state.VIEW_KEY)
    # the check below is the first call of the view it opens: cached there, asked once
    state.enter_view(navigation.SCORE_TITLE if on_search_page else page_title, client_id)
    try:
        api_client.score(client_id)          # cached: the score card will not ask again
    except api_client.ApiError as error:
        st.session_state[state.VIEW_KEY] = shown   # still the page that was on screen
        if error.kind == "not_found":
            st.warning(ui.unknown_client(client_id, on_search_page), icon=":material/person_off:")
        else:
            st.error(error.message, icon=":material/cloud_off:")
        return
    state.select_client(client_id)
    if on_search_page:
        st.switch_page(navigation.SCORE, query_params={state.QUERY_KEY: str(client_id)})


def render(page_title: str) -> None:
    with st.sidebar:
        chosen = st.empty()             # filled last: an ID opened below changes it
        with st.form("quick-open", clear_on_submit=True, border=False):
            typed = st.text_input("Open a client by ID", placeholder="e.g. 100001",
                                  key="quick-id")
            submitted = st.form_submit_button("Open", icon=":material/login:")
        if submitted:
            _open_typed(typed, page_title)
        client_id = state.current_client()
        chosen.markdown(f"**Client {client_id}**" if client_id else "No client chosen.")
