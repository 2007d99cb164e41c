"""Links in Markdown and HTML bodies: which files a page links to, and unlinking left-out ones."""

from __future__ import annotations

import posixpath
import re

_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_HTML_REF = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_REF_DEF = re.compile(r"^[ \t]{0,3}\[([^\]]+)\]:[ \t]*<?(\S+?)>?(?:[ \t].*)?$", re.MULTILINE)
# A reference-style use: [text][label], [label][] or [label] (not an inline link or a definition).
_REF_USE = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\](?:\[([^\]]*)\])?(?![(\[:])")


def _resolve(target: str, src: str) -> str | None:
    """Resolve a relative link target against the page's src; None for external links."""
    target = target.split("#", 1)[0].split("?", 1)[0]
    if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("//"):
        return None
    base = "" if target.startswith("/") else posixpath.dirname(src)
    resolved = posixpath.normpath(posixpath.join(base, target.lstrip("/")))
    return None if resolved.startswith("..") else resolved


def _hits(target: str | None, excluded: set[str]) -> bool:
    """Tell whether a resolved target is a left-out file, also by its directory URL."""
    if target is None:
        return False
    bare = target.rstrip("/")
    return bool({target, bare + ".md", bare + "/index.md", bare.removesuffix(".html") + ".md"} & excluded)


def _leads_out(target: str, src: str, excluded: set[str]) -> bool:
    """Tell whether a link leads to a left-out file, written relative to the page's source file
    or, as a URL such as `../other-story/`, relative to the page's own directory URL."""
    if _hits(_resolve(target, src), excluded):
        return True
    path = target.split("#", 1)[0].split("?", 1)[0]
    stem = src[: -len(".md")] if src.endswith(".md") else src
    if path.endswith(".md") or path.startswith("/") or stem == "index" or stem.endswith("/index"):
        return False
    return _hits(_resolve(target, stem + "/index.md"), excluded)


def _label(text: str) -> str:
    return " ".join(text.lower().split())


def links(text: str, src: str) -> set[str]:
    """Return the docs-relative targets a page's Markdown or HTML links to."""
    targets = [m.group(3) for m in _LINK.finditer(text)]
    targets += _HTML_REF.findall(text) + [m.group(2) for m in _REF_DEF.finditer(text)]
    return {r for t in targets if (r := _resolve(t, src))}


def unlink(text: str, src: str, excluded: set[str]) -> str:
    """Turn links to left-out pages into plain text and drop images of left-out files."""

    def inline(m: re.Match[str]) -> str:
        if not _leads_out(m.group(3), src, excluded):
            return m.group(0)
        return "" if m.group(1) else m.group(2)

    text = _LINK.sub(inline, text)
    dropped = {_label(m.group(1)) for m in _REF_DEF.finditer(text) if _leads_out(m.group(2), src, excluded)}
    if dropped:
        text = _REF_DEF.sub(lambda m: "" if _label(m.group(1)) in dropped else m.group(0), text)

        def reference(m: re.Match[str]) -> str:
            if _label(m.group(3) or m.group(2)) not in dropped:
                return m.group(0)
            return "" if m.group(1) else m.group(2)

        text = _REF_USE.sub(reference, text)

    def html(m: re.Match[str]) -> str:
        return m.group(0).replace(m.group(1), "#") if _leads_out(m.group(1), src, excluded) else m.group(0)

    return _HTML_REF.sub(html, text)
