"""Internal text written again where the public site shows it, found before anything is built.

Two cases. A public lesson or page (nobody clears those) that quotes an internal story's
title or summary, an internal lesson, or the name of an author who is not public, is an
error naming both files. A public story whose public text repeats a value of its own
`internal` mapping (a hostname, a customer) gets a warning: clearing it would publish it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .diagnostics import Diagnostic, error, warning
from .model import Handbook, Status, StoryEntry
from .segments import Body, Kind
from .words import normalise

_MIN_TITLE_WORDS = 3  # shorter titles are ordinary phrases ("The outage")
_MIN_VALUE_CHARS = 4


def check(hb: Handbook) -> list[Diagnostic]:
    """Report internal text in public lessons and pages, and internal values in public stories."""
    return _quoted_in_public_pages(hb) + _own_internal_values(hb)


def _quoted_in_public_pages(hb: Handbook) -> list[Diagnostic]:
    needles: list[tuple[str, str]] = []  # (normalised text, what and where it comes from)
    for s in hb.stories.values():
        m = s.meta
        if s.publication.status is not Status.PUBLIC:
            if len(normalise(m.title).split()) >= _MIN_TITLE_WORDS:
                needles.append((normalise(m.title), f"the title of {_why(s)} story {s.path}"))
            needles.append((normalise(m.summary), f"the summary of {_why(s)} story {s.path}"))
        elif m.public_summary:
            needles.append((normalise(m.summary), f"the internal summary of {s.path} (it has a public_summary)"))
    for lesson in hb.lessons.values():
        if lesson.meta.visibility != "public":
            needles.append((normalise(lesson.meta.title), f"the title of internal lesson {lesson.path}"))
            needles.append((normalise(lesson.meta.summary), f"the summary of internal lesson {lesson.path}"))
    for author_id, author in hb.authors.items():
        if not author.public:
            needles.append((normalise(author.name), f"the name of author '{author_id}', who is not public (authors.yml)"))
    needles = [(n, what) for n, what in needles if n.strip()]
    problems: list[Diagnostic] = []
    public = [(lesson.path, lesson.parsed, lesson.meta.title, lesson.meta.summary) for lesson in hb.lessons.values() if lesson.meta.visibility == "public"]
    public += [(p.path, p.parsed, p.meta.title or "", p.meta.description or "") for p in hb.pages.values() if p.meta.visibility == "public"]
    for path, body, *fields in public:
        lines = [(1, text) for text in fields] + list(_blocks(body))
        for line, _, what in _find(lines, needles):
            problems.append(error("HB308", path, line, f"public text quotes {what} - rewrite it, or make this page internal"))
    return problems


def _own_internal_values(hb: Handbook) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for s in hb.stories.values():
        if s.meta.visibility != "public" or not s.meta.internal:
            continue
        values = {normalise(v): v for v in _strings(s.meta.internal) if len(v.strip()) >= _MIN_VALUE_CHARS}
        needles = [(n, f"'{v}', a value of its own 'internal' mapping") for n, v in values.items() if n.strip()]
        m = s.meta
        fields: list[tuple[int, str]] = []
        for name in ("title", "summary", "public_summary", "impact"):
            value = getattr(m, name)
            if isinstance(value, str) and not (name == "summary" and m.public_summary):
                fields.append((s.doc.where((name,))[0], value))
        for name in ("five_whys", "contributing_factors"):
            for i, value in enumerate(getattr(m, name) or []):
                fields.append((s.doc.where((name, i))[0], value))
        lines = fields + list(_blocks(s.parsed))
        for line, _, what in _find(lines, needles):
            problems.append(warning("HB307", s.path, line, f"public text repeats {what}: clearing the story would publish it"))
    return problems


def _blocks(body: Body) -> Iterator[tuple[int, str]]:
    """Yield (file line, source text) of each block the public variant shows: a quote that
    wraps over lines is still one paragraph."""
    for seg in body.segments:
        if seg.kind is not Kind.COMMENT and not body.in_section(seg.start):
            yield body.first_line + seg.start, body.text[seg.offset : seg.offset + len(seg.text)]


def _find(lines: Iterable[tuple[int, str]], needles: list[tuple[str, str]]) -> Iterator[tuple[int, str, str]]:
    if not needles:
        return
    for line, text in lines:
        plain = normalise(text)
        for needle, what in needles:
            if needle in plain:
                yield line, needle, what


def _why(story: StoryEntry) -> str:
    return {Status.INTERNAL: "internal", Status.DRAFT: "draft", Status.NOT_CLEARED: "uncleared", Status.STALE: "uncleared"}[story.publication.status]


def _strings(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list | tuple):
            stack.extend(v)
        elif isinstance(v, str | int | float) and not isinstance(v, bool):
            yield str(v)
