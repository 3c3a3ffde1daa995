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


def chart(figure, key: str, text: str) -> None:
    """A plotly chart and its text alternative, both for screen readers (alt) and on screen.

    ``theme=None``: our own fonts and colours (the Streamlit theme shrinks the text).
    """
    st.plotly_chart(figure, theme=None, config={"displayModeBar": False}, key=key, alt=text)
    st.caption(text)


def percent(p: float | None, digits: int = 1) -> str:
    return "unknown" if p is None else f"{100 * float(p):.{digits}f} %"


def reading_sentence(reading: str) -> str:
    """The API's plain reading of the margin ("just above the risk limit") as a sentence."""
    reading = reading.strip()
    if reading[:1].islower():
        return f"In plain words: the probability is {reading.rstrip('.')}."
    return reading


def show_error(error: ApiError, what: str) -> None:
    """The failure in plain words and a Retry button (a click reruns the page)."""
    st.error(f"**Could not load {what}.** {error.message}", icon=":material/cloud_off:")
    st.button("Retry", key=f"retry-{what}", icon=":material/refresh:", type="primary")


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
    """The chosen client, or a pointer to the search page and the end of this page's run."""
    client_id = state.current_client()
    if client_id is None:
        st.info("No client chosen yet: find one first.", icon=":material/person_search:")
        st.page_link(navigation.FIND, label="Find a client", icon=":material/search:")
        st.stop()
    return client_id


def unknown_client(client_id: int) -> str:
    return f"Client {client_id} is not in the client book. Check the ID on the search page."


def page_title(title: str, client_id: int | None = None) -> None:
    st.title(title if client_id is None else f"{title} · client {client_id}")


