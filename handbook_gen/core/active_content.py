"""Active content, decided by an allowlist: only what Markdown and the handbook's templates write.

HTML is read as browsers read it (the HTML standard's tokenizer and tree construction, by
`justhtml`): foreign content (SVG, MathML), raw-text elements, comments and character
references are what a browser makes of them. Every element, attribute and URL scheme of the
tree must be in the tables below; anything else is reported, wherever it was written: raw
HTML in a body, `{ ... }` attribute lists, link and image targets and, as the last guard,
every rendered page. The tables were taken from what the sample handbook, a corpus of real
post-mortems and the configured Markdown extensions produce.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from justhtml import JustHTML

# --- the allowlist ------------------------------------------------------------------

# URL schemes a link or an image may use; relative URLs and #fragments need none.
SCHEMES = ("http", "https", "mailto")
# Attributes every allowed element takes (`markdown` is md_in_html's switch, which it removes).
GLOBAL = frozenset({"id", "class", "title", "markdown"})
# HTML elements, each with the attributes it takes besides GLOBAL.
HTML: dict[str, frozenset[str]] = {
    # What Markdown writes.
    **{tag: frozenset() for tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "em", "strong", "br", "hr", "ul", "li")},
    "ol": frozenset({"start"}),
    "a": frozenset({"href", "rel", "aria-label"}),
    "img": frozenset({"src", "alt"}),
    # Tables (tables, and code highlighting's line numbers); text-align is a style (STYLES).
    **{tag: frozenset() for tag in ("table", "thead", "tbody", "tr")},
    "th": frozenset({"style"}),
    "td": frozenset({"style"}),
    # Admonitions, highlighted code, emoji, md_in_html; the templates' cards, charts, banners and pagers.
    "div": frozenset({"role", "aria-label"}),
    "span": frozenset({"style", "aria-current"}),
    "nav": frozenset({"aria-label"}),
    # The "Tell a story" form (render/templates/propose.md.j2): fields without names (no DOM
    # clobbering) and no action (nothing is sent anywhere: its script reads the fields). The
    # data- attributes hold what the page was built with (bounds, placeholders).
    "form": frozenset({"novalidate", "data-folder", "data-taken", "data-spelled", "data-internal", "data-rules"}),
    "fieldset": frozenset({"aria-describedby", "data-min", "data-max"}),
    "legend": frozenset(),
    "label": frozenset({"for"}),
    "input": frozenset({"type", "value", "required", "minlength", "maxlength", "autocomplete", "aria-describedby"}),
    "textarea": frozenset({"rows", "required", "minlength", "maxlength", "aria-describedby", "data-heading", "data-placeholder"}),
    "select": frozenset({"aria-describedby"}),
    "option": frozenset({"value", "selected"}),
    "button": frozenset({"type"}),
}
# SVG elements (inline emoji, and SVG files among the assets), each with its own attributes
# besides SVG_COMMON. No script, handler, foreignObject, animation or link to another file.
SVG_COMMON = frozenset({
    "id", "class", "transform", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "stroke-opacity", "opacity",
    "clip-path", "clip-rule", "mask", "color", "display", "visibility", "font-family", "font-size", "font-weight",
    "font-style", "text-anchor", "dominant-baseline", "role", "aria-label", "aria-hidden", "xml:space",
})
_SHAPE = frozenset({"pathLength"})
SVG: dict[str, frozenset[str]] = {
    "svg": frozenset({"xmlns", "xmlns:xlink", "viewBox", "width", "height", "x", "y", "version", "preserveAspectRatio", "baseProfile"}),
    "g": frozenset(),
    "defs": frozenset(),
    "title": frozenset(),
    "desc": frozenset(),
    "path": _SHAPE | {"d"},
    "rect": _SHAPE | {"x", "y", "width", "height", "rx", "ry"},
    "circle": _SHAPE | {"cx", "cy", "r"},
    "ellipse": _SHAPE | {"cx", "cy", "rx", "ry"},
    "line": _SHAPE | {"x1", "y1", "x2", "y2"},
    "polyline": _SHAPE | {"points"},
    "polygon": _SHAPE | {"points"},
    "text": frozenset({"x", "y", "dx", "dy", "rotate", "textLength", "lengthAdjust"}),
    "tspan": frozenset({"x", "y", "dx", "dy", "rotate", "textLength", "lengthAdjust"}),
    "linearGradient": frozenset({"x1", "y1", "x2", "y2", "gradientUnits", "gradientTransform", "spreadMethod", "href", "xlink:href"}),
    "radialGradient": frozenset({"cx", "cy", "r", "fx", "fy", "fr", "gradientUnits", "gradientTransform", "spreadMethod", "href", "xlink:href"}),
    "stop": frozenset({"offset", "stop-color", "stop-opacity"}),
    "clipPath": frozenset({"clipPathUnits"}),
    "mask": frozenset({"x", "y", "width", "height", "maskUnits", "maskContentUnits"}),
    "symbol": frozenset({"viewBox", "preserveAspectRatio", "x", "y", "width", "height"}),
    "use": frozenset({"href", "xlink:href", "x", "y", "width", "height"}),
}
# Attributes holding a URL: checked against SCHEMES (in SVG, only a #fragment of the same file).
URLS = frozenset({"href", "src", "xlink:href"})
# The only style values: table cells' alignment (tables) and the charts' bar widths (stats template).
STYLES: dict[str, re.Pattern[str]] = {
    "th": re.compile(r"text-align: (?:left|center|right);"),
    "td": re.compile(r"text-align: (?:left|center|right);"),
    "span": re.compile(r"width: \d{1,3}(?:\.\d+)?%"),
}
# The only values of attributes that choose what an element is: the form's kinds of field.
VALUES: dict[tuple[str, str], re.Pattern[str]] = {
    ("input", "type"): re.compile(r"text|date|checkbox"),
    ("button", "type"): re.compile(r"submit|button"),
}
# Ids of content elements: never one of the theme's own (`__search`, `__config`...), which
# would take its place for the theme's scripts; code highlighting's line anchors are the exception.
ID = re.compile(r"(?!__)[A-Za-z0-9_][\w.:-]*|__codelineno-[\d-]+")

# What the tables allow, in words, for the messages.
ALLOWED = (
    f"stories hold what Markdown writes: elements {', '.join(sorted(HTML))} and SVG drawings; attributes "
    f"{', '.join(sorted(GLOBAL - {'markdown'}))} and a few per element; URLs {', '.join(SCHEMES)}, relative or #fragment"
)
# Schemes named as script in messages (every scheme outside SCHEMES is refused all the same).
_SCRIPT_SCHEMES = ("javascript", "vbscript")
_NAMESPACES = {"svg": "SVG ", "math": "MathML "}

# --- reading ------------------------------------------------------------------------

# Placed after a fragment: a fragment that ends inside a tag, an attribute value or a
# raw-text element swallows what follows it on the page, and then this is no element; one
# that ends inside a comment holds it in the comment (closed by the `-->` after it, so the
# parser never meets the end of its input inside a construct: with node locations on,
# justhtml makes such a construct text, where the standard drops it).
_END = "<hb-end-of-fragment></hb-end-of-fragment>"
_END_TAG = "hb-end-of-fragment"
_SUFFIX = _END + "-->"
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# What the URL parser drops: C0 controls and spaces at either end, tabs and line ends anywhere.
_EDGES = "".join(map(chr, range(0x21)))
_INSIDE = str.maketrans("", "", "\t\n\r")


def parse(html: str) -> Any:
    """Return the tree a browser builds from an HTML fragment (nodes know their source line)."""
    return JustHTML(html, fragment=True, sanitize=False, track_node_locations=True).root


def walk(root: Any) -> Iterator[Any]:
    """Yield every node under root in document order, template contents included."""
    stack = list(reversed(root.children or []))
    while stack:
        node = stack.pop()
        yield node
        content = getattr(node, "template_content", None)
        kids = list(node.children or []) + ([content] if content is not None else [])
        stack.extend(reversed(kids))


def scheme(url: str) -> str | None:
    """Return the scheme of a URL as a browser reads it (lower case), or None for a relative URL."""
    match = _SCHEME.match(url.strip(_EDGES).translate(_INSIDE))
    return match.group(1).lower() if match else None


def url_allowed(url: str) -> bool:
    """Tell whether a URL is relative, a #fragment, or of an allowed scheme."""
    return scheme(url) in (None, *SCHEMES)


