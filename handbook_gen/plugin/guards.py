"""The last guards over each rendered page, and the pages and banner that stand in for content.

Whatever Markdown and its extensions made of the content is read again here as a browser
reads it: HTML outside the allowlist, or an internal marker in a public page, stops the
build. The internal banner is put back on a page whose theme override dropped it, and a
preview with content errors shows them on a page of its own.
"""

from __future__ import annotations

import functools
import re

import jinja2
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

from ..core import active_content, comments
from ..core.diagnostics import Diagnostic
from ..core.variants import Variant
from ..render.escape import md_escape
from ..render.site import THEME_DIR

# The banner partial is read from the package itself: a handbook's overrides must not be
# able to drop it by shadowing the file.
_THEME = jinja2.Environment(loader=jinja2.FileSystemLoader(str(THEME_DIR)), autoescape=True, undefined=jinja2.StrictUndefined)
# Page Markdown is escaped as every other page template escapes it: md_escape on every value.
_PAGES = jinja2.Environment(
    loader=jinja2.PackageLoader("handbook_gen.render", "templates"),
    autoescape=False,
    finalize=md_escape,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)
_PAGES.filters["md"] = md_escape

_BANNER_MARK = f'data-handbook-variant="{Variant.INTERNAL}"'
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def content(html: str, page: Page, variant: Variant | None, *, allow_scripts: bool) -> str:
    """Guard one rendered page: fix its meta title, refuse HTML outside the allowlist, drop a public page's comments."""
    _meta_title(page)
    if not allow_scripts:
        _allowed(html, page.file.src_uri)
    if variant is Variant.PUBLIC:
        html = _public_comments(html, page.file.src_uri)
    return html


def banner(html: str, variant: Variant | None) -> str:
    """Put the internal banner right after <body> of an internal page that lacks it."""
    # A handbook's own overrides/main.html (extending base.html) replaces ours, and its
    # announce block with it: the banner is then put right after <body>.
    if variant is not Variant.INTERNAL or _BANNER_MARK in html:
        return html
    return _BODY.sub(lambda m: m.group(0) + _fallback_banner(), html, count=1)


def error_page(errors: list[Diagnostic]) -> str:
    """Return the Markdown of the preview's page while the content has errors."""
    return _PAGES.get_template("errors.md.j2").render(errors=errors)


def _meta_title(page: Page) -> None:
    if "title" not in page.meta and page.title and not page.is_homepage:  # the home page's title is the site's name
        # A title taken from the page's heading is HTML (its entities kept), which Material
        # would unescape with `striptags` into <title>, where `</title><script>` runs: the
        # theme prints a meta title as it is, so the heading's own HTML is given as one.
        page.meta["title"] = page.title


def _allowed(html: str, src: str) -> None:
    found = active_content.in_html(html)
    if found:
        what = next((w for _, w in found if active_content.runs_script(w)), found[0][1])
        verdict = "would run script" if active_content.runs_script(what) else "holds HTML that is not allowed"
        raise PluginError(f"{src}: the rendered page {verdict} ({what}); nothing was built ({active_content.ALLOWED})")


def _public_comments(html: str, src: str) -> str:
    html, removed = comments.strip(html)
    if any(c.strip() in ("internal", "/internal") for c in removed):
        # Markdown read a marker as HTML where the content's tokenizer saw code, so
        # the section's text may be on the page: never publish that.
        raise PluginError(f"{src}: an internal marker reached the rendered public page; nothing was built")
    return html


@functools.cache
def _fallback_banner() -> str:
    return _THEME.get_template("partials/handbook-banner.html").render(standalone=True)
