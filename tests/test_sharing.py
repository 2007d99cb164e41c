"""Sharing: description, canonical link, Open Graph and Twitter card meta on every page, and
1200x630 link-preview images drawn with Pillow in a chain of fonts and cached by content outside
the project (a file planted in it is never published); real builds of both variants."""

from __future__ import annotations

import html
import os
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import htmldoc
import pytest
from browsing import SCREENS, needs_chromium, served, tab
from conftest import MKDOCS_YML, PLACEHOLDER, build_site, lesson, story, write_tree
from PIL import Image
from variant_support import clear

from handbook_gen.core import audit
from handbook_gen.render import social

SITE_URL = "https://handbook.example.com/"
SITE_DESCRIPTION = "Heliograph failures told without blame."
PUBLIC_SUMMARY = "A deploy went out before its migration and the checkout page failed for an hour."
INTERNAL_SUMMARY = "Zorblax pipeline of the payments team skipped the migration gate under Carol's override."
HOSTILE = '"><script>alert(1)</script> Tom & Jerry\'s <b>deploy</b>'
YAML_HOSTILE = "'" + HOSTILE.replace("'", "''") + "'"

TREE = {
    "mkdocs.yml": MKDOCS_YML.replace("site_url:", f"site_description: {SITE_DESCRIPTION}\nsite_url:"),
    "placeholder": {"index.md": PLACEHOLDER},  # MkDocs' docs_dir; the stories are the plugin's
    "stories": {
        "index.md": "---\ntitle: Home\n---\n\n# Home\n\nWelcome.\n",
        "culture.md": "---\ntitle: Culture\n---\n\n# Culture\n\nWe tell failures.\n",
        "about.md": "---\ntitle: About us\nvisibility: public\ndescription: Who writes this handbook, and why.\n---\n\n# About\n\nUs.\n",
        "guide.md": "---\ntitle: Guide\nvisibility: public\n---\n\n# Guide\n\nHow to write a story.\n",
        "authors.yml": "ada:\n  name: Ada Lovelace\n  team: platform\n  public: true\n",
        "lessons": {"keep-backups.md": lesson()},
        "2021": {
            "checkout-deploy.md": story(
                "The checkout deploy", summary=INTERNAL_SUMMARY,
                extra=f"visibility: public\nkind: incident\nseverity: major\npublic_summary: {PUBLIC_SUMMARY}\n",
            ),
            "hostile-title.md": story(YAML_HOSTILE, date="2021-05-05", extra="visibility: public\n"),
            "internal-only.md": story("The quiet internal outage", date="2021-07-07"),
        },
    },
}


@dataclass
class Head:
    """The meta tags and canonical links of a page's head, values unescaped as a browser reads them, and its raw text."""

    meta: dict[str, list[str]]
    canonical: list[str]
    raw_head: str


def head(path: Path) -> Head:
    text = path.read_text(encoding="utf-8")
    return Head(htmldoc.head_meta(text), htmldoc.head_links(text, "canonical"), text.split("</head>", 1)[0])


def one(h: Head, key: str) -> str:
    values = h.meta.get(key, [])
    assert len(values) == 1, f"{key}: {values}"
    return values[0]


