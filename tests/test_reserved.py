"""Reserved names: no content file or group id may take the place of a file the build writes."""

from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path

import pytest
from conftest import MKDOCS_YML, build_site, story
from mkdocs.exceptions import Abort

from handbook_gen.core import layout
from handbook_gen.core.listings import KINDS_, LISTINGS, SEVERITIES_
from handbook_gen.core.schema import KINDS, SEVERITIES
from handbook_gen.core.validation import check
from handbook_gen.core.variants import Variant, select
from handbook_gen.render import Renderer

MATERIAL = Path(os.path.dirname(importlib.util.find_spec("material").origin or "")) / "templates"
BUNDLE = next(p for p in layout.theme_files([MATERIAL]) if p.startswith("assets/javascripts/bundle."))


def errors(root: Path) -> list[tuple[str, int, str, str]]:
    _, problems = check(root / "stories", root)
    return [(d.path, d.line, d.code, d.message) for d in problems if d.severity == "error"]


def nested(path: str, content: str) -> dict:
    """A tree literal holding content at a slash-separated path under stories/."""
    *folders, name = path.split("/")
    node: dict = {name: content}
    for folder in reversed(folders):
        node = {folder: node}
    return {"stories": node}


# --- content files at paths the build writes ------------------------------------------

RESERVED_FILES = [
    ("assets/handbook/search.js", "the handbook theme's file 'assets/handbook/search.js'"),
    ("assets/handbook/handbook.css", "the handbook theme's file 'assets/handbook/handbook.css'"),
    ("pagefind/pagefind-ui.js", "Pagefind's search bundle 'pagefind/'"),
    ("search/search_index.json", "the search index 'search/'"),
    ("sitemap.xml", "the file MkDocs writes 'sitemap.xml'"),
    ("sitemap.xml.gz", "the file MkDocs writes 'sitemap.xml.gz'"),
    ("404.html", "the file MkDocs writes '404.html'"),
    ("feed.xml", "the generated feed 'feed.xml'"),
    ("assets/social/0123456789abcdef.png", "the link-preview images 'assets/social/'"),
    ("teams/index.html", "the generated page 'teams/index.md' (both would be served at teams/)"),
    ("teams/platform/index.html", "the generated page 'teams/'"),  # a listing's folder: all its pages are generated
    ("years/2021.html", "the generated page 'years/'"),
    # Case-insensitive file systems and servers take these for the theme's and the feed.
    ("Assets/Handbook/Search.JS", "the handbook theme's file 'assets/handbook/search.js'"),
    ("FEED.xml", "the generated feed 'feed.xml'"),
    # The home page and the culture page are the content's own (or generated): an HTML file can't be either.
    ("index.html", "the page 'index.md' (both would be served at /)"),
    ("culture/index.html", "the page 'culture.md' (both would be served at culture/)"),
    # A file where the build needs a folder, and the other way round.
    ("pagefind", "Pagefind's search bundle 'pagefind/'"),
    ("feed.xml/cover.png", "the generated feed 'feed.xml'"),
]


@pytest.mark.parametrize(("src", "what"), RESERVED_FILES)
def test_content_file_at_a_path_the_build_writes_is_an_error(make_handbook, src, what):
    root = make_handbook(nested(src, "alert('every page')\n"))
    # An HTML or XML file is also refused as a document a browser opens (HB310): that is not this rule.
    found = [e for e in errors(root) if e[2] != "HB310"]
    assert found == [(f"stories/{src}", 1, "HB205", f"'{src}' would take the place of {what} in the site - rename or move it")]


def test_files_beside_reserved_ones_are_fine(make_handbook):
    tree = {"stories": {"assets": {"extra.css": "a {}\n", "handbook.png": "png", "social.png": "png", "handbook-2": {"search.js": "x"}},
                        "feeds.txt": "rss", "searching": {"x.json": "{}"}, "2021": {"diagram.png": "png"}}}
    assert errors(make_handbook(tree)) == []