def url_runs_script(url: str) -> bool:
    """Tell whether a URL's scheme is outside the allowlist (`javascript:` and every other)."""
    return not url_allowed(url)


def url_problem(url: str, where: str) -> str | None:
    """Return what is refused in a URL (`where`: what holds it, e.g. "a link"), or None."""
    found = scheme(url)
    if found is None or found in SCHEMES:
        return None
    return f"{'script' if found in _SCRIPT_SCHEMES else repr(found + ':')} URL in {where}"


def attribute_problem(tag: str, name: str, value: str, allowed: frozenset[str], svg: bool = False) -> str | None:
    """Return what is refused in an attribute of an element, or None."""
    shown = f"<{tag}>"
    if name not in allowed:
        return f"{'event-handler ' if name.startswith('on') else ''}attribute '{name}' on {shown}"
    if name in URLS:
        if svg:
            return None if value.strip().startswith("#") else f"'{name}' on {shown} pointing outside the drawing"
        return url_problem(value, f"'{name}' of {shown}")
    if name == "style":
        pattern = STYLES.get(tag)
        if pattern is None or not pattern.fullmatch(value.strip()):
            return f"style '{value}' on {shown}"
    if name == "id" and not ID.fullmatch(value):
        return f"id '{value}' on {shown}"
    known = VALUES.get((tag, name))
    if known is not None and not known.fullmatch(value.strip().lower()):
        return f"{name} '{value}' on {shown}"
    return None


