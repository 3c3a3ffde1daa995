"""Every page of the dashboard, from the click to its main content painted, in a real browser.

Starts the scoring API (gunicorn, as `make api`) over a data root and the dashboard
(`streamlit run`), opens Debian's chromium through Playwright at 1,280 x 900 (a laptop), logs
in once like a relationship manager, and times each way a manager reaches a page, ``--tries``
times each (10 by default, a different client each time):

- the first landing (a fresh browser: the login form, then logged in to the painted search
  page) and a later landing with the login cookie;
- the search page to a client's score card: typing an ID and pressing "Open client", and
  clicking a client's ID in the results table (a real mouse click on the link);
- the score card to the next client through the sidebar's ID box (same page);
- from the score card, a click in the page menu to every other page (why this score, client
  information, comparison, what if, decision summary, the model page, monitoring) until its
  main content is painted, and back to the score card;
- the what-if re-score (press "Re-score" until the new probability is painted), a change of
  comparison group, opening the full drift report on request;
- a shared link to a score card (`/score_card?client=<id>`, a fresh page load).

Times are taken inside the page (``performance.now`` from the click to one animation frame
after the page's title and main content are in the DOM), except for the page loads (Python's
clock around ``page.goto``). Prints each figure's median and p90 and the machine's load.

    python benchmarks/bench_dashboard.py [--root data] [--tries 10] [--screenshots docs/screenshots]

Needs the pipelines' outputs in the root (`make run`), /usr/bin/chromium and playwright.
Figures are printed, not asserted. Bars (quiet 2-core machine): selection -> card median
<= 0.3 s, every other page <= 0.5 s, a shared link <= 1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import re
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
    log_in,
    open_find_page,
    open_typed_client,
    running_servers,
    type_client_id,
)

WIDTH, HEIGHT = 1280, 900
SHOT_HEIGHT = 3200       # screenshots: tall enough for the longest page
#: page path -> (menu title, what shows that its main content is drawn, needs a client)
PAGES = {
    "explanation": ("Why this score", ".factor-chart, .js-plotly-plot", True),
    "client_info": ("Client information", "[data-testid='stTable']", True),
    "comparison": ("Comparison", ".group-chart, .js-plotly-plot", True),
    "what_if": ("What if", "[data-testid='stForm']", True),
    "summary": ("Decision summary", ".decision-summary", True),
    "importance": ("What the model looks at", ".importance-chart, .js-plotly-plot", False),
    "monitoring": ("Monitoring", ".drift-verdict, [data-testid='stDataFrame']", False),
}
CARD = ("Score card", ".probability-bar", True)
BARS = {"search page -> card (typed ID)": 0.3, "search page -> card (clicked row)": 0.3,
        "card -> sidebar ID -> next card": 0.3, "shared link -> card (page load)": 1.0}
PAGE_BAR = 0.5

# Clicks the menu entry (or a button) inside the page and resolves, one frame after the
# page's title (and client) and its main content are in the DOM, with the ms since the click.
_CLICK_AND_TIME = """([how, label, title, client, drawn]) => new Promise((resolve, reject) => {
    const scope = how === 'menu' ? "[data-testid='stSidebarNav'] a" : "[data-testid='stMain'] button";
    const target = [...document.querySelectorAll(scope)]
        .find(e => e.textContent.trim().endsWith(label) || e.textContent.includes(label));
    if (!target) { resolve(null); return; }          // a page this version lacks
    const started = performance.now();
    const deadline = started + 30000;
    target.click();
    const ready = () => {
        const h1 = document.querySelector("[data-testid='stMain'] h1");
        if (!h1 || !h1.textContent.includes(title)) return false;
        if (client && !h1.textContent.includes('client ' + client)) return false;
        const found = document.querySelector(drawn);
        return found && !found.closest("[data-stale='true']");
    };
    const poll = () => {
        if (ready()) {
            requestAnimationFrame(() => resolve(performance.now() - started));
        } else if (performance.now() > deadline) {
            reject(new Error('not drawn after 30 s: ' + title + ' ' + drawn));
        } else {
            requestAnimationFrame(poll);
        }
    };
    requestAnimationFrame(poll);
})"""

# Resolves once the condition holds, with the ms since the last pointerdown (a real click).
_SINCE_POINTER = """([title, client, drawn]) => new Promise((resolve, reject) => {
    const deadline = performance.now() + 30000;
    const poll = () => {
        const h1 = document.querySelector("[data-testid='stMain'] h1");
        const found = document.querySelector(drawn);
        if (h1 && h1.textContent.includes(title)
                && (!client || h1.textContent.includes('client ' + client))
                && found && !found.closest("[data-stale='true']")) {
            requestAnimationFrame(() => resolve(performance.now() - window.__pointerAt));
        } else if (performance.now() > deadline) {
            reject(new Error('not drawn after 30 s: ' + title));
        } else {
            requestAnimationFrame(poll);
        }
    };
    requestAnimationFrame(poll);
})"""

_MARK_POINTER = """() => { window.__pointerAt = null;
    document.addEventListener('pointerdown', () => { window.__pointerAt = performance.now(); },
                              {capture: true, once: true}); }"""


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def line(name: str, seconds: list[float], bar: float | None) -> str:
    if not seconds:
        return f"{name:<44} no measurement"
    median = statistics.median(seconds)
    verdict = "" if bar is None else ("  meets" if median <= bar else "  MISSES") + f" {bar:.1f} s"
    return (f"{name:<44} n={len(seconds):<3} median {median:6.3f} s   p90 "
            f"{quantile(seconds, 0.9):6.3f} s   max {max(seconds):6.3f} s{verdict}")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min), {os.cpu_count()} cores"


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
    while len(ids) < count:       # a small book: fewer pages than tries
        ids.append(random.Random(seed + len(ids)).choice(first["clients"])["client_id"])
    return ids[:count]


def first_page_ids(api_url: str, key: str) -> list[int]:
    answer = requests.get(f"{api_url}/clients", params={"page_size": 20},
                          headers={"X-API-Key": key}, timeout=10).json()
    return [c["client_id"] for c in answer["clients"]]


def wait_drawn(page, title: str, drawn: str, client_id: int | None = None) -> None:
    page.wait_for_function(
        """([title, client, drawn]) => {
            const h1 = document.querySelector("[data-testid='stMain'] h1");
            return h1 && h1.textContent.includes(title)
                && (!client || h1.textContent.includes('client ' + client))
                && document.querySelector(drawn);
        }""", arg=[title, str(client_id or ""), drawn], timeout=60_000, polling="raf")


def idle(page) -> None:
    """Until Streamlit's 'running' indicator is gone (the script run ended), 30 s at most."""
    try:
        page.wait_for_function(
            "() => !document.querySelector(\"[data-testid='stStatusWidget']\")", timeout=30_000)
    except Exception:  # noqa: BLE001 - a stuck indicator on a busy machine: time the next try
        FAILURES.setdefault("waiting for the page to settle", "still running after 30 s")


