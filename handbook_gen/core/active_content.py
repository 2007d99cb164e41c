"""Active content: whatever would run script in a reader's browser.

Found with a real HTML parser (the standard library's), in raw HTML written in a body,
in attribute lists, in link targets and, as a last guard, in every rendered page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

from . import comments

# Elements that run script or load a document that can.
_TAGS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "portal"})
# URL schemes that run script where a link or a resource is followed.
_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:application/xhtml", "data:image/svg")


def url_runs_script(url: str) -> bool:
    """Tell whether following a URL would run script (`javascript:` and its kin)."""
    # Browsers ignore ASCII whitespace and control characters inside the scheme.
    squeezed = "".join(c for c in url if c > " " and c != "\x7f").lower()
    return squeezed.startswith(_SCHEMES)


def attribute_problem(name: str, value: str | None) -> str | None:
    """Return why an attribute would run script, or None."""
    name = name.lower()
    if name.startswith("on"):
        return f"event-handler attribute '{name}'"
    if name == "srcdoc":
        return "attribute 'srcdoc'"
    if value is not None and url_runs_script(value):
        return f"script URL in attribute '{name}'"
    return None


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag in _TAGS:
            self.found.append((line, f"<{tag}> element"))
        for name, value in attrs:
            problem = attribute_problem(name, value)
            if problem:
                self.found.append((line, f"{problem} on <{tag}>"))

    handle_startendtag = handle_starttag


# Whatever could be active content, written any way a browser accepts: an element or
# handler name, a scheme, or a character reference that could spell one. HTML without
# any of these holds nothing to find, and the parser is not needed.
_MAYBE = re.compile(
    r"<\s*(?:" + "|".join(sorted(_TAGS)) + r")\b|\bon[a-z]*\s*=|srcdoc|script|data\s*:|&#|&(?:colon|tab|newline);",
    re.IGNORECASE,
)


def in_html(html: str) -> list[tuple[int, str]]:
    """Return (1-based line, what) for every piece of active content in an HTML fragment."""
    if not _MAYBE.search(html):
        return []
    finder = _Finder()
    finder.feed(comments.blank(html))  # comments hold nothing active, and slow the parser
    finder.close()
    return finder.found


def in_attribute_list(text: str) -> list[str]:
    """Return what would run script in the `{ ... }` attribute lists of one line of Markdown."""
    found: list[str] = []
    start = text.find("{")
    while start != -1:
        end = text.find("}", start)
        if end == -1:
            break
        for name, value in _pairs(text[start + 1 : end].lstrip(":")):
            problem = attribute_problem(name, value)
            if problem:
                found.append(problem + " in an attribute list")
        start = text.find("{", end)
    return found


def _pairs(inner: str) -> Iterable[tuple[str, str | None]]:
    for word in inner.split():
        if word.startswith((".", "#")):
            continue
        name, eq, value = word.partition("=")
        yield name, value.strip("\"'") if eq else None
