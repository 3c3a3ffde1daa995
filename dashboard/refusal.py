"""A refusal's reasons and what would turn it into an approval, laid out alike on every page.

Both come from the API (reason codes from the fixed catalogue, the counterfactual's
proposals); this module only draws them, so the score card, "Why this score" and "What if"
tell the client the same thing in the same words.
"""

from __future__ import annotations

import streamlit as st

REASONS_TITLE = "Main reasons"
PROPOSALS_TITLE = "What would change the decision"


def plain(text: str) -> str:
    """The API's sentence for ``st.markdown``: with a "$" currency two amounts would be LaTeX."""
    return text.replace("$", r"\$")


def show_reasons(reasons: list[dict], title: str = REASONS_TITLE) -> None:
    """The reason sentences, numbered, largest first; the codes in small print for the file.

    Draws nothing for a granted application: the API gives it no reason.
    """
    if not reasons:
        return
    st.subheader(title)
    st.markdown("\n".join(f"{n}. {plain(r['reason'])}" for n, r in enumerate(reasons, 1)))
    st.caption("Reason codes, for the file: " + " · ".join(r["code"] for r in reasons))


def show_proposals(what_would_change: dict | None, title: str = PROPOSALS_TITLE) -> None:
    """Each change that alone would turn the refusal into an approval, or why there is none.

    Draws nothing for a granted application (``what_would_change`` is null).
    """
    if what_would_change is None:
        return
    st.subheader(title)
    proposals = what_would_change.get("proposals") or []
    if not proposals:
        st.info(plain(what_would_change.get("message")
                      or "The scoring service found no change that leads to an approval."),
                icon=":material/do_not_disturb_on:")
        return
    st.markdown("\n".join(f"- {plain(p['sentence'])}" for p in proposals))
    st.caption("Each change on its own, the rest of the application as it is: the model's "
               "estimate, not a decision. Only a new application is decided.")


def show_refusal(answer: dict, titles: tuple[str, str] = (REASONS_TITLE, PROPOSALS_TITLE)) -> None:
    """Reasons and proposals, side by side, of one answer of ``/score`` or ``/simulate``."""
    reasons, what = answer.get("reasons") or [], answer.get("what_would_change")
    if not reasons and what is None:
        return
    left, right = st.columns(2)
    with left:
        show_reasons(reasons, titles[0])
    with right:
        show_proposals(what, titles[1])
