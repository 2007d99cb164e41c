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

from . import markers
from .loading import StoryEntry

# Fields that reach the public site. Drafting status, the internal mapping and the
# clearance itself are not public content, so editing them never makes a story stale.
_PUBLIC_FIELDS = (
    "title", "date", "authors", "lessons", "visibility", "kind", "severity", "teams",
    "tags", "impact", "five_whys", "contributing_factors", "award", "related",
)


def public_content(story: StoryEntry) -> dict[str, Any]:
    """Return the story's content as the public variant would show it."""
    meta = story.meta
    data = meta.model_dump(mode="json", include=set(_PUBLIC_FIELDS))
    data["summary"] = meta.public_summary or meta.summary
    data["follow_ups"] = [f.status for f in meta.follow_ups]
    body = markers.public_text(story.body)
    data["body"] = "\n".join(line.rstrip() for line in body.strip().split("\n"))
    if story.assets:  # only when there are any, so a story without files keeps its digest
        data["assets"] = dict(sorted(story.assets.items()))
    return data


def digest(story: StoryEntry) -> str:
    """Return the digest of the story's public content."""
    canonical = json.dumps(public_content(story), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_cleared(story: StoryEntry) -> bool:
    """Tell whether the story's clearance matches its current public content."""
    return story.meta.clearance is not None and story.meta.clearance.digest == digest(story)


_BOUNDARY = re.compile(r"^-{3,}\s*$")
_CLEARANCE_KEY = re.compile(r"^clearance\s*:")


def with_clearance(text: str, by: str, when: dt.date, value: str) -> str:
    """Return text with its front-matter `clearance` block replaced or added; nothing else changes."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    close = next(i for i in range(1, len(lines)) if _BOUNDARY.match(lines[i]))
    block = ["clearance:", f"  by: {by}", f"  date: {when.isoformat()}", f"  digest: {value}"]
    start = next((i for i in range(1, close) if _CLEARANCE_KEY.match(lines[i])), None)
    if start is None:
        lines[close:close] = block
    else:
        end = start + 1
        # The block runs over indented lines (and blank lines between them).
        while end < close and (lines[end][:1] in (" ", "\t") or not lines[end].strip()):
            end += 1
        while end - 1 > start and not lines[end - 1].strip():
            end -= 1
        lines[start:end] = block
    return newline.join(lines)


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