@pytest.mark.parametrize(("page", "generated"), [
    ("Stats.md", "the generated page 'stats.md'"), ("AWARDS.md", "the generated page 'awards.md'"),
    ("Years.md", "the generated page 'years/index.md'"), ("Culture.md", "the page 'culture.md'"),
])
def test_page_differing_in_case_from_a_generated_page_is_an_error(make_handbook, page, generated):
    (path, line, code, message), = errors(make_handbook({"stories": {page: f"# {page}\n"}}))
    assert (path, line, code) == (f"stories/{page}", 1, "HB205")
    assert f"collides with {generated}" in message and "rename the file" in message


def test_home_and_culture_pages_are_the_contents_own(make_handbook):
    root = make_handbook()
    (root / "stories" / "index.md").rename(root / "stories" / "README.md")  # MkDocs serves it as the home page
    assert errors(root) == []
    assert layout.taken_by("culture.md") is None and layout.taken_by("index.md") is None


def test_pages_named_like_search_folders_are_errors(make_handbook):
    # search.md is served at search/, the folder of the search index.
    (path, _, code, message), = errors(make_handbook({"stories": {"search.md": "# Search tips\n"}}))
    assert (path, code) == ("stories/search.md", "HB205") and "the search index 'search/'" in message


def test_material_asset_is_taken_given_the_theme_files():
    theme = layout.theme_files([MATERIAL])
    assert "assets/images/favicon.png" in theme and BUNDLE in theme
    assert not any(p.endswith(".html") or p.startswith(".") for p in theme)  # templates are rendered, not copied
    problems = layout.taken([BUNDLE, "assets/images/favicon.png", "assets/extra.css", "2021/x/index.md"], theme, folder="stories")
    assert [(d.path, d.line, d.code) for d in problems] == [(f"stories/{BUNDLE}", 1, "HB205"), ("stories/assets/images/favicon.png", 1, "HB205")]
    assert problems[0].message == f"'{BUNDLE}' would take the place of the theme's file '{BUNDLE}' in the site - rename or move it"
    assert layout.taken([BUNDLE]) == []  # without the theme's files it is not known to be taken


def test_site_paths_follow_the_url_style():
    assert [layout.site_path(s) for s in ("x.md", "a/index.md", "README.md", "a/b.png")] == ["x/index.html", "a/index.html", "index.html", "a/b.png"]
    assert layout.site_path("x.md", directory_urls=False) == "x.html"
    # Without directory URLs the stats page is stats.html: a file of that name takes its place.
    assert [d.code for d in layout.taken(["stats.html"], directory_urls=False)] == ["HB205"]
    assert layout.taken(["stats.html"]) == []


def test_table_lists_the_plugin_theme_search_and_sharing_folders():
    from handbook_gen.plugin import plugin, sharing
    from handbook_gen.search import pagefind

    assert layout.THEME_DIR == plugin.THEME_DIR
    assert plugin.STYLESHEET in layout.theme_files([layout.THEME_DIR])
    assert f"{pagefind.BUNDLE}/" in {t.path for t in layout.entries()}
    assert f"{sharing.IMAGES}/" in {t.path for t in layout.entries()}


def test_every_page_the_renderer_writes_is_in_the_table(make_handbook):
    """A new generated page is reserved by being added to the table the renderer reads."""
    extra = "teams: [platform]\ntags: [disk]\nkind: incident\nseverity: major\naward:\n  title: Best\n  year: 2021\n"
    root = make_handbook({"stories": {"tags.yml": "disk: Disks\n", "2021": {"first-story.md": story(extra=extra)}}})
    hb, problems = check(root / "stories", root)
    assert not [d for d in problems if d.severity == "error"], problems
    renderer = Renderer(select(hb, Variant.INTERNAL))
    written = set(renderer.generated()) - {renderer.home_src}
    assert {layout.AWARDS, layout.STATS, layout.FOLLOW_UPS, layout.LESSONS_INDEX, "teams/platform.md", "tags/disk.md"} <= written
    for src in written | {src for entry in renderer.nav() for v in entry.values() for src in ([v] if isinstance(v, str) else [s for e in v for s in e.values()])}:
        taken = layout.taken_by(src)
        assert taken is not None and taken.what == "the generated page", src


# --- group ids that name a listing's own pages ------------------------------------------


