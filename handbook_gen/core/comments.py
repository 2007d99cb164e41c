"""HTML comments: notes to reviewers are never published.

A comment is what a browser reads as one: the HTML parser (active_content.parse) says where
each starts, so a `<!--` inside an attribute value, a `<textarea>` or a `<script>` is no
comment, while one inside an SVG `<style>` is. Each runs to the first `-->` or `--!>`
after it (`<!-->` and `<!--->` are whole, empty comments), or to the end of the text.
"""

from __future__ import annotations

import re

from . import active_content

_CLOSE = re.compile(r"--!?>")


def spans(html: str) -> list[tuple[int, int]]:
    """Return (start, end) of every comment; an unclosed one runs to the end."""
    if "<!--" not in html:
        return []
    found: list[tuple[int, int]] = []
    # The `-->` after the text closes an unclosed comment for the parser (see active_content._SUFFIX).
    for node in active_content.walk(active_content.parse(html + "-->")):
        start = node.origin_offset if node.name == "#comment" else None
        if start is None or not html.startswith("<!--", start):
            continue  # a bogus comment (`<!x>`, `<?x>`): not written as one, nothing to cut
        if html.startswith(">", start + 4) or html.startswith("->", start + 4):
            end = start + (5 if html.startswith(">", start + 4) else 6)
        else:
            close = _CLOSE.search(html, start + 4)
            end = close.end() if close else len(html)
        found.append((start, end))
    return found


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
