"""Validate a whole handbook in one pass: files, schema, references, variants, language."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import graph, lint, references
from .diagnostics import Diagnostic, error, warning
from .loading import load
from .model import Handbook, Status, StoryEntry
from .segments import Body


def check(
    docs_dir: Path | str, root: Path | str | None = None, today: dt.date | None = None, *, allow_scripts: bool = False
) -> tuple[Handbook, list[Diagnostic]]:
    """Load a handbook and report every error and warning, sorted by place.

    Script in bodies (raw `<script>`, event handlers, `javascript:` URLs) is an error
    unless the handbook allows it.
    """
    today = today or dt.date.today()
    hb, problems = load(docs_dir, root)
    problems += references.check(hb, today)
    for story in hb.stories.values():
        problems += lint.check_story(story.path, story.doc, story.parsed)
        problems += _clearance_warnings(story)
    for _, path, doc, body in hb.rejected:
        problems += lint.check_story(path, doc, body)
    if not allow_scripts:
        bodies = [(s.path, s.parsed) for s in hb.stories.values()] + [(p, b) for _, p, _, b in hb.rejected]
        bodies += [(e.path, e.parsed) for e in hb.lessons.values()] + [(e.path, e.parsed) for e in hb.pages.values()]
        for path, body in bodies:
            problems += _script_errors(path, body)
    for lid in graph.orphans(hb.lessons, (s.meta for s in hb.stories.values() if not s.is_draft)):
        lesson = hb.lessons[lid]
        problems.append(warning("HB206", lesson.path, 1, f"lesson '{lid}' is taught by no story - link it from a story's 'lessons' or remove it"))
    return hb, sorted(set(problems))


def _clearance_warnings(story: StoryEntry) -> list[Diagnostic]:
    status = story.publication.status
    line, col = story.doc.where(("clearance",)) if story.meta.clearance else story.doc.where(("visibility",))
    if status is Status.NOT_CLEARED:
        return [warning("HB305", story.path, line, f"public story '{story.id}' is not cleared: it stays out of the public site until 'handbook clear {story.id} --by AUTHOR'", col=col)]
    if status is Status.STALE:
        return [warning("HB306", story.path, line, f"public story '{story.id}' changed after its clearance: it stays out of the public site until 'handbook clear {story.id} --by AUTHOR' again", col=col)]
    return []


def _script_errors(path: str, body: Body) -> list[Diagnostic]:
    return [
        error("HB310", path, body.first_line + line, f"{what} would run script in readers' browsers - remove it (stories are text, images and links)")
        for line, what in body.active
    ]
