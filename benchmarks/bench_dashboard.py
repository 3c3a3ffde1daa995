"""Time from selecting a client to its painted score card, in a real browser.

Starts the scoring API (gunicorn, as `make api`) over a data root and the dashboard
(`streamlit run`), opens Debian's chromium through Playwright, and for ~20 clients: types the
ID on the search page (not timed), then times, inside the page (performance.now), the click on
"Open client" until one frame after the client's score card is in the DOM (title and
probability shown); then the same from a score card through the sidebar's ID box (same page,
no page switch). Also times opening a score-card link from Python (`/score_card?client=<id>`,
a fresh page load: websocket and first run included).

    python benchmarks/bench_dashboard.py [--root data] [--clients 20] [--screenshots docs/screenshots]

Needs the pipelines' outputs in the root (`make run`), /usr/bin/chromium and playwright.
Figures are printed, not asserted (bar: median selection-to-card <= 0.3 s).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "tests" / "dashboard"))

from live_servers import (  # noqa: E402
    SIDEBAR_BOX,
    browser_missing,
    chromium_page,
    open_find_page,
    open_typed_client,
    running_servers,
    type_client_id,
)

PAGES = {  # page -> what shows that it is drawn
    "score_card": ".probability-bar", "explanation": ".js-plotly-plot",
    "client_info": "[data-testid='stTable']", "comparison": ".js-plotly-plot",
    "what_if": "[data-testid='stForm']", "importance": ".js-plotly-plot",
    "monitoring": "iframe",
}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(name: str, seconds: list[float]) -> str:
    return (f"{name:<34} n={len(seconds):<3} median {statistics.median(seconds):.3f} s   "
            f"p90 {quantile(seconds, 0.9):.3f} s   min {min(seconds):.3f} s   "
            f"max {max(seconds):.3f} s")


def sample_clients(api_url: str, key: str, count: int, seed: int) -> list[int]:
    headers = {"X-API-Key": key}
    first = requests.get(f"{api_url}/clients", params={"page_size": 100}, headers=headers,
                         timeout=10).json()
    pages = random.Random(seed).sample(range(1, first["pages"] + 1), min(count, first["pages"]))
    ids = []
    for page in pages:
        rows = requests.get(f"{api_url}/clients", params={"page_size": 100, "page": page},
                            headers=headers, timeout=10).json()["clients"]
        ids.append(random.Random(seed + page).choice(rows)["client_id"])
    return ids[:count]


def wait_for_card(page, client_id: int) -> None:
    page.wait_for_function(
        """id => {
            const title = document.querySelector('h1');
            const value = document.querySelector("[data-testid='stMetricValue']");
            return title && title.textContent.includes('client ' + id) && value;
        }""", arg=str(client_id), timeout=30_000, polling="raf")


def screenshots(page, dashboard_url: str, client_id: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    open_find_page(page, dashboard_url)
    time.sleep(1.5)
    page.screenshot(path=str(folder / "find_client.png"), full_page=True)
    for name, drawn in PAGES.items():
        page.goto(f"{dashboard_url}/{name}?client={client_id}")
        page.wait_for_selector(drawn, timeout=60_000)
        time.sleep(2.0)   # plotly and iframes finish drawing after the element appears
        page.screenshot(path=str(folder / f"{name}.png"), full_page=name != "monitoring")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path,
                        default=Path(os.environ.get("CREDIT_DATA_ROOT", PROJECT / "data")))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--screenshots", type=Path, default=None,
                        help="also save a screenshot of every page here")
    args = parser.parse_args()
    missing = browser_missing()
    if missing:
        sys.exit(f"cannot run: {missing}")
    root = args.root.resolve()
    if not (root / "06_models" / "model_bundle").exists():
        sys.exit(f"no model bundle under {root}: run the pipelines first (`make run`)")

    with tempfile.TemporaryDirectory() as logs, \
            running_servers(root, Path(logs), workers=2) as servers:
        ids = sample_clients(servers.api_url, servers.key, args.clients + 1, args.seed)
        selection, sidebar, links = [], [], []
        with chromium_page() as page:
            # logged in once, like a manager; the login cookie covers the page loads below
            open_find_page(page, servers.dashboard_url, login=servers.login)
            type_client_id(page, ids[0])
            open_typed_client(page, ids[0])            # warm-up: imports, first figures
            for client_id in ids[1:]:
                open_find_page(page, servers.dashboard_url)
                type_client_id(page, client_id)
                time.sleep(0.3)                        # let the search page settle
                selection.append(open_typed_client(page, client_id)[1])
            page.goto(f"{servers.dashboard_url}/score_card?client={ids[0]}")
            wait_for_card(page, ids[0])
            for client_id in ids[1:]:
                type_client_id(page, client_id, SIDEBAR_BOX)
                time.sleep(0.3)
                sidebar.append(open_typed_client(page, client_id, SIDEBAR_BOX)[1])
            for client_id in ids[1:]:
                started = time.perf_counter()
                page.goto(f"{servers.dashboard_url}/score_card?client={client_id}")
                wait_for_card(page, client_id)
                links.append(time.perf_counter() - started)
            if args.screenshots:
                screenshots(page, servers.dashboard_url, ids[1], args.screenshots)

    print(f"data root {root}, {len(selection)} clients, API: gunicorn 2 workers, chromium")
    print(summary("search page -> card (page switch)", selection))
    print(summary("card -> sidebar ID -> next card", sidebar))
    print(summary("open a card link (cold page)", links))
    for name, seconds in (("search page", selection), ("sidebar", sidebar)):
        verdict = "meets" if statistics.median(seconds) <= 0.3 else "misses"
        print(f"bar (median <= 0.300 s), {name}: {verdict} ({statistics.median(seconds):.3f} s)")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
