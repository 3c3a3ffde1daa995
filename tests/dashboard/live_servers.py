"""The scoring API (gunicorn) and the dashboard (streamlit run) as real processes, and a browser.

Used by the real-browser test and by ``benchmarks/bench_dashboard.py``.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from credit_scoring_kedro.serving import credentials
from credit_scoring_kedro.serving.processes import (
    api_command,
    api_env,
    dashboard_command,
    free_port,
    spawn,
    stop,
    wait_healthy,
)

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def browser_missing() -> str | None:
    """Why the real-browser checks cannot run here, or None."""
    if not CHROMIUM.exists():
        return (f"{CHROMIUM} is not installed (apt-get install chromium chromium-driver "
                "fonts-liberation)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright)"
    return None


# the relationship manager who logs in to the served dashboard (a login of its own file)
MANAGER = ("rm.browser", "browser-password-1234")
LOGIN_COOKIE = "credit_dashboard_auth"     # credentials.ensure's cookie name


@dataclass
class Servers:
    api_url: str
    dashboard_url: str
    key: str
    login: tuple[str, str] = MANAGER    # username, password


@contextlib.contextmanager
def running_servers(data_root: Path, logs: Path, key: str = "browser-test-key",
                    workers: int = 1) -> Iterator[Servers]:
    """Start the API over ``data_root`` and the dashboard pointing at it; stop both after.

    The dashboard reads its logins from a credentials file in ``logs`` holding
    :data:`MANAGER`; :func:`log_in` types them in.
    """
    logs.mkdir(parents=True, exist_ok=True)
    logins = logs / "credentials.yml"
    credentials.ensure(logins)
    credentials.add_user(*MANAGER, "Browser Test Manager", logins)
    api_port, dashboard_port = free_port(), free_port()
    base = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "true", "PYTHONUNBUFFERED": "1"}
    served = api_env(data_root, api_port, f"sqlite:///{(logs / 'prediction_log.db').resolve()}",
                     key=key, workers=workers, base=base)
    api_url = f"http://127.0.0.1:{api_port}/api/v1"
    dashboard_env = {**base, "CREDIT_DATA_ROOT": str(data_root), "CREDIT_API_URL": api_url,
                     "CREDIT_API_KEY": key, "CREDIT_CREDENTIALS_FILE": str(logins)}
    dashboard_env.pop("CREDIT_DASHBOARD_AUTH", None)     # the login as served: on
    processes = []
    try:
        processes.append(spawn(api_command(), served, logs / "api.log"))
        processes.append(spawn(dashboard_command("127.0.0.1", dashboard_port), dashboard_env,
                               logs / "dashboard.log"))
        wait_healthy("API", f"{api_url}/ready", processes[0], 120, logs / "api.log")
        dashboard_url = f"http://127.0.0.1:{dashboard_port}"
        wait_healthy("dashboard", f"{dashboard_url}/_stcore/health", processes[1], 60,
                     logs / "dashboard.log")
        yield Servers(api_url, dashboard_url, key)
    finally:
        stop(processes)


@contextlib.contextmanager
def chromium_page(width: int = 1400, height: int = 1000):
    """A Playwright page in Debian's chromium (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def log_in(page, login: tuple[str, str] = MANAGER, accepted: bool = True) -> None:
    """Type the username and password in the login form and press "Log in".

    ``accepted``: wait until the browser holds the login cookie and the app is idle again.
    The cookie is written by a component drawn in the run that logged in; once mounted it
    reruns the script, and a click sent during that rerun can be lost.
    """
    page.get_by_label("Username", exact=True).wait_for(timeout=30_000)
    page.get_by_label("Username", exact=True).fill(login[0])
    page.get_by_label("Password", exact=True).fill(login[1])
    page.get_by_role("button", name="Log in").click()
    if not accepted:
        return
    deadline = time.monotonic() + 30
    while not any(c["name"] == LOGIN_COOKIE for c in page.context.cookies()):
        if time.monotonic() > deadline:
            raise AssertionError("no login cookie 30 s after logging in")
        time.sleep(0.1)
    page.wait_for_function("() => !document.querySelector(\"[data-testid='stStatusWidget']\")",
                           timeout=30_000)
    time.sleep(0.3)


def open_find_page(page, dashboard_url: str, login: tuple[str, str] | None = None) -> None:
    """Open the search page; with ``login``, log in first (the form comes before any page)."""
    page.goto(dashboard_url)
    if login is not None:
        log_in(page, login)
    page.get_by_label("Client ID", exact=True).wait_for(timeout=30_000)


SEARCH_BOX = ("Client ID", "[data-testid='stMain']", "Open client")
SIDEBAR_BOX = ("Open a client by ID", "[data-testid='stSidebar']", "Open")


def type_client_id(page, client_id: int, box: tuple[str, str, str] = SEARCH_BOX) -> None:
    page.get_by_label(box[0], exact=True).fill(str(client_id))


# Clicks "Open client" inside the page and resolves, one frame after the client's title and
# probability are in the DOM (i.e. once painted), with the milliseconds since the click.
_OPEN_AND_TIME = """([id, scope, label]) => new Promise((resolve, reject) => {
    const button = [...document.querySelectorAll(scope + ' button')]
        .find(b => b.textContent.includes(label));
    if (!button) { reject(new Error('no ' + label + ' button')); return; }
    const started = performance.now();
    const deadline = started + 30000;
    button.click();
    const poll = () => {
        const title = document.querySelector('h1');
        const value = document.querySelector("[data-testid='stMetricValue']");
        if (title && title.textContent.includes('client ' + id)
                && value && value.textContent.trim()) {
            requestAnimationFrame(() => resolve(performance.now() - started));
        } else if (performance.now() > deadline) {
            reject(new Error('no score card for client ' + id + ' after 30 s'));
        } else {
            requestAnimationFrame(poll);
        }
    };
    requestAnimationFrame(poll);
})"""


def open_typed_client(page, client_id: int,
                      box: tuple[str, str, str] = SEARCH_BOX) -> tuple[str, float]:
    """Press the box's button; wait until the client's score card is painted.

    Returns the probability shown (the first ``stMetricValue``) and the seconds from the
    click to the painted card, measured inside the page (no driver round trip included).
    """
    elapsed_ms = page.evaluate(_OPEN_AND_TIME, [client_id, box[1], box[2]])
    shown = page.locator("[data-testid='stMetricValue']").first.inner_text()
    return shown, elapsed_ms / 1000


def select_client(page, client_id: int) -> str:
    """Type the ID on the search page, open it, wait for the painted score card."""
    type_client_id(page, client_id)
    return open_typed_client(page, client_id)[0]
