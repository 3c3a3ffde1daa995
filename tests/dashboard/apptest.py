"""Open a page of the dashboard in Streamlit's in-process test driver."""

from __future__ import annotations

from live_api import APP
from streamlit.testing.v1 import AppTest


def open_page(page: str | None = None, client_id: int | None = None) -> AppTest:
    """The app as a link ``/<page>?client=<id>`` would open it (``page``: ``views/x.py``)."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    if client_id is not None:
        at.query_params["client"] = str(client_id)
    if page is not None:
        at.switch_page(page)      # st.Page paths are file names: no first run needed
    return at.run()


def texts(elements) -> list[str]:
    return [e.value for e in elements]
