"""Pieces every page shares: API calls that fail gracefully, the chosen client, decisions in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard import navigation, state
from dashboard.api_client import ApiError

DECISIONS = {  # never colour alone: an icon and the words go with it
    "granted": ("Credit granted", ":material/check_circle:"),
    "refused": ("Credit refused", ":material/block:"),
}


def decision_words(decision: str | None) -> str:
    return DECISIONS.get(str(decision).lower(), (f"Decision: {decision}",))[0]


def decision_icon(decision: str | None) -> str:
    return DECISIONS.get(str(decision).lower(), ("", ":material/help:"))[1]


def show_decision(decision: str | None) -> None:
    """The decision as a banner: words and an icon, the colour only repeats them."""
    words, icon = decision_words(decision), decision_icon(decision)
    box = st.success if str(decision).lower() == "granted" else st.error
    box(f"**{words}**", icon=icon)


def chart(markup: str, text: str) -> None:
    """An HTML/CSS chart (:mod:`dashboard.charts`) and its text alternative, shown below it.

    Plain HTML, no plotly: plotly's script (3-4 MB) took 1-2.5 s to load and draw in the
    browser on the 2-core machine, for bars that HTML draws in a frame.
    """
    st.markdown(markup, unsafe_allow_html=True)
    st.caption(text)


def percent(p: float | None, digits: int = 1) -> str:
    """A probability as every page writes it: "16.5 %" (one decimal, the same rounding)."""
    return "unknown" if p is None else f"{100 * float(p):.{digits}f} %"


def reading_sentence(reading: str) -> str:
    """The API's plain reading of the margin ("just above the risk limit") as a sentence."""
    reading = reading.strip()
    if reading[:1].islower():
        return f"In plain words: the probability is {reading.rstrip('.')}."
    return reading


OUTAGES = ("unreachable", "timeout", "server", "bad_answer")   # worth a Retry


def show_error(error: ApiError, what: str) -> None:
    """A failure said for what it is: an unknown client, the service down, a refused key.

    An unknown client is a warning (a person icon, no Retry: asking again will not find
    them); an outage is an error with a Retry button (a click reruns the page); anything
    else (a refused key) an error without one.
    """
    if error.kind == "not_found":
        st.warning(error.message, icon=":material/person_off:")
    elif error.kind in OUTAGES:
        st.error(f"**Could not load {what}.** {error.message}", icon=":material/cloud_off:")
        st.button("Retry", key=f"retry-{what}", icon=":material/refresh:", type="primary")
    else:
        st.error(f"**Could not load {what}.** {error.message}", icon=":material/error:")


def fetch(call: Callable[..., Any], *args: Any, what: str, not_found: str | None = None,
          **kwargs: Any) -> Any:
    """Run one API call; on failure show why with a Retry button and stop this page's run."""
    try:
        return call(*args, **kwargs)
    except ApiError as error:
        if error.kind == "not_found" and not_found:
            error.message = not_found
        show_error(error, what)
        st.stop()


def require_client() -> int:
    """The chosen client, or why there is none (a bad link, none yet) and the end of this run."""
    client_id = state.current_client()
    if client_id is None:
        problem = state.link_problem()
        if problem:
            st.warning(f"**This link names no client.** {problem}", icon=":material/link_off:")
        else:
            st.info("No client chosen yet: find one first.", icon=":material/person_search:")
        st.page_link(navigation.FIND, label="Find a client", icon=":material/search:")
        st.stop()
    return client_id


def unknown_client(client_id: int, on_search_page: bool = False) -> str:
    """A well-formed ID the client book does not hold (not a typo's nor an outage's message)."""
    where = ("" if on_search_page
             else ", or search the client book on the “Find a client” page")
    return (f"No client with ID {client_id} in the client book. Check the number{where}.")


def page_title(title: str, client_id: int | None = None) -> None:
    st.title(title if client_id is None else f"{title} · client {client_id}")


