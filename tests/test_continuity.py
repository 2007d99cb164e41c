"""A story's old address keeps answering: a renamed story's redirects, a withdrawn story's says it is gone."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from browsing import needs_chromium, served, tab
from click.testing import CliRunner
from conftest import build_site, story
from variant_support import clear

from handbook_gen.cli import handbook
from handbook_gen.core import audit
from handbook_gen.core.validation import check

GONE_TITLE = "The ledger that lost its balance"
GONE_SUMMARY = "A reconciliation job double-counted refunds for a whole quarter before anyone noticed."
GONE_BODY = "## What happened\n\nThe nightly reconciliation counted every refund twice for eleven weeks.\n"


def _handbook(make_handbook) -> Path:
    """A public story renamed from old-name to new-name, and a public story withdrawn since its clearance."""
    root = make_handbook({"stories": {"2021": {
        "new-name.md": story("A story that found a better name", extra="visibility: public\nformerly: [2021/old-name.md]\n"),
        "gone.md": story(GONE_TITLE, summary=GONE_SUMMARY, body=GONE_BODY, extra="visibility: public\n"),
    }}})
    clear(root, "new-name", "gone", by="bob")
    gone = root / "stories" / "2021" / "gone.md"
    gone.write_text(gone.read_text(encoding="utf-8").replace("visibility: public\n", "visibility: public\nwithdrawn: The customer asked us to.\n"),
                    encoding="utf-8")
    return root


def test_a_renamed_storys_old_address_redirects_to_its_page(make_handbook, browser):
    root = _handbook(make_handbook)
    site = build_site(root, "public")
    html = (site / "2021" / "old-name" / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../new-name/">' in html
    assert '<link rel="canonical" href="https://handbook.example.com/2021/new-name/">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert 'href="../new-name/"' in html  # a visible link too, for a browser that does not follow the refresh
    with served({"public": site}) as urls, tab(browser) as page:
        page.goto(urls["public"] + "2021/old-name/")
        page.wait_for_url(urls["public"] + "2021/new-name/")
        assert page.locator("h1").first.inner_text() == "A story that found a better name"


test_a_renamed_storys_old_address_redirects_to_its_page = needs_chromium(test_a_renamed_storys_old_address_redirects_to_its_page)


def test_a_withdrawn_storys_address_says_it_is_no_longer_available_and_nothing_else(make_handbook):
    root = _handbook(make_handbook)
    site = build_site(root, "public")  # the build's own audit passes
    page = site / "2021" / "gone" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "No longer available" in html and "has been withdrawn" in html
    assert "http-equiv" not in html
    for text in ("ledger", "reconciliation", "refunds", "customer asked"):
        assert text not in html.lower()
    # Its id is in its own address (and the sitemap): the audit lets that be...
    hb, _ = check(root / "stories", root)
    assert audit.scan(site, hb) == []
    assert "2021/gone/" in (site / "sitemap.xml").read_text(encoding="utf-8")
    # ...and still finds any text of the story anywhere.
    page.write_text(html.replace("No longer available", GONE_TITLE, 1), encoding="utf-8")
    assert [leak.file for leak in audit.scan(site, hb)] == ["2021/gone/index.html"]
    # A story's address lists it nowhere: no listing, no feed, no search result.
    assert "gone" not in (site / "feed.xml").read_text(encoding="utf-8")
    assert "2021/gone" not in (site / "years" / "2021" / "index.html").read_text(encoding="utf-8")

    # The internal site keeps the story's own page, marked withdrawn; the renamed story's old address redirects there too.
    internal_site = build_site(root, "internal")
    internal = (internal_site / "2021" / "gone" / "index.html").read_text(encoding="utf-8")
    assert GONE_TITLE in internal and "Withdrawn from the public site: The customer asked us to." in internal
    assert '<meta http-equiv="refresh" content="0; url=../new-name/">' in (internal_site / "2021" / "old-name" / "index.html").read_text(encoding="utf-8")


def test_export_holds_the_redirect_and_the_withdrawn_page(make_handbook, tmp_path):
    root = _handbook(make_handbook)
    out = tmp_path / "exported"
    result = CliRunner().invoke(handbook, ["-f", str(root / "mkdocs.yml"), "export", "--variant", "public", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    moved = (out / "docs" / "2021" / "old-name.md").read_text(encoding="utf-8")
    assert "template: handbook-former.html" in moved and "handbook_moved_to: 2021/new-name/" in moved
    gone = (out / "docs" / "2021" / "gone.md").read_text(encoding="utf-8")
    assert "# No longer available" in gone and "ledger" not in gone.lower()
    assert (out / "overrides" / "handbook-former.html").is_file()
    # Built by plain MkDocs, with no plugin: the old address still redirects.
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=out, check=True, capture_output=True)
    html = (out / "site" / "2021" / "old-name" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<meta http-equiv="refresh" content="0; url=\.\./new-name/">', html)


def test_check_keeps_former_addresses_free(make_handbook):
    root = make_handbook({"stories": {"2021": {
        "one.md": story("The first story here", extra="formerly: [first-story, 2021/old.md]\n"),
        "two.md": story("The second story here", extra="formerly: [old]\n"),
        "three.md": story("The third story here", extra="formerly: [years/2021.md]\n"),
    }}})
    _, problems = check(root / "stories", root)
    found = sorted((d.path, d.code, d.message) for d in problems if d.code == "HB209")
    assert found == [
        ("stories/2021/one.md", "HB209", "'formerly': '2021/first-story.md' is the file '2021/first-story.md' that exists: "
                                         "a former address must be one nothing else has now"),
        ("stories/2021/three.md", "HB209", "'formerly': 'years/2021.md' is where the build writes the generated page 'years/'"),
        ("stories/2021/two.md", "HB209", "'formerly': '2021/old.md' is also a former address of story 'one': one address can lead to one story"),
    ]
