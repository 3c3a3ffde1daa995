"""Open a page of the dashboard in Streamlit's in-process test driver."""

from __future__ import annotations

import html
import re

from live_api import APP, NAME, USER
from streamlit.testing.v1 import AppTest


def open_page(page: str | None = None, client_id: int | None = None, *,
              logged_in: bool = True) -> AppTest:
    """The app as a link ``/<page>?client=<id>`` would open it (``page``: ``views/x.py``).

    ``logged_in``: in a session where the tests' manager has logged in, as the login form
    leaves it (streamlit-authenticator's session keys); test_login.py tests the form itself.
    """
    at = AppTest.from_file(str(APP), default_timeout=30)
    if logged_in:
        at.session_state["authentication_status"] = True
        at.session_state["username"], at.session_state["name"] = USER, NAME
    if client_id is not None:
        at.query_params["client"] = str(client_id)
    if page is not None:
        at.switch_page(page)      # st.Page paths are file names: no first run needed
    return at.run()


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def numbered(at) -> list[str]:
    """The items of the numbered lists on the page (a refusal's reasons), numbers checked."""
    items = []
    for text in texts(at.markdown):
        lines = text.splitlines()
        if lines and all(re.match(r"\d+\. ", line) for line in lines):
            assert [int(line.split(".")[0]) for line in lines] == list(range(1, len(lines) + 1))
            items.append([line.split(". ", 1)[1] for line in lines])
    assert len(items) <= 1, f"more than one numbered list: {items}"
    return items[0] if items else []


def bullet_lists(at) -> list[list[str]]:
    """Each plain bulleted list on the page (proposals), in page order; factor lists (▲ ▼) aside."""
    found = []
    for text in texts(at.markdown):
        lines = text.splitlines()
        if lines and all(line.startswith("- ") and line[2:3] not in "▲▼" for line in lines):
            found.append([line[2:] for line in lines])
    return found


def position(at, kind: str, contains: str) -> int:
    """Where the first ``kind`` element (e.g. ``subheader``) holding ``contains`` is, in page order."""
    for index, node in enumerate(at.main):
        if node.type == kind and contains in str(getattr(node, "value", "")):
            return index
    raise AssertionError(f"no {kind} holding {contains!r} on the page")


def results(at) -> list[dict[str, str]]:
    """The search page's results as a manager reads them: per row, the ID its link shows,
    the client its link opens (``?client=``) and the row's cells under the header's names."""
    links = [link.proto for link in at.page_link if "client=" in link.proto.query_string]
    header, *rows = [_cells(m.value) for m in at.markdown if 'class="client-row"' in m.value]
    assert len(rows) == len(links), "every row of values has its ID link"
    return [{"Client": link.label, "opens": link.query_string.split("client=")[1],
             **dict(zip(header, cells, strict=True))}
            for link, cells in zip(links, rows, strict=True)]


def _cells(markup: str) -> list[str]:
    grid = markup[markup.index('class="client-row"'):]
    return [html.unescape(re.sub(r"<[^>]+>", "", cell))
            for cell in re.findall(r'<span style="text-align:[a-z]+">(.*?)</span>', grid)]