def image_file(site: Path, page: Path, url: str) -> Path:
    """The site file an og:image address names (absolute under site_url, or relative to the page)."""
    if url.startswith(SITE_URL):
        return site / url[len(SITE_URL):]
    return (page.parent / url).resolve()


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where this module's builds cache their images: a folder of its own, named by the environment."""
    base = tmp_path_factory.mktemp("handbook-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(social.CACHE_ENV, str(base))
        yield base / "social"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sharing") / "hb"
    write_tree(root, TREE)
    clear(root, "checkout-deploy", "hostile-title")
    return root


@pytest.fixture(scope="module")
def sites(root: Path) -> dict[str, Path]:
    return {variant: build_site(root, variant) for variant in ("internal", "public")}


@pytest.mark.parametrize("variant", ["internal", "public"])
def test_every_page_has_description_canonical_open_graph_and_twitter_meta(sites, variant):
    site = sites[variant]
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        h = head(page)
        rel = page.relative_to(site).as_posix()
        for key in ("description", "og:title", "og:description", "og:type", "og:site_name", "og:image",
                    "og:image:width", "og:image:height", "og:image:alt", "twitter:card", "twitter:title",
                    "twitter:description", "twitter:image"):
            assert one(h, key), f"{rel}: empty {key}"
        assert one(h, "twitter:card") == "summary_large_image"
        assert one(h, "og:site_name") == "Test Handbook"
        assert (one(h, "og:image:width"), one(h, "og:image:height")) == ("1200", "630")
        assert one(h, "og:description") == one(h, "twitter:description") == one(h, "description")
        assert one(h, "og:image") == one(h, "twitter:image")
        assert image_file(site, page, one(h, "og:image")).is_file(), rel
        if rel == "404.html":  # served at any address: no canonical one
            assert h.canonical == [] and "og:url" not in h.meta
            continue
        # Material prints the canonical link from site_url; it is never printed twice.
        assert len(h.canonical) == 1 and h.canonical[0].startswith(SITE_URL), rel
        assert one(h, "og:url") == h.canonical[0]


def test_listing_and_hand_written_pages_get_the_site_description(sites):
    site = sites["public"]
    for rel in ("years/index.html", "years/2021/index.html", "stats/index.html", "guide/index.html"):
        assert one(head(site / rel), "description") == SITE_DESCRIPTION, rel
        assert one(head(site / rel), "og:type") == "website"
    assert one(head(site / "about/index.html"), "description") == "Who writes this handbook, and why."
    assert one(head(site / "index.html"), "og:title") == "Test Handbook"


def test_public_story_shares_its_public_summary_and_nothing_internal(sites):
    page = sites["public"] / "2021/checkout-deploy/index.html"
    h = head(page)
    assert one(h, "og:type") == "article"
    assert one(h, "og:title") == one(h, "twitter:title") == "The checkout deploy"
    assert one(h, "og:description") == one(h, "twitter:description") == one(h, "description") == PUBLIC_SUMMARY
    assert one(h, "article:published_time") == "2021-03-04"
    raw = html.unescape(h.raw_head)
    assert "Zorblax" not in raw and INTERNAL_SUMMARY not in raw
    assert b"Zorblax" not in b"".join(p.read_bytes() for p in sites["public"].rglob("*.html"))
    # The internal site describes the same story with its internal summary.
    assert one(head(sites["internal"] / "2021/checkout-deploy/index.html"), "og:description") == INTERNAL_SUMMARY


def test_public_images_are_drawn_from_the_public_view_only(sites):
    public = head(sites["public"] / "2021/checkout-deploy/index.html")
    internal = head(sites["internal"] / "2021/checkout-deploy/index.html")
    public_card = social.page_card("Test Handbook", "The checkout deploy", PUBLIC_SUMMARY, "Incident · Major · 2021",
                                   social.ACCENTS["incident"])
    assert one(public, "og:image") == f"{SITE_URL}assets/social/{public_card.key()}.png"
    # The internal site's card of the story (its internal summary) is another image, in no public file.
    assert one(internal, "og:image") != one(public, "og:image")
    internal_png = image_file(sites["internal"], Path(), one(internal, "og:image")).read_bytes()
    assert all(p.read_bytes() != internal_png for p in sites["public"].rglob("*.png"))
    # The internal-only story has a card in the internal site only.
    assert (sites["internal"] / "2021/internal-only/index.html").is_file()
    assert not (sites["public"] / "2021/internal-only").exists()
    assert len(list((sites["public"] / "assets/social").iterdir())) < len(list((sites["internal"] / "assets/social").iterdir()))


def test_og_image_is_a_1200x630_png(sites):
    for variant, rel in (("public", "2021/checkout-deploy/index.html"), ("public", "lessons/keep-backups/index.html"),
                         ("public", "culture/index.html"), ("internal", "2021/internal-only/index.html")):
        page = sites[variant] / rel
        path = image_file(sites[variant], page, one(head(page), "og:image"))
        with Image.open(path) as image:
            assert (image.format, image.size) == ("PNG", (1200, 630)), rel
    # Stories, lessons and the culture page have an image of their own; a listing has the site's.
    public = sites["public"]
    images = {rel: one(head(public / rel), "og:image") for rel in (
        "2021/checkout-deploy/index.html", "lessons/keep-backups/index.html", "culture/index.html",
        "index.html", "years/index.html", "404.html")}
    assert len({images[k] for k in list(images)[:4]}) == 4
    assert images["index.html"] == images["years/index.html"] == images["404.html"]


def test_hostile_title_is_escaped_in_meta(sites):
    for variant in ("internal", "public"):
        page = sites[variant] / "2021/hostile-title/index.html"
        h = head(page)
        assert one(h, "og:title") == one(h, "twitter:title") == HOSTILE
        assert one(h, "og:image:alt") == f"{HOSTILE} (Test Handbook)"
        assert "<script>alert" not in h.raw_head
        assert "<b>deploy" not in h.raw_head
        assert '"><script>' not in h.raw_head


def test_images_are_in_the_site_when_the_audit_reads_it(root, tmp_path, monkeypatch):
    seen: list[str] = []
    real = audit.scan

    def scan(site_dir, *args, **kwargs):
        seen.extend(p.name for p in Path(site_dir, "assets", "social").glob("*.png"))
        return real(site_dir, *args, **kwargs)

    monkeypatch.setattr(audit, "scan", scan)
    site = build_site(root, "public", tmp_path / "audited")
    assert seen and sorted(seen) == sorted(p.name for p in (site / "assets/social").glob("*.png"))


def test_a_second_build_reuses_the_cached_images(root, sites, cache, tmp_path, monkeypatch):
    assert social.cache_dir(root) == cache
    before = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.png")}
    assert before
    drawn = social.drawn
    calls: list[social.Card] = []
    real = social.draw
    monkeypatch.setattr(social, "draw", lambda card, fonts=social.SYSTEM_FONTS: calls.append(card) or real(card, fonts))
    again = build_site(root, "public", tmp_path / "again")
    assert calls == [] and social.drawn == drawn
    assert {p.name: p.stat().st_mtime_ns for p in cache.glob("*.png")} == before
    first = {p.name: p.read_bytes() for p in (sites["public"] / "assets/social").iterdir()}
    assert {p.name: p.read_bytes() for p in (again / "assets/social").iterdir()} == first


def test_an_edited_story_draws_only_its_own_image(tmp_path, monkeypatch):
    root = tmp_path / "hb"
    write_tree(root, TREE)
    build_site(root, "internal")
    calls: list[social.Card] = []
    real = social.draw
    monkeypatch.setattr(social, "draw", lambda card, fonts=social.SYSTEM_FONTS: calls.append(card) or real(card, fonts))
    path = root / "stories/2021/internal-only.md"
    path.write_text(path.read_text(encoding="utf-8").replace("The quiet internal outage", "The loud internal outage"), encoding="utf-8")
    build_site(root, "internal")
    assert [c.title for c in calls] == ["The loud internal outage"]


def test_without_images_pages_still_carry_meta(make_handbook):
    yml = MKDOCS_YML.replace("variant: !ENV", "share_images: false\n      variant: !ENV")
    root = make_handbook({"mkdocs.yml": yml})
    site = build_site(root, "internal")
    h = head(site / "2021/first-story/index.html")
    assert one(h, "og:title") == "A story worth telling"
    assert one(h, "twitter:card") == "summary" and "og:image" not in h.meta
    assert not (site / "assets/social").exists() and not (root / ".cache").exists()
    # No site_description: every page still has a description of its own.
    for page in site.rglob("*.html"):
        assert one(head(page), "description") and one(head(page), "og:description"), page
    assert one(head(site / "years/index.html"), "description").endswith(": Test Handbook")  # the page title, then the site


def test_a_title_is_wrapped_to_three_lines_with_an_ellipsis():
    font = social._Chain(social.SHIPPED_FONTS, True, 48)
    lines = social.wrap(" ".join(["incident"] * 80), font, 1056, 3)
    assert len(lines) == 3 and lines[-1].endswith("\u2026")
    assert all(font.getlength(line) <= 1056 for line in lines)
    assert social.wrap("short title", font, 1056, 3) == ["short title"]
    long_word = social.wrap("x" * 500, font, 1056, 2)  # a word wider than a line is broken
    assert len(long_word) == 2 and long_word[-1].endswith("\u2026")
    card = social.page_card("Site", "A title", "A summary")
    assert card.key() == social.page_card("Site", " A  title ", "A summary").key()
    assert card.key() != social.page_card("Site", "A title", "Another summary").key()


# --- in a browser --------------------------------------------------------------------------

@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("screen", SCREENS)
def test_browser_loads_the_shared_image_at_1200x630(sites, browser, screen):
    with served({"public": sites["public"]}) as urls, tab(browser, screen) as page:
        base = urls["public"]
        page.goto(base + "2021/checkout-deploy/")
        url = page.locator('meta[property="og:image"]').get_attribute("content")
        assert url and url.startswith(SITE_URL)
        local = base + url[len(SITE_URL):]  # the site as served here
        size = page.evaluate(
            """async (src) => {
                const response = await fetch(src);
                if (!response.ok || response.headers.get('content-type') !== 'image/png') return null;
                const img = new Image();
                img.src = URL.createObjectURL(await response.blob());
                await img.decode();
                return [img.naturalWidth, img.naturalHeight];
            }""",
            local,
        )
        assert size == [1200, 630]


def test_a_written_page_shares_its_own_title_the_one_its_image_shows(make_handbook):
    # The navigation names the culture page "Culture"; the page calls itself something longer.
    root = make_handbook({"stories": {"culture.md": "---\ntitle: Our culture of failure\n---\n\n# Our culture of failure\n\nWe tell.\n"}})
    site = build_site(root, "public")
    h = head(site / "culture" / "index.html")
    assert one(h, "og:title") == one(h, "twitter:title") == "Our culture of failure"
    assert one(h, "og:image:alt").startswith("Our culture of failure")
    image = image_file(site, site / "culture" / "index.html", one(h, "og:image"))
    card = social.page_card("Test Handbook", "Our culture of failure", "", "Culture", social.ACCENTS["culture"])
    assert image.name == f"{card.key()}.png"  # the image drawn from that same title


# --- The cache: nothing taken by its name from where a pull request can write ---------------

def _picture(colour: str) -> bytes:
    """A 1200x630 PNG of one colour: what a planted file shows instead of the card."""
    out = BytesIO()
    Image.new("RGB", (1200, 630), colour).save(out, "PNG")
    return out.getvalue()


def test_an_image_planted_in_the_project_or_the_cache_is_never_published(make_handbook, tmp_path, monkeypatch):
    root = make_handbook({"stories": {"2021": {"first-story.md": story(extra="visibility: public\n")}}})
    clear(root, "first-story")
    cache = tmp_path / "cache" / "social"
    monkeypatch.setenv(social.CACHE_ENV, str(cache.parent))
    first = build_site(root, "public", tmp_path / "first")
    page = first / "2021/first-story/index.html"
    name = Path(one(head(page), "og:image")).name
    drawn = (first / "assets/social" / name).read_bytes()
    # A pull request commits a picture under the name the card hashes to, in the old cache folder
    # of the project; and a picture (with a made-up MAC) lands in the cache folder itself.
    old = root / ".cache" / "handbook" / "social" / name
    old.parent.mkdir(parents=True)
    old.write_bytes(_picture("red"))
    (cache / name).write_bytes(_picture("green"))
    (cache / name).with_suffix(".mac").write_text("0" * 64, encoding="ascii")
    second = build_site(root, "public", tmp_path / "second")
    published = (second / "assets/social" / name).read_bytes()
    assert published == drawn and published not in (_picture("red"), _picture("green"))
    assert (cache / name).read_bytes() == drawn  # drawn again over the planted one
    # A cache folder named inside the project is refused: the build caches elsewhere.
    monkeypatch.setenv(social.CACHE_ENV, str(root / ".cache" / "handbook"))
    assert not social.cache_dir(root).is_relative_to(root)
    third = build_site(root, "public", tmp_path / "third")
    assert (third / "assets/social" / name).read_bytes() == drawn


def test_the_cache_is_never_in_a_git_work_tree(tmp_path, monkeypatch):
    project, repo = tmp_path / "hb", tmp_path / "checkout"
    (repo / ".git").mkdir(parents=True)
    project.mkdir()
    monkeypatch.setenv(social.CACHE_ENV, str(repo / "cache"))
    folder = social.cache_dir(project)
    assert not (repo / "cache").exists() and not folder.is_relative_to(repo) and not folder.is_relative_to(project)
    monkeypatch.delenv(social.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert social.cache_dir(project) == tmp_path / "xdg" / "handbook_gen" / "social"
    if hasattr(os, "getuid"):  # only this user may write there: no one else can plant an image
        assert (tmp_path / "xdg" / "handbook_gen" / "social").stat().st_mode & 0o077 == 0


# --- Fonts: every script drawn by a font that has it, never a box -----------------------------

CJK_TITLE = "東京のデータセンターで冷却装置が停止し、決済サービスが二時間止まった"
CJK_SUMMARY = "電源の切り替えが失敗し、決済サービスが止まりました。"


def _cjk_font() -> social.Face | None:
    return social.SYSTEM_FONTS.face("東", True)


def _drawn_in_fonts_that_have_them(runs: list[social.Run]) -> None:
    """Every character drawn is in its font's cmap, and its glyph is not the font's .notdef box."""
    for run in runs:
        assert all(ord(c) in run.face.cmap() for c in run.text), (run.text, run.face)
        font = run.face.font(run.size)
        assert font is not None
        box = bytes(font.getmask("\U0010fffd"))  # no font has it: FreeType draws glyph 0, .notdef
        for char in set(run.text) - {" "}:
            assert bytes(font.getmask(char)) != box, (char, run.face)


def test_a_cjk_title_is_drawn_in_a_font_that_has_each_character(make_handbook):
    if _cjk_font() is None:
        pytest.skip("no font on this machine has CJK glyphs (apt-get install fonts-wqy-zenhei; scripts/test does)")
    root = make_handbook({"stories": {"2021": {"first-story.md": story(
        CJK_TITLE, summary=CJK_SUMMARY, extra="visibility: public\nkind: incident\nseverity: major\n")}}})
    clear(root, "first-story")
    site = build_site(root, "public")
    page = site / "2021/first-story/index.html"
    card = social.page_card("Test Handbook", CJK_TITLE, CJK_SUMMARY, "Incident · Major · 2021", social.ACCENTS["incident"])
    published = image_file(site, page, one(head(page), "og:image"))
    assert published.name == f"{card.key()}.png" and published.read_bytes() == social.draw(card)
    runs, _ = social.layout(card)
    _drawn_in_fonts_that_have_them(runs)
    title = [r for r in runs if r.fill == "#ffffff"]
    assert "".join(r.text for r in title) == CJK_TITLE  # all of it, on lines broken between characters
    assert len(title) >= 2 and {r.face for r in title} == {_cjk_font()}
    assert any(r.text == CJK_SUMMARY for r in runs)
    # The fonts are part of the image's name: the card drawn before the CJK font was there is another image.
    assert card.key() != card.key(social.SHIPPED_FONTS)
    png = social.draw(card)
    untitled = social.draw(social.page_card("Test Handbook", "", CJK_SUMMARY, "Incident · Major · 2021",
                                            social.ACCENTS["incident"]))
    assert png != untitled
    with Image.open(BytesIO(png)) as image:
        assert image.size == (1200, 630)


def test_a_title_no_font_has_leaves_a_card_without_it_and_without_boxes():
    # DejaVu alone has no CJK; and no font has an unassigned code point.
    for fonts, title in ((social.SHIPPED_FONTS, CJK_TITLE), (social.SYSTEM_FONTS, "\u0378\u0379 \u0380")):
        card = social.page_card("Test Handbook", title, "The summary is still drawn.", "Lesson", social.ACCENTS["lesson"])
        runs, _ = social.layout(card, fonts)
        _drawn_in_fonts_that_have_them(runs)
        assert [r.text for r in runs] == ["Test Handbook", "Lesson", "The summary is still drawn."]
        untitled = social.page_card("Test Handbook", "", "The summary is still drawn.", "Lesson", social.ACCENTS["lesson"])
        assert social.draw(card, fonts) == social.draw(untitled, fonts)  # pixel for pixel: nothing drawn for it
    # A pictograph no font has is left out of a title that is otherwise drawn.
    runs, _ = social.layout(social.page_card("Site", "Deploy \U0001f525 failed \U0001f44d\U0001f3fd"), social.SHIPPED_FONTS)
    assert [r.text for r in runs] == ["Site", "Deploy failed"]


def test_cjk_lines_break_between_characters_never_before_a_closing_mark():
    class Mono:
        def getlength(self, text: str) -> float:
            return 10.0 * len(text)

    lines = social.wrap(CJK_TITLE, Mono(), 150, 5)
    assert "".join(lines) == CJK_TITLE and len(lines) == 3
    assert all(len(line) <= 15 for line in lines)
    assert not any(line.startswith(("、", "。")) for line in lines)
    assert social.wrap("停止し、決済", Mono(), 40, 2) == ["停止し、", "決済"]  # the comma stays with what it closes
    # Latin words around CJK are kept whole, spaces kept where they were.
    assert social.wrap("The 東京 outage report", Mono(), 80, 3) == ["The 東京", "outage", "report"]


def test_without_fontconfig_the_font_folders_give_the_chain(monkeypatch):
    if _cjk_font() is None:
        pytest.skip("no font on this machine has CJK glyphs (apt-get install fonts-wqy-zenhei; scripts/test does)")
    monkeypatch.setenv("PATH", "")  # no fc-match to ask
    fonts = social.Fonts()
    face = fonts.face("東", True)
    assert face is not None and face != fonts.shipped(True) and ord("東") in face.cmap()
    assert fonts.chain(True)[0] == fonts.shipped(True)
