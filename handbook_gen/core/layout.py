"""What a build writes where, so content can't take its place: one table, read everywhere.

The table lists the site paths the build owns: the generated pages (the fixed ones here and
every listing's folder, from listings.LISTINGS), the feed, what MkDocs and the search engines
write (sitemap, 404 page, Material's index, Pagefind's bundle), the folder of link-preview
images, and the files of the themes (this package's theme/ folder always; the theme MkDocs
uses when the caller names its files). A content file whose site path is one of them, or
lies in or over one of them, would replace it (a stylesheet or script on every page, a
listing page): that is an error, never a quiet overwrite.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, error
from .listings import LISTINGS, Listing

LESSONS_DIR = "lessons"
AUTHORS_DIR = "authors"  # authors/<id>.md: a named author's stories
# Folders whose pages the plugin generates: a story inside one would collide.
GENERATED_DIRS = (*(listing.folder for listing in LISTINGS), AUTHORS_DIR)
AWARDS = "awards.md"
STATS = "stats.md"
FOLLOW_UPS = "follow-ups.md"  # the open follow-ups: internal variant only
PROPOSE = "propose.md"  # the "Tell a story" form: internal variant only
LESSONS_INDEX = f"{LESSONS_DIR}/index.md"
AUTHORS_INDEX = f"{AUTHORS_DIR}/index.md"
# The renderer writes these (and the listings' pages) under these names: reserved by being listed here.
GENERATED_PAGES = (AWARDS, STATS, FOLLOW_UPS, LESSONS_INDEX, AUTHORS_INDEX, PROPOSE)
CULTURE_PAGE = "culture.md"
# Hand-written pages are internal unless they say otherwise; these two are public unless they do.
PUBLIC_BY_DEFAULT = ("index.md", CULTURE_PAGE)
DATA_FILES = ("authors.yml", "tags.yml", "teams.yml")
FEED = "feed.xml"
# MkDocs serves a folder's README.md as its index page, like index.md.
README = "README.md"
INDEX = "index.md"

SOCIAL_IMAGES = "assets/social"  # the link-preview images: assets/social/<content hash>.png
PAGEFIND = "pagefind"  # Pagefind's bundle: its scripts, styles and index
SEARCH = "search"  # Material's (and MkDocs') search index and scripts
# What MkDocs writes whatever the theme: its sitemap (and a gzipped copy) and the theme's 404 page.
SITE_FILES = ("sitemap.xml", "sitemap.xml.gz", "404.html")
THEME_DIR = Path(__file__).resolve().parent.parent / "theme"
"""This package's theme folder, which the plugin adds to the theme: its files are published."""


@dataclass(frozen=True)
class Taken:
    """A path in the built site that the build writes: a file, or a folder (ending in '/')."""

    path: str
    name: str  # as a message names it: a page's source ('years/index.md'), else the path
    what: str  # who writes it: 'the generated page', "Pagefind's search bundle", ...
    own: bool = False  # a page the content may write itself (the build writes it when missing)

    def describe(self, src: str, directory_urls: bool = True) -> str:
        """Say, for a message, what a content file at src would replace."""
        text = f"{self.what} '{self.name}'"
        if self.name.endswith(".md") and self.name != src and _key(site_path(src, directory_urls)) == _key(self.path):
            return text + f" (both would be served at {_address(self.path)})"
        return text


def author_page(author_id: str) -> str:
    """The src of an author's page."""
    return f"{AUTHORS_DIR}/{author_id}.md"


def site_path(src: str, directory_urls: bool = True) -> str:
    """The path in the built site of a file of the content folder (or a generated page):
    `x.md` is `x/index.html` with directory URLs, `x.html` without; any other file keeps its path."""
    if not src.endswith(".md"):
        return src
    folder, _, name = src[: -len(".md")].rpartition("/")
    if name in ("index", README[: -len(".md")]):
        return f"{folder}/index.html" if folder else "index.html"
    stem = src[: -len(".md")]
    return f"{stem}/index.html" if directory_urls else f"{stem}.html"


def url(src: str, directory_urls: bool = True) -> str:
    """The address of a page's source, relative to the site's root, as MkDocs' File.url gives it ("" for the home page)."""
    path = site_path(src, directory_urls)
    if directory_urls and (path == "index.html" or path.endswith("/index.html")):
        return path[: -len("index.html")]
    return path


def _address(path: str) -> str:
    return path.removesuffix("index.html") or "/"


def theme_files(folders: Iterable[str | Path]) -> list[str]:
    """Every file of theme folders MkDocs copies into a site, as its site path: all but hidden
    files, Python's, templates (`.html`: MkDocs renders only the static ones, in SITE_FILES) and
    the theme's settings."""
    out: set[str] = set()
    for folder in folders:
        base = str(folder)
        for here, dirs, files in os.walk(base):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
            rel = os.path.relpath(here, base).replace(os.sep, "/")
            out.update(name if rel == "." else f"{rel}/{name}" for name in files if _copied(name))
    return sorted(out)


def _copied(name: str) -> bool:
    return not name.startswith(".") and not name.endswith((".py", ".pyc", ".html")) and name != "mkdocs_theme.yml"


@functools.cache
def _own_theme() -> tuple[str, ...]:
    return tuple(theme_files([THEME_DIR]))


