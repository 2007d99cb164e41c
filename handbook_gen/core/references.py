"""Cross-file checks: every id a story or lesson names must exist."""

from __future__ import annotations

import datetime as dt
import difflib
import html
import os
import posixpath
import re
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from . import active_content, layout, links
from .diagnostics import Diagnostic, error
from .frontmatter import Document
from .listings import LISTINGS
from .loading import Handbook
from .schema import ID_PATTERN

_ID = re.compile(ID_PATTERN)


def check(hb: Handbook, today: dt.date) -> list[Diagnostic]:
    """Check authors, lessons, related stories, tags, teams, dates, awards and links of every entry."""
    problems: list[Diagnostic] = _links(hb)
    entries: list[tuple[str, str, Document, dict[str, Any]]] = [(s.id, s.path, s.doc, s.meta.model_dump()) for s in hb.stories.values()]
    # A story with errors of its own is still checked, from its raw data, so every
    # problem is reported in one pass.
    entries += [(sid, path, doc, doc.data) for sid, path, doc, _ in hb.rejected]
    known_stories = set(hb.stories) | hb.story_ids
    known_lessons = set(hb.lessons) | hb.lesson_ids
    for story_id, path, doc, data in entries:
        lists: list[tuple[str, str, Collection[str], str, str]] = [
            ("authors", "author", hb.authors, "add it to authors.yml", "HB202"),
            ("lessons", "lesson", known_lessons, "add lessons/<id>.md", "HB202"),
            ("related", "story", known_stories, "related takes story ids (file names)", "HB202"),
        ]
        if hb.tags is not None:
            lists.append(("tags", "tag", hb.tags, "add it to tags.yml", "HB202"))
        if hb.teams is not None:
            lists.append(("teams", "team", hb.teams, "add it to teams.yml", "HB207"))
        for field, kind, known, fix, code in lists:
            for i, value in _ids(data.get(field)):
                if value not in known:
                    line, col = doc.where((field, i))
                    problems.append(error(code, path, line, f"'{field}': unknown {kind} '{value}'{_did_you_mean(value, known, fix)}", col=col))
        problems += _group_names(path, doc, data)
        if story_id in (v for _, v in _ids(data.get("related"))):
            line, col = doc.where(("related",))
            problems.append(error("HB203", path, line, "'related' lists the story itself", col=col))
        clearance = data.get("clearance")
        by = clearance.get("by") if isinstance(clearance, dict) else None
        if isinstance(by, str) and by not in hb.authors:
            line, col = doc.where(("clearance", "by"))
            problems.append(error("HB202", path, line, f"'clearance.by': unknown author '{by}'{_did_you_mean(by, hb.authors, 'add it to authors.yml')}", col=col))
        follow_ups = data.get("follow_ups")
        for i, item in enumerate(follow_ups if isinstance(follow_ups, list) else []):
            owner = item.get("owner") if isinstance(item, dict) else None
            if isinstance(owner, str) and _ID.match(owner) and owner not in hb.authors:
                line, col = doc.where(("follow_ups", i, "owner"))
                fix = _did_you_mean(owner, hb.authors, "add it to authors.yml")
                problems.append(error("HB202", path, line, f"'follow_ups[{i}].owner': unknown author '{owner}'{fix}", col=col))
        date = data.get("date")
        if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
            continue
        if date > today:
            line, col = doc.where(("date",))
            problems.append(error("HB204", path, line, f"'date' {date.isoformat()} is in the future (today is {today.isoformat()})", col=col))
        award = data.get("award")
        year = award.get("year") if isinstance(award, dict) else None
        if type(year) is int and year < date.year:
            line, col = doc.where(("award", "year"))
            problems.append(error("HB204", path, line, f"'award.year' {year} is before the story happened ({date.year})", col=col))
    for lesson in hb.lessons.values():
        for i, value in enumerate(lesson.meta.related):
            if value not in known_lessons or value == lesson.id:
                line, col = lesson.doc.where(("related", i))
                what = "the lesson itself" if value == lesson.id else f"unknown lesson '{value}'"
                problems.append(error("HB202", lesson.path, line, f"'related': {what}{_did_you_mean(value, [k for k in hb.lessons if k != lesson.id], 'add lessons/<id>.md')}", col=col))
    return problems


def _group_names(path: str, doc: Document, data: dict[str, Any]) -> list[Diagnostic]:
    """A story's team, tag, kind... must not name a group whose pages the build writes for something else."""
    problems: list[Diagnostic] = []
    for listing in LISTINGS:
        value = data.get(listing.field)
        named: list[tuple[tuple[str | int, ...], str]] = [((listing.field, i), v) for i, v in _ids(value)]
        if isinstance(value, str) and _ID.match(value):
            named.append(((listing.field,), value))
        for where, key in named:
            clash = layout.group_clash(listing, key)
            if clash is not None:
                line, col = doc.where(where)
                problems.append(error("HB205", path, line, f"'{listing.field}': {clash}", col=col))
    return problems


def _ids(value: Any) -> list[tuple[int, str]]:
    """Return the (index, id) pairs of a list of ids, skipping entries the schema already rejects."""
    return [(i, v) for i, v in enumerate(value) if isinstance(v, str) and _ID.match(v)] if isinstance(value, list) else []


def _did_you_mean(value: str, known: Iterable[str], fix: str) -> str:
    hint = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f" - did you mean '{hint[0]}'?" if hint else f" ({fix})"


def _links(hb: Handbook) -> list[Diagnostic]:
    """A link or image in a body must point at a file of the handbook (or a generated page)."""
    files = set(hb.sources) | set(hb.assets)
    known = files | _GENERATED
    problems: list[Diagnostic] = []
    bodies = [(s.src, s.path, s.parsed) for s in hb.stories.values()] + [(src, path, body) for _, path, _, body in hb.rejected for src in [_src(hb, path)]]
    bodies += [(e.src, e.path, e.parsed) for e in hb.lessons.values()] + [(p.src, p.path, p.parsed) for p in hb.pages.values()]
    for src, path, body in bodies:
        for link in body.links:
            if active_content.url_runs_script(html.unescape(unquote(link.target))):
                continue  # script, reported as such (HB310)
            meant = links.files(link.target, src)
            if not meant or _exists(meant, known):
                continue
            target = meant[0]
            what = "image" if link.image else "link"
            hint = difflib.get_close_matches(target, sorted(files), n=1, cutoff=0.8)
            fix = f" - did you mean '{posixpath.relpath(hint[0], posixpath.dirname(src) or '.')}'?" if hint else ""
            where = "outside the content folder: the site never has it (move the file into it)" if target.startswith("../") else f"no file of the handbook{fix}"
            problems.append(error("HB208", path, body.first_line + link.line, f"{what} to '{link.target}', which is {where}"))
    return problems


def _src(hb: Handbook, path: str) -> str:
    return Path(os.path.relpath(hb.root / path, hb.docs_dir)).as_posix()


_GENERATED = {*layout.GENERATED_PAGES, layout.CULTURE_PAGE, layout.FEED, layout.INDEX}


def _exists(meant: list[str], known: set[str]) -> bool:
    """A file a target may mean is one of the handbook's, a generated page, or in a generated folder."""
    return not known.isdisjoint(meant) or meant[0].split("/", 1)[0] in layout.GENERATED_DIRS
