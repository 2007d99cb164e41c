"""Make the README's screenshots from the sample handbook's public build.

    .venv/bin/python scripts/screenshots.py [--out docs] [--only unfurl,search,story,share]

Builds the public variant of the sample handbook (mkdocs.yml, stories/) into a temporary
folder with `python -m handbook_gen build`, serves it on 127.0.0.1 and drives Debian's
Chromium (/usr/bin/chromium, never a downloaded browser) through Playwright. It writes:

- screenshot-unfurl.png: how a link to the culture page unfurls in a chat app. The card is
  made only from the built page's own Open Graph and Twitter meta (site name, title,
  description, preview image, address), escaped into a small local HTML page whose image is
  the preview image the site serves. Without a site_url in the configuration a page has no
  og:url and a relative og:image: the card then links the address this run serves it at;
- screenshot-search.png: a Pagefind search from the header's box, filtered to one team;
- screenshot-story.png: the top of a public story page;
- screenshot-share.png: a public story's preview image, the file the build wrote, as is;
- screenshot-propose.png: the internal site's "Tell a story" form (an internal build of its
  own), begun and sent too early: what its checks say beside the fields.

The lesson screenshot (an internal page) is not made here. For repeatable pictures the
build gets a fixed SOURCE_DATE_EPOCH, the browser may fetch nothing but the local server
(so web fonts fall back to the installed ones) and every shot waits for fonts to load.
"""

from __future__ import annotations

import argparse
import functools
import html
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import Browser, Page, Route, sync_playwright

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "mkdocs.yml"
SOURCE_DATE_EPOCH = "1735689600"  # 2025-01-01T00:00:00Z: the build date MkDocs writes (sitemap)
TIMEOUT_MS = 30_000

SHOTS = ("unfurl", "search", "story", "share", "propose")
FILES = {name: f"screenshot-{name}.png" for name in SHOTS}

# What the shots show: pages of the sample's public site, and the search typed.
CULTURE = "culture/"
STORY = "2021/shipped-someone-elses-installer/"
SHARED_STORY = "2022/migration-locked-the-orders-table/"
PROPOSE = "propose/"  # the "Tell a story" form, on the internal site
PROPOSE_TITLE = "The deploy that waited for a holiday"
QUERY = "customers"
TEAM = "platform"

DESKTOP = {"width": 1280, "height": 900}
CHAT_WIDTH = 700
CHAT_MESSAGE = "Have a look at how we talk about failure:"


# Building and serving -----------------------------------------------------------------------


