"""Where generated pages live in a handbook site, so content can't collide with them."""

from __future__ import annotations

from collections.abc import Collection

from .listings import LISTINGS

LESSONS_DIR = "lessons"
# Folders whose pages the plugin generates: a story inside one would collide.
GENERATED_DIRS = tuple(listing.folder for listing in LISTINGS)
FOLLOW_UPS = "follow-ups.md"  # the open follow-ups: internal variant only
GENERATED_PAGES = ("awards.md", "stats.md", FOLLOW_UPS, f"{LESSONS_DIR}/index.md")
CULTURE_PAGE = "culture.md"
# Hand-written pages are internal unless they say otherwise; these two are public unless they do.
PUBLIC_BY_DEFAULT = ("index.md", CULTURE_PAGE)
DATA_FILES = ("authors.yml", "tags.yml", "teams.yml")
FEED = "feed.xml"
# MkDocs serves a folder's README.md as its index page, like index.md.
README = "README.md"
INDEX = "index.md"


def collision(src: str, siblings: Collection[str] = ()) -> str | None:
    """Return the page a content file at src would collide with, if any.

    That is a generated page with the same source or the same address (a page
    `years.md` is served at years/, the address of the generated years/index.md),
    or, for a README.md, the index.md among siblings (other content srcs) beside it.
    """
    if src in GENERATED_PAGES:
        return src
    folder, _, name = src.rpartition("/")
    top = src.split("/", 1)[0]
    if folder and top in GENERATED_DIRS:
        return f"{top}/"
    if not folder and name.endswith(".md") and name[: -len(".md")] in (*GENERATED_DIRS, LESSONS_DIR):
        return f"{name[: -len('.md')]}/{INDEX}"
    if name == README:
        index = f"{folder}/{INDEX}" if folder else INDEX
        if index in siblings:
            return index
    return None


def describe(src: str, clash: str) -> str:
    """Say, for a message, what a content file at src collides with (clash, from collision)."""
    if clash.endswith("/") or clash in GENERATED_PAGES or clash.split("/", 1)[0] in GENERATED_DIRS:
        same_url = clash != src and clash.endswith(f"/{INDEX}")
        return f"the generated page '{clash}'" + (f" (both would be served at {clash.removesuffix(INDEX)})" if same_url else "")
    return f"'{clash}' beside it (MkDocs serves a {README} as its folder's home page, as it does {INDEX})"


def rename_hint(src: str) -> str:
    """Suggest a file name for a page that collides, keeping its folder."""
    folder, _, name = src.rpartition("/")
    stem = name[: -len(".md")] if name.endswith(".md") else name
    return (f"{folder}/" if folder else "") + f"{stem.lower()}-page.md"
