"""Whether a story is on the public site, as a decision table over core/clearance.py's `decide`:
visibility x clearance (none, valid, stale) x draft x withdrawn -> status, with no build."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from pathlib import Path

import pytest
from conftest import base_tree, write_tree

from handbook_gen.core.clearance import decide, digest
from handbook_gen.core.loading import load
from handbook_gen.core.model import Status, StoryEntry
from handbook_gen.core.schema import Clearance, Story

P, I, N, S, D, W = Status.PUBLIC, Status.INTERNAL, Status.NOT_CLEARED, Status.STALE, Status.DRAFT, Status.WITHDRAWN
# (visibility, clearance, draft, withdrawn) -> status. Withdrawn wins over everything, then
# internal; a public story needs a clearance that matches its content, and then a draft waits.
TABLE = {
    ("public", "none", False, False): N, ("public", "none", True, False): N,
    ("public", "valid", False, False): P, ("public", "valid", True, False): D,
    ("public", "stale", False, False): S, ("public", "stale", True, False): S,
    ("internal", "none", False, False): I, ("internal", "none", True, False): I,
    ("internal", "valid", False, False): I, ("internal", "valid", True, False): I,
    ("internal", "stale", False, False): I, ("internal", "stale", True, False): I,
    **{(visibility, clearance, draft, True): W
       for visibility, clearance, draft in itertools.product(("public", "internal"), ("none", "valid", "stale"), (False, True))},
}


def test_the_table_covers_every_combination():
    assert set(TABLE) == set(itertools.product(("public", "internal"), ("none", "valid", "stale"), (False, True), (False, True)))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> StoryEntry:
    """The small handbook's story, loaded once: each case decides on a copy with its own front-matter."""
    root: Path = tmp_path_factory.mktemp("publication")
    write_tree(root, base_tree())
    hb, problems = load(root / "stories", root, today=dt.date(2026, 11, 28))
    assert [d for d in problems if d.severity.value == "error"] == []
    return hb.stories["first-story"]


@pytest.mark.parametrize(("visibility", "clearance", "draft", "withdrawn"), sorted(TABLE))
def test_decide(loaded, visibility, clearance, draft, withdrawn):
    entry = dataclasses.replace(loaded)
    fields = {**entry.meta.model_dump(), "visibility": visibility, "status": "draft" if draft else "published",
              "withdrawn": "Told elsewhere now." if withdrawn else None, "clearance": None}
    entry.meta = Story.model_validate(fields)
    if clearance != "none":
        value = digest(entry) if clearance == "valid" else "sha256:" + "0" * 64
        entry.meta = Story.model_validate({**fields, "clearance": Clearance(by="bob", date=dt.date(2026, 1, 2), digest=value)})
    decided = decide(entry)
    assert decided.status == TABLE[visibility, clearance, draft, withdrawn]
    assert decided.cleared == (clearance == "valid")
    assert decided.digest == digest(entry)
