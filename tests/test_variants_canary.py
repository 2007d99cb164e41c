"""The leak guarantee (SPEC 5), end to end: a handbook with a unique canary token in every
internal place is built in both variants; no token may reach any file of the public site,
and nothing that belongs to a variant may be lost from it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import AUTHORS as BASE_AUTHORS
from conftest import MKDOCS_YML, PLACEHOLDER, build_site, lesson, story, write_tree
from variant_support import clear, search_text, site_files, token_hits

from handbook_gen.cli import handbook
from handbook_gen.core.validation import check

# conftest's registry, the non-public author's name made a canary token.
AUTHORS = BASE_AUTHORS.replace("name: Bob Hidden", "name: Bob Zqxprivname")
assert AUTHORS != BASE_AUTHORS

TAGS = """\
zqppubtag: Zqppubtagdesc public tag
zqxinttag: Zqxinttagdesc internal-only tag
"""

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><title>{}</title><rect width="10" height="10"/></svg>\n'

# Everything the public site must never contain, each a unique token.
PRIVATE = {
    "internal story id": "zqxintstoryid",
    "internal story title": "Zqxinttitle",
    "internal story summary": "Zqxintsummary",
    "internal story body": "Zqxintbody",
    "internal story impact": "Zqxintimpact",
    "internal story five whys": "Zqxintwhy",
    "internal story contributing factor": "Zqxintfactor",
    "internal story award": "Zqxintaward",
    "internal story team": "zqxintteam",
    "internal-only tag": "zqxinttag",
    "internal-only tag description": "Zqxinttagdesc",
    "internal section": "Zqxsection",
    "internal mapping value": "Zqxmapvalue",
    "nested internal mapping value": "Zqxmapnested",
    "internal mapping list value": "Zqxmaplist",
    "internal mapping value of the internal story": "Zqxintmapvalue",
    "follow-up title": "Zqxfollowupone",
    "second follow-up title": "Zqxfollowuptwo",
    "private summary (has public_summary)": "Zqxprivsummary",
    "internal section of a public lesson": "Zqxlessonsection",
    "internal lesson id": "zqxintlessonid",
    "internal lesson title": "Zqxintlessontitle",
    "internal lesson summary": "Zqxintlessonsummary",
    "internal lesson body": "Zqxintlessonbody",
    "internal page file": "zqxintpage",
    "internal page title": "Zqxintpagetitle",
    "internal page body": "Zqxintpagebody",
    "non-public author name": "Zqxprivname",
    "internal asset name": "zqxintasset",
    "internal asset content": "Zqxassetcontent",
    "stale story id": "zqxstaleid",
    "stale story title": "Zqxstaletitle",
    "stale story summary": "Zqxstalesummary",
    "stale story body": "Zqxstalebody",
    "stale story edit": "Zqxstaleedit",
    "uncleared story id": "zqxunclearedid",
    "uncleared story title": "Zqxunclearedtitle",
    "uncleared story summary": "Zqxunclearedsummary",
    "uncleared story body": "Zqxunclearedbody",
    "draft id": "zqxdraftid",
    "draft title": "Zqxdrafttitle",
    "draft summary": "Zqxdraftsummary",
    "draft body": "Zqxdraftbody",
    "draft follow-up": "Zqxdraftfollowup",
}
DRAFT = {k: v for k, v in PRIVATE.items() if k.startswith("draft")}

# What the public site must show.
PUBLIC = {
    "public story id": "zqppubstoryone",
    "second public story id": "zqppubstorytwo",
    "public story title": "Zqppubonetitle",
    "public story body": "Zqppubonebody",
    "public summary": "Zqppubsummary",
    "second public story title": "Zqppubtwotitle",
    "second public story summary": "Zqppubtwosummary",
    "second public story body": "Zqppubtwobody",
    "public lesson body": "Zqppublessonbody",
    "public page title": "Zqppubpagetitle",
    "public page body": "Zqppubpagebody",
    "home page body": "Zqppubhomebody",
    "culture page body": "Zqppubculturebody",
    "public tag": "zqppubtag",
}

PUBLIC_ONE = story(
    "The Zqppubonetitle rollout",
    summary="Zqxprivsummary - the rollout broke checkout for customer accounts in one region.",
    authors="[ada, bob]",
    lessons="[keep-backups, zqxintlessonid]",
    extra="""\
