"""Picture of the pipelines for the README: kedro-viz's static build, shot in Debian's chromium.

    make viz && .venv/bin/python tools/pipeline_picture.py      # -> docs/screenshots/pipelines.png

Serves ``build/`` on a loopback port (the static site fetches its JSON, which file:// blocks),
hides the feature tour, folds the sidebar and saves the whole graph.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

PROJECT = Path(__file__).resolve().parents[1]
PORT = 8899
OUT = PROJECT / "docs" / "screenshots" / "pipelines.png"


def main() -> int:
    if not (PROJECT / "build" / "index.html").exists():
        sys.stderr.write("build/ holds no kedro-viz site: run `make viz` first\n")
        return 1
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(PORT), "--bind",
                               "127.0.0.1", "--directory", str(PROJECT / "build")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1300, "height": 1700})
            page.goto(f"http://127.0.0.1:{PORT}/")
            page.wait_for_selector("svg .pipeline-node", timeout=60_000)
            time.sleep(2)
            page.add_style_tag(content=".feature-hints {display: none !important}")  # the tour
            page.mouse.click(452, 35)                     # fold the sidebar
            page.mouse.move(5, 1690)                      # no hover label in the picture
            time.sleep(2)
            page.screenshot(path=str(OUT))
            browser.close()
    finally:
        server.terminate()
    sys.stdout.write(f"wrote {OUT}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
