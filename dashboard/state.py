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
LINK_PROBLEM_KEY = "link_problem"   # this run's link named no valid client: what to say
MAX_DIGITS = 19          # the API's ids are 64-bit: 2^63 - 1 has 19 digits
LARGEST_ID = 2**63 - 1
EXAMPLE = "100001"


def parse_client_id(text: object) -> int | None:
    """A client ID typed or read from the URL, or None when it is not one (see :func:`id_problem`)."""
    return None if id_problem(text) else int(str(text).strip())


def id_problem(text: object) -> str | None:
    """Why ``text`` is not a client ID, in words (None when it is one).

    Told apart from an unknown client (a well-formed ID the client book does not hold) and
    from an outage: a typo is never reported as either. Spaces around are forgiven.
    """
    raw = "" if text is None else str(text).strip()
    shown = raw if len(raw) <= 24 else raw[:21] + "…"
    if not raw:
        return f"Type a client ID: a whole number, such as {EXAMPLE}."
    if not raw.isascii() or not raw.isdigit():
        return (f"“{shown}” is not a client ID: a client ID is a whole number (digits only), "
                f"such as {EXAMPLE}.")
    if len(raw.lstrip("0")) > MAX_DIGITS or int(raw) > LARGEST_ID:
        return (f"“{shown}” has {len(raw)} digits: a client ID has at most {MAX_DIGITS}, "
                f"such as {EXAMPLE}.")
    if int(raw) == 0:
        return f"0 is not a client ID: client IDs start at 1, such as {EXAMPLE}."
    return None


def sync_client() -> int | None:
    """Reconcile the URL and the session once per run; the URL wins (it is what was opened).

    A link whose ``?client=`` is not a client ID opens no client (never the one chosen
    before, which would show another person's file): :func:`link_problem` says why.
    """
    raw = st.query_params.get(QUERY_KEY)
    st.session_state.pop(LINK_PROBLEM_KEY, None)
    if raw is not None and id_problem(raw):
        st.session_state[LINK_PROBLEM_KEY] = id_problem(raw)
        st.session_state.pop(SESSION_KEY, None)
        return None
    from_url = parse_client_id(raw) if raw is not None else None
    if from_url is not None:
        st.session_state[SESSION_KEY] = from_url
    elif st.session_state.get(SESSION_KEY) is not None:
        st.query_params[QUERY_KEY] = str(st.session_state[SESSION_KEY])
    return st.session_state.get(SESSION_KEY)


def link_problem() -> str | None:
    """What was wrong with this run's link (``?client=abc``), or None."""
    return st.session_state.get(LINK_PROBLEM_KEY)


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