def click_and_time(page, how: str, label: str, title: str, client_id: int | None,
                   drawn: str) -> float | None:
    elapsed = page.evaluate(_CLICK_AND_TIME, [how, label, title, str(client_id or ""), drawn])
    return None if elapsed is None else elapsed / 1000


FAILURES: dict[str, str] = {}


def record(times: dict[str, list[float]], name: str, measure_once) -> None:
    """Run one timed action; a failure is noted once per figure and the run goes on."""
    try:
        seconds = measure_once()
    except Exception as error:  # noqa: BLE001 - a benchmark reports, it does not stop
        FAILURES.setdefault(name, f"{type(error).__name__}: {str(error).splitlines()[0][:160]}")
        return
    if seconds is not None:
        times.setdefault(name, []).append(seconds)


def wait_results(page) -> None:
    """Until the search page's results table is drawn: its header and 20 rows of clients."""
    page.wait_for_function("() => document.querySelectorAll('.client-row').length > 20",
                           timeout=60_000, polling="raf")


def click_row(page, client_id: int) -> float:
    """A real mouse click on a client's ID in the results table; seconds to the painted card.

    The link is scrolled into the window first (as a manager would scroll to it).
    """
    link = page.locator(f"[data-testid='stMain'] a[href='score_card?client={client_id}']:visible")
    link.scroll_into_view_if_needed(timeout=30_000)
    time.sleep(0.3)
    page.evaluate(_MARK_POINTER)
    link.click()
    return page.evaluate(_SINCE_POINTER, [CARD[0], str(client_id), CARD[1]]) / 1000


def open_card(page, url: str, client_id: int) -> None:
    page.goto(f"{url}/score_card?client={client_id}")
    wait_drawn(page, CARD[0], CARD[1], client_id)
    idle(page)