visibility: public
public_summary: Zqppubsummary - a rollout broke checkout and we learned to stage it.
tags: [zqppubtag]
teams: [platform]
related: [zqxintstoryid, zqppubstorytwo, zqxstaleid, zqxunclearedid, zqxdraftid]
follow_ups:
  - title: Zqxfollowupone add a canary stage
    status: done
  - title: Zqxfollowuptwo page the owning team
internal:
  ticket: Zqxmapvalue-4411
  customer:
    name: Zqxmapnested Corp
    contacts: [Zqxmaplist Person]
""",
    body="""\
## What happened

The Zqppubonebody rollout went to every region at once. It followed [the earlier outage](zqxintstoryid.md),
[a related one][earlier] and <a href="zqxintstoryid.md">that page</a>, and the
[unfinished story](zqxunclearedid.md), the [stale one](../2021/zqxstaleid.md), the lesson
[Zqppublinktext](../lessons/zqxintlessonid.md) and the [notes](../zqxintpage.md), and as written
by URL [the same outage](../zqxintstoryid/ "Zqx") and [once more](/2021/zqxintstoryid/#what-happened).

[earlier]: zqxintstoryid.md

![Public diagram](zqppubasset.svg)

<!-- internal -->
The Zqxsection ticket holds the customer names and hostnames for staff only.

![Zqx internal diagram](zqxintasset.svg)
<!-- /internal -->

We now stage every rollout.
""",
)

PUBLIC_TWO = story(
    "The Zqppubtwotitle near miss",
    summary="Zqppubtwosummary - a near miss that a review caught before it reached users.",
    authors="[bob]",
    extra="""\
visibility: public
kind: near-miss
related: [zqppubstoryone]
""",
    body="## What happened\n\nZqppubtwobody: the review caught it in time.\n",
)

INTERNAL = story(
    "The Zqxinttitle database incident",
    date="2021-05-06",
    summary="Zqxintsummary - a database migration locked a table for an hour.",
    authors="[bob]",
    lessons="[zqxintlessonid, keep-backups]",
    extra="""\
teams: [zqxintteam]
tags: [zqxinttag]
impact: Zqxintimpact orders were delayed for an hour
five_whys: [Zqxintwhy the lock was held]
contributing_factors: [Zqxintfactor no lock timeout]
award: {year: 2021, title: Zqxintaward of the year}
related: [zqppubstoryone]
internal:
  ticket: Zqxintmapvalue-1
""",
    body="## What happened\n\nZqxintbody: the migration took a lock.\n\n![Zqx diagram](zqxintasset.svg)\n",
)

STALE = story(
    "The Zqxstaletitle story",
    date="2021-02-02",
    summary="Zqxstalesummary - this story was cleared once and then edited.",
    extra="visibility: public\n",
    body="## What happened\n\nZqxstalebody the first version of the story.\n",
)

UNCLEARED = story(
    "The Zqxunclearedtitle story",
    date="2021-02-03",
    summary="Zqxunclearedsummary - this public story was never cleared.",
    extra="visibility: public\n",
    body="## What happened\n\nZqxunclearedbody the story waits for clearance.\n",
)

DRAFT_STORY = story(
    "The Zqxdrafttitle story",
    date="2021-02-04",
    summary="Zqxdraftsummary - this cleared public story is still a draft.",
    extra="""\
visibility: public
status: draft
follow_ups: [{title: Zqxdraftfollowup finish it}]
""",
    body="## What happened\n\nZqxdraftbody the story is not finished.\n",
)


def canary_tree() -> dict:
    return {
        "mkdocs.yml": MKDOCS_YML,
        "placeholder": {"index.md": PLACEHOLDER},
        "stories": {
            "index.md": "---\ntitle: Home\n---\n\n# Home\n\nZqppubhomebody welcome.\n",
            "culture.md": "---\ntitle: Culture\n---\n\n# Culture\n\nZqppubculturebody we tell failures, like [this one][x].\n\n"
                          "[x]: 2021/zqxintstoryid.md\n",
            "zqppubpage.md": "---\ntitle: Zqppubpagetitle\nvisibility: public\n---\n\n# Zqppubpagetitle\n\nZqppubpagebody about us, see [notes](zqxintpage.md)"
                             " and [a story](2021/zqxintstoryid.md) and [by URL](zqxintpage/).\n",
            "zqxintpage.md": "---\ntitle: Zqxintpagetitle\nvisibility: internal\n---\n\n# Zqxintpagetitle\n\nZqxintpagebody staff notes.\n",
            "authors.yml": AUTHORS,
            "tags.yml": TAGS,
            "lessons": {
                "keep-backups.md": lesson(extra="related: [zqxintlessonid]\n").replace("Restore them regularly.", "Zqppublessonbody restore them regularly, see [timeouts](zqxintlessonid.md).\n\n"
                                                   "<!-- internal -->\nZqxlessonsection the restore drill log is in the vault.\n<!-- /internal -->"),
                "zqxintlessonid.md": lesson("Zqxintlessontitle lesson", "Zqxintlessonsummary - lock timeouts save the day.",
                                            extra="visibility: internal\n").replace("Restore them regularly.", "Zqxintlessonbody: set timeouts."),
            },
            "2021": {
                "zqppubstoryone.md": PUBLIC_ONE,
                "zqppubstorytwo.md": PUBLIC_TWO,
                "zqxintstoryid.md": INTERNAL,
                "zqxstaleid.md": STALE,
                "zqxunclearedid.md": UNCLEARED,
                "zqxdraftid.md": DRAFT_STORY,
                "zqppubasset.svg": SVG.format("Zqppubassetcontent"),
                "zqxintasset.svg": SVG.format("Zqxassetcontent"),
            },
        },
    }


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("canary") / "hb"
    write_tree(root, canary_tree())
    clear(root, "zqppubstoryone", "zqppubstorytwo", "zqxstaleid", "zqxdraftid")
    digests = _digests(root)
    stale = root / "stories" / "2021" / "zqxstaleid.md"
    stale.write_text(stale.read_text().replace("first version", "Zqxstaleedit second version"), encoding="utf-8")
    return {
        "root": root,
        "internal": build_site(root, "internal"),
        "public": build_site(root, "public"),
        "digests": digests,  # type: ignore[dict-item]
    }


def _digests(root: Path) -> dict[str, str]:
    hb, _ = check(root / "stories", root)
    return {f"clearance digest of {sid}": s.meta.clearance.digest.split(":", 1)[1] for sid, s in hb.stories.items() if s.meta.clearance}


def _internal_boxes(html: str) -> str:
    """The text of every 'Internal only' box of a page."""
    boxes = re.findall(r'<div class="hb-internal">\s*<p class="hb-internal__label">Internal only</p>(.*?)</div>', html, re.DOTALL)
    return "\n".join(boxes)


def _page(site: Path, location: str) -> str:
    return (site / location / "index.html").read_text(encoding="utf-8")


# --- the public site -------------------------------------------------------------


def test_no_canary_token_in_any_public_file(canary):
    hits = token_hits(canary["public"], PRIVATE | canary["digests"])
    assert not hits, "leaks in the public site:\n" + "\n".join(hits)


def test_clearance_block_never_rendered(canary):
    for site in (canary["public"], canary["internal"]):
        for sid in ("zqppubstoryone", "zqppubstorytwo"):
            assert "sha256:" not in _page(site, f"2021/{sid}/")
    assert not token_hits(canary["internal"], canary["digests"])


def test_data_files_never_copied(canary):
    for variant in ("public", "internal"):
        names = {Path(rel).name for rel in site_files(canary[variant])}
        assert not names & {"authors.yml", "tags.yml", "authors.yml.gz", "tags.yml.gz"}, variant


@pytest.mark.parametrize("location, tokens", [
    ("2021/zqppubstoryone/", ["Zqppubonetitle", "Zqppubonebody", "Zqppubsummary"]),
    ("2021/zqppubstorytwo/", ["Zqppubtwotitle", "Zqppubtwosummary", "Zqppubtwobody"]),
    ("lessons/keep-backups/", ["Keep backups", "Zqppublessonbody"]),
    ("zqppubpage/", ["Zqppubpagetitle", "Zqppubpagebody"]),
    ("culture/", ["Zqppubculturebody"]),
    ("", ["Zqppubhomebody"]),
])
@pytest.mark.parametrize("variant", ["public", "internal"])
def test_every_public_item_has_its_page_and_search_entry(canary, variant, location, tokens):
    html = _page(canary[variant], location)
    indexed = search_text(canary[variant], location)
    for token in tokens:
        if variant == "internal" and token == "Zqppubsummary":
            continue  # the internal site shows the private summary (and the public one in its internal box)
        assert token in html, f"{token} missing from {variant} page {location}"
        assert token.lower() in indexed, f"{token} missing from the {variant} search index for {location}"


def test_public_tag_and_public_asset(canary):
    public = canary["public"]
    assert (public / "tags" / "zqppubtag" / "index.html").is_file()
    assert "Zqppubtagdesc" in (public / "tags" / "zqppubtag" / "index.html").read_text()
    asset = public / "2021" / "zqppubstoryone" / "zqppubasset.svg"
    if not asset.is_file():
        asset = public / "2021" / "zqppubasset.svg"
    assert asset.is_file(), "the asset linked from a public story was not copied"
    assert b"Zqppubassetcontent" in asset.read_bytes()
    assert 'src="../zqppubasset.svg"' in _page(public, "2021/zqppubstoryone/")


def test_public_story_shows_only_public_parts(canary):
    html = _page(canary["public"], "2021/zqppubstoryone/")
    assert "Ada Lovelace" in html
    assert "a member of the data team" in html
    assert "2 follow-up actions, 1 done." in html
    assert "Internal only" not in html and "hb-internal" not in html
    # Links to left-out pages become plain text, their targets gone.
    assert "the earlier outage" in html and "Zqppublinktext" in html and "unfinished story" in html
    assert "zqxintstoryid" not in html
    assert "a related one" in html and "[a related one][earlier]" not in html
    assert "the same outage" in html and "once more" in html
    # Related: only the public story.
    related = html.split("Related stories", 1)[1]
    assert "Zqppubtwotitle" in related
    two = _page(canary["public"], "2021/zqppubstorytwo/")
    assert "a member of the data team" in two


def test_no_internal_banner_in_public(canary):
    for rel, data in site_files(canary["public"]).items():
        if rel.endswith(".html"):
            assert b"hb-banner" not in data and b"data-handbook-variant" not in data, rel


def test_public_feed_holds_only_public_stories(canary):
    feed = ET.fromstring((canary["public"] / "feed.xml").read_bytes())
    guids = {g.text for g in feed.iter("guid")}
    assert guids == {"zqppubstoryone", "zqppubstorytwo"}
    text = (canary["public"] / "feed.xml").read_text()
    assert "Zqppubsummary" in text
    internal_feed = ET.fromstring((canary["internal"] / "feed.xml").read_bytes())
    assert {g.text for g in internal_feed.iter("guid")} == {
        "zqppubstoryone", "zqppubstorytwo", "zqxintstoryid", "zqxstaleid", "zqxunclearedid"}


def test_sitemap_has_no_left_out_url(canary):
    public = canary["public"]
    files = site_files(public)
    for name in ("sitemap.xml", "sitemap.xml.gz"):
        locs = re.findall(rb"<loc>([^<]*)</loc>", files[name])
        urls = {loc.decode() for loc in locs}
        for left_out in ("zqxintstoryid", "zqxstaleid", "zqxunclearedid", "zqxdraftid", "zqxintlessonid", "zqxintpage"):
            assert not any(left_out in u for u in urls), (name, left_out)
        assert "https://handbook.example.com/2021/zqppubstoryone/" in urls


def test_left_out_items_have_no_page(canary):
    public = canary["public"]
    for location in ("2021/zqxintstoryid", "2021/zqxstaleid", "2021/zqxunclearedid", "2021/zqxdraftid",
                     "lessons/zqxintlessonid", "zqxintpage", "teams/zqxintteam", "tags/zqxinttag"):
        assert not (public / location).exists(), location
    assert not (public / "2021" / "zqxintasset.svg").exists()


def test_audit_cli_passes_on_the_clean_public_site(canary):
    result = CliRunner().invoke(handbook, ["-f", str(canary["root"] / "mkdocs.yml"), "audit", str(canary["public"])])
    assert result.exit_code == 0, result.output
    assert "leak" not in result.stdout


# --- the internal site -----------------------------------------------------------


@pytest.mark.parametrize("location, tokens", [
    ("2021/zqxintstoryid/", ["Zqxinttitle", "Zqxintsummary", "Zqxintbody", "Zqxintimpact", "Zqxintwhy", "Zqxintfactor", "Zqxintaward"]),
    ("2021/zqxstaleid/", ["Zqxstaletitle", "Zqxstalesummary", "Zqxstalebody", "Zqxstaleedit"]),
    ("2021/zqxunclearedid/", ["Zqxunclearedtitle", "Zqxunclearedsummary", "Zqxunclearedbody"]),
    ("2021/zqppubstoryone/", ["Zqppubonetitle", "Zqxprivsummary", "Zqxsection", "Zqxfollowupone", "Zqxfollowuptwo"]),
    ("lessons/zqxintlessonid/", ["Zqxintlessontitle", "Zqxintlessonsummary", "Zqxintlessonbody"]),
    ("zqxintpage/", ["Zqxintpagetitle", "Zqxintpagebody"]),
    ("teams/zqxintteam/", ["Zqxinttitle"]),
    ("tags/zqxinttag/", ["Zqxinttitle"]),
])
def test_every_internal_item_is_in_the_internal_site(canary, location, tokens):
    html = _page(canary["internal"], location)
    indexed = search_text(canary["internal"], location)
    for token in tokens:
        assert token in html, f"{token} missing from internal page {location}"
        if location.split("/")[0] in ("teams", "tags"):  # listings are never search results (test_search.py)
            continue
        assert token.lower() in indexed, f"{token} missing from the internal search index for {location}"


def test_internal_story_page_shows_internal_details(canary):
    html = _page(canary["internal"], "2021/zqppubstoryone/")
    for token in ("Zqxmapvalue", "Zqxmapnested", "Zqxmaplist", "Zqxprivname", "Zqppubsummary"):
        assert token in html, token
    assert "Zqxsection" in _internal_boxes(html), "the internal section is not in an 'Internal only' box"
    assert "Zqxlessonsection" in _internal_boxes(_page(canary["internal"], "lessons/keep-backups/"))
    assert (canary["internal"] / "2021" / "zqxintasset.svg").is_file() or (canary["internal"] / "2021" / "zqxintstoryid" / "zqxintasset.svg").is_file()


def test_drafts_are_left_out_of_both_builds(canary):
    for variant in ("public", "internal"):
        hits = token_hits(canary[variant], DRAFT)
        assert not hits, f"draft in the {variant} build:\n" + "\n".join(hits)


def test_internal_banner_on_every_internal_page(canary):
    pages = [rel for rel in site_files(canary["internal"]) if rel.endswith(".html")]
    assert "404.html" in pages and len(pages) > 10
    for rel in pages:
        html = (canary["internal"] / rel).read_text(encoding="utf-8")
        assert re.search(r'class="hb-banner"[^>]*>\s*<strong>Internal</strong>', html), rel
