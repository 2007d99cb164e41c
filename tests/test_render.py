"""The middle layer: the view of a small handbook and the Markdown the renderer makes from it, exactly."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import base_tree, story, write_tree

from handbook_gen.core.clearance import with_clearance
from handbook_gen.core.validation import check
from handbook_gen.core.variants import select
from handbook_gen.render import Renderer

TODAY = dt.date(2026, 11, 28)
EXTRA = """kind: near-miss
severity: major
teams: [platform]
impact: Pages < 2s {.x}
five_whys: [Pages timed out., Every request missed.]
follow_ups:
  - {title: Stagger expiry, status: done}
  - {title: Alert on misses, status: open}
internal:
  ticket: INC-1
  people: [Zed, Amy]
"""
BODY = "## What happened\n\nIt broke.\n\n<!-- internal -->\nSecret host db1.\n<!-- /internal -->\n\nWe fixed it.\n"

INTERNAL = '# The cache \\* forgot\\_everything\n\n<p class="hb-summary" markdown="span">Something failed in an instructive way and we wrote it down.</p>\n\n<div class="hb-card" markdown="1">\n<span class="hb-chip hb-kind hb-kind--near-miss">[Near\\-miss](../kinds/near-miss.md)</span>\n<span class="hb-chip hb-severity hb-severity--major">[Major](../severities/major.md)</span>\n\n| | |\n|---|---|\n| **Date** | [2021\\-03\\-04](../years/2021.md) |\n| **Told by** | [Ada Lovelace](../authors/ada.md) |\n| **Reading time** | 1 min read |\n| **Teams** | [platform](../teams/platform.md) |\n| **Impact** | Pages &lt; 2s &#123;.x&#125; |\n</div>\n\n<div class="hb-internal" markdown="1">\n<p class="hb-internal__label">Internal only</p>\n\n**Visibility:** internal: never on the public site.\n\n- **ticket**: INC\\-1\n- **people**:\n    - Zed\n    - Amy\n\n</div>\n\n## What happened\n\nIt broke.\n\n<div class="hb-internal" markdown="1">\n<p class="hb-internal__label">Internal only</p>\n\nSecret host db1.\n\n</div>\n\nWe fixed it.\n\n\n## Five whys\n\n<div class="hb-whys" markdown="1">\n1. Pages timed out.\n2. Every request missed.\n</div>\n\n## Follow-ups\n\n- <span class="hb-chip hb-status--done">done</span> Stagger expiry\n- <span class="hb-chip hb-status--open">open</span> Alert on misses\n\n## Lessons learned\n\n- [Keep backups](../lessons/keep-backups.md): Backups only count once restored.\n\n'

PUBLIC = '# The cache \\* forgot\\_everything\n\n<p class="hb-summary" markdown="span">Something failed in an instructive way and we wrote it down.</p>\n\n<div class="hb-card" markdown="1">\n<span class="hb-chip hb-kind hb-kind--near-miss">[Near\\-miss](../kinds/near-miss.md)</span>\n<span class="hb-chip hb-severity hb-severity--major">[Major](../severities/major.md)</span>\n\n| | |\n|---|---|\n| **Date** | [2021\\-03\\-04](../years/2021.md) |\n| **Told by** | [Ada Lovelace](../authors/ada.md) |\n| **Reading time** | 1 min read |\n| **Teams** | [platform](../teams/platform.md) |\n| **Impact** | Pages &lt; 2s &#123;.x&#125; |\n</div>\n\n## What happened\n\nIt broke.\n\n\nWe fixed it.\n\n\n## Five whys\n\n<div class="hb-whys" markdown="1">\n1. Pages timed out.\n2. Every request missed.\n</div>\n\n## Follow-ups\n\n2 follow-up actions, 1 done.\n\n## Lessons learned\n\n- [Keep backups](../lessons/keep-backups.md): Backups only count once restored.\n\n'

LISTING = '# Kind&#58; Near\\-miss\n\n<p class="hb-muted" markdown="span">1 story, newest first. [See all](index.md)</p>\n\n- [The cache \\* forgot\\_everything](../2021/first-story.md)  \n  <span class="hb-muted">2021\\-03\\-04 · Near\\-miss · Major · platform</span>  \n  Something failed in an instructive way and we wrote it down.\n\n'


@pytest.fixture
def handbook(tmp_path):
    def make(public: bool):
        root = tmp_path / ("public" if public else "internal")
        tree = base_tree()
        extra = ("visibility: public\n" if public else "") + EXTRA
        tree["stories"]["2021"]["first-story.md"] = story("The cache * forgot_everything", extra=extra, body=BODY)
        write_tree(root, tree)
        hb, problems = check(root / "stories", root, today=TODAY)
        if public:
            path = root / "stories" / "2021" / "first-story.md"
            text = path.read_text(encoding="utf-8")
            path.write_text(with_clearance(text, "ada", dt.date(2026, 11, 1), hb.stories["first-story"].publication.digest), encoding="utf-8")
            hb, problems = check(root / "stories", root, today=TODAY)
        assert problems == []
        return hb

    return make


def test_internal_story_page_markdown(handbook):
    view = select(handbook(public=False), "internal")
    assert list(view.stories) == ["first-story"]
    assert view.stories["first-story"].internal == {"ticket": "INC-1", "people": ["Zed", "Amy"]}
    assert Renderer(view).story("first-story") == INTERNAL


def test_public_story_page_markdown(handbook):
    hb = handbook(public=True)
    assert hb.stories["first-story"].publication.public
    view = select(hb, "public")
    story_view = view.stories["first-story"]
    assert (story_view.internal, story_view.clearance, [f.title for f in story_view.follow_ups]) == (None, None, [None, None])
    assert Renderer(view).story("first-story") == PUBLIC


def test_listing_page_markdown(handbook):
    view = select(handbook(public=True), "public")
    generated = Renderer(view).generated()
    assert sorted(generated) == [
        "authors/ada.md", "authors/index.md", "awards.md", "kinds/index.md", "kinds/near-miss.md", "lessons/index.md", "severities/index.md", "severities/major.md",
        "stats.md", "teams/index.md", "teams/platform.md", "years/2021.md", "years/index.md",
    ]  # no story has a tag: no tags/index.md
    assert generated["kinds/near-miss.md"] == LISTING
