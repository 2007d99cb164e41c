"""What a story's clearance leads to, as a decision table over core: clearance (absent, its digest
matching the content, stale) x visibility x draft x withdrawn -> its status, check's warning, the note
its internal page shows, whether the internal site shows it, and what the public site has at its address.

One handbook holds a story per row, checked once: each row reads its own story's outcome."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, NamedTuple

import pytest
from conftest import base_tree, story, write_tree

from handbook_gen.core.clearance import with_clearance
from handbook_gen.core.continuity import formers
from handbook_gen.core.model import Status
from handbook_gen.core.validation import check
from handbook_gen.core.variants import select

TODAY = dt.date(2026, 11, 28)
CLEARED_ON = dt.date(2026, 11, 1)
STALE_DIGEST = "sha256:" + "0" * 64  # a clearance of some other content: the story changed since
CLEARANCES = ("absent", "matching", "stale")
VISIBILITIES = ("public", "internal")
ROWS = list(itertools.product(CLEARANCES, VISIBILITIES, (False, True), (False, True)))  # ..., draft, withdrawn

NOT_CLEARED = "not cleared: left out of the public site"
EDITED = "edited since clearance: left out of the public site until cleared again"
WITHDRAWN = "withdrawn: its public address says it is no longer available"
CLEARED = f"cleared by Bob Hidden on {CLEARED_ON.isoformat()}"


class Outcome(NamedTuple):
    status: Status
    warning: str | None  # the HB code `check` warns with, at the story
    note: str | None  # the clearance note of its internal page (in the preview, which shows drafts)
    internal: bool  # on the internal site (drafts only in the preview)
    public: str | None  # at its address on the public site: "story", "notice" (no longer available), or nothing


def expected(clearance: str, visibility: str, draft: bool, withdrawn: bool) -> Outcome:
    """The rules, written once: withdrawn wins, then internal; a public story needs a matching clearance, then a draft waits."""
    if withdrawn:
        # It was public if it was ever cleared or made internal on purpose: its address then says so.
        was_public = clearance != "absent" or visibility == "internal"
        return Outcome(Status.WITHDRAWN, None, WITHDRAWN, not draft, "notice" if was_public else None)
    if visibility == "internal":
        return Outcome(Status.INTERNAL, None, None, not draft, None)
    if clearance == "absent":
        return Outcome(Status.NOT_CLEARED, "HB305", NOT_CLEARED, not draft, None)
    if clearance == "stale":
        return Outcome(Status.STALE, "HB306", EDITED, not draft, None)
    if draft:
        return Outcome(Status.DRAFT, None, CLEARED, False, None)
    return Outcome(Status.PUBLIC, None, CLEARED, True, "story")


def sid(clearance: str, visibility: str, draft: bool, withdrawn: bool) -> str:
    return f"{clearance}-{visibility}{'-draft' if draft else ''}{'-withdrawn' if withdrawn else ''}"


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Write one story per row, clear them as the row says (by bob, no author of them), check once: each one's outcome."""
    root = tmp_path_factory.mktemp("staleness")
    tree = base_tree()
    for row in ROWS:
        clearance, visibility, draft, withdrawn = row
        extra = f"visibility: {visibility}\n" + ("status: draft\n" if draft else "") + ("withdrawn: Told elsewhere now.\n" if withdrawn else "")
        tree["stories"]["2021"][f"{sid(*row)}.md"] = story(f"Story {sid(*row)}", extra=extra)
    write_tree(root, tree)
    hb, _ = check(root / "stories", root, today=TODAY)
    for row in ROWS:
        if row[0] != "absent":
            entry = hb.stories[sid(*row)]
            path = root / "stories" / entry.src
            value = entry.publication.digest if row[0] == "matching" else STALE_DIGEST
            path.write_text(with_clearance(path.read_text(encoding="utf-8"), "bob", CLEARED_ON, value), encoding="utf-8")
    hb, problems = check(root / "stories", root, today=TODAY)
    warnings: dict[str, list[str]] = {}
    for d in problems:
        warnings.setdefault(d.path.rsplit("/", 1)[-1][: -len(".md")], []).append(d.code)
    assert {d.severity.value for d in problems} <= {"warning"}, [d.text() for d in problems]
    preview, internal, public = select(hb, "internal", drafts=True), select(hb, "internal"), select(hb, "public")
    notices = {f.story for f in formers(hb, set(public.stories), True) if f.target is None}
    out = {}
    for story_id, entry in hb.stories.items():
        codes: list[Any] = warnings.get(story_id, [])
        assert len(codes) <= 1, (story_id, codes)
        shown = "story" if story_id in public.stories else "notice" if story_id in notices else None
        out[story_id] = Outcome(entry.publication.status, codes[0] if codes else None, preview.stories[story_id].clearance,
                                story_id in internal.stories, shown)
    return out


def test_the_table_covers_every_combination(outcomes):
    assert len(ROWS) == 24
    assert set(outcomes) == {sid(*row) for row in ROWS} | {"first-story"}


@pytest.mark.parametrize(("clearance", "visibility", "draft", "withdrawn"), ROWS, ids=[sid(*row) for row in ROWS])
def test_staleness(outcomes, clearance, visibility, draft, withdrawn):
    assert outcomes[sid(clearance, visibility, draft, withdrawn)] == expected(clearance, visibility, draft, withdrawn)