def entries(theme: Iterable[str] = (), directory_urls: bool = True) -> list[Taken]:
    """The table: every path the build writes, this package's theme files included, then theme's."""
    out = [Taken(site_path(p, directory_urls), p, "the generated page") for p in GENERATED_PAGES]
    # The home and culture pages are the content's own, else generated: only they may be written there.
    out += [Taken(site_path(p, directory_urls), p, "the page", own=True) for p in PUBLIC_BY_DEFAULT]
    for listing in LISTINGS:
        out.append(Taken(site_path(listing.index, directory_urls), listing.index, "the generated page"))
        out.append(Taken(f"{listing.folder}/", f"{listing.folder}/", "the generated page"))  # and its groups' pages
    out.append(Taken(f"{AUTHORS_DIR}/", f"{AUTHORS_DIR}/", "the generated page"))  # the authors' pages
    out.append(Taken(FEED, FEED, "the generated feed"))
    out += [Taken(name, name, "the file MkDocs writes") for name in SITE_FILES]
    out.append(Taken(f"{SEARCH}/", f"{SEARCH}/", "the search index"))
    out.append(Taken(f"{PAGEFIND}/", f"{PAGEFIND}/", "Pagefind's search bundle"))
    out.append(Taken(f"{SOCIAL_IMAGES}/", f"{SOCIAL_IMAGES}/", "the link-preview images"))
    out += [Taken(p, p, "the handbook theme's file") for p in _own_theme()]
    out += [Taken(p, p, "the theme's file") for p in theme]
    return out


def _key(path: str) -> str:
    # Compared as a case-insensitive file system (macOS, Windows) or server would: one file.
    return unicodedata.normalize("NFC", path).casefold()


class Table:
    """The paths the build writes, to look a content file's site path up in."""

    def __init__(self, taken: Iterable[Taken]) -> None:
        self.exact: dict[str, Taken] = {}
        self.holds: dict[str, Taken] = {}  # a folder -> something the build writes inside it
        for t in taken:
            key = _key(t.path)
            self.exact.setdefault(key, t)
            parts = key.rstrip("/").split("/")
            for i in range(1, len(parts)):
                self.holds.setdefault("/".join(parts[:i]) + "/", t)

    def find(self, path: str) -> Taken | None:
        """What the build writes at path, in a folder above it, or inside it (path as a folder)."""
        key = _key(path)
        if key in self.exact:
            return self.exact[key]
        parts = key.split("/")
        for i in range(1, len(parts)):
            above = "/".join(parts[:i])
            # A reserved folder holds the path, or a reserved file stands where it needs a folder.
            found = self.exact.get(above + "/") or self.exact.get(above)
            if found is not None:
                return found
        return self.exact.get(key + "/") or self.holds.get(key + "/")


@functools.cache
def table(theme: tuple[str, ...] = (), directory_urls: bool = True) -> Table:
    """The table of what the build writes, this package's theme included, with the theme's files."""
    return Table(entries(theme, directory_urls))


def taken_by(src: str, theme: Collection[str] = (), directory_urls: bool = True) -> Taken | None:
    """What the build writes where a content file at src would be published, if anything."""
    return _clash(table(tuple(sorted(theme)), directory_urls), src, directory_urls)


def _clash(look: Table, src: str, directory_urls: bool) -> Taken | None:
    path = site_path(src, directory_urls)
    found = look.find(path)
    # index.md (or README.md) and culture.md at their own address are those pages themselves.
    return None if found is not None and found.own and src.endswith(".md") and found.path == path else found


def taken(srcs: Iterable[str], theme: Collection[str] = (), *, directory_urls: bool = True, folder: str = "") -> list[Diagnostic]:
    """An error (HB205) for every content file (src, relative to the content folder; folder is
    that folder as messages show it) that would be published where the build writes a file."""
    look = table(tuple(sorted(theme)), directory_urls)
    prefix = folder.rstrip("/") + "/" if folder not in ("", ".") else ""
    problems: list[Diagnostic] = []
    for src in srcs:
        found = _clash(look, src, directory_urls)
        if found is not None:
            problems.append(error("HB205", prefix + src, 1, f"'{src}' would take the place of {found.describe(src, directory_urls)} in the site - rename or move it"))
    return problems


@functools.cache
def group_taken(listing: Listing, key: str, directory_urls: bool = True) -> Taken | None:
    """What else the build writes where a group of listing named key would have its pages (the
    listing's own index for a group 'index'), if anything: derived from the table."""
    others = _beside(listing, directory_urls)
    for number in (1, 2):  # the group's first page, and the folder of the others
        found = others.find(site_path(listing.page(key, number), directory_urls))
        if found is not None:
            return found
    return None


@functools.cache
def _beside(listing: Listing, directory_urls: bool) -> Table:
    """The table without the listing's folder, where its groups' pages go."""
    return Table(t for t in entries(directory_urls=directory_urls) if t.path != f"{listing.folder}/")


def group_clash(listing: Listing, key: str) -> str | None:
    """Say, for a message, why a group id of listing can't be key, if it can't."""
    taken = group_taken(listing, key)
    if taken is None:
        return None
    noun = listing.noun.lower()
    return f"{noun} '{key}' is a name the site uses: its page would replace {taken.what} '{taken.name}' ({listing.title.lower()}) - choose another id"


def readme_beside_index(src: str, siblings: Collection[str]) -> str | None:
    """The index.md beside a README.md, which MkDocs would serve at the same address."""
    folder, _, name = src.rpartition("/")
    index = f"{folder}/{INDEX}" if folder else INDEX
    return index if name == README and index in siblings else None


def rename_hint(src: str) -> str:
    """Suggest a file name for a page that collides, keeping its folder."""
    folder, _, name = src.rpartition("/")
    stem = name[: -len(".md")] if name.endswith(".md") else name
    return (f"{folder}/" if folder else "") + f"{stem.lower()}-page.md"
