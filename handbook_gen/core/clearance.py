"""Clearance: the digest of a story's public content, and writing the clearance block."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from pydantic_core import to_jsonable_python

from .model import Handbook, Publication, Status, StoryEntry
from .projection import story_content


def public_content(story: StoryEntry) -> dict[str, Any]:
    """Return the story's content as the public variant would show it (see projection.py):
    fields marked as added later enter only when set, so adding one voided no clearance."""
    content: dict[str, Any] = to_jsonable_python(story_content(story))
    return content


def digest(story: StoryEntry) -> str:
    """Return the digest of the story's public content."""
    canonical = json.dumps(public_content(story), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def decide(story: StoryEntry) -> Publication:
    """Decide once whether a story is on the public site, and why not."""
    value = digest(story)
    meta = story.meta
    cleared = meta.clearance is not None and meta.clearance.digest == value
    if meta.withdrawn is not None:
        status = Status.WITHDRAWN  # whatever else it says: withdrawn on purpose wins
    elif meta.visibility != "public":
        status = Status.INTERNAL
    elif meta.clearance is None:
        status = Status.NOT_CLEARED
    elif not cleared:
        status = Status.STALE
    elif story.is_draft:
        status = Status.DRAFT
    else:
        status = Status.PUBLIC
    return Publication(status, value, cleared)


def clearers(hb: Handbook) -> list[str]:
    """The authors authors.yml names as those who may clear (`can_clear: true`); none named: anyone may."""
    return sorted(aid for aid, author in hb.authors.items() if author.can_clear)


def refusal(hb: Handbook, story: StoryEntry, by: str) -> str | None:
    """Say why `by` may not clear the story, or None: clearance is a second person's act."""
    if by in story.meta.authors:
        return f"{by} is an author of it: someone else must clear it"
    named = clearers(hb)
    if named and by not in named:
        return f"{by} may not clear stories: authors.yml names who may ({', '.join(named)})"
    return None


def suggested_clearer(hb: Handbook, story: StoryEntry) -> str:
    """Who a message may suggest to clear a story: whoever cleared it last if they still may,
    else the first author who may; AUTHOR when nobody may."""
    last = story.meta.clearance.by if story.meta.clearance is not None else None
    candidates = ([last] if last else []) + (clearers(hb) or sorted(hb.authors))
    return next((aid for aid in candidates if aid in hb.authors and refusal(hb, story, aid) is None), "AUTHOR")


def is_cleared(story: StoryEntry) -> bool:
    """Tell whether the story's clearance matches its public content (as decided at load)."""
    return story.publication.cleared


_BOUNDARY = re.compile(r"-{3,}\s*")  # a whole line, as the front-matter parser matches it
_CLEARANCE_KEY = re.compile(r"""(?:clearance|"clearance"|'clearance')\s*:(?=\s|$)""")
_LINE_END = re.compile(r"\r?\n")  # what the front-matter parser reads as a line's end


class ClearanceError(ValueError):
    """The clearance block cannot be written safely; the file must be left as it is."""


def _lines(text: str) -> list[tuple[str, str]]:
    """Split text into (line, ending) pairs: each line keeps its own ending, CRLF or LF ('' at the end)."""
    out, pos = [], 0
    for end in _LINE_END.finditer(text):
        out.append((text[pos : end.start()], end.group()))
        pos = end.end()
    out.append((text[pos:], ""))
    return out


def _closing(lines: list[tuple[str, str]]) -> int:
    """Return the index of the line closing the front-matter."""
    if not lines or not _BOUNDARY.fullmatch(lines[0][0].lstrip("\ufeff")):
        raise ClearanceError("it has no front-matter (its first line is not '---')")
    close = next((i for i in range(1, len(lines)) if _BOUNDARY.fullmatch(lines[i][0])), None)
    if close is None:
        raise ClearanceError("its front-matter is never closed by a '---' line")
    return close


def _scalar(value: str) -> str:
    """Write a string as a YAML scalar that reads back as that same string."""
    import yaml

    try:
        plain = yaml.safe_load(value) == value and "#" not in value and value == value.strip()
    except yaml.YAMLError:
        plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


def with_clearance(text: str, by: str, when: dt.date, value: str) -> str:
    """Return text with its front-matter `clearance` block replaced or added; nothing else changes.

    Lines are found whatever each one's ending (CRLF or LF); every line kept keeps its own
    ending, and the block is written with the ending most of the front-matter's lines have.
    The block replaced is the key line and the lines after it up to the last indented one
    (blank lines and comments among them included); a comment at column 0 in there is not
    part of the block and is kept, right after the new one. The result is parsed back and
    checked; ClearanceError says why when it cannot be written safely.
    """
    lines = _lines(text)
    close = _closing(lines)
    endings = [end for _, end in lines[:close]]
    eol = max(dict.fromkeys(endings), key=lambda e: (endings.count(e), e == endings[0]))
    block = [(line, eol) for line in ("clearance:", f"  by: {_scalar(by)}", f"  date: {when.isoformat()}", f"  digest: {_scalar(value)}")]
    start = next((i for i in range(1, close) if _CLEARANCE_KEY.match(lines[i][0])), None)
    if start is None:
        lines[close:close] = block
    else:
        end = start + 1
        for i in range(start + 1, close):
            line = lines[i][0]
            if line[:1] in (" ", "\t") and line.strip():
                end = i + 1  # indented: in the block (an indented comment too)
            elif line.strip() and not line.startswith("#"):
                break  # the next key
        kept = [lines[i] for i in range(start + 1, end) if lines[i][0].startswith("#")]
        lines[start:end] = block + kept
    result = "".join(line + end for line, end in lines)
    _verify(text, result, by, when, value)
    return result


def _verify(before: str, after: str, by: str, when: dt.date, value: str) -> None:
    """Check that after is before with only the clearance block changed, or raise ClearanceError."""
    from .frontmatter import parse

    old_lines, new_lines = _lines(before), _lines(after)
    old_body = "".join(a + b for a, b in old_lines[_closing(old_lines) + 1 :])
    new_body = "".join(a + b for a, b in new_lines[_closing(new_lines) + 1 :])
    if new_body != old_body or new_lines[0] != old_lines[0]:
        raise ClearanceError("writing the clearance block would change its body")
    old, _ = parse("", before)
    new, problems = parse("", after)
    if problems:
        raise ClearanceError(f"its front-matter would not parse after writing the clearance block (line {problems[0].line}: {problems[0].message})")
    if new.data.get("clearance") != {"by": by, "date": when, "digest": value}:
        raise ClearanceError("the clearance block written would not hold the new values")
    if {k: v for k, v in new.data.items() if k != "clearance"} != {k: v for k, v in old.data.items() if k != "clearance"}:
        raise ClearanceError("writing the clearance block would change other fields of its front-matter")
    if new.body != old.body:
        raise ClearanceError("writing the clearance block would change its body")


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's content in one step, keeping its permissions."""
    mode = path.stat().st_mode
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
