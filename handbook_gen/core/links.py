"""Links in Markdown and HTML bodies: which files a page links to, and unlinking left-out ones."""

from __future__ import annotations

import posixpath
import re

from .segments import Editor, Kind, Segment, parse

# Possessive quantifiers (`*+`) never backtrack, so each pattern scans a text in linear time.
_LINK = re.compile(r"(!?)\[((?:[^\[\]]++|\[[^\[\]]*+\])*+)\]\(\s*+<?([^)\s>]{1,2000}+)>?(?:\s++(?:\"[^\"]*+\"|'[^']*+'))?\s*+\)")
_HTML_REF = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_REF_DEF = re.compile(r"^[ \t]{0,3}\[([^\]]+)\]:[ \t]*<?(\S+?)>?(?:[ \t].*)?$", re.MULTILINE)
# A reference-style use: [text][label], [label][] or [label] (not an inline link or a definition).
_REF_USE = re.compile(r"(!?)\[((?:[^\[\]]++|\[[^\[\]]*+\])*+)\](?:\[([^\[\]]*+)\])?(?![(\[:])")


def resolve(target: str, src: str) -> str | None:
    """Resolve a relative link target against the page's src; None for external links.

    A target outside the content folder resolves to a path starting with '..': it is no file
    of the handbook (the site has only what the content folder holds), never an external link.
    """
    target = target.split("#", 1)[0].split("?", 1)[0]
    if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("//"):
        return None
    base = "" if target.startswith("/") else posixpath.dirname(src)
    return posixpath.normpath(posixpath.join(base, target.lstrip("/")))


def _hits(target: str | None, excluded: set[str]) -> bool:
    """Tell whether a resolved target is a left-out file, also by its directory URL."""
    if target is None:
        return False
    bare = target.rstrip("/")
    return bool({target, bare + ".md", bare + "/index.md", bare.removesuffix(".html") + ".md"} & excluded)


def _leads_out(target: str, src: str, excluded: set[str]) -> bool:
    """Tell whether a link leads to a left-out file, written relative to the page's source file
    or, as a URL such as `../other-story/`, relative to the page's own directory URL."""
    if _hits(resolve(target, src), excluded):
        return True
    path = target.split("#", 1)[0].split("?", 1)[0]
    stem = src[: -len(".md")] if src.endswith(".md") else src
    if path.endswith(".md") or path.startswith("/") or stem == "index" or stem.endswith("/index"):
        return False
    return _hits(resolve(target, stem + "/index.md"), excluded)


def _label(text: str) -> str:
    return " ".join(text.lower().split())


def unlinker(src: str, excluded: set[str], references: dict[str, str]) -> Editor:
    """Return an editor for Body.public_text that turns links to left-out pages into plain
    text and drops images of left-out files, in prose and raw HTML (never in code)."""

    def edit(segment: Segment, source: str) -> list[tuple[int, int, str]]:
        if segment.kind is Kind.DEFINITION:
            m = _REF_DEF.match(source)
            return [(0, len(source), "")] if m and _leads_out(m.group(2), src, excluded) else []
        if segment.kind is Kind.HTML:
            return [(m.start(1), m.end(1), "#") for m in _HTML_REF.finditer(source) if _leads_out(m.group(1), src, excluded)]
        # Prose: matched on the text with code spans blanked, so a link written as code stays.
        text = segment.text
        edits: list[tuple[int, int, str]] = []
        for m in _LINK.finditer(text):
            if _leads_out(m.group(3), src, excluded):
                edits.append((m.start(), m.end(), "" if m.group(1) else source[m.start(2) : m.end(2)]))
        # Reference definitions are not prose (nothing renders them); a use of one that
        # leads out becomes its text.
        dropped = {label for label, target in references.items() if _leads_out(target, src, excluded)}
        if dropped:
            for m in _REF_USE.finditer(text):
                if _label(m.group(3) or m.group(2)) in dropped:
                    edits.append((m.start(), m.end(), "" if m.group(1) else source[m.start(2) : m.end(2)]))
        return edits

    return edit


def unlink(text: str, src: str, excluded: set[str]) -> str:
    """Return a body's public text with links to left-out files unlinked (for callers holding text)."""
    body = parse(text)
    return body.public_text(unlinker(src, excluded, body.references))
