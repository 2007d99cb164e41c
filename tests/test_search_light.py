"""Search stays light: a page fetches nothing it does not need before the reader's first result."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from browsing import served
from conftest import build_site, story


def test_a_page_does_not_download_the_sitemap_for_its_feed_link_and_keeps_the_link(make_handbook, browser):
    """Material takes every link rel="alternate" for a language of the site and downloads the
    sitemap.xml beside it: for the feed, the whole site's sitemap on every page."""
    site = build_site(make_handbook())
    page_html = (site / "2021" / "first-story" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/rss+xml"' in page_html  # feed readers read it as written
    with served({"site": site}) as urls:
        context = browser.new_context()
        try:
            page = context.new_page()
            fetched: list[str] = []
            page.on("request", lambda r: fetched.append(r.url))
            page.goto(urls["site"] + "2021/first-story/", wait_until="load")
            page.wait_for_timeout(500)
            rel = page.evaluate("() => document.querySelector('link[type=\"application/rss+xml\"]').rel")
        finally:
            context.close()
    assert not [u for u in fetched if u.endswith("sitemap.xml")], fetched
    assert any(u.endswith("/2021/first-story/") for u in fetched)
    assert rel == "alternate"  # put back once Material has started


def _fragments(site: Path) -> dict[str, str]:
    """Each indexed page's address -> the text Pagefind holds of it (what a result shows and a query finds)."""
    out = {}
    for path in (site / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes()).decode("utf-8")
        record = json.loads(data[data.index("{"):])
        out[record["url"]] = record["content"]
    return out


def test_a_page_is_found_by_what_it_says_not_by_the_titles_of_the_pages_it_links(make_handbook):
    """Related stories and a lesson's stories are other pages' titles and summaries: indexed there only."""
    root = make_handbook({"stories": {"2021": {
        "zebra.md": story("The zebracrossing outage", summary="A zebracrossing summary.", extra="related: [yak]\n"),
        "yak.md": story("The yakshaving outage", summary="A yakshaving summary."),
    }}})
    site = build_site(root)
    assert 'class="hb-see-also" data-pagefind-ignore="all"' in (site / "2021" / "zebra" / "index.html").read_text(encoding="utf-8")
    text = _fragments(site)
    assert "zebracrossing" in text["/2021/zebra/"] and "yakshaving" not in text["/2021/zebra/"]
    assert "yakshaving" in text["/2021/yak/"] and "zebracrossing" not in text["/2021/yak/"]
    assert "Keep backups" in text["/lessons/keep-backups/"]
    assert "zebracrossing" not in text["/lessons/keep-backups/"] and "yakshaving" not in text["/lessons/keep-backups/"]
