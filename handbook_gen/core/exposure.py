"""Internal text written again where the public site shows it, found before anything is built.

Two cases, both reading the public projection (projection.py). A public lesson or page
(nobody clears those) that quotes a text the public site must never show - any text of a
story, lesson or page that is not public, a withheld part of a public one, the name of an
author who is not public - is an error naming both files (HB308). A public story whose
public text repeats a value of its own free-form `internal` mapping (a hostname, a
customer) gets a warning (HB307): clearing it would publish it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from . import projection
from .diagnostics import Diagnostic, error, warning
from .memo import Recent
from .model import Handbook
from .segments import Body, Kind
from .words import normalise

_MIN_VALUE_CHARS = 4
# Texts normalised once: a preview's rebuild normalises only the texts a save changed.
_normalised = Recent(normalise)


def check(hb: Handbook) -> list[Diagnostic]:
    """Report internal text in public lessons and pages, and internal values in public stories."""
    _normalised.turn()
    return _quoted_in_public_pages(hb) + _own_internal_values(hb)


def _quoted_in_public_pages(hb: Handbook) -> list[Diagnostic]:
    needles: list[tuple[str, str]] = []  # (normalised text, what and where it comes from)
    for w in projection.withheld(hb):
        if w.piece.path[:1] == ("body",):
            continue  # bodies are searched sentence by sentence in the built site (the audit)
        norm = _normalised(w.piece.text)
        quote = w.piece.words.quote
        if quote is not None and norm.strip() and len(norm.split()) >= quote:
            needles.append((norm, f"the {w.what} ({w.path})"))
    needles = list(dict.fromkeys(needles))
    public: list[projection.Entry] = [lesson for lesson in hb.lessons.values() if projection.is_public(lesson)]
    public += [p for p in hb.pages.values() if projection.is_public(p)]
    scan = _SCAN.of(public)
    hits = sorted((where, i) for i, (needle, _) in enumerate(needles) for where in scan.hits(needle))
    return [
        error("HB308", public[e].path, scan.lines[e][n][0], f"public text quotes {needles[i][1]} - rewrite it, or make this page internal")
        for (e, n), i in hits
    ]


class _Scan:
    """The public lessons' and pages' lines, normalised, and where each needle was found in them.

    Kept while the same entries are public and unchanged (the same parsed objects: a preview's
    rebuild keeps those of the files a save left alone), so a save that edits a story looks
    only for the needles it brought. Only the last call's needles are kept."""

    def __init__(self) -> None:
        self.entries: list[tuple[Any, ...]] = []
        self.lines: list[list[tuple[int, str]]] = []
        self.found: dict[str, list[tuple[int, int]]] = {}
        self.asked: set[str] = set()

    def of(self, public: list[projection.Entry]) -> _Scan:
        entries = [(e.path, e.meta, e.doc, e.parsed) for e in public]
        same = len(entries) == len(self.entries) and all(
            a[0] == b[0] and all(x is y for x, y in zip(a[1:], b[1:], strict=True)) for a, b in zip(entries, self.entries, strict=True)
        )
        if not same:
            self.entries, self.found = entries, {}
            self.lines = [[(line, normalise(text)) for line, text in _lines(e, projection.shown(e))] for e in public]
        self.found = {n: hits for n, hits in self.found.items() if n in self.asked}
        self.asked = set()
        return self

    def hits(self, needle: str) -> list[tuple[int, int]]:
        """(entry, line) indexes of every line that holds the needle."""
        self.asked.add(needle)
        if needle not in self.found:
            self.found[needle] = [(e, n) for e, lines in enumerate(self.lines) for n, (_, plain) in enumerate(lines) if needle in plain]
        return self.found[needle]


_SCAN = _Scan()


def _own_internal_values(hb: Handbook) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for s in hb.stories.values():
        if s.meta.visibility != "public":
            continue
        parts = projection.split(s.meta)
        values = {normalise(p.text): p for p in parts.withheld if p.free_form and len(p.text.strip()) >= _MIN_VALUE_CHARS}
        needles = [(n, f"'{p.text}', a value of its own {p.label.removeprefix('field ')} mapping") for n, p in values.items() if n.strip()]
        if not needles:
            continue
        for line, _, what in _find(_lines(s, parts.shown), needles):
            problems.append(warning("HB307", s.path, line, f"public text repeats {what}: clearing the story would publish it"))
    return problems


def _lines(entry: projection.Entry, shown: list[projection.Piece]) -> list[tuple[int, str]]:
    """(file line, text) of every text the public site shows of an entry: its shown fields, then its body's blocks."""
    return [(entry.doc.where(p.path)[0], p.text) for p in shown] + list(_blocks(entry.parsed))


def _blocks(body: Body) -> Iterator[tuple[int, str]]:
    """Yield (file line, source text) of each block the public variant shows: a quote that
    wraps over lines is still one paragraph."""
    for seg in body.segments:
        if seg.kind is not Kind.COMMENT and not body.in_section(seg.start):
            yield body.first_line + seg.start, body.text[seg.offset : seg.offset + len(seg.text)]


def _find(lines: Iterable[tuple[int, str]], needles: list[tuple[str, str]]) -> Iterator[tuple[int, str, str]]:
    if not needles:
        return
    for line, text in lines:
        plain = normalise(text)
        for needle, what in needles:
            if needle in plain:
                yield line, needle, what
