"""Cross-file checks: every id a story or lesson names must exist."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Collection, Iterable

from .diagnostics import Diagnostic, error
from .loading import Handbook


def check(hb: Handbook, today: dt.date) -> list[Diagnostic]:
    """Check authors, lessons, related stories, tags, dates and awards of every entry."""
    problems: list[Diagnostic] = []
    for story in hb.stories.values():
        meta, doc = story.meta, story.doc
        lists: list[tuple[str, str, list[str], Collection[str], str]] = [
            ("authors", "author", meta.authors, hb.authors, "add it to authors.yml"),
            ("lessons", "lesson", meta.lessons, hb.lessons, "add lessons/<id>.md"),
            ("related", "story", meta.related, hb.stories, "related takes story ids (file names)"),
        ]
        if hb.tags is not None:
            lists.append(("tags", "tag", meta.tags, hb.tags, "add it to tags.yml"))
        for field, kind, values, known, fix in lists:
            for i, value in enumerate(values):
                if value not in known:
                    line, col = doc.where((field, i))
                    problems.append(error("HB202", story.path, line, f"'{field}': unknown {kind} '{value}'{_did_you_mean(value, known, fix)}", col=col))
        if story.id in meta.related:
            line, col = doc.where(("related",))
            problems.append(error("HB203", story.path, line, "'related' lists the story itself", col=col))
        if meta.clearance is not None and meta.clearance.by not in hb.authors:
            line, col = doc.where(("clearance", "by"))
            problems.append(error("HB202", story.path, line, f"'clearance.by': unknown author '{meta.clearance.by}'{_did_you_mean(meta.clearance.by, hb.authors, 'add it to authors.yml')}", col=col))
        if meta.date > today:
            line, col = doc.where(("date",))
            problems.append(error("HB204", story.path, line, f"'date' {meta.date.isoformat()} is in the future (today is {today.isoformat()})", col=col))
        if meta.award is not None and meta.award.year < meta.date.year:
            line, col = doc.where(("award", "year"))
            problems.append(error("HB204", story.path, line, f"'award.year' {meta.award.year} is before the story happened ({meta.date.year})", col=col))
    for lesson in hb.lessons.values():
        for i, value in enumerate(lesson.meta.related):
            if value not in hb.lessons or value == lesson.id:
                line, col = lesson.doc.where(("related", i))
                what = "the lesson itself" if value == lesson.id else f"unknown lesson '{value}'"
                problems.append(error("HB202", lesson.path, line, f"'related': {what}{_did_you_mean(value, [k for k in hb.lessons if k != lesson.id], 'add lessons/<id>.md')}", col=col))
    return problems


def _did_you_mean(value: str, known: Iterable[str], fix: str) -> str:
    hint = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f" - did you mean '{hint[0]}'?" if hint else f" ({fix})"
