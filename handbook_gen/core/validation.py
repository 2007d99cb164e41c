"""Validate a whole handbook in one pass: files, schema, references, variants, language."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import graph, lint, references
from .clearance import digest
from .diagnostics import Diagnostic, warning
from .loading import Handbook, load


def check(docs_dir: Path | str, root: Path | str | None = None, today: dt.date | None = None) -> tuple[Handbook, list[Diagnostic]]:
    """Load a handbook and report every error and warning, sorted by place."""
    today = today or dt.date.today()
    hb, problems = load(docs_dir, root)
    problems += references.check(hb, today)
    for story in hb.stories.values():
        problems += lint.check_story(story.path, story.doc)
        problems += _clearance_warnings(story)
    for _, path, doc in hb.rejected:
        problems += lint.check_story(path, doc)
    for lid in graph.orphans(hb.lessons, (s.meta for s in hb.stories.values() if not s.is_draft)):
        lesson = hb.lessons[lid]
        problems.append(warning("HB206", lesson.path, 1, f"lesson '{lid}' is taught by no story - link it from a story's 'lessons' or remove it"))
    return hb, sorted(set(problems))


def _clearance_warnings(story) -> list[Diagnostic]:  # type: ignore[no-untyped-def]
    meta = story.meta
    if meta.visibility != "public":
        return []
    line, col = story.doc.where(("clearance",)) if meta.clearance else story.doc.where(("visibility",))
    if meta.clearance is None:
        return [warning("HB305", story.path, line, f"public story '{story.id}' is not cleared: it stays out of the public site until 'handbook clear {story.id} --by AUTHOR'", col=col)]
    if meta.clearance.digest != digest(story):
        return [warning("HB306", story.path, line, f"public story '{story.id}' changed after its clearance: it stays out of the public site until 'handbook clear {story.id} --by AUTHOR' again", col=col)]
    return []
