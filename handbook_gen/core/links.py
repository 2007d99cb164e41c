"""Links in Markdown and HTML bodies: which file a link target means, and unlinking left-out ones.

The links are the ones segments.parse found, each with where it is written: unlinking edits
those spans and reads nothing again."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote

from . import layout
from .segments import Editor, Kind, Link, Segment, parse

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def resolve(target: str, src: str) -> str | None:
    """Resolve a relative link target against the page's src; None for external links.

    A target outside the content folder resolves to a path starting with '..': it is no file
    of the handbook (the site has only what the content folder holds), never an external link.
    Percent-escapes are undone, as MkDocs undoes them to find the file.
    """
    target = target.split("#", 1)[0].split("?", 1)[0]
    if not target or _SCHEME.match(target) or target.startswith("//"):
        return None
    base = "" if target.startswith("/") else posixpath.dirname(src)
    return posixpath.normpath(posixpath.join(base, unquote(target).lstrip("/")))


def files(target: str, src: str) -> list[str]:
    """Every file of the content folder a link target on page `src` may mean; [] for an external link.

    The target is read relative to the page's source file or, as a URL such as `../other/`,
    relative to the page's own directory URL; each reading may be the file itself, a page by
    its directory URL (`x/`: x.md, x/index.md, x/README.md) or a page by its `.html` name."""
    first = resolve(target, src)
    if first is None:
        return []
    out = _forms(first)
    path = target.split("#", 1)[0].split("?", 1)[0]
    stem = src[: -len(".md")] if src.endswith(".md") else src
    index = posixpath.basename(stem) in ("index", layout.README[: -len(".md")])
    if not (path.endswith(".md") or path.startswith("/") or index):
        out += _forms(resolve(target, stem + "/index.md") or "")
    return out


def _forms(target: str) -> list[str]:
    bare = target.rstrip("/")
    return [target, bare + ".md", bare + "/index.md", bare + "/" + layout.README, bare.removesuffix(".html") + ".md"]


def leads_out(target: str, src: str, excluded: set[str]) -> bool:
    """Tell whether a link on page `src` leads to a left-out file."""
    return not excluded.isdisjoint(files(target, src))


def unlinker(src: str, excluded: set[str]) -> Editor:
    """Return an editor for Body.public_text that turns links to left-out pages into plain
    text and drops images of left-out files, in prose and raw HTML (never in code): a
    Markdown link becomes its text, an image and a reference definition go, and an HTML
    attribute's URL becomes `#`."""

    def edit(segment: Segment, source: str) -> list[tuple[int, int, str]]:
        out = [link for link in segment.links if leads_out(link.target, src, excluded)]
        if any(link.span is None for link in out):
            return [(0, len(source), "")]  # a link that cannot be placed: the segment goes
        edits = []
        for link in out:
            assert link.span is not None
            a, b = link.span[0] - segment.offset, link.span[1] - segment.offset
            edits.append((a, b, _replacement(link, segment, source, out)))
        return edits

    return edit


def _replacement(link: Link, segment: Segment, source: str, out: list[Link]) -> str:
    """What a left-out link becomes: its text (with the left-out links inside it unlinked too), nothing, or `#`."""
    if link.text is None:
        return "" if segment.kind is Kind.DEFINITION else "#"
    if link.image:
        return ""
    a, b = (x - segment.offset for x in link.text)
    inner = sorted(((x.span[0] - segment.offset, x.span[1] - segment.offset, x) for x in out if x.span and a <= x.span[0] - segment.offset and x.span[1] - segment.offset <= b), key=lambda e: e[0])
    parts: list[str] = []
    cursor = a
    for u, v, x in inner:
        if u < cursor:
            continue
        parts += [source[cursor:u], _replacement(x, segment, source, out)]
        cursor = v
    return "".join(parts) + source[cursor:b]


def unlink(text: str, src: str, excluded: set[str]) -> str:
    """Return a body's public text with links to left-out files unlinked (for callers holding text)."""
    return parse(text).public_text(unlinker(src, excluded))