def element_problems(node: Any) -> list[str]:
    """Return what is refused in an element (a parsed node) and its attributes."""
    namespace, tag = node.namespace, node.name
    found = []
    if namespace == "svg" and tag in SVG:
        allowed = SVG[tag] | SVG_COMMON
    elif namespace == "html" and tag in HTML:
        allowed = HTML[tag] | GLOBAL
    else:
        found.append(f"{_NAMESPACES.get(namespace, '')}<{tag}> element")
        allowed = GLOBAL | URLS  # still say which of its attributes would run script
    for name, value in (node.attrs or {}).items():
        problem = attribute_problem(tag, name, value or "", allowed, namespace == "svg")
        if problem:
            found.append(problem)
    return found


def runs_script(what: str) -> bool:
    """Tell whether a refused piece (as the functions here name it) is itself script."""
    return what.startswith(("event-handler ", "script URL ", "<script> ", "SVG <script> "))


def sentence(what: str) -> str:
    """Say why a refused piece is refused, and what is allowed instead."""
    verdict = "would run script in readers' browsers" if runs_script(what) else "is not allowed"
    return f"{what} {verdict} - remove it ({ALLOWED})"


def in_html(html: str) -> list[tuple[int, str]]:
    """Return (1-based line, what) for everything in an HTML fragment outside the allowlist.

    A fragment that ends inside a tag, an attribute value or a raw-text element is refused
    too (it would take in what follows it on the page); one that ends inside a comment hides
    what follows, and is not.
    """
    # Most fragments (and every page Markdown renders from clean stories) are plain tags of
    # the allowlist: proving that costs a regex pass, where a browser's parse costs 20 times more.
    return [] if _plainly_allowed(html) else list(_in_html(html))


@lru_cache(maxsize=4096)
def _in_html(html: str) -> tuple[tuple[int, str], ...]:
    # Cached by text: the same fragment (a shared snippet, a page re-rendered by `serve`) is read once.
    found: list[tuple[int, str]] = []
    ended = False
    for node in walk(parse(html + _SUFFIX)):
        name = node.name
        if name == _END_TAG:
            ended = True
            if node.namespace != "html":
                # An SVG or MathML element left open would make what follows on the page foreign content.
                found.append((html.count("\n") + 1, f"{_NAMESPACES.get(node.namespace, '')}element left open at the end (close it: <svg> with </svg>)"))
        elif name == "#comment":
            ended = ended or _END in (node.data or "")
        elif not name.startswith("#"):
            line = node.origin_line or 1
            found += [(line, why) for why in element_problems(node)]
    if not ended:
        found.append((html.count("\n") + 1, f"unfinished tag '{_tail(html)}' at the end (it would take in what follows on the page: close it with '>', or write '&lt;' for a less-than sign)"))
    return tuple(found)


