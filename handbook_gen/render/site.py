"""The page table: every page of one variant, its Markdown and its meta, made once per build.

The MkDocs plugin serves pages from it, and `handbook export` writes it out as a plain docs
tree that any engine builds: both publish exactly the same pages.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any

from ..core import continuity, layout, walk
from ..core.loading import Handbook
from ..core.variants import Variant, View
from . import history
from .escape import html_escape
from .feed import feed
from .pages import Renderer

THEME_DIR = layout.THEME_DIR
"""The plugin's theme files (main.html, its stylesheet and scripts), after a handbook's own overrides."""
DEFAULT_CULTURE = "# Our culture\n\nWe tell our failures so that everyone learns from them.\n"


class Kind(StrEnum):
    STORY = "story"
    LESSON = "lesson"
    PAGE = "page"  # hand-written (or the default culture page)
    GENERATED = "generated"  # listings, awards, statistics, the generated home page...
    FORMER = "former"  # a story's old address: a redirect, or "no longer available" (core/continuity.py)
    FORM = "form"  # the "Tell a story" form: generated, with a theme template of its own (meta)


@dataclass(frozen=True)
class Entry:
    """One page: where it comes from, what it is, and what MkDocs renders."""

    src: str
    kind: Kind
    key: str  # the story or lesson id, else the src
    markdown: str
    meta: dict[str, Any]  # escaped for HTML: the theme prints meta values as they are


@dataclass
class Table:
    """Every page of a variant, and the other files the build writes from content (the feed)."""

    pages: dict[str, Entry] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def kind_of(self, src: str) -> tuple[str, str]:
        """The (kind, key) of a page, ("", "") for a file that is no page of the table."""
        entry = self.pages.get(src)
        return (entry.kind.value, entry.key) if entry else ("", "")


url = layout.url  # one rule for where a page is written and for its address


def build(
    hb: Handbook,
    view: View,
    renderer: Renderer,
    *,
    site_name: str,
    site_url: str,
    feed_limit: int,
    directory_urls: bool = True,
    memo: Memo | None = None,
) -> Table:
    """Make the page table of a variant: each page rendered once (or taken from a preview's memo)."""
    table = Table()
    settings = (view.variant, site_name, site_url, feed_limit, directory_urls)
    kept = memo.start(renderer, settings) if memo is not None else _render
    outlines, outline = _outline(view) if memo is not None else ({}, "")
    lessons = {lid: repr(lesson) for lid, lesson in view.lessons.items()} if memo is not None else {}
    updated = history.last_updated(hb.docs_dir, [s.src for s in view.stories.values()])  # one git log for all
    for sid, story in view.stories.items():
        meta: dict[str, Any] = {"title": html_escape(story.title), "description": html_escape(story.summary)}
        if view.variant is Variant.INTERNAL:
            meta[EDIT_META] = True  # theme/partials/actions.html: an "Edit this story" link, internal only
        # A story page shows the story, its related stories and its lessons: nothing else.
        shows = (outlines.get(sid), story.body, [outlines.get(r) for r in renderer.related[sid]], [lessons.get(lid) for lid in story.lessons], updated.get(story.src))
        markdown = kept(story.src, shows, partial(renderer.story, sid, updated.get(story.src)))
        table.pages[story.src] = Entry(story.src, Kind.STORY, sid, markdown, meta)
    for lid, lesson in view.lessons.items():
        meta = {"title": html_escape(lesson.title), "description": html_escape(lesson.summary)}
        markdown = kept(lesson.src, (lesson, outline), partial(renderer.lesson, lid))
        table.pages[lesson.src] = Entry(lesson.src, Kind.LESSON, lid, markdown, meta)
    for src, page in view.pages.items():
        body = page.body
        if src == layout.CULTURE_PAGE:
            body = kept(src, (body, outline), partial(renderer.culture, body))
        elif src == renderer.home_src:
            body = kept(src, (body, outline), partial(renderer.home, body))
        table.pages[src] = Entry(src, Kind.PAGE, src, body, _page_meta(hb, src))
    # Listings, awards, statistics... show what the stories say, never their bodies.
    generated: dict[str, str] = kept("", outline, renderer.generated)
    for src, markdown in generated.items():
        table.pages[src] = Entry(src, Kind.GENERATED, src, markdown, {})
    if view.variant is Variant.INTERNAL:  # the form offers internal lists (authors, lessons): never public
        # The ids the variant shows (a draft's stays out of every build; check refuses a clash with it).
        asked = (outline, sorted(hb.authors.items()), hb.teams, hb.rel(""), sorted(view.stories))
        form = kept(layout.PROPOSE, asked, partial(renderer.propose, hb.authors, hb.teams, hb.rel(""), view.stories))
        table.pages[layout.PROPOSE] = Entry(layout.PROPOSE, Kind.FORM, layout.PROPOSE, form, {"title": "Tell a story", "template": PROPOSE_TEMPLATE})
    if layout.CULTURE_PAGE not in table.pages:
        table.pages[layout.CULTURE_PAGE] = Entry(layout.CULTURE_PAGE, Kind.PAGE, layout.CULTURE_PAGE, renderer.culture(DEFAULT_CULTURE), {})
    for former in continuity.formers(hb, view.stories, view.variant is Variant.PUBLIC):
        if former.src not in table.pages:  # check refuses such a clash (HB209): never replace a page
            table.pages[former.src] = _former_page(former, view, renderer, directory_urls)
    urls = {sid: url(s.src, directory_urls) for sid, s in view.stories.items()}
    table.files[layout.FEED] = feed(renderer.stories, site_url, urls, site_name, feed_limit)
    return table


class Memo:
    """The pages a preview rendered in its last build, each by a digest of all it shows: a
    rebuild renders again only the pages an edit touched. The digest covers the page's
    views (dataclasses, whose repr holds every field), the build's settings, the renderer's
    own (page size, date, home page) and the text of every template; a page kept is one a
    fresh build makes the same. Only the pages of the last build stay, so memory stays flat."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[bytes, Any]] = {}

    def start(self, renderer: Renderer, settings: tuple[Any, ...]) -> Callable[[str, Any, Callable[[], Any]], Any]:
        """Begin a build: return kept(src, shows, render), the page rendered or kept."""
        last, self.pages = self.pages, {}
        loader = renderer.env.loader
        templates = [(n, loader.get_source(renderer.env, n)[0]) for n in loader.list_templates()] if loader else []
        # Digested once: printed again for each page, the templates' text cost more than the pages.
        salt = hashlib.blake2b(repr((settings, renderer.page_size, renderer.today, renderer.home_src, templates)).encode("utf-8", "surrogatepass"))

        def kept(src: str, shows: Any, render: Callable[[], Any]) -> Any:
            digest = salt.copy()
            _fed(digest, (src, shows))
            key = digest.digest()
            hit = last.get(src)
            page = hit[1] if hit is not None and hit[0] == key else render()
            self.pages[src] = (key, page)
            return page

        return kept


def _fed(digest: Any, part: Any) -> None:
    """Feed what a page shows to its digest: text as it is (its length first, so that no two
    parts run together), lists and tuples item by item, anything else as its repr."""
    if isinstance(part, str):
        data = part.encode("utf-8", "surrogatepass")
        digest.update(b"s%d:" % len(data))
        digest.update(data)
    elif isinstance(part, list | tuple):
        digest.update(b"l%d:" % len(part))
        for item in part:
            _fed(digest, item)
    else:
        data = repr(part).encode("utf-8", "surrogatepass")
        digest.update(b"r%d:" % len(data))
        digest.update(data)


def _render(src: str, shows: Any, render: Callable[[], Any]) -> Any:
    """A build with no memo renders every page."""
    return render()


def _outline(view: View) -> tuple[dict[str, str], str]:
    """Each story's fields but its body, as text (made once: a story page shows them of its
    related stories too); and everything the variant shows but the bodies of its stories and
    lessons: what listings, statistics and lessons' story lists read."""
    stories = {sid: repr([(f.name, getattr(s, f.name)) for f in dataclasses.fields(s) if f.name != "body"]) for sid, s in view.stories.items()}
    lessons = {k: dataclasses.replace(entry, body="") for k, entry in view.lessons.items()}
    rest = repr(dataclasses.replace(view, stories={}, lessons=lessons))
    return stories, "\n".join([rest, *stories, *stories.values()])


