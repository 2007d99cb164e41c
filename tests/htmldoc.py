"""Read HTML as a browser does: one HTML5 parser (justhtml, which the package's allowlist uses too) for every test.

Named htmldoc, not html: tests/ is on sys.path, and a module named html would hide the standard library's.
"""

from __future__ import annotations

from typing import Any

from justhtml import JustHTML


def parse(text: str, *, fragment: bool = False) -> Any:
    """Parse a page (or a fragment) as a browser does; return its root node (values unescaped)."""
    return JustHTML(text, fragment=fragment, sanitize=False).root


def attrs(node: Any) -> dict[str, str]:
    """A node's attributes, an attribute without a value as ''."""
    return {name: value or "" for name, value in (node.attrs or {}).items()}


def elements(text: str, *, fragment: bool = False) -> list[Any]:
    """Every element of a page or fragment, in document order."""
    return list(parse(text, fragment=fragment).query("*"))


def head_meta(text: str) -> dict[str, list[str]]:
    """The content of every <meta property|name> in a page's head, by that key, in page order."""
    found: dict[str, list[str]] = {}
    for node in parse(text).query("head meta"):
        a = attrs(node)
        if "property" in a or "name" in a:
            found.setdefault(a.get("property") or a["name"], []).append(a.get("content", ""))
    return found


def head_links(text: str, rel: str) -> list[str]:
    """The href of every <link> in a page's head whose rel names rel."""
    return [attrs(node).get("href", "") for node in parse(text).query("head link") if rel in attrs(node).get("rel", "").split()]


def text(node: Any) -> str:
    """Every text node under node joined as it is, with no space added between elements."""
    if node.name == "#text":
        return str(node.data or "")
    return "".join(text(child) for child in (node.children or []))