def test_team_index_is_an_error_in_teams_yml_and_in_the_story(make_handbook):
    teams = "platform:\n  name: Platform\nindex:\n  name: Index team\n"
    root = make_handbook({"stories": {"teams.yml": teams, "2021": {"first-story.md": story(extra="teams: [platform, index]\n")}}})
    why = "team 'index' is a name the site uses: its page would replace the generated page 'teams/index.md' (stories by team) - choose another id"
    assert errors(root) == [
        ("stories/2021/first-story.md", 7, "HB205", f"'teams': {why}"),
        ("stories/teams.yml", 3, "HB205", why),
    ]


def test_tag_index_is_an_error_in_tags_yml_and_in_the_story(make_handbook):
    root = make_handbook({"stories": {"tags.yml": "disk: Disks\nindex: Everything\n", "2021": {"first-story.md": story(extra="tags:\n  - disk\n  - index\n")}}})
    why = "tag 'index' is a name the site uses: its page would replace the generated page 'tags/index.md' (stories by tag) - choose another id"
    assert errors(root) == [("stories/2021/first-story.md", 9, "HB205", f"'tags': {why}"), ("stories/tags.yml", 2, "HB205", why)]


def test_team_index_without_teams_yml_is_an_error_on_the_story(make_handbook):
    root = make_handbook({"stories": {"2021": {"first-story.md": story(extra="teams: [index]\n")}}})
    assert [(p, line, code) for p, line, code, _ in errors(root)] == [("stories/2021/first-story.md", 7, "HB205")]


def test_reserved_group_ids_are_derived_from_the_table():
    for listing in LISTINGS:
        assert layout.group_taken(listing, "index") is not None, listing.folder
        assert layout.group_taken(listing, "platform") is None
        # Later pages live under <id>/page/N: a group named 'page' has its own folder, beside theirs.
        assert layout.group_taken(listing, "page") is None
    # The fixed groups (kinds, severities) never take a listing page's name.
    assert [k for k in KINDS if layout.group_taken(KINDS_, k)] == [] and [s for s in SEVERITIES if layout.group_taken(SEVERITIES_, s)] == []


def test_groups_named_page_keep_their_own_pages(make_handbook):
    """A tag 'page' (the word pagination uses) and another tag, both on two pages, all four pages distinct."""
    config = MKDOCS_YML.replace("      variant:", "      page_size: 1\n      variant:")
    stories = {f"s{i}.md": story(f"Story {i}", date=f"2021-0{i}-01", extra="tags: [page, other]\n") for i in (1, 2)}
    root = make_handbook({"mkdocs.yml": config, "stories": {"tags.yml": "page: Paging\nother: Others\n", "2021": stories}})
    assert errors(root) == []
    site = build_site(root)
    pages = {p: (site / p).read_text(encoding="utf-8") for p in ("tags/page/index.html", "tags/page/page/2/index.html", "tags/other/page/2/index.html")}
    assert all("Tag: page" in html for p, html in pages.items() if p.startswith("tags/page/")), pages.keys()
    assert "Tag: other" in pages["tags/other/page/2/index.html"]
    assert "Stories by tag" in (site / "tags" / "index.html").read_text(encoding="utf-8")


# --- builds stop ---------------------------------------------------------------------


def test_build_stops_on_a_content_file_at_the_plugin_stylesheet(make_handbook, caplog):
    root = make_handbook({"stories": {"assets": {"handbook": {"handbook.css": "body{background:url(javascript:alert(1))}\n"}}}})
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):  # MkDocs logs the plugin's error, then aborts
        build_site(root)
    message = "\n".join(r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert "stories/assets/handbook/handbook.css:1:1: error: HB205 'assets/handbook/handbook.css' would take the place of the handbook theme's file" in message
    assert not (root / "site" / "internal" / "assets" / "handbook" / "handbook.css").exists()


def test_build_stops_on_a_content_file_at_a_material_asset(make_handbook, caplog):
    root = make_handbook(nested(BUNDLE, "alert('every page')\n"))
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_site(root)
    assert "would take the place of the theme's file" in "\n".join(r.getMessage() for r in caplog.records)