def measure(servers, tries: int, seed: int, screenshots: Path | None) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    ids = sample_clients(servers.api_url, servers.key, tries + 1, seed)
    listed = first_page_ids(servers.api_url, servers.key)
    url = servers.dashboard_url
    with chromium_page(WIDTH, HEIGHT) as page:
        started = time.perf_counter()                      # a fresh browser: no cookie yet
        page.goto(url)
        page.get_by_label("Username", exact=True).wait_for(timeout=60_000)
        times["first landing: login form painted"] = [time.perf_counter() - started]
        started = time.perf_counter()
        log_in(page, servers.login)
        wait_results(page)
        times["first landing: log in -> search page"] = [time.perf_counter() - started]

        open_find_page(page, url)                           # warm-up: every page once
        type_client_id(page, ids[0])
        open_typed_client(page, ids[0])
        for path, (title, drawn, _) in PAGES.items():
            record({}, f"warm-up {path}", lambda p=path, t=title, d=drawn: warm(page, url, p, t,
                                                                                d, ids[0]))

        for client_id in ids[1:]:
            def landing() -> float:
                started = time.perf_counter()
                page.goto(url)
                wait_results(page)
                return time.perf_counter() - started
            record(times, "landing, logged in (page load)", landing)
            idle(page)
            type_client_id(page, client_id)
            time.sleep(0.2)
            record(times, "search page -> card (typed ID)",
                   lambda c=client_id: open_typed_client(page, c)[1])
            idle(page)

        for row in range(tries):
            client_id = listed[row % len(listed)]
            open_find_page(page, url)
            wait_results(page)
            idle(page)
            time.sleep(0.3)
            record(times, "search page -> card (clicked row)",
                   lambda c=client_id: click_row(page, c))
            idle(page)

        open_card(page, url, ids[0])
        for client_id in ids[1:]:
            type_client_id(page, client_id, SIDEBAR_BOX)
            time.sleep(0.2)
            record(times, "card -> sidebar ID -> next card",
                   lambda c=client_id: open_typed_client(page, c, SIDEBAR_BOX)[1])
            idle(page)

        for client_id in ids[1:]:
            open_card(page, url, client_id)
            for title, drawn, with_client in PAGES.values():
                record(times, f"card -> {title}", lambda t=title, d=drawn, w=with_client, c=client_id:
                       click_and_time(page, "menu", t, t, c if w else None, d))
                idle(page)
                record(times, "page -> back to the card", lambda c=client_id: click_and_time(
                    page, "menu", CARD[0], CARD[0], c, CARD[1]))
                idle(page)
                if not page.locator(CARD[1]).count():   # lost on the way: start again
                    open_card(page, url, client_id)

        for client_id in ids[1:]:
            page.goto(f"{url}/what_if?client={client_id}")
            wait_drawn(page, "What if", "[data-testid='stForm']", client_id)
            idle(page)
            record(times, "what if: Re-score -> new probability",
                   lambda c=client_id: rescore(page, c))
            idle(page)

        for client_id in ids[1:]:
            page.goto(f"{url}/comparison?client={client_id}")
            wait_drawn(page, "Comparison", PAGES["comparison"][1], client_id)
            idle(page)
            record(times, "comparison: another group", lambda: change_group(page))
            idle(page)

        for _ in range(min(3, tries)):
            page.goto(f"{url}/monitoring")
            wait_drawn(page, "Monitoring", PAGES["monitoring"][1])
            idle(page)
            record(times, "monitoring: open the full report (on request)",
                   lambda: open_report(page))
            idle(page)

        for client_id in ids[1:]:
            def link(c=client_id) -> float:
                started = time.perf_counter()
                page.goto(f"{url}/score_card?client={c}")
                wait_drawn(page, CARD[0], CARD[1], c)
                return time.perf_counter() - started
            record(times, "shared link -> card (page load)", link)
            idle(page)

        if screenshots is not None:
            take_screenshots(page, url, ids[1], screenshots)
    return times


def warm(page, url: str, path: str, title: str, drawn: str, client_id: int) -> None:
    page.goto(f"{url}/{path}?client={client_id}")
    wait_drawn(page, title, drawn)
    idle(page)


def rescore(page, client_id: int) -> float:
    page.get_by_role("button", name="Re-score").wait_for(timeout=30_000)
    credit = page.get_by_role("textbox", name=re.compile(r"^Loan amount")).first
    value = credit.input_value()
    digits = "".join(c for c in value if c.isdigit()) or "100000"
    credit.fill(f"{int(digits) // 2:,}")
    credit.press("Tab")
    time.sleep(0.2)
    return page.evaluate(
        """([client]) => new Promise((resolve, reject) => {
            const button = [...document.querySelectorAll("[data-testid='stMain'] button")]
                .find(b => b.textContent.includes('Re-score'));
            const before = document.querySelectorAll("[data-testid='stMetricValue']").length;
            const started = performance.now();
            button.click();
            const poll = () => {
                const labels = [...document.querySelectorAll("[data-testid='stMetricLabel']")]
                    .map(e => e.textContent);
                if (labels.some(t => t.includes('With the changes'))
                        && !document.querySelector("[data-testid='stStatusWidget']")) {
                    requestAnimationFrame(() => resolve(performance.now() - started));
                } else if (performance.now() - started > 30000) {
                    reject(new Error('no new probability after 30 s'));
                } else { requestAnimationFrame(poll); }
            };
            requestAnimationFrame(poll);
        })""", [str(client_id)]) / 1000


