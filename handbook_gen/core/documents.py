"""Assets a browser opens as a document, where script could run: SVG drawings are read as
XML and held to the allowlist's SVG table; every other document kind is refused."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable
from pathlib import Path
from xml.parsers import expat

from . import active_content
from .diagnostics import Diagnostic, error
from .model import Handbook

# File kinds a browser renders as a page (HTML, XML and its stylesheets, saved web pages).
# PDFs and pictures other than SVG are shown by viewers that run no page script.
REFUSED = (".html", ".htm", ".xhtml", ".xht", ".shtml", ".xml", ".xsl", ".xslt", ".mht", ".mhtml", ".rss", ".atom")
DRAWINGS = (".svg", ".svgz")
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
_MAX = 8 * 1024 * 1024  # an .svgz is unpacked up to this size


def check(hb: Handbook) -> list[Diagnostic]:
    """Report every asset a browser would open as a document that could run script."""
    problems: list[Diagnostic] = []
    for src in hb.assets:
        lower = src.lower()
        path = hb.rel(src)
        if lower.endswith(REFUSED):
            problems.append(error(
                "HB310", path, 1,
                f"'{src}' is a document a browser opens as a page, where script could run - link a PDF or a picture instead "
                "(or set the plugin's allow_scripts: true)",
            ))
        elif lower.endswith(DRAWINGS):
            problems += [error("HB310", path, line, f"{why} in the drawing '{src}' is not allowed (a drawing holds only the SVG elements {', '.join(sorted(active_content.SVG))}; no script, handler or link to another file)")
                         for line, why in svg_problems(hb.docs_dir / src)]
    return problems


def svg_problems(file: Path) -> list[tuple[int, str]]:
    """Return (line, why) for everything in an SVG file outside the allowlist's SVG table."""
    try:
        data = file.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.GzipFile(fileobj=io.BytesIO(data)).read(_MAX + 1)
    except (OSError, EOFError, zlib.error):  # gzip's BadGzipFile is an OSError
        return [(1, "a file that cannot be read or unpacked")]
    if len(data) > _MAX:
        return [(1, f"more than {_MAX // (1024 * 1024)} MB once unpacked")]
    return _read(data)


def _read(data: bytes) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    parser = expat.ParserCreate(namespace_separator=" ")
    root_seen = False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal root_seen
        line = parser.CurrentLineNumber
        ns, _, tag = name.rpartition(" ")
        if not root_seen and tag != "svg":
            found.append((line, f"root element <{tag}> (an SVG drawing starts with <svg>)"))
        root_seen = True
        # Elements of no namespace are inert XML; read by the SVG table all the same.
        if ns not in ("", _SVG_NS) or tag not in active_content.SVG:
            found.append((line, f"element <{tag}>{f' of the namespace {ns}' if ns not in ('', _SVG_NS) else ''}"))
            return
        allowed = active_content.SVG[tag] | active_content.SVG_COMMON
        for key, value in attrs.items():
            a_ns, _, local = key.rpartition(" ")
            attr = {"": local, _XLINK_NS: f"xlink:{local}", _XML_NS: f"xml:{local}"}.get(a_ns, f"{a_ns}:{local}")
            problem = active_content.attribute_problem(tag, attr, value, allowed, svg=True)
            if problem:
                found.append((line, problem))

    def refuse(what: str) -> Callable[..., None]:
        def handler(*_: object) -> None:
            found.append((parser.CurrentLineNumber, what))
        return handler

    parser.StartElementHandler = start
    # A stylesheet instruction (XSLT runs script); entities (they can swell a file a thousandfold).
    parser.ProcessingInstructionHandler = refuse("processing instruction (such as <?xml-stylesheet?>)")
    parser.EntityDeclHandler = refuse("entity declaration")
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        found.append((exc.lineno, f"not well-formed XML ({expat.ErrorString(exc.code)})"))
    if not root_seen and not found:
        found.append((1, "no <svg> element"))
    return found
