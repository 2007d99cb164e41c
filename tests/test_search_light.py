"""Search stays light: a page fetches nothing it does not need before the reader's first result."""

from __future__ import annotations

from browsing import served
from conftest import build_site


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