def change_group(page) -> float | None:
    """Pick the next comparison group; seconds until the new group's name is painted."""
    picker = page.get_by_label("Compare with", exact=True)
    picker.wait_for(timeout=30_000)
    shown = page.locator(".group-chart").first.get_attribute("data-group") or ""
    picker.click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=10_000)
    texts = options.all_inner_texts()
    target = next((i for i, t in enumerate(texts) if "age band" in t.lower()), 0)
    page.evaluate(_MARK_POINTER)
    options.nth(target).click()
    return page.evaluate(
        """([before]) => new Promise((resolve, reject) => {
            const poll = () => {
                const chart = document.querySelector('.group-chart');
                if (chart && chart.dataset.group !== before && !chart.closest("[data-stale='true']")
                        && !document.querySelector("[data-testid='stStatusWidget']")) {
                    requestAnimationFrame(() => resolve(performance.now() - window.__pointerAt));
                } else if (performance.now() - window.__pointerAt > 30000) {
                    reject(new Error('group not changed after 30 s'));
                } else { requestAnimationFrame(poll); }
            };
            requestAnimationFrame(poll);
        })""", [shown]) / 1000


def open_report(page) -> float | None:
    button = page.get_by_role("button", name="Show the full drift report")
    if not button.count():
        return None
    page.evaluate(_MARK_POINTER)
    button.click()
    page.wait_for_selector("iframe", timeout=60_000)
    return page.evaluate("() => new Promise(r => requestAnimationFrame("
                         "() => r(performance.now() - window.__pointerAt)))") / 1000


def take_screenshots(page, url: str, client_id: int, folder: Path) -> None:
    """Every page at 1,280 px wide, for docs/screenshots.

    Streamlit scrolls inside its own container (a full-page capture stops at the window), so
    the window is made tall enough for each page's content, then cut to it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": WIDTH, "height": SHOT_HEIGHT})
    open_find_page(page, url)
    wait_results(page)
    idle(page)
    time.sleep(1.0)
    shoot(page, folder / "find_client.png")
    for path, (title, drawn, _) in {"score_card": CARD, **PAGES}.items():
        try:
            page.goto(f"{url}/{path}?client={client_id}")
            wait_drawn(page, title, drawn)
            idle(page)
        except Exception as error:  # noqa: BLE001 - keep the other screenshots
            print(f"screenshot of {path}: {type(error).__name__}")
            continue
        time.sleep(1.0)
        shoot(page, folder / f"{path}.png")
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})


def shoot(page, path: Path) -> None:
    """The window down to the end of the page's content (never cut at the window's height)."""
    bottom = page.evaluate("""() => {
        const blocks = [...document.querySelectorAll(
            "[data-testid='stMain'] [data-testid='stElementContainer']")];
        return Math.max(600, ...blocks.map(b => b.getBoundingClientRect().bottom)) + 40;
    }""")
    page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": WIDTH,
                                          "height": min(bottom, SHOT_HEIGHT)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path,
                        default=Path(os.environ.get("CREDIT_DATA_ROOT", PROJECT / "data")))
    parser.add_argument("--tries", type=int, default=10, help="per figure (10 or more)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--screenshots", type=Path, default=None,
                        help="also save a screenshot of every page here")
    args = parser.parse_args()
    missing = browser_missing()
    if missing:
        sys.exit(f"cannot run: {missing}")
    root = args.root.resolve()
    from credit_scoring_kedro.serving.artifacts import data_root, served_version
    try:
        with data_root(root):   # the root's own registry (<root>/mlflow.db) when it has one
            served_version()
    except LookupError as error:
        sys.exit(f"no served model for {root} ({error}): run the pipelines first (`make run`)")

    before = load()
    with tempfile.TemporaryDirectory() as logs, \
            running_servers(root, Path(logs), workers=2) as servers:
        times = measure(servers, args.tries, args.seed, args.screenshots)
    print(f"data root {root}; API: gunicorn 2 workers; chromium at {WIDTH} x {HEIGHT}")
    print(f"machine at the start: {before}")
    for name, seconds in times.items():
        bar = BARS.get(name, PAGE_BAR if name.startswith(("card -> ", "page -> ", "what if",
                                                           "comparison:")) else None)
        print(line(name, seconds, bar))
    for name, problem in FAILURES.items():
        print(f"{name:<44} failed (at least once): {problem}")
    print(f"machine at the end:   {load()}")


if __name__ == "__main__":
    main()
