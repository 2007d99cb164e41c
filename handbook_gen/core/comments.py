"""HTML comments in rendered pages: notes to reviewers are never published."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_CLOSE = re.compile(r"--!?\s*>")


class _Comments(HTMLParser):
    """Record where each comment starts and ends; the parser knows script and style text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.spans: list[tuple[int, int, str]] = []  # (line, col, data)

    def handle_comment(self, data: str) -> None:
        line, col = self.getpos()
        self.spans.append((line, col, data))


def strip(html: str) -> tuple[str, list[str]]:
    """Return the HTML without its comments, and the text of each comment removed."""
    if "<!--" not in html:
        return html, []
    parser = _Comments()
    parser.feed(html)
    parser.close()
    if not parser.spans:
        return html, []
    starts = [0]
    for row in html.split("\n"):
        starts.append(starts[-1] + len(row) + 1)
    parts: list[str] = []
    removed: list[str] = []
    cursor = 0
    for line, col, data in parser.spans:
        at = starts[line - 1] + col
        if not html.startswith("<!", at) or at < cursor:
            continue
        close = _CLOSE.search(html, at + 4)
        end = close.end() if close else len(html)
        parts.append(html[cursor:at])
        removed.append(data)
        cursor = end
    parts.append(html[cursor:])
    return "".join(parts), removed
