"""Search: Pagefind's index of each variant (facets, no listings, nothing internal in the
public one, read by the audit), Material's search as the fallback, and both in Chromium."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import SCREENS, open_search, served, tab
from conftest import MKDOCS_YML, PLACEHOLDER, build_site, lesson, story, write_tree
from mkdocs.exceptions import PluginError
from variant_support import clear, pagefind_files, pagefind_records

from handbook_gen.core import audit
from handbook_gen.core.validation import check
from handbook_gen.plugin import search as engine
from handbook_gen.search import pagefind

pytestmark = pytest.mark.skipif(pagefind.binary() is None, reason="Pagefind is not installed: pip install 'pagefind[bin]'")


# Words that only internal content holds: none may reach the public index.
INTERNAL_TITLE = "The quokkasecret cluster outage"
INTERNAL_WORDS = ("quokkasecret", "wombatsection", "numbatlesson", "Bob Hidden")
SHARED = "rollback"  # in every story's body: a query that finds them all
# Values Pagefind's UI could show as HTML (its excerpts and filter values are HTML).
PAYLOAD = '<img src=x onerror="window.pwned=1"> & <b>bold</b>'

STORIES = {
    # src: (title, summary, lessons, other front-matter, public)
    "2021/heliotrope-deploy.md": (
        "The heliotrope deploy", "A deploy of the heliotrope service took checkout down for an hour.",
        "[keep-backups, numbat-lesson]", "teams: [platform]\nkind: incident\nseverity: major\n", True),
    "2022/tamarind-queue.md": (
        "The tamarind queue that filled up", "A payment queue filled up overnight and nobody was paged.",
        "[keep-backups]", "teams: [payments]\nkind: near-miss\nseverity: minor\n", True),
    "2023/juniper-migration.md": (
        "The juniper migration", f"A data migration ran twice and doubled every invoice line {PAYLOAD}",
        "[keep-backups, hostile-lesson]", "teams: [payments, data]\nkind: project\n", True),
    "2020/quokkasecret-outage.md": (
        INTERNAL_TITLE, "The quokkasecret cluster lost its quorum at night.",
        "[keep-backups]", "teams: [platform]\nkind: incident\nseverity: critical\n", False),
}


def _story_text(title: str, summary: str, lessons: str, extra: str, public: bool) -> str:
    body = f"## What happened\n\nThe {SHARED} took longer than planned, and we learned from it.\n"
    if public:
        # A body showing Pagefind's own attributes (its UI shows filter values as HTML): as code, the only
        # way a body may hold them (as HTML they are refused, HB310).
        body += '\n`<span data-pagefind-filter="team">&lt;i&gt;injected&lt;/i&gt;</span>` `<span DATA-PAGEFIND-META="title">Faked</span>`\n'
        body += "\n<!-- internal -->\nThe wombatsection host name stays inside.\n<!-- /internal -->\n"
    # The internal story is told by a non-public author, whose name is internal too.
    authors, extra = ("[ada]", extra + "visibility: public\n") if public else ("[bob]", extra)
    return story(title, summary=summary, lessons=lessons, authors=authors, extra=extra, body=body)


def _tree(config: str = MKDOCS_YML) -> dict:
    tree: dict = {
        "mkdocs.yml": config,
        "placeholder": {"index.md": PLACEHOLDER},  # MkDocs' docs_dir: see core/placeholder.py
        "stories": {
            "index.md": "---\ntitle: Home\n---\n\n# Home\n\nWelcome to the handbook.\n",
            "culture.md": "---\ntitle: Culture\n---\n\n# Culture\n\nWe tell failures.\n",
            "authors.yml": "ada:\n  name: Ada Lovelace\n  public: true\nbob:\n  name: Bob Hidden\n",
            "lessons": {
                "keep-backups.md": lesson(),
                "hostile-lesson.md": lesson(f"Escape {PAYLOAD}", "Values are text."),
                "numbat-lesson.md": lesson("The numbatlesson lesson", "Only staff read this numbatlesson lesson.", extra="visibility: internal\n"),
            },
        },
    }
    for src, fields in STORIES.items():
        year, name = src.split("/")
        tree["stories"].setdefault(year, {})[name] = _story_text(*fields)
    return tree


def _public_ids() -> list[str]:
    return [src.split("/")[1][:-3] for src, fields in STORIES.items() if fields[4]]


@pytest.fixture(scope="module")
def handbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("search") / "hb"
    write_tree(root, _tree())
    clear(root, *_public_ids())
    return root


@pytest.fixture(scope="module")
def public(handbook: Path) -> Path:
    return build_site(handbook, "public")


@pytest.fixture(scope="module")
def internal(handbook: Path) -> Path:
    return build_site(handbook, "internal")


# --- The index ---------------------------------------------------------------------------


def test_public_index_exists_and_holds_no_internal_text(public: Path) -> None:
    bundle = public / "pagefind"
    assert (bundle / "pagefind-entry.json").is_file() and (bundle / "pagefind-ui.js").is_file()
    files = pagefind_files(bundle)
    assert any(n.startswith("fragment/") for n in files) and any(n.startswith("index/") for n in files)
    for name, data in files.items():
        for word in INTERNAL_WORDS:
            assert word.lower().encode() not in data.lower(), (name, word)
    # The decompression is real: public words are there.
    assert any(b"heliotrope" in data for name, data in files.items() if name.startswith("fragment/"))


def test_internal_index_is_of_the_internal_site(internal: Path) -> None:
    records = pagefind_records(internal)
    assert "/2020/quokkasecret-outage/" in records
    assert "wombatsection" in records["/2021/heliotrope-deploy/"]["content"]


def test_only_stories_lessons_and_pages_are_indexed(public: Path) -> None:
    urls = set(pagefind_records(public))
    stories = {f"/{src[:-3]}/" for src, fields in STORIES.items() if fields[4]}
    assert urls == stories | {"/", "/culture/", "/lessons/keep-backups/", "/lessons/hostile-lesson/"}
    for listing in ("years/index.html", "years/2021/index.html", "teams/index.html", "teams/payments/index.html",
                    "kinds/index.html", "kinds/incident/index.html", "severities/index.html", "severities/major/index.html",
                    "tags/index.html", "awards/index.html", "stats/index.html", "lessons/index.html"):
        if (public / listing).exists():
            assert "data-pagefind-body" not in (public / listing).read_text(encoding="utf-8"), listing
    assert "data-pagefind-body" in (public / "2021/heliotrope-deploy/index.html").read_text(encoding="utf-8")
    # Pagefind serves the search: Material's index, which nothing would read, holds no page.
    assert json.loads((public / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"] == []


def test_a_story_is_indexed_with_its_facets_title_and_summary(public: Path) -> None:
    record = pagefind_records(public)["/2021/heliotrope-deploy/"]
    assert record["meta"]["title"] == "The heliotrope deploy"
    assert record["meta"]["summary"] == "A deploy of the heliotrope service took checkout down for an hour."
    # One value per facet value; the internal lesson is not one of them.
    assert record["filters"] == {"team": ["platform"], "kind": ["Incident"], "severity": ["Major"], "year": ["2021"], "lesson": ["Keep backups"]}
    # What a body says is text, never a facet or meta of the page.
    assert "injected" in record["content"] and "Faked" in record["content"]
    juniper = pagefind_records(public)["/2023/juniper-migration/"]
    assert sorted(juniper["filters"]["team"]) == ["data", "payments"] and "severity" not in juniper["filters"]
    # The hidden fields are read, not indexed as words: the content starts with the title.
    assert record["content"].startswith("The heliotrope deploy")
    assert record["content"].count("took checkout down") == 1


@pytest.fixture(scope="module")
def material_public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same handbook's public site, searched with Material's search (`search_engine: material`)."""
    root = tmp_path_factory.mktemp("material-search") / "hb"
    write_tree(root, _tree(MKDOCS_YML + "      search_engine: material\n"))
    clear(root, *_public_ids())
    return build_site(root, "public")


