"""Where generated pages live in a handbook site, so content can't collide with them."""

from __future__ import annotations

LESSONS_DIR = "lessons"
# Folders whose pages the plugin generates: a story inside one would collide.
GENERATED_DIRS = ("years", "teams", "tags", "kinds", "severities")
GENERATED_PAGES = ("awards.md", "stats.md", f"{LESSONS_DIR}/index.md")
CULTURE_PAGE = "culture.md"
DATA_FILES = ("authors.yml", "tags.yml")
FEED = "feed.xml"


def collision(src: str) -> str | None:
    """Return the generated page a content file at src would collide with, if any."""
    if src in GENERATED_PAGES:
        return src
    top = src.split("/", 1)[0]
    if "/" in src and top in GENERATED_DIRS:
        return f"{top}/"
    return None
