"""Both variants in a real browser: Material's search and the internal banner, driven
through Debian's Chromium with Playwright (no browser download)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browsing import needs_chromium, served, tab
from conftest import MKDOCS_YML, build_site, lesson, story, write_tree
from variant_support import clear

pytestmark = [pytest.mark.browser, needs_chromium]

PUBLIC_WORD = "heliotrope"
INTERNAL_WORD = "marzipan"

TREE = {
    "mkdocs.yml": MKDOCS_YML + "      search_engine: material\n",  # Material's search, the fallback (Pagefind: test_search.py)
    "stories": {
        "index.md": "---\ntitle: Home\n---\n\n# Home\n\nWelcome to the handbook.\n",
        "culture.md": "---\ntitle: Culture\n---\n\n# Culture\n\nWe tell failures.\n",
        "authors.yml": "ada:\n  name: Ada Lovelace\n  public: true\n",
        "lessons": {"keep-backups.md": lesson()},
        "2021": {
            "public-story.md": story(
                f"The {PUBLIC_WORD} deploy", extra="visibility: public\n",
                body=f"## What happened\n\nThe {PUBLIC_WORD} service went down for an hour.\n"),
            "internal-story.md": story(
                f"The {INTERNAL_WORD} outage", date="2021-06-01",
                body=f"## What happened\n\nThe {INTERNAL_WORD} cluster lost its quorum.\n"),
        },
    },
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Both variants built and served over HTTP: variant -> base URL."""
    root = tmp_path_factory.mktemp("browser") / "hb"
    write_tree(root, TREE)
    clear(root, "public-story")
    with served({variant: build_site(root, variant) for variant in ("internal", "public")}) as urls:
        yield urls


@pytest.fixture
def page(browser):
    with tab(browser) as page:
        yield page


def _search(page, base: str, word: str) -> list[str]:
    """Type a word into Material's search; return the titles of the results."""
    page.goto(base)
    box = page.locator("input.md-search__input")
    box.click()
    meta = page.locator(".md-search-result__meta")
    # Material says "Type to start searching" once its index is loaded.
    page.wait_for_function(
        "() => { const m = document.querySelector('.md-search-result__meta');"
        " return m && /type to start/i.test(m.textContent); }"
    )
    # Material searches on keyup: fill all but the last letter, then type it, so the only
    # query ever run is the whole word (no partial word can answer first).
    box.fill(word[:-1])
    box.press(word[-1])
    # The meta line settles on "No matching documents" or "N matching documents" once the index answered.
    page.wait_for_function(
        "() => { const m = document.querySelector('.md-search-result__meta');"
        " return m && /matching document/i.test(m.textContent); }"
    )
    text = meta.inner_text()
    if "no matching" in text.lower():
        assert page.locator(".md-search-result__item").count() == 0
        return []
    items = page.locator(".md-search-result__item")
    items.first.wait_for()
    return [t.lower() for t in items.all_inner_texts()]


def test_public_search_does_not_find_the_internal_story(sites, page):
    assert _search(page, sites["public"], INTERNAL_WORD) == []
    assert _search(page, sites["public"], "cluster quorum") == []
    # The same search box does work on that site.
    assert any(f"the {PUBLIC_WORD} deploy" in r for r in _search(page, sites["public"], PUBLIC_WORD))


def test_internal_search_finds_the_internal_story(sites, page):
    results = _search(page, sites["internal"], INTERNAL_WORD)
    assert any(f"the {INTERNAL_WORD} outage" in r for r in results), results


@pytest.mark.parametrize("variant", ["public", "internal"])
def test_public_story_is_found_in_both(sites, page, variant):
    results = _search(page, sites[variant], PUBLIC_WORD)
    assert any(f"the {PUBLIC_WORD} deploy" in r for r in results), results


def test_internal_banner_is_visible_only_on_the_internal_site(sites, page):
    page.goto(sites["internal"] + "2021/public-story/")
    banner = page.locator(".hb-banner")
    assert banner.is_visible()
    assert "Internal" in banner.inner_text()
    page.goto(sites["public"] + "2021/public-story/")
    assert page.locator("h1").first.inner_text() == f"The {PUBLIC_WORD} deploy"
    assert page.locator(".hb-banner").count() == 0
    assert "staff only" not in page.locator("body").inner_text()
