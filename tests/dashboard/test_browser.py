"""The dashboard in a real chromium: pick a client, see the painted score card, keep a screenshot."""

from __future__ import annotations

import pytest
import requests
from live_servers import (
    PROJECT,
    browser_missing,
    chromium_page,
    log_in,
    open_find_page,
    running_servers,
)
from live_servers import select_client as pick

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(browser_missing() is not None,
                                 reason=f"real-browser test skipped: {browser_missing()}")]

SCREENSHOTS = PROJECT / "docs" / "screenshots"
# its own name: the gallery beside it comes from benchmarks/bench_dashboard.py on the demo data
SHOT = SCREENSHOTS / "browser_test_score_card.png"


def test_selecting_a_client_paints_the_apis_score_card(trained_root, tmp_path) -> None:
    with running_servers(trained_root, tmp_path / "logs") as servers:
        headers = {"X-API-Key": servers.key}
        client_id = requests.get(f"{servers.api_url}/clients", params={"decision": "refused"},
                                 headers=headers, timeout=10).json()["clients"][0]["client_id"]
        expected = requests.get(f"{servers.api_url}/clients/{client_id}/score",
                                headers=headers, timeout=10).json()
        with chromium_page() as page:
            page.goto(f"{servers.dashboard_url}/score_card?client={client_id}")
            log_in(page, ("rm.browser", "not-the-password"), accepted=False)  # typed, as a manager
            page.get_by_text("Wrong username or password.").wait_for(timeout=15_000)
            assert page.locator("[data-testid='stMetricValue']").count() == 0  # nothing shown
            open_find_page(page, servers.dashboard_url, login=servers.login)
            shown = pick(page, client_id)
            assert shown == f"{100 * expected['probability']:.1f} %"
            assert page.get_by_text("Credit refused").first.is_visible()
            assert f"client={client_id}" in page.url          # a link to this very card
            page.wait_for_selector(".probability-bar", timeout=15_000)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOT), full_page=True)

            # a fresh page load: the login cookie keeps the manager in, no form again
            page.goto(f"{servers.dashboard_url}/explanation?client={client_id}")
            page.wait_for_selector(".factor-chart", timeout=30_000)
            sentence = requests.get(f"{servers.api_url}/clients/{client_id}/explanation",
                                    headers=headers, timeout=10).json()["raises_risk"][0]
            assert page.get_by_text(sentence["sentence"]).first.is_visible()
    assert SHOT.stat().st_size > 20_000


# What the results table shows: each row's ID link and its cells, and whether any row
# reaches past the page's main column (cut off or scrolled sideways at 1,280 px).
_TABLE = """() => {
    const main = document.querySelector("[data-testid='stMain'] [data-testid='stMainBlockContainer']")
        .getBoundingClientRect();
    // Streamlit keeps a hidden copy of each page link (to size its tooltip): the visible ones
    const links = [...document.querySelectorAll("[data-testid='stMain'] a[href^='score_card?client=']")]
        .filter(a => a.offsetParent !== null);
    const rows = [...document.querySelectorAll('.client-row')].slice(1);   // after the header
    return {
        links: links.map(a => [a.getAttribute('href'), a.innerText.replace('open_in_new', '').trim()]),
        cells: rows.map(r => [...r.children].map(c => c.textContent)),
        overflow: [...document.querySelectorAll('.client-row')].map(r => r.getBoundingClientRect().right - main.right)
            .filter(d => d > 0.5),
        sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    };
}"""


def test_the_search_table_shows_whole_ids_and_fits_1280_px(trained_root, tmp_path) -> None:
    with running_servers(trained_root, tmp_path / "logs") as servers:
        listed = requests.get(f"{servers.api_url}/clients", params={"page_size": 20},
                              headers={"X-API-Key": servers.key}, timeout=10).json()["clients"]
        with chromium_page(1280, 900) as page:
            open_find_page(page, servers.dashboard_url, login=servers.login)
            page.wait_for_function("() => document.querySelectorAll('.client-row').length > 20",
                                   timeout=30_000)
            shown = page.evaluate(_TABLE)
            # a click on an ID opens that client's card
            third = listed[2]["client_id"]
            page.locator(f"[data-testid='stMain'] a[href='score_card?client={third}']:visible").click()
            page.wait_for_selector(".probability-bar", timeout=30_000)
            assert page.locator("h1").first.inner_text().endswith(f"client {third}")
    ids = [str(c["client_id"]) for c in listed]
    assert [label for _, label in shown["links"]] == ids     # never 100190.99999999999
    assert [href for href, _ in shown["links"]] == [f"score_card?client={i}" for i in ids]
    assert [cells[5] for cells in shown["cells"][:3]] == [c["display"]["credit"] for c in listed[:3]]
    assert shown["overflow"] == [] and shown["sideways"] <= 0   # nothing cut off at 1,280 px
