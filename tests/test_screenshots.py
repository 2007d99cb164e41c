"""scripts/screenshots.py: the shared-link unfurl of the sample's public culture page, shot in
Debian's Chromium, shows exactly what the built page's Open Graph meta says."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import htmldoc
import pytest
from browsing import needs_chromium
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.browser, needs_chromium]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("handbook_screenshots", REPO / "scripts" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _card(html: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The text of each element of the card page that has a class (by its class attribute), and each img's attributes."""
    text: dict[str, str] = {}
    images: dict[str, dict[str, str]] = {}
    for node in htmldoc.elements(html):
        a = htmldoc.attrs(node)
        if node.name == "img":
            images[a.get("class", "")] = a
        elif node.name not in ("meta", "br", "link"):
            text[a.get("class", "")] = text.get(a.get("class", ""), "") + htmldoc.text(node)
    return text, images


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _script()


@pytest.fixture(scope="module")
def site(script: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return script.build_public(tmp_path_factory.mktemp("screenshots") / "public")


def test_unfurl_shows_the_culture_pages_own_open_graph_meta(script, site, browser, tmp_path):
    made = script.make(tmp_path / "out", ["unfurl"], site=site, browser=browser)

    assert set(made.files) == {"unfurl"}
    png = tmp_path / "out" / "screenshot-unfurl.png"
    assert made.files["unfurl"] == png and png.is_file()
    assert png.stat().st_size < 600_000
    with Image.open(png) as image:
        image.load()
        width, height = image.size
    # The chat is 700 CSS pixels wide, shot at twice the density; message, card and image fit under it.
    assert width == 2 * script.CHAT_WIDTH and 700 < height < 1600

    meta = htmldoc.head_meta((site / "culture" / "index.html").read_text(encoding="utf-8"))
    og = {key: values[0] for key, values in meta.items() if key.startswith("og:") and len(values) == 1}
    assert og["og:title"] and og["og:description"] and og["og:site_name"] and og["og:image"]

    text, images = _card(made.card.html)
    assert text["unfurl-title"] == og["og:title"]
    assert text["unfurl-description"] == og["og:description"]
    assert text["unfurl-site-name"] == og["og:site_name"]
    assert text["text"].endswith(made.card.meta["url"])
    assert made.card.meta["url"] == og.get("og:url", made.card.meta["url"])
    # The card's image is the page's preview image, fetched from the local server.
    image_src = images["unfurl-image"]["src"]
    assert image_src == made.card.image_src and image_src.startswith("http://127.0.0.1:")
    served = site / urlsplit(image_src).path.lstrip("/")
    assert served.is_file() and served.name == og["og:image"].rsplit("/", 1)[-1]
    assert images["unfurl-image"]["alt"] == og.get("og:image:alt", "")


def test_card_values_are_escaped(script):
    hostile = '<b>"Tom" & Jerry\'s</b><script>alert(1)</script>'
    values = {"site_name": hostile, "title": hostile, "description": hostile, "image": "../assets/social/x.png",
              "image_alt": hostile, "image_width": "1200", "image_height": "630", "url": "", "icon": ""}
    card = script.compose_card(values, "http://127.0.0.1:9/culture/", "http://127.0.0.1:9/", "")
    assert "<script>" not in card.html and "<b>" not in card.html
    text, images = _card(card.html)
    assert text["unfurl-title"] == text["unfurl-description"] == hostile
    assert images["unfurl-image"]["src"] == "http://127.0.0.1:9/assets/social/x.png"
