"""Validate a whole handbook in one pass: files, schema, references, variants, language."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import active_content, continuity, documents, exposure, graph, lint, references
from .diagnostics import Diagnostic, error, warning
from .loading import load
from .model import Handbook, Status, StoryEntry
from .segments import Body


def check(
    docs_dir: Path | str, root: Path | str | None = None, today: dt.date | None = None, *, allow_scripts: bool = False
) -> tuple[Handbook, list[Diagnostic]]:
    """Load a handbook and report every error and warning, sorted by place.

    HTML in bodies outside the allowlist (active_content: `<script>`, event handlers,
    `javascript:` URLs and all else Markdown does not write), and assets a browser opens
    as a document that could run script (documents), are errors unless the handbook allows scripts.
    """
    today = today or dt.date.today()
    key = (str(Path(docs_dir).absolute()), str(Path(root).absolute()) if root else "", allow_scripts, today)
    stamp = _fingerprint(Path(docs_dir))
    cached = _LAST.get(key)
    if cached is not None and cached[0] == stamp:
        # Nothing changed since the last check in this process (the CLI's, before it forks
        # a build per variant): the content is validated once per build.
        return cached[1], list(cached[2])
    hb, problems = _check(docs_dir, root, today, allow_scripts)
    _LAST.clear()
    _LAST[key] = (stamp, hb, problems)
    return hb, list(problems)


_Stamp = tuple[tuple[str, int, int, int, bytes], ...]
_LAST: dict[tuple[str, str, bool, dt.date], tuple[_Stamp, Handbook, list[Diagnostic]]] = {}


def _fingerprint(docs: Path) -> _Stamp:
    """Name, size, modification time, inode of every file under the content folder, and the
    hash of every text file's bytes (an edit within one clock tick keeps the time)."""
    out: list[tuple[str, int, int, int, bytes]] = []
    stack = [str(docs)]
    seen: set[tuple[int, int]] = set()
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat()
            except OSError:
                out.append((entry.path, -1, -1, -1, b""))
                continue
            if entry.is_dir():
                if (st.st_dev, st.st_ino) not in seen:
                    seen.add((st.st_dev, st.st_ino))
                    stack.append(entry.path)
            else:
                digest = b""
                if entry.name.endswith((".md", ".yml", ".yaml")):
                    try:
                        with open(entry.path, "rb") as handle:
                            digest = hashlib.blake2b(handle.read(), digest_size=16).digest()
                    except OSError:
                        digest = b"unreadable"
                out.append((entry.path, st.st_size, st.st_mtime_ns, st.st_ino, digest))
    return tuple(sorted(out))


def _check(docs_dir: Path | str, root: Path | str | None, today: dt.date, allow_scripts: bool) -> tuple[Handbook, list[Diagnostic]]:
    hb, problems = load(docs_dir, root)
    problems += references.check(hb, today)
    problems += exposure.check(hb)
    problems += continuity.check(hb)
    own = _OWN.start()
    for story in hb.stories.values():
        problems += own(story.parsed, lint.check_story, story.path, story.doc)
        problems += _clearance_warnings(story)
    for _, path, doc, body in hb.rejected:
        problems += own(body, lint.check_story, path, doc)
    if not allow_scripts:
        bodies = [(s.path, s.parsed) for s in hb.stories.values()] + [(p, b) for _, p, _, b in hb.rejected]
        bodies += [(e.path, e.parsed) for e in hb.lessons.values()] + [(e.path, e.parsed) for e in hb.pages.values()]
        for path, body in bodies:
            problems += own(body, _script_errors, path)
        problems += documents.check(hb)
    for lid in graph.orphans(hb.lessons, (s.meta for s in hb.stories.values() if not s.is_draft)):
        lesson = hb.lessons[lid]
        problems.append(warning("HB206", lesson.path, 1, f"lesson '{lid}' is taught by no story - link it from a story's 'lessons' or remove it"))
    return hb, sorted(set(problems))


Check = Callable[..., list[Diagnostic]]


class _Own:
    """The checks of one file that read nothing but its own parsed form, kept by that form:
    loading hands back the very same parsed body for a file that did not change (its path
    is part of what it was read with), so a `serve` rebuild checks only what was edited.
    Each check keeps only the bodies it saw, so memory stays flat."""

    def __init__(self) -> None:
        self.memo: dict[tuple[int, Check], tuple[Body, list[Diagnostic]]] = {}

    def start(self) -> Callable[..., list[Diagnostic]]:
        """Begin a check: return own(body, check, *args), which gives check(*args, body), once per body."""
        last, self.memo = self.memo, {}

        def own(body: Body, check: Check, *args: Any) -> list[Diagnostic]:
            key = (id(body), check)
            hit = last.get(key)
            if hit is None or hit[0] is not body:  # the body is held, so its id is never reused meanwhile
                hit = (body, check(*args, body))
            self.memo[key] = hit
            return list(hit[1])

        return own


_OWN = _Own()


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
        error("HB310", path, body.first_line + line, active_content.sentence(what))
        for line, what in body.active
    ]
