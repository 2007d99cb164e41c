"""What the browser tests share: Debian's Chromium, the readers' screens, built sites served over HTTP.

The `browser` fixture (conftest.py) launches Chromium once for the whole run; each test opens
a context of its own, so no cookie, cache or palette choice leaks from one test to the next.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")

# The two screens readers use: a laptop, and a phone (a Pixel 7: touch, mobile layout, where
# Material hides the header's search box behind a magnifier and the navigation in a drawer).
SCREENS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 412, "height": 839},
        "device_scale_factor": 2.625,
        "is_mobile": True,
        "has_touch": True,
        "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    },
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def served(sites: Mapping[str, Path]) -> Iterator[dict[str, str]]:
    """Serve each built site on a port of its own at 127.0.0.1: name -> base URL (ending in /)."""
    servers, urls = [], {}
    try:
        for name, site in sites.items():
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
            urls[name] = f"http://127.0.0.1:{server.server_address[1]}/"
        yield urls
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@contextmanager
def tab(browser: Any, screen: str = "desktop", timeout_ms: int = 15_000) -> Iterator[Any]:
    """A page in a fresh context of the shared browser, on one of the SCREENS."""
    context = browser.new_context(**SCREENS[screen])
    try:
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        yield page
    finally:
        context.close()


def open_search(page: Any, screen: str) -> None:
    """Open the site's search as a reader on that screen does: the header box on a laptop,
    the magnifier on a phone (Material hides the box there)."""
    if screen == "phone":
        page.locator('label.md-header__button[for="__search"]').tap()
    else:
        page.locator("input.md-search__input").click()


# Material's two palettes, by the toggle (a label's `for`) that switches to each from the default.
PALETTES: dict[str, str | None] = {"default": None, "slate": "__palette_1"}
SERIOUS = ("serious", "critical")  # the axe impacts a page may not have


def use_palette(page: Any, base: str, scheme: str) -> None:
    """Switch the site at base to a palette with Material's toggle: the choice holds for every later page."""
    toggle = PALETTES[scheme]
    if toggle:
        page.goto(base)
        page.locator(f'label[for="{toggle}"]').click()
        page.wait_for_function(f"() => document.body.dataset.mdColorScheme === '{scheme}'")


def serious_violations(page: Any) -> list[str]:
    """Every serious or critical axe violation on the page as it is now, one line per element."""
    from axe_playwright_python.sync_playwright import Axe  # a test dependency, loaded by browser tests only

    out = []
    for v in Axe().run(page).response["violations"]:
        if v.get("impact") in SERIOUS:
            for node in v["nodes"]:
                summary = " ".join((node.get("failureSummary") or "").split())[:300]
                out.append(f"{v['id']} ({v['impact']}) at {node['target']}: {summary}")
    return out