# --- the quick proof ----------------------------------------------------------------------
# A fragment made only of text, comments and well-formed tags whose every element and
# attribute the tables allow builds, in a browser, no element it does not spell out (but
# tbody, tr and p, which the tables allow, with no attributes), so the full parse would find
# nothing. Anything else (a `<` of another kind, a raw-text or unknown element, MathML, SVG
# elements whose names or HTML content the parser changes, a character reference in a value
# the tables look at, NUL or CR, an element left open in SVG) is left to the full parse.
_WS = "[ \t\n\f]"
_TAG = re.compile(
    rf"<(?:(/?)([A-Za-z][A-Za-z0-9]*)((?:{_WS}+[A-Za-z_:][-A-Za-z0-9_:.]*(?:{_WS}*={_WS}*(?:\"[^\"]*\"|'[^']*'|[^ \t\n\f\"'=<>`]+))?)*){_WS}*(/?)>"
    r"|!--(?!-?>)(.*?)-->)",
    re.DOTALL,
)
_ATTR = re.compile(rf"([^ \t\n\f=]+)(?:{_WS}*={_WS}*(?:\"([^\"]*)\"|'([^']*)'|([^ \t\n\f]+)))?")
# SVG elements the parser leaves as written (lower-case names, no HTML inside: not title or desc).
_SVG_PLAIN = frozenset(name for name in SVG if name == name.lower() and name not in ("title", "desc"))
# An SVG attribute as the parser names it (`viewbox` becomes viewBox), from its lower-case spelling.
_SVG_NAMES = {name.lower(): name for name in SVG_COMMON.union(*SVG.values())}
# Elements the parser reads by rules of their own: a textarea's content is text up to its end tag
# (unclosed, it takes in the rest of the page), a select keeps only some elements inside it.
_OWN_RULES = frozenset({"textarea", "select"})
# Attributes whose value the tables read (the others are allowed or refused by name alone).
_READ = URLS | {"style", "id"} | {name for _, name in VALUES}


class _Element:
    __slots__ = ("attrs", "name", "namespace")

    def __init__(self, namespace: str, name: str, attrs: dict[str, str]) -> None:
        self.namespace, self.name, self.attrs = namespace, name, attrs


def _plainly_allowed(html: str) -> bool:
    """Tell whether a fragment is, beyond doubt, all text, comments and allowed tags (False: unsure)."""
    if "\x00" in html or "\r" in html:
        return False
    svg: list[str] = []  # the open SVG elements
    at = html.find("<")
    while at != -1:
        match = _TAG.match(html, at)
        if match is None:
            return False
        at = html.find("<", match.end())
        closing, name, attributes, self_closing, comment = match.groups()
        if comment is not None:
            if "--!>" in comment:
                return False
            continue
        name = name.lower()
        if closing:
            if attributes or self_closing:
                return False
            if svg:
                if svg[-1] != name:
                    return False
                svg.pop()
            elif name not in HTML:
                return False
            continue
        namespace = "svg" if svg or name == "svg" else "html"
        if namespace == "svg" and name not in _SVG_PLAIN:
            return False
        if namespace == "html" and (name not in HTML or name in _OWN_RULES):
            return False
        attrs: dict[str, str] = {}
        for attr in _ATTR.finditer(attributes):
            key = attr.group(1).lower()
            if namespace == "svg":
                if key not in _SVG_NAMES:
                    return False
                key = _SVG_NAMES[key]
            value = next((v for v in attr.groups()[1:] if v is not None), "")
            if key in _READ and "&" in value:
                return False
            if key in attrs:  # the parser keeps the first: unsure
                return False
            attrs[key] = value
        if element_problems(_Element(namespace, name, attrs)):
            return False
        if namespace == "svg" and not self_closing:
            svg.append(name)
    return not svg


def _tail(html: str) -> str:
    start = html.rfind("<")
    text = " ".join(html[start if start != -1 else 0 :].split())
    return text if len(text) <= 40 else text[:40] + "..."


# A `{ ... }` that attr_list reads as an attribute list: at the end of a line (a block's or
# a heading's or a table cell's), or right after an inline element (a link, emphasis, code).
# (Innermost braces only: a search never runs past the next `{`, so a line full of `{` is read in linear time.)
_ATTR_LIST = re.compile(r"\{:?[ \t]*([^{}\n \t][^{}\n]*)\}")
_AFTER_INLINE = ")*_`]>"


def in_attribute_list(text: str) -> list[str]:
    """Return what is refused in the `{ ... }` attribute lists of one line of Markdown."""
    found: list[str] = []
    allowed = GLOBAL - {"markdown"}
    last = len(text.rstrip(" \t|"))  # where the line's text ends (a table row's pipes aside)
    for match in _ATTR_LIST.finditer(text):
        at_end = match.end() >= last
        if not (at_end or (match.start() > 0 and text[match.start() - 1] in _AFTER_INLINE)):
            continue
        for name, value in _pairs(match.group(1)):
            if name not in allowed:
                found.append(f"{'event-handler ' if name.startswith('on') else ''}attribute '{name}' in an attribute list")
            elif name == "id" and not ID.fullmatch(value or ""):
                found.append(f"id '{value}' in an attribute list")
    return found


def _pairs(inner: str) -> Iterator[tuple[str, str | None]]:
    for word in inner.split():
        if word.startswith("."):
            continue
        if word.startswith("#"):
            yield "id", word[1:]
            continue
        name, eq, value = word.partition("=")
        yield name.lower(), value.strip("\"'") if eq else None
