"""Escaping: any value printed into a page's Markdown or HTML renders as the same text, and nothing else."""

from __future__ import annotations

import datetime as dt
import html
import posixpath
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote

from markupsafe import Markup

# Characters Markdown reads as syntax inside a line get a backslash; `<`, `>`, `&` and
# quotes become HTML entities.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|+!-])")
# Syntax of extensions that have no backslash escape (attribute lists, emoji, marks) is
# written as character references, which every Markdown extension leaves alone.
_BRACES = str.maketrans({c: f"&#{ord(c)};" for c in "{}:~^="})
# Control characters as references: Python-Markdown uses STX and ETX (\x02, \x03) to mark what it
# set aside, so a raw one in a value would be read as its marker. (Content refuses them; this is for any other value.)
_BRACES.update({c: f"&#{c};" for c in (*range(0x01, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F)})
# A value that starts a line with `12. ` would start an ordered list there.
_ORDERED = re.compile(r"^(\d+)\.(?= )")


def md_escape(text: object) -> Markup:
    """Escape a value for one line of Markdown or an HTML attribute: it renders as the same text, and nothing else."""
    if isinstance(text, Markup):
        return text
    return _md_escaped(str(text))


@lru_cache(maxsize=1 << 16)
def _md_escaped(text: str) -> Markup:
    # Cached: listing pages print the same titles, teams and tags again and again.
    flat = " ".join(text.split())  # a value is one line: no new block can start in it
    flat = _ORDERED.sub(r"\1\\.", _MD_SPECIAL.sub(r"\\\1", flat))
    return Markup(html.escape(flat, quote=True).translate(_BRACES))


@lru_cache(maxsize=1 << 16)
def relative_link(target: str, here: str) -> Markup:
    # Cached: every listing page links the same stories from the same few folders.
    return Markup(quote(posixpath.relpath(target, here)))


def html_escape(text: object) -> Markup:
    """Escape a value for HTML text or an attribute, where Markdown is not read (`page.meta`, raw HTML)."""
    return Markup(html.escape(" ".join(str(text).split()), quote=True).translate(_BRACES))


def md_tree(value: object, depth: int = 0) -> Markup:
    """Render a value of any shape (an `internal` mapping) as nested Markdown lists."""
    pad = "    " * depth
    if depth >= _TREE_DEPTH and isinstance(value, dict | list | tuple) and value:
        return Markup(f"{pad}- " + md_escape(_flat(value)))
    if not isinstance(value, dict | list | tuple):
        return md_escape(_scalar(value))
    keyed = isinstance(value, dict)
    items: Iterable[tuple[object, object]] = value.items() if isinstance(value, dict) else ((None, v) for v in value)
    lines: list[Markup] = []
    for key, v in items:
        # Every part is Markup, so nothing already escaped is escaped twice (a key too).
        head = Markup(f"{pad}- **") + md_escape(key) + Markup("**") if keyed else Markup(f"{pad}-")
        if isinstance(v, dict | list | tuple) and v:
            # An item holding only a nested list needs text of its own: a bare `-` under
            # another item would read as a heading's underline. A zero-width space is that text.
            lines.append(head + (Markup(":") if keyed else Markup(" &#8203;")))
            lines.append(md_tree(v, depth + 1))
        else:
            lines.append(head + Markup(": " if keyed else " ") + md_escape(_scalar(v)))
    return Markup("\n").join(lines)


_TREE_DEPTH = 8  # deeper values are written on one line: nested lists that deep help nobody


def _flat(value: object) -> str:
    """Write a deeply nested value on one line, without recursion: `a > b: 1; a > c: 2`."""
    out: list[str] = []
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        prefix, v = stack.pop()
        if isinstance(v, dict):
            stack.extend((f"{prefix} > {k}" if prefix else str(k), x) for k, x in reversed(list(v.items())))
        elif isinstance(v, list | tuple):
            stack.extend((prefix, x) for x in reversed(v))
        else:
            out.append(f"{prefix}: {_scalar(v)}" if prefix else _scalar(v))
    return "; ".join(out)


def _scalar(value: object) -> str:
    if value is None or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
