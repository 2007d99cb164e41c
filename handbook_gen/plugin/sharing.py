"""Sharing: what a page shows when its link is posted in a chat or on a social site.

Every page gets a description, Open Graph and Twitter card meta, and a 1200x630 preview
image (drawn by render.social: stories, lessons and the culture page get their own, every
other page the site's). Everything comes from the variant's view, as the page itself shows
it: a public story's card and meta carry its public summary, never its internal one.

The values go in `page.meta.hb_social`, escaped for an HTML attribute; the theme's
partials/handbook-social.html prints them in the head.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from ..core import layout
from ..core.loading import Handbook
from ..core.variants import View
from ..render import social
from ..render.escape import html_escape

IMAGES = layout.SOCIAL_IMAGES
"""Where the preview images are published in the site: IMAGES/<content hash>.png."""

# Plugins that print Open Graph and Twitter meta of their own: with one on, ours stays out.
_OTHER_CARDS = ("social", "material/social")


# Images this process found proven (drawn by a build here: their MAC holds), by cache folder
# and card key, with the image file's stamp then: a preview's rebuild takes them as they were
# while the file is untouched, rather than reading and checking every image again.
_PROVEN: dict[tuple[Path, str], tuple[Path, tuple[int, int, int]]] = {}


def _ensure_all(cards: list[social.Card], folder: Path) -> list[Path]:
    """social.ensure_all, skipping the images proven earlier in this process and unchanged since."""
    keys = [card.key() for card in cards]
    found: dict[int, Path] = {}
    for i, key in enumerate(keys):
        hit = _PROVEN.get((folder, key))
        if hit is not None and _stamp(hit[0]) == hit[1]:
            found[i] = hit[0]
    todo = [i for i in range(len(cards)) if i not in found]
    found |= dict(zip(todo, social.ensure_all([cards[i] for i in todo], folder), strict=True))
    _PROVEN.clear()  # only this build's images stay
    _PROVEN.update({(folder, keys[i]): (path, _stamp(path)) for i, path in found.items()})
    return [found[i] for i in range(len(cards))]


def _stamp(path: Path) -> tuple[int, int, int]:
    try:
        st = path.stat()
    except OSError:
        return (-1, -1, -1)
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class Sharing:
    """The sharing meta and preview images of one build of one variant."""

    def __init__(self, view: View, handbook: Handbook, config: MkDocsConfig, *, images: bool = True) -> None:
        self.view = view
        self.handbook = handbook
        self.site_name = " ".join(str(config.site_name or "").split())
        self.site_description = " ".join(str(config.site_description or "").split())
        self.site_url = config.site_url or ""
        self.enabled = not any(name in config.plugins for name in _OTHER_CARDS)
        self.draw = images and self.enabled
        self.images: dict[str, str] = {}  # page src -> site path of its image
        self.site_image = ""
        self.stories = {s.src: s for s in view.stories.values()}
        self.lessons = {l.src: l for l in view.lessons.values()}

    # Images ------------------------------------------------------------------

    def add_images(self, files: Files, config: MkDocsConfig) -> None:
        """Draw (or find in the cache) every preview image; add them to the site's files."""
        if not self.draw:
            self._site_meta(config)
            return
        site = self.site_name
        cards = {s.src: social.story_card(site, s) for s in self.stories.values()}
        cards |= {l.src: social.lesson_card(site, l) for l in self.lessons.values()}
        culture = self.view.pages.get(layout.CULTURE_PAGE)
        entry = self.handbook.pages.get(layout.CULTURE_PAGE) if culture else None
        about = (entry.meta.description if entry else None) or self.site_description
        cards[layout.CULTURE_PAGE] = social.page_card(
            site, (culture.title if culture else None) or "Our culture", about, "Culture", social.ACCENTS["culture"]
        )
        site_card = social.page_card("", site, self.site_description)  # the site's name is its title
        root = Path(config.config_file_path or ".").absolute().parent
        folder = social.cache_dir(root)
        *paths, site_path = _ensure_all([*cards.values(), site_card], folder)
        published: set[str] = set()

        def publish(path: Path) -> str:
            dest = f"{IMAGES}/{path.name}"  # named by the card's content hash
            if dest not in published:
                existing = files.get_file_from_path(dest)
                if existing is not None:
                    files.remove(existing)
                files.append(File.generated(config, dest, abs_src_path=str(path)))
                published.add(dest)
            return dest

        self.images = {src: publish(path) for src, path in zip(cards, paths, strict=True)}
        self.site_image = publish(site_path)
        self._site_meta(config)

    def _site_meta(self, config: MkDocsConfig) -> None:
        # The 404 page has no page: it gets the site's card, with addresses from the site's root.
        base = urlsplit(self.site_url).path if self.site_url else "/"
        image = self._absolute(self.site_image) if self.site_url else (base.rstrip("/") + "/" + self.site_image)
        config.extra["handbook_social"] = self._meta(
            self.site_name, self.site_description or self.site_name, "website", "", image if self.site_image else "", ""
        ) if self.enabled else None

    # Meta ----------------------------------------------------------------------

    def page_meta(self, page: Page) -> None:
        """Give a page its description (if it has none) and its sharing meta."""
        src = page.file.src_uri
        meta = page.meta
        written = self.view.pages.get(src)
        # A written page shares the title it gives itself (its preview image shows the same),
        # not the shorter one a nav entry may give it.
        title = (written.title if written is not None else None) or _plain(page.title) or self.site_name
        if page.is_homepage:
            title = self.site_name or title
        kind, published = "website", ""
        story = self.stories.get(src)
        lesson = self.lessons.get(src)
        if story is not None:
            title, description, kind, published = story.title, story.summary, "article", story.date.isoformat()
        elif lesson is not None:
            title, description = lesson.title, lesson.summary
        else:
            description = _plain(meta.get("description")) or self.site_description or f"{title}: {self.site_name}"
        if not meta.get("description"):
            # What Material prints as the page's description; it prints it as HTML, so escaped.
            meta["description"] = html_escape(description)
        if not self.enabled:
            return
        image = self.images.get(src) or self.site_image
        url = page.canonical_url or ""  # set by MkDocs from site_url; Material prints the canonical link
        if image:
            image = self._absolute(image) if self.site_url else get_relative_url(image, page.url)
        meta["hb_social"] = self._meta(title, description, kind, url, image, published)

    def _meta(self, title: str, description: str, kind: str, url: str, image: str, published: str) -> dict[str, Any]:
        values: dict[str, Any] = {
            "title": title,
            "description": description,
            "type": kind,
            "url": url,
            "site_name": self.site_name,
            "image": image,
            "image_width": str(social.WIDTH) if image else "",
            "image_height": str(social.HEIGHT) if image else "",
            "image_alt": f"{title} ({self.site_name})" if image and self.site_name and title != self.site_name else (title if image else ""),
            "published": published,
        }
        return {k: _attr(v) for k, v in values.items()}

    def _absolute(self, path: str) -> str:
        return self.site_url.rstrip("/") + "/" + path if path else ""


def _attr(value: str) -> Markup:
    """A value for an HTML attribute: on one line, with & < > " ' escaped."""
    return escape(" ".join(value.split()))


def _plain(value: Any) -> str:
    """The text of a title or description as MkDocs or the plugin holds it (HTML-escaped, or
    HTML with tags): tags dropped, references undone, on one line."""
    if not value:
        return ""
    return Markup(str(value)).striptags()
