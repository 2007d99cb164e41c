"""The sample handbook in stories/ is valid and covers what the product shows."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from conftest import REPO

from handbook_gen.core.clearance import is_cleared
from handbook_gen.core.schema import KINDS, SEVERITIES
from handbook_gen.core.validation import check


def test_sample_is_valid_without_warnings():
    _, problems = check(REPO / "stories", REPO, today=dt.date(2026, 11, 28))
    assert [d.text() for d in problems] == []


def test_sample_covers_the_product():
    hb, _ = check(REPO / "stories", REPO)
    stories = [s for s in hb.stories.values() if not s.is_draft]
    metas = [s.meta for s in stories]
    assert len(stories) >= 15
    assert len({m.date.year for m in metas}) >= 4
    assert len({t for m in metas for t in m.teams}) >= 5
    assert {m.kind for m in metas} == set(KINDS)
    assert {m.severity for m in metas} >= set(SEVERITIES)
    assert len(hb.lessons) >= 8
    taught = Counter(lid for m in metas for lid in m.lessons)
    assert set(taught) == set(hb.lessons) and sum(n >= 2 for n in taught.values()) >= 3
    assert hb.authors and any(m.award for m in metas) and sum(bool(m.five_whys) for m in metas) >= 6
    assert sum("<!-- internal -->" in s.body for s in stories) >= 3
    public = [s for s in stories if s.meta.visibility == "public"]
    assert len(public) >= 6 and all(is_cleared(s) for s in public)
    installer = hb.stories["shipped-someone-elses-installer"].meta
    assert installer.visibility == "public" and installer.award is not None
