"""Author pages: authors/<id>.md lists each named author's stories, newest first, with their
name and team; the public site has pages only for public authors, with public stories only,
and nothing of an author who is not public (no page, link or name)."""

from __future__ import annotations

import re

import pytest
from browsing import PALETTES, SCREENS, needs_chromium, serious_violations, served, tab, use_palette
from conftest import build_site, story
from test_readers import article, links, nav_titles, text_of
from variant_support import clear, site_files

from handbook_gen.core import layout
from handbook_gen.core.validation import check

AUTHORS = """\
ada:
  name: Ada Lovelace
  team: platform
  public: true
quill:
  name: Quill Zqxhidden
  team: data
nobody:
  name: Nora Notold
clerk:
  name: Cleo Clerk
  can_clear: true
"""

TEAMS = """\
platform:
  name: Platform Engineering
data:
  name: Data Crew
"""


def authors_tree() -> dict:
    return {"stories": {"authors.yml": AUTHORS, "teams.yml": TEAMS, "2021": {
        "first-story.md": story("The shared public story", date="2021-03-04", authors="[ada, quill]", extra="visibility: public\nteams: [platform]\n"),
        "ada-internal.md": story("Ada's internal story", date="2022-05-06", extra="teams: [platform]\n"),
        "quill-internal.md": story("Quill's internal story", date="2020-01-02", authors="[quill]"),
        "ada-public-newer.md": story("Ada's newer public story", date="2021-09-10", extra="visibility: public\n"),
    }}}


def test_internal_author_pages_list_each_authors_stories_newest_first_with_name_and_team(make_handbook):
    root = make_handbook(authors_tree())
    site = build_site(root, "internal")
    ada = article(site, "authors/ada/")
    assert text_of(ada).startswith("Ada Lovelace Platform Engineering team · 3 stories told, newest first. All authors")
    assert [u for u in links(site, "authors/ada/") if u.startswith("2021/")] == [
        "2021/ada-internal/", "2021/ada-public-newer/", "2021/first-story/"]
    assert "teams/platform/" in links(site, "authors/ada/")
    assert text_of(article(site, "authors/")) == (
        "Authors Who told our stories, and how many each told. Ada Lovelace · Platform Engineering team · 3 stories "
        "Cleo Clerk · 0 stories Nora Notold · 0 stories Quill Zqxhidden · Data Crew team · 2 stories")
    assert text_of(article(site, "authors/nobody/")).endswith("No story told yet.")
    # Story pages link their authors' pages.
    assert [u for u in links(site, "2021/first-story/") if u.startswith("authors/")] == ["authors/ada/", "authors/quill/"]
    assert "Authors" in nav_titles(site)


def test_the_public_site_has_pages_only_for_public_authors_and_public_stories(make_handbook):
    root = make_handbook(authors_tree())
    clear(root, "first-story", "ada-public-newer", by="clerk")
    site = build_site(root, "public")
    assert sorted(p.parent.name for p in (site / "authors").glob("*/index.html")) == ["ada"]
    assert [u for u in links(site, "authors/ada/") if u.startswith("2021/")] == ["2021/ada-public-newer/", "2021/first-story/"]
    assert text_of(article(site, "authors/")).endswith("Ada Lovelace · Platform Engineering team · 2 stories")
    told_by = re.search(r"Told by.*?</tr>", article(site, "2021/first-story/"), re.S)
    assert told_by is not None and text_of(told_by.group()) == "Told by Ada Lovelace, a member of the data team"
    assert links(site, "2021/first-story/", told_by.group()) == ["authors/ada/"]
    # Nothing of the author who is not public: no page, no link, no name, in any file.
    tokens = ("Quill Zqxhidden", "authors/quill", "Nora Notold", "authors/nobody", "Cleo Clerk", "Ada's internal story")
    assert [f"{rel}: {t}" for rel, data in site_files(site).items() for t in tokens if t.lower().encode() in data.lower() or t in rel] == []


def test_a_content_file_in_the_authors_folder_is_an_error(make_handbook):
    root = make_handbook({"stories": {"authors": {"ada.png": b"not really a picture"}}})
    _, problems = check(root / "stories", root)
    assert [d.text() for d in problems if d.severity == "error"] == [
        "stories/authors/ada.png:1:1: error: HB205 'authors/ada.png' would take the place of the generated page 'authors/' in the site - rename or move it"]
    assert layout.AUTHORS_INDEX in layout.GENERATED_PAGES and layout.author_page("ada") == "authors/ada.md"


# --- accessibility of the new pages: axe, both palettes, desktop and phone -----------------

NEW_PAGES = {
    "internal": ["authors/", "authors/ada/", "authors/nobody/", "follow-ups/", "2021/first-story/"],
    "public": ["authors/", "authors/ada/", "2021/first-story/"],
}


@pytest.fixture(scope="module")
def new_pages_sites(tmp_path_factory: pytest.TempPathFactory):
    """authors_tree with tracked follow-ups, in the sample's configuration and theme (palettes,
    colours), both variants built and served over HTTP."""
    import shutil

    from conftest import REPO, base_tree, write_tree

    root = tmp_path_factory.mktemp("authors-a11y")
    for name in ("overrides", "placeholder"):
        shutil.copytree(REPO / name, root / name)
    tree = authors_tree()
    tree["stories"]["2021"]["first-story.md"] = story(
        "The shared public story", date="2021-03-04", authors="[ada, quill]", extra="""\
        visibility: public
        teams: [platform]
        follow_ups:
          - {title: Rotate the keys, owner: quill, due: 2022-01-01, link: "https://tickets.example.com/INC-1"}
          - {title: Write the runbook, status: done}
        """)
    write_tree(root, {"stories": base_tree()["stories"]})
    write_tree(root, tree)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    clear(root, "first-story", "ada-public-newer", by="clerk")
    sites = {variant: build_site(root, variant, root / "site" / variant) for variant in ("internal", "public")}
    with served(sites) as urls:
        yield urls


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("scheme", list(PALETTES))
def test_the_new_pages_have_no_serious_accessibility_violation(new_pages_sites, browser, scheme, screen):
    problems: list[str] = []
    for variant, base in new_pages_sites.items():
        with tab(browser, screen) as page:
            use_palette(page, base, scheme)
            for address in NEW_PAGES[variant]:
                response = page.goto(base + address)
                assert response is not None and response.status == 200, (variant, address)
                problems += [f"{variant} {address}: {v}" for v in serious_violations(page)]
    assert problems == [], "\n".join(problems)