PROPOSE_TEMPLATE = "handbook-propose.html"
"""The theme template of the "Tell a story" form (theme/): the page's own script and styles, loaded on no other page."""
EDIT_META = "handbook_edit"
"""A story page's meta flag: the theme links the story's source file (from repo_url and edit_uri) on internal pages only."""

FORMER_TEMPLATE = "handbook-former.html"
"""The theme template of an old address (theme/): a redirect in the page's head, and no indexing.
The head is the template's: the HTML of content is held to an allowlist that has no <meta>."""


def _former_page(former: continuity.Former, view: View, renderer: Renderer, directory_urls: bool) -> Entry:
    """The page at a story's old address: a redirect to its page, or "no longer available"."""
    target = view.stories[former.story] if former.target is not None else None
    meta: dict[str, Any] = {
        "title": html_escape("This story has moved" if target else "No longer available"),
        "template": FORMER_TEMPLATE,
        "search": {"exclude": True},  # Material's search: nothing to find here
    }
    if target is not None:
        # Site-relative; the theme makes it relative to the page (and absolute for the canonical link).
        meta["handbook_moved_to"] = url(target.src, directory_urls)
    markdown = renderer._render("former.md.j2", former.src, target=target, home=renderer.home_src)
    return Entry(former.src, Kind.FORMER, former.src, markdown, meta)


def _page_meta(hb: Handbook, src: str) -> dict[str, Any]:
    """A hand-written page's own front-matter as the theme may print it: escaped, without `visibility`."""
    page = hb.pages.get(src)
    if page is None:
        return {}
    data = page.meta.model_dump(exclude_none=True, exclude={"visibility"})
    return walk.map_strings(data, html_escape)


def nav(view: View, renderer: Renderer) -> list[Any]:
    """The navigation: home, culture, the generated sections with something to show, the other pages."""
    out: list[Any] = [{"Home": renderer.home_src}, {"Culture": layout.CULTURE_PAGE}]
    out.extend(renderer.nav())
    for src, page in sorted(view.pages.items()):
        if src not in (renderer.home_src, layout.CULTURE_PAGE):
            # Material prints nav titles as HTML.
            out.append({str(html_escape(page.title)) if page.title else src[:-3].replace("-", " ").capitalize(): src})
    return out


def prune_nav(nav: Any, excluded: set[str]) -> Any:
    """Drop nav entries that point at left-out pages (their titles would leak)."""
    if isinstance(nav, list):
        items = [prune_nav(item, excluded) for item in nav]
        return [item for item in items if item not in (None, [], {})]
    if isinstance(nav, dict):
        entries = {k: prune_nav(v, excluded) for k, v in nav.items()}
        return {k: v for k, v in entries.items() if v not in (None, [], {})} or None
    if isinstance(nav, str):
        return None if nav in excluded else nav
    return nav


def used_files(extra_css: Iterable[Any], extra_javascript: Iterable[Any], *theme_files: Any) -> set[str]:
    """Files the configuration itself uses (styles, scripts, logo, favicon): published though no page links them."""
    return {p for p in (*extra_css, *extra_javascript, *theme_files) if isinstance(p, str)}
