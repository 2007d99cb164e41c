"""Internal sections of a body, `<!-- internal -->` ... `<!-- /internal -->`, for callers holding only text.

The content's own route reads the body parsed once at load (`segments.Body`); these
functions parse a text on each call, for the audit and for tests.
"""

from __future__ import annotations

from .diagnostics import Diagnostic
from .segments import CLOSE, OPEN, Section, parse

__all__ = ["CLOSE", "OPEN", "Section", "box_internal", "find_sections", "internal_text", "public_text", "strip_comments", "strip_internal"]


def find_sections(body: str, path: str = "", body_line: int = 1) -> tuple[list[Section], list[Diagnostic]]:
    """Find internal sections; report unclosed, nested, stray or near-miss markers."""
    parsed = parse(body, path, body_line)
    return parsed.sections, parsed.problems


def strip_internal(body: str) -> str:
    """Remove every internal section, markers included (comments stay)."""
    parsed = parse(body)
    if parsed.problems:
        raise ValueError("body has malformed internal markers")
    lines = body.split("\n")
    out: list[str] = []
    cursor = 0
    for s in parsed.sections:
        out.extend(lines[cursor : s.start])
        cursor = s.end + 1
    out.extend(lines[cursor:])
    return "\n".join(out)


def strip_comments(body: str) -> str:
    """Remove HTML comments outside code."""
    parsed = parse(body)
    parsed.sections = []
    return parsed.public_text() if not parsed.problems else body


def box_internal(body: str) -> str:
    """Wrap every internal section in an 'Internal only' box."""
    return parse(body).boxed()


def public_text(body: str) -> str:
    """Return a body as the public variant shows it: no internal sections, no comments."""
    return parse(body).public_text()


def internal_text(body: str) -> list[str]:
    """Return the text of each internal section."""
    return parse(body).internal_texts()
