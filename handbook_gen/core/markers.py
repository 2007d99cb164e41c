"""Internal sections of a story body: `<!-- internal -->` ... `<!-- /internal -->`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .diagnostics import Diagnostic, error

OPEN = "<!-- internal -->"
CLOSE = "<!-- /internal -->"
_ANY_MARKER = re.compile(r"<!--\s*/?\s*internal\s*-->", re.IGNORECASE)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Section:
    """An internal section: 0-based body line indexes of its two markers."""

    start: int
    end: int


def find_sections(body: str, path: str = "", body_line: int = 1) -> tuple[list[Section], list[Diagnostic]]:
    """Find internal sections; report unclosed, nested, stray or inline markers."""
    sections: list[Section] = []
    problems: list[Diagnostic] = []
    opened: int | None = None
    fence: str | None = None
    for i, line in enumerate(body.split("\n")):
        fenced = _FENCE.match(line)
        if fenced:
            mark = fenced.group(1)[0]
            if fence is None:
                fence = mark
            elif fence == mark:
                fence = None
            continue
        if fence is not None:
            continue
        text = line.strip()
        at = body_line + i
        if text == OPEN:
            if opened is not None:
                problems.append(error("HB301", path, at, f"nested '{OPEN}': the section opened on line {body_line + opened} is not closed yet - add '{CLOSE}' before opening another"))
            else:
                opened = i
        elif text == CLOSE:
            if opened is None:
                problems.append(error("HB302", path, at, f"'{CLOSE}' without an opening '{OPEN}' above it"))
            else:
                sections.append(Section(opened, i))
                opened = None
        elif _ANY_MARKER.search(_CODE_SPAN.sub("", line)):  # `<!-- internal -->` in code is prose
            problems.append(error("HB303", path, at, f"internal marker must be written exactly '{OPEN}' or '{CLOSE}' on a line of its own"))
    if opened is not None:
        problems.append(error("HB304", path, body_line + opened, f"unclosed '{OPEN}': add '{CLOSE}' on a line of its own where the internal section ends"))
    return sections, problems


def strip_internal(body: str) -> str:
    """Remove every internal section, markers included."""
    return _rewrite(body, lambda inner: [])


def box_internal(body: str) -> str:
    """Wrap every internal section in an 'Internal only' box."""
    return _rewrite(
        body,
        lambda inner: ['<div class="hb-internal" markdown="1">', '<p class="hb-internal__label">Internal only</p>', "", *inner, "", "</div>"],
    )


# Code spans come first in the alternation so a comment written inside one is kept.
_COMMENT = re.compile(_CODE_SPAN.pattern + r"|<!--.*?-->", re.DOTALL)


def _drop_comments(text: str) -> str:
    return _COMMENT.sub(lambda m: m.group(0) if m.group(1) else "", text)


def strip_comments(body: str) -> str:
    """Remove HTML comments outside fenced code: notes to reviewers are never published."""
    out: list[str] = []
    chunk: list[str] = []
    fence: str | None = None
    for line in body.split("\n"):
        fenced = _FENCE.match(line)
        if fence is None and not fenced:
            chunk.append(line)
            continue
        if fence is None and fenced:
            if chunk:
                out.append(_drop_comments("\n".join(chunk)))
            chunk = []
            fence = fenced.group(1)[0]
        elif fenced and fenced.group(1)[0] == fence:
            fence = None
        out.append(line)
    if chunk:
        out.append(_drop_comments("\n".join(chunk)))
    return "\n".join(out)


def public_text(body: str) -> str:
    """Return a body as the public variant shows it: no internal sections, no comments."""
    return strip_comments(strip_internal(body))


def internal_text(body: str) -> list[str]:
    """Return the text of each internal section."""
    sections, _ = find_sections(body)
    lines = body.split("\n")
    return ["\n".join(lines[s.start + 1 : s.end]) for s in sections]


def _rewrite(body: str, replace) -> str:  # type: ignore[no-untyped-def]
    sections, problems = find_sections(body)
    if problems:
        # Never publish a body whose sections cannot be told apart; validation reports why.
        raise ValueError("body has malformed internal markers")
    lines = body.split("\n")
    out: list[str] = []
    cursor = 0
    for s in sections:
        out.extend(lines[cursor : s.start])
        out.extend(replace(lines[s.start + 1 : s.end]))
        cursor = s.end + 1
    out.extend(lines[cursor:])
    return "\n".join(out)
