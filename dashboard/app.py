"""Credit-decision dashboard for relationship managers: `streamlit run dashboard/app.py`.

Every score, decision, explanation and client record comes from the scoring API
(``CREDIT_API_URL``, default ``http://127.0.0.1:8000/api/v1``; key in ``CREDIT_API_KEY`` or
Streamlit secrets). The monitoring reports are read from the Kedro catalog. A manager logs in
first (:mod:`dashboard.login`); until then no page runs and the API is not called.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboard/app.py` puts dashboard/ on the path; the pages import `dashboard.*`
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard import login, navigation, oversight, sidebar, state  # noqa: E402

st.set_page_config(page_title="Credit decisions", page_icon=":material/credit_score:",
                   layout="wide")

pages = {
    "Client": [
        st.Page(navigation.FIND, title="Find a client", icon=":material/search:", default=True),
        st.Page(navigation.SCORE, title=navigation.SCORE_TITLE, icon=":material/speed:"),
        st.Page(navigation.WHY, title="Why this score", icon=":material/lightbulb:"),
        st.Page(navigation.INFO, title="Client information", icon=":material/badge:"),
        st.Page(navigation.COMPARE, title="Comparison", icon=":material/groups:"),
        st.Page(navigation.WHAT_IF, title="What if", icon=":material/tune:"),
        st.Page(navigation.SUMMARY, title=navigation.SUMMARY_TITLE,
                icon=":material/summarize:"),
    ],
    "Model": [
        st.Page(navigation.IMPORTANCE, title="What the model looks at",
                icon=":material/bar_chart:"),
        st.Page(navigation.MONITORING, title="Monitoring", icon=":material/monitoring:"),
    ],
    "Oversight": [   # human oversight: contests of decisions (dashboard/oversight.py)
        st.Page(navigation.REVIEW_QUEUE, title="Review queue", icon=":material/gavel:"),
    ],
}
if not login.gate():
    # every page known but none shown or run: a link (/score_card?client=...) keeps its page
    # and client through the login, and opens them once the manager is in
    st.navigation(pages, position="hidden")
    st.stop()
page = st.navigation(pages)

state.enter_view(page.title, state.sync_client())
sidebar.render(page.title)
oversight.review_banner()   # every page says when automatic decisions are suspended
page.run()
