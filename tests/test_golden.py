"""Golden Markdown: every page of a small fixed handbook, in both variants, compared exactly with tests/golden/.

The handbook has every kind of page: stories (one with every field), lessons, the culture page,
the generated home page, a hand-written page, each listing's index and group pages (some cut into
two pages), awards, statistics, follow-ups and the pages at a story's old addresses (a redirect,
and a withdrawn story's notice). A change to any page shows as a diff of tests/golden/: after a
change meant to alter pages, run `pytest tests/test_golden.py --update-golden` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import AUTHORS, lesson, story, write_tree

from handbook_gen.core import layout
from handbook_gen.core.clearance import with_clearance
from handbook_gen.core.listings import LISTINGS
from handbook_gen.core.model import Status
from handbook_gen.core.validation import check
from handbook_gen.core.variants import Variant, select
from handbook_gen.render import Renderer, site

TODAY = dt.date(2026, 11, 28)  # check and the renderer read no clock: the pages are the same any day
GOLDEN = Path(__file__).parent / "golden"
PAGE_SIZE = 2  # three or four stories of one team or tag: their group is cut into two pages
FULL = """\
kind: incident
severity: major
teams: [platform]
tags: [caching]
impact: Pages < 2s {.x} for *everyone*
five_whys: [Pages timed out., Every request missed the cache at once.]
contributing_factors: [The runbook said 'flush the cache'.]
follow_ups:
  - {title: Stagger expiry, status: done}
  - {title: Alert on misses, status: open}
award: {year: 2021, title: Biggest Mistake of the Year}
related: [db-failover]
formerly: [2021/old-cache.md]
timeline:
  - {at: "10:32", event: The cache is flushed.}
  - {at: "10:50", event: Pages are fast again.}
lucky: [It happened on a Wednesday morning.]
detection: A support ticket about slow pages.
time_to_detect: 25m
time_to_resolve: 1h10m
internal:
  ticket: INC-1
  people: [Zed, Amy]
"""
BODY = ("## What happened\n\nThe cache forgot *everything* at once.\n\n<!-- internal -->\nSecret host db1.\n"
        "<!-- /internal -->\n\nWe [kept backups](../lessons/keep-backups.md) and [failed over](db-failover.md).\n")
TREE: dict[str, Any] = {
    "mkdocs.yml": "site_name: Golden\nsite_url: https://handbook.example.com/\ndocs_dir: placeholder\n",
    "stories": {
        # No index.md: the home page is generated.
        "culture.md": "---\ntitle: Culture\n---\n\n# Culture\n\nWe tell failures.\n",
        "about.md": "---\ntitle: About us\ndescription: Who writes this handbook.\nvisibility: public\n---\n\n# About us\n\nWe run the platform.\n",
        "authors.yml": AUTHORS,
        "lessons": {
            "keep-backups.md": lesson(),
            "say-it-early.md": lesson("Say it early", "Bad news told early costs less than bad news found late."),
            "hush-hush.md": lesson("A lesson kept inside", "Only staff may read this one.", extra="visibility: internal\n"),
        },
        "2021": {
            "cache-forgot.md": story("The cache * forgot_everything", extra="visibility: public\n" + FULL, body=BODY,
                                     lessons="[keep-backups, say-it-early]"),
            "db-failover.md": story("The database failed over", date="2021-06-07", lessons="[say-it-early]", extra=(
                "visibility: public\nkind: near-miss\nseverity: minor\nteams: [platform, data]\ntags: [caching, databases]\n")),
        },
        "2022": {
            "deploy-friday.md": story("A Friday deploy", date="2022-02-04", extra=(
                "visibility: public\nseverity: critical\nteams: [platform]\ntags: [caching]\n"
                "public_summary: A deploy on a Friday took the site down for an hour.\n")),
            "secret-outage.md": story("An outage we keep inside", date="2022-08-09", authors="[bob]", lessons="[hush-hush]",
                                      extra="teams: [platform]\ntags: [caching]\nfollow_ups:\n  - {title: Rotate the keys, status: open}\n"),
        },
        "2023": {
            "told-elsewhere.md": story("A story told elsewhere now", date="2023-01-02", extra=(
                "visibility: public\nwithdrawn: The customer asked us not to tell it.\nteams: [data]\n")),
            "half-written.md": story("A story still being written", date="2023-03-04", extra="visibility: public\nstatus: draft\n"),
        },
    },
}
CLEARED = ("cache-forgot", "db-failover", "deploy-friday", "told-elsewhere", "half-written")


@pytest.fixture(scope="module")
def handbook(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The golden handbook, its public stories cleared (by bob, who wrote none of them)."""
    root = tmp_path_factory.mktemp("golden")
    write_tree(root, TREE)
    hb, _ = check(root / "stories", root, today=TODAY)
    for sid in CLEARED:
        path = root / "stories" / hb.stories[sid].src
        text = path.read_text(encoding="utf-8")
        path.write_text(with_clearance(text, "bob", dt.date(2026, 11, 1), hb.stories[sid].publication.digest), encoding="utf-8")
    hb, problems = check(root / "stories", root, today=TODAY)
    assert problems == []
    assert {sid: s.publication.status for sid, s in hb.stories.items()} == {
        "cache-forgot": Status.PUBLIC, "db-failover": Status.PUBLIC, "deploy-friday": Status.PUBLIC,
        "secret-outage": Status.INTERNAL, "told-elsewhere": Status.WITHDRAWN, "half-written": Status.DRAFT,
    }
    return hb


def table(hb: Any, variant: Variant) -> site.Table:
    view = select(hb, variant)
    renderer = Renderer(view, today=TODAY, page_size=PAGE_SIZE)
    return site.build(hb, view, renderer, site_name="Golden", site_url="https://handbook.example.com/", feed_limit=20)


@pytest.mark.parametrize("variant", list(Variant))
def test_every_page_is_its_golden_markdown(handbook, golden, variant):
    pages = table(handbook, variant).pages
    golden(str(variant.value), {src: entry.markdown for src, entry in pages.items()})


@pytest.mark.parametrize("variant", list(Variant))
def test_every_page_kind_meta_and_file_is_golden(handbook, golden, variant):
    made = table(handbook, variant)
    described = {src: {"kind": entry.kind.value, "key": entry.key, "meta": entry.meta} for src, entry in sorted(made.pages.items())}
    golden(f"{variant.value}-table", {"pages.json": json.dumps(described, indent=1, sort_keys=True) + "\n", **made.files})


def test_the_golden_handbook_has_every_page_kind():
    """Hold the fixed handbook to its purpose: its golden pages have every kind, every listing and paginated groups."""
    described = {variant: json.loads((GOLDEN / f"{variant.value}-table" / "pages.json").read_text(encoding="utf-8")) for variant in Variant}
    assert {d["kind"] for pages in described.values() for d in pages.values()} == {k.value for k in site.Kind}
    for variant, pages in described.items():
        for src in ("index.md", layout.CULTURE_PAGE, "about.md", layout.AWARDS, layout.STATS, layout.LESSONS_INDEX,
                    "teams/platform.md", "teams/platform/page/2.md", "tags/caching/page/2.md", "2021/old-cache.md",
                    *(listing.index for listing in LISTINGS)):
            assert src in pages, (variant, src)
    assert layout.FOLLOW_UPS in described[Variant.INTERNAL]
