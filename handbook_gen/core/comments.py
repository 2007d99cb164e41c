"""HTML comments: notes to reviewers are never published, and never slow a parser down.

Comments are found by plain searching, in time linear in the text: `html.parser` takes time
growing with the square of the number of unclosed `<!--`, so it is only ever given text
without comments. Text inside `<script>`, `<style>`, `<textarea>` and `<title>` elements
holds no comments (HTML reads it as raw text) and is left alone.
"""

from __future__ import annotations

import re

_RAW_TEXT = re.compile(r"<(script|style|textarea|title)\b", re.IGNORECASE)
_CLOSE = re.compile(r"--!?\s*>")


def spans(html: str) -> list[tuple[int, int]]:
    """Return (start, end) of every comment; an unclosed one runs to the end."""
    found: list[tuple[int, int]] = []
    lower = None
    at = 0
    while True:
        start = html.find("<!--", at)
        if start == -1:
            return found
        raw = _RAW_TEXT.search(html, at, start)
        if raw is not None:
            # Skip the raw-text element whole: a `<!--` inside it is text.
            lower = lower if lower is not None else html.lower()
            close = lower.find(f"</{raw.group(1).lower()}", raw.end())
            at = len(html) if close == -1 else close
            continue
        # `<!-->` and `<!--->` are complete (empty) comments.
        if html.startswith(">", start + 4) or html.startswith("->", start + 4):
            end = start + (5 if html.startswith(">", start + 4) else 6)
        else:
            close_match = _CLOSE.search(html, start + 4)
            end = close_match.end() if close_match else len(html)
        found.append((start, end))
        at = end


def strip(html: str) -> tuple[str, list[str]]:
    """Return the HTML without its comments, and the text inside each comment removed."""
    if "<!--" not in html:
        return html, []
    parts: list[str] = []
    removed: list[str] = []
    cursor = 0
    for start, end in spans(html):
        parts.append(html[cursor:start])
        inner = html[start + 4 : end]
        close = _CLOSE.search(inner)
        removed.append(inner[: close.start()] if close else inner)
        cursor = end
    parts.append(html[cursor:])
    return "".join(parts), removed


def blank(html: str) -> str:
    """Return the HTML with each comment replaced by spaces (line ends kept), for a parser."""
    if "<!--" not in html:
        return html
    parts: list[str] = []
    cursor = 0
    for start, end in spans(html):
        parts.append(html[cursor:start])
        parts.append("".join("\n" if c == "\n" else " " for c in html[start:end]))
        cursor = end
    parts.append(html[cursor:])
    return "".join(parts)