def _material_docs(site: Path) -> list[dict]:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]


def test_material_result_leads_with_title_and_summary(material_public: Path) -> None:
    first = next(d for d in _material_docs(material_public) if d["location"] == "2021/heliotrope-deploy/")
    assert first["title"] == "The heliotrope deploy"
    assert first["text"].startswith("<p>A deploy of the heliotrope service"), first["text"][:200]
    # The metadata card follows the summary: its text is searchable, but never leads.
    assert first["text"].index("Told by") > first["text"].index("</p>")


def test_audit_finds_internal_text_planted_in_the_public_index(handbook: Path, public: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(public, site)
    hb, _ = check(handbook / "stories", handbook)
    themes = [*pagefind.shipped_dirs()]
    assert audit.scan(site, hb, theme_dirs=themes) == []
    fragment = next((site / "pagefind" / "fragment").iterdir())
    data = gzip.decompress(fragment.read_bytes()).decode("utf-8")
    fragment.write_bytes(gzip.compress(data.replace('"content":"', f'"content":"{INTERNAL_TITLE}. ', 1).encode("utf-8")))
    assert fragment.suffix == ".pf_fragment" and fragment.read_bytes()[:2] == b"\x1f\x8b"
    leaks = audit.scan(site, hb, theme_dirs=themes)
    assert [leak.file for leak in leaks] == [fragment.relative_to(site).as_posix()]
    assert "quokkasecret" in leaks[0].what


# --- Choosing the engine -----------------------------------------------------------------


def test_material_engine_builds_no_pagefind_index(material_public: Path) -> None:
    site = material_public
    assert not (site / "pagefind").exists()
    page = (site / "2021/heliotrope-deploy/index.html").read_text(encoding="utf-8")
    assert "data-pagefind" not in page and "handbook/search.js" not in page and 'name="search"' in page
    pages = {d["location"].split("#")[0] for d in _material_docs(site)}
    assert "2021/heliotrope-deploy/" in pages and "culture/" in pages
    # Material's index leaves the listings out, as Pagefind's does.
    assert not {p for p in pages if p.split("/")[0] in ("years", "teams", "tags", "kinds", "severities", "awards", "stats")}
    assert "lessons/" not in pages


def test_with_the_offline_plugin_material_keeps_its_index_for_pages_opened_from_files(tmp_path: Path) -> None:
    # Pagefind needs a server; Material's search answers a site opened from files, with its offline plugin.
    config = MKDOCS_YML.replace("plugins:\n  - search\n", "plugins:\n  - search\n  - offline\n")
    assert config != MKDOCS_YML
    root = tmp_path / "hb"
    write_tree(root, _tree(config))
    clear(root, *_public_ids())
    site = build_site(root, "public")
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    pages = {d["location"].split("#")[0] for d in _material_docs(site)}
    # (the offline plugin writes pages as NAME.html, for links that work from files)
    assert "2021/heliotrope-deploy.html" in pages and not any(p.startswith("years/") for p in pages)


def test_engine_defaults_to_pagefind_where_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert engine.choose(None, serving=False) == "pagefind"
    assert engine.choose(None, serving=True) == "material"  # a preview keeps Material's fast rebuilds
    assert engine.choose("material", serving=False) == "material"
    monkeypatch.setattr(pagefind, "binary", lambda: None)
    assert engine.choose(None, serving=False) == "material"
    with pytest.raises(PluginError, match="pagefind"):
        engine.choose("pagefind", serving=False)


# --- In Chromium ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served_public(public: Path) -> Iterator[str]:
    with served({"public": public}) as urls:
        yield urls["public"]


@pytest.fixture(params=list(SCREENS))
def page(request, browser, served_public):
    """The public culture page on a laptop, then on a phone; page.screen says which."""
    with tab(browser, request.param) as page:
        page.screen = request.param
        page.requested = []
        page.on("request", lambda request: page.requested.append(request.url))
        page.goto(served_public + "culture/")
        yield page


SETTLED = (
    "q => { const m = document.querySelector('.pagefind-ui__message');"
    " return m && m.textContent.includes(q) && document.querySelector('.pagefind-ui__filter-name')"
    " && document.querySelectorAll('.pagefind-ui__result-title').length"
    " && !document.querySelector('.pagefind-ui__results .pagefind-ui__loading'); }"
)


def _search(page, query: str) -> list[tuple[str, str]]:
    """Open search from Material's header (box or magnifier), type a query; return (title, excerpt) of each result."""
    open_search(page, page.screen)
    box = page.locator(".hb-pagefind .pagefind-ui__search-input")
    box.wait_for()
    box.fill(query)
    # Results shown, with the facets' counts (search.js searches again once those have come).
    page.wait_for_function(SETTLED, arg=query)
    page.wait_for_timeout(400)
    page.wait_for_function(SETTLED, arg=query)
    return _results(page)


def _results(page) -> list[tuple[str, str]]:
    titles = page.locator(".pagefind-ui__result-title").all_inner_texts()
    excerpts = page.locator(".pagefind-ui__result-excerpt").all_inner_texts()
    return list(zip(titles, excerpts, strict=True))


def _count(page) -> int:
    return int(page.locator(".pagefind-ui__message").inner_text().split()[0])


@pytest.mark.browser
def test_title_search_shows_the_story_first_with_its_summary(page) -> None:
    results = _search(page, "tamarind queue")
    assert results[0] == ("The tamarind queue that filled up", "A payment queue filled up overnight and nobody was paged.")
    # Light: Material's whole-site index is never fetched; Pagefind's chunks are.
    assert not any("search_index" in url for url in page.requested)
    assert any("/pagefind/fragment/" in url for url in page.requested)
    assert any("/pagefind/index/" in url for url in page.requested)


@pytest.mark.browser
def test_a_team_facet_narrows_the_results(page) -> None:
    results = _search(page, SHARED)
    every = _count(page)
    assert {t for t, _ in results} == {"The heliotrope deploy", "The tamarind queue that filled up", "The juniper migration"}
    if page.screen == "phone":  # the facets are folded behind a disclosure there
        page.locator(".hb-pagefind__filters").tap()
    facet = page.locator(".pagefind-ui__filter-value", has=page.locator("label", has_text="payments"))
    assert facet.inner_text().strip() == "payments (2)"  # the facet's count for this query
    facet.locator("input").check()
    page.wait_for_function(f"() => parseInt(document.querySelector('.pagefind-ui__message').textContent) < {every}")
    page.wait_for_function("() => document.querySelectorAll('.pagefind-ui__result-title').length === 2"
                           " && !document.querySelector('.pagefind-ui__results .pagefind-ui__loading')")
    assert _count(page) == 2 < every
    # Every result left is a story of that team.
    assert {t for t, _ in _results(page)} == {"The tamarind queue that filled up", "The juniper migration"}


@pytest.mark.browser
def test_on_a_phone_the_first_screen_shows_results_and_the_facets_are_folded(page) -> None:
    _search(page, SHARED)
    first = page.locator(".pagefind-ui__result").first.bounding_box()
    panel = page.locator(".hb-pagefind .pagefind-ui__filter-panel")
    toggle = page.locator(".hb-pagefind__filters")
    if page.screen == "desktop":  # room for both: the facets beside the results, no disclosure
        assert panel.is_visible() and not toggle.is_visible()
        return
    assert not panel.is_visible()
    assert first is not None and first["y"] + first["height"] <= SCREENS["phone"]["viewport"]["height"]
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.tap()
    assert toggle.get_attribute("aria-expanded") == "true"
    # The facet's values come with Pagefind's filters, which may still be on their way: waited for (it raises if they never show).
    page.locator(".pagefind-ui__filter-value", has=page.locator("label", has_text="payments")).wait_for(state="visible", timeout=10_000)
    toggle.tap()
    panel.wait_for(state="hidden", timeout=10_000)
    assert toggle.get_attribute("aria-expanded") == "false"


@pytest.mark.browser
def test_values_show_as_text_in_results_and_facets(page) -> None:
    results = _search(page, "juniper")
    assert results[0] == ("The juniper migration", f"A data migration ran twice and doubled every invoice line {PAYLOAD}")
    lesson = page.locator(".pagefind-ui__filter-value", has=page.locator("label", has_text="Escape"))
    # Shown as HTML by the UI: the value keeps no < > & (lookalikes instead), so it stays text.
    inert = PAYLOAD.replace("<", "\u2039").replace(">", "\u203a").replace("&", "\uff06")
    assert " ".join(lesson.text_content().split()) == f"Escape {inert} (1)"  # a closed <details>: text_content
    page.wait_for_timeout(200)  # an image that loaded would have fired its handler by now
    assert page.locator(".hb-pagefind img, .hb-pagefind b").count() == 0
    assert page.evaluate("window.pwned") is None


def test_an_index_of_an_earlier_build_never_reaches_the_next(tmp_path: Path) -> None:
    """Material's search plugin lives as long as the process; once a dirty build (a preview)
    has run, it merges its last index into the next build's, and an empty index is replaced
    by the last one whole. An internal build indexed by Material, then a public build that
    leaves Material's index empty (Pagefind serves), must give the public site no page."""
    from mkdocs.config import load_config

    root = tmp_path / "hb"
    write_tree(root, _tree(MKDOCS_YML + "      search_engine: material\n"))
    clear(root, *_public_ids())
    material = load_config(str(root / "mkdocs.yml")).plugins["material/search"]
    material.on_startup(command="serve", dirty=True)  # what a preview leaves behind
    try:
        internal = build_site(root, "internal")
        (root / "mkdocs.yml").write_text(MKDOCS_YML + "      search_engine: pagefind\n", encoding="utf-8")
        public = build_site(root, "public")
    finally:
        material.on_startup(command="build", dirty=False)
    assert "quokkasecret" in (internal / "search" / "search_index.json").read_text(encoding="utf-8")
    assert _material_docs(public) == []


def test_a_build_leaves_no_pagefind_folder_in_the_temp_folder(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from conftest import base_tree

    root = tmp_path / "hb"
    write_tree(root, base_tree())  # Pagefind is the search engine wherever it is installed
    temp = tmp_path / "temp"
    temp.mkdir()
    # Both variants, each built (indexed, the public one audited) in a worker process of its own.
    done = subprocess.run([str(Path(sys.executable).parent / "handbook"), "build"], cwd=root, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "TMPDIR": str(temp), "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr
    assert (root / "site" / "public" / "pagefind" / "pagefind-entry.json").is_file()
    assert sorted(p.name for p in temp.iterdir()) == []
