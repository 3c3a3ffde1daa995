"""The client being discussed: kept in the session and in the URL (``?client=<id>``).

The URL copy makes a link open the client directly; the session copy survives a click on
another page (Streamlit's navigation drops the query parameters).
"""

from __future__ import annotations

import uuid

import streamlit as st

SESSION_KEY = "client_id"
QUERY_KEY = "client"
VIEW_KEY = "page_view"   # (token, page, client) of the page on screen: see enter_view


def parse_client_id(text: object) -> int | None:
    """A client ID typed or read from the URL, or None when it is not a positive whole number."""
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def sync_client() -> int | None:
    """Reconcile the URL and the session once per run; the URL wins (it is what was opened)."""
    from_url = parse_client_id(st.query_params.get(QUERY_KEY))
    if from_url is not None:
        st.session_state[SESSION_KEY] = from_url
    elif st.session_state.get(SESSION_KEY) is not None:
        st.query_params[QUERY_KEY] = str(st.session_state[SESSION_KEY])
    return st.session_state.get(SESSION_KEY)


def current_client() -> int | None:
    return st.session_state.get(SESSION_KEY)


def select_client(client_id: int) -> None:
    st.session_state[SESSION_KEY] = int(client_id)
    st.query_params[QUERY_KEY] = str(int(client_id))


def forget_client() -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.query_params.pop(QUERY_KEY, None)


def enter_view(page: str, client_id: int | None) -> str:
    """The token of the page view ``page`` for ``client_id``: a new one when either changed.

    The API client caches per view token (:mod:`dashboard.api_client`): every page a manager
    opens reaches the API, and its access audit, once; reruns within it (a widget moved) do
    not. A token is unique across sessions, so two tabs never share an answer either.
    """
    token, *shown = st.session_state.get(VIEW_KEY) or ("", None, None)
    if shown != [page, client_id]:
        token = uuid.uuid4().hex
        st.session_state[VIEW_KEY] = (token, page, client_id)
    return token


def current_view() -> str:
    return (st.session_state.get(VIEW_KEY) or ("",))[0]