def build_public(dest: Path, config: Path = CONFIG, variant: str = "public") -> Path:
    """Build the public variant (or the one named) of the handbook configured by `config` into dest; return dest."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH))
    env.pop("HANDBOOK_VARIANT", None)
    cmd = [sys.executable, "-m", "handbook_gen", "-f", str(config), "build", "--variant", variant, "-d", str(dest)]
    done = subprocess.run(cmd, cwd=config.parent, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not (dest / "index.html").is_file():
        raise RuntimeError(f"the {variant} build failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return dest


def site_url_of(config: Path = CONFIG) -> str:
    """The configuration's site_url ('' when it has none), read as MkDocs reads it."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.config import load_config

    return str(load_config(str(config)).site_url or "")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve a built site at 127.0.0.1 on a free port, in a thread; yield its base URL (ending in /)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright (which never downloads a browser here)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def local_tab(browser: Browser, base: str, **options: Any) -> Iterator[Page]:
    """A page in a fresh context that may fetch only from the local server at base."""
    context = browser.new_context(**options)

    def only_local(route: Route) -> None:
        url = route.request.url
        if url.startswith(base) or url.startswith(("data:", "about:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_local)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        yield page
    finally:
        context.close()


def settle(page: Page) -> None:
    """Wait until the page's fonts are loaded and its images decoded."""
    page.wait_for_load_state("load")
    page.evaluate("() => document.fonts.ready.then(() => undefined)")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")


# Reading a page's sharing meta -----------------------------------------------------------------


class _HeadMeta(HTMLParser):
    """The <meta property|name> values and <link rel> addresses of a page's head (first of each)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self._in_head = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "body":
            self._in_head = False
        if not self._in_head:
            return
        key = a.get("property") or a.get("name")
        if tag == "meta" and key and "content" in a:
            self.meta.setdefault(key, a["content"])
        if tag == "link" and a.get("rel") and "href" in a:
            for rel in a["rel"].split():
                self.links.setdefault(rel, a["href"])


def read_head(page_html: str) -> tuple[dict[str, str], dict[str, str]]:
    """A page's meta values (og:title, twitter:card, description, ...) and links (canonical, icon, ...)."""
    parser = _HeadMeta()
    parser.feed(page_html)
    parser.close()
    return parser.meta, parser.links


# The unfurl ---------------------------------------------------------------------------------------


@dataclass
class Card:
    """A link unfurl as a chat app would show it, with what it was made from."""

    meta: dict[str, str]
    """What was read from the page: site_name, title, description, image, image_alt, url (the address shared)."""
    html: str = ""
    """The local page that shows the card."""
    image_src: str = ""
    """Where the card's image is fetched from: the preview image on the local server."""
    files: list[Path] = field(default_factory=list)


def _local(address: str, page_url: str, base: str, site_url: str) -> str:
    """The local server's address of a URL the page names: absolute under site_url, or relative to the page."""
    if site_url and address.startswith(site_url.rstrip("/") + "/"):
        return base + address[len(site_url.rstrip("/")) + 1:]
    if urlsplit(address).scheme:
        raise ValueError(f"{address} is not under the site's address {site_url or '(no site_url)'}")
    return urljoin(page_url, address)


def card_meta(page_html: str) -> dict[str, str]:
    """The card's values, from the page's Open Graph meta (Twitter's, then the plain description, when missing)."""
    meta, links = read_head(page_html)

    def first(*keys: str) -> str:
        return next((meta[k] for k in keys if meta.get(k)), "")

    values = {
        "site_name": first("og:site_name"),
        "title": first("og:title", "twitter:title"),
        "description": first("og:description", "twitter:description", "description"),
        "image": first("og:image", "twitter:image"),
        "image_alt": first("og:image:alt", "twitter:image:alt"),
        "image_width": first("og:image:width"),
        "image_height": first("og:image:height"),
        "url": first("og:url") or links.get("canonical", ""),
        "icon": links.get("icon", ""),
    }
    missing = [k for k in ("site_name", "title", "description", "image") if not values[k]]
    if missing:
        raise ValueError(f"the page has no {', '.join(missing)} to unfurl")
    return values


CARD_CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; background: #e9eaee; }
body { font: 15px/1.45 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1d1c1d; padding: 0; }
.chat { width: %(width)spx; background: #fff; padding: 18px 20px 20px; border: 1px solid #dcdde1; }
.channel { font-weight: bold; color: #616061; font-size: 13px; padding-bottom: 12px; margin-bottom: 14px;
  border-bottom: 1px solid #ececee; }
.message { display: flex; gap: 12px; }
.avatar { flex: none; width: 38px; height: 38px; border-radius: 6px; background: #5b6b8c; color: #fff;
  font-weight: bold; font-size: 15px; display: flex; align-items: center; justify-content: center; }
.body { min-width: 0; flex: 1; }
.who { font-weight: bold; }
.who .time { font-weight: normal; color: #7a7a7d; font-size: 12px; margin-left: 6px; }
.text { margin: 2px 0 0; overflow-wrap: anywhere; }
a { color: #1264a3; text-decoration: none; }
.unfurl { display: flex; margin-top: 8px; }
.unfurl-bar { flex: none; width: 4px; border-radius: 4px; background: #d7263d; }
.unfurl-content { padding: 2px 0 2px 12px; min-width: 0; }
.unfurl-site { display: flex; align-items: center; gap: 6px; font-size: 13px; font-weight: bold; color: #4a4a4d; }
.unfurl-site img { width: 16px; height: 16px; }
.unfurl-title { display: block; font-weight: bold; margin-top: 2px; }
.unfurl-description { margin: 2px 0 8px; }
.unfurl-image { display: block; width: %(image_width)spx; height: auto; border-radius: 8px; border: 1px solid #e1e1e4; }
"""


def compose_card(values: dict[str, str], page_url: str, base: str, site_url: str) -> Card:
    """The chat message and its unfurl card as a small HTML page; every value escaped."""
    card = Card(meta=dict(values))
    if not card.meta["url"]:
        # No site_url, so no address of its own: the link shared is where this run serves it.
        card.meta["url"] = page_url
    card.image_src = _local(values["image"], page_url, base, site_url)
    icon = _local(values["icon"], page_url, base, site_url) if values["icon"] else ""
    e = functools.partial(html.escape, quote=True)
    url, image_width = e(card.meta["url"]), CHAT_WIDTH - 2 * 20 - 38 - 12 - 4 - 12 - 40
    size = ""
    if values["image_width"].isdigit() and values["image_height"].isdigit():
        size = f' width="{e(values["image_width"])}" height="{e(values["image_height"])}"'
    icon_tag = f'<img src="{e(icon)}" alt="">' if icon else ""
    card.html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(values["title"])}</title>
<style>{CARD_CSS % {"width": CHAT_WIDTH, "image_width": image_width}}</style></head>
<body><div class="chat" id="chat">
<div class="channel"># general</div>
<div class="message">
<div class="avatar" aria-hidden="true">HR</div>
<div class="body">
<div class="who">Hiring team<span class="time">10:42</span></div>
<p class="text">{e(CHAT_MESSAGE)} <a href="{url}">{url}</a></p>
<div class="unfurl">
<div class="unfurl-bar"></div>
<div class="unfurl-content">
<div class="unfurl-site">{icon_tag}<span class="unfurl-site-name">{e(values["site_name"])}</span></div>
<a class="unfurl-title" href="{url}">{e(values["title"])}</a>
<div class="unfurl-description">{e(values["description"])}</div>
<img class="unfurl-image" src="{e(card.image_src)}" alt="{e(values["image_alt"])}"{size}>
</div></div></div></div></div></body></html>
"""
    return card


def shoot_unfurl(browser: Browser, base: str, site: Path, site_url: str, out: Path, path: str = CULTURE) -> Card:
    """Write the unfurl of the page at `path` to out/screenshot-unfurl.png; return its card."""
    page_url = base + path
    card = compose_card(card_meta((site / path / "index.html").read_text(encoding="utf-8")), page_url, base, site_url)
    with local_tab(browser, base, viewport={"width": CHAT_WIDTH + 40, "height": 900}, device_scale_factor=2) as page:
        page.set_content(card.html, wait_until="load")
        settle(page)
        loaded = page.evaluate("() => { const i = document.querySelector('.unfurl-image'); return i.naturalWidth }")
        if not loaded:
            raise RuntimeError(f"the preview image {card.image_src} did not load")
        target = out / FILES["unfurl"]
        page.locator("#chat").screenshot(path=str(target), animations="disabled")
    card.files.append(target)
    return card


# The site's own pages -----------------------------------------------------------------------------


def shoot_search(browser: Browser, base: str, out: Path, query: str = QUERY, team: str = TEAM) -> Path:
    """A Pagefind search from the header's box, filtered to one team: out/screenshot-search.png."""
    with local_tab(browser, base, viewport=DESKTOP) as page:
        page.goto(base)
        settle(page)
        page.locator("input.md-search__input").click()
        box = page.locator(".pagefind-ui__search-input")
        box.fill(query)
        page.locator(".pagefind-ui__result-title").first.wait_for()
        message = page.locator(".pagefind-ui__message")
        before = message.inner_text()
        checkbox = page.locator(f'input.pagefind-ui__filter-checkbox[name="team"][value="{team}"]')
        if checkbox.count() != 1:
            raise RuntimeError(f"no team filter {team!r} in the search panel")
        checkbox.check()
        # Narrowed: a new count, every result drawn (no loading placeholder), and the same on two
        # polls in a row (Pagefind redraws the list a moment after the count changes).
        page.wait_for_function(
            """([before]) => {
                const message = document.querySelector('.pagefind-ui__message')
                const results = document.querySelectorAll('.pagefind-ui__result').length
                const drawn = message && message.textContent.trim() !== before.trim() && results > 0
                    && !document.querySelector('.pagefind-ui__loading')
                    && document.querySelectorAll('.pagefind-ui__result-link').length === results
                const state = drawn ? message.textContent + '|' + results : ''
                const settled = drawn && window.__screenshotState === state
                window.__screenshotState = state
                return settled
            }""",
            arg=[before],
            polling=250,
        )
        page.evaluate("() => document.activeElement instanceof HTMLElement && document.activeElement.blur()")
        page.mouse.move(DESKTOP["width"] - 1, DESKTOP["height"] - 1)
        settle(page)
        target = out / FILES["search"]
        page.screenshot(path=str(target), animations="disabled")
    return target


def shoot_story(browser: Browser, base: str, out: Path, path: str = STORY) -> Path:
    """The top of a public story page: out/screenshot-story.png."""
    with local_tab(browser, base, viewport=DESKTOP) as page:
        page.goto(base + path)
        settle(page)
        page.mouse.move(DESKTOP["width"] - 1, DESKTOP["height"] - 1)
        target = out / FILES["story"]
        page.screenshot(path=str(target), animations="disabled")
    return target


def shoot_propose(browser: Browser, base: str, out: Path, path: str = PROPOSE) -> Path:
    """The "Tell a story" form with a title given and sent too early: out/screenshot-propose.png."""
    with local_tab(browser, base, viewport=DESKTOP) as page:
        page.goto(base + path)
        settle(page)
        page.locator("#hb-title").fill(PROPOSE_TITLE)
        page.locator("#hb-propose-go").click()  # the checks say what is missing, beside each field
        page.evaluate("window.scrollTo(0, document.querySelector('article h1').getBoundingClientRect().top + window.scrollY - 70)")
        page.mouse.move(DESKTOP["width"] - 1, DESKTOP["height"] - 1)
        target = out / FILES["propose"]
        page.screenshot(path=str(target), animations="disabled")
    return target


def copy_share(site: Path, site_url: str, out: Path, path: str = SHARED_STORY) -> Path:
    """A public story's preview image, copied as the build wrote it: out/screenshot-share.png."""
    values = card_meta((site / path / "index.html").read_text(encoding="utf-8"))
    local = _local(values["image"], "http://site/" + path, "http://site/", site_url)
    target = out / FILES["share"]
    shutil.copyfile(site / urlsplit(local).path.lstrip("/"), target)
    return target


# Putting it together ------------------------------------------------------------------------------


@dataclass
class Made:
    """What a run wrote: shot name -> file, and the unfurl's card when it was made."""

    files: dict[str, Path]
    card: Card | None = None


def make(out: Path, only: Sequence[str] = SHOTS, *, config: Path = CONFIG, site: Path | None = None,
         browser: Browser | None = None) -> Made:
    """Write the shots named in `only` to out; build the public site first unless `site` holds
    one; shoot with `browser` if given (the tests' shared one), else launch Chromium."""
    unknown = sorted(set(only) - set(SHOTS))
    if unknown:
        raise ValueError(f"unknown shots: {', '.join(unknown)} (known: {', '.join(SHOTS)})")
    out.mkdir(parents=True, exist_ok=True)
    site_url = site_url_of(config)
    made = Made(files={})
    with tempfile.TemporaryDirectory(prefix="handbook-screenshots-") as tmp:
        if site is None:
            site = build_public(Path(tmp) / "public", config)
        if "share" in only:
            made.files["share"] = copy_share(site, site_url, out)
        if not set(only) - {"share"}:
            return made
        with serve(site) as base, (nullcontext(browser) if browser is not None else chromium()) as browser:
            if "unfurl" in only:
                made.card = shoot_unfurl(browser, base, site, site_url, out)
                made.files["unfurl"] = made.card.files[0]
            if "search" in only:
                made.files["search"] = shoot_search(browser, base, out)
            if "story" in only:
                made.files["story"] = shoot_story(browser, base, out)
            if "propose" in only:  # an internal page: a site of its own
                internal = build_public(Path(tmp) / "internal", config, "internal")
                with serve(internal) as internal_base:
                    made.files["propose"] = shoot_propose(browser, internal_base, out)
    return made


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="folder to write to (default: docs)")
    parser.add_argument("--only", default=",".join(SHOTS), help=f"comma-separated shots to make (default: {','.join(SHOTS)})")
    parser.add_argument("-f", "--config-file", type=Path, default=CONFIG, help="the handbook's mkdocs.yml (default: the sample's)")
    args = parser.parse_args(argv)
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    try:
        made = make(args.out, only, config=args.config_file.resolve())
    except (RuntimeError, ValueError) as error:
        print(f"screenshots: {error}", file=sys.stderr)
        return 1
    for name, path in made.files.items():
        print(f"{name}: {path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
