"""Scan a built public site for anything the public variant must never contain (SPEC 5)."""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown

from . import markers
from .loading import Handbook
from .variants import Variant, View, select

_SHINGLE = 4
_TAG = re.compile(r"<[^>]*>")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# An id where a URL or file name would hold it: `/2021/the-id/`, `the-id.md`, `"the-id"`.
_ID_IN_URL = re.compile(r"(?<![a-z0-9-])([a-z0-9]+(?:-[a-z0-9]+)*)(?=\.md|/|\.html|\")")
_TEXT_SUFFIXES = {".html", ".htm", ".xml", ".json", ".js", ".css", ".txt", ".svg", ".md", ".yml", ".yaml", ".map", ".csv", ""}


@dataclass(frozen=True)
class Needle:
    """A piece of content that must not appear in a public site, and why."""

    text: str  # normalised words
    what: str


@dataclass(frozen=True)
class Leak:
    """One leak: the site file and what leaked into it."""

    file: str
    what: str

    def text(self) -> str:
        return f"{self.file}: {self.what}"


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces: markup and punctuation ignored."""
    return " " + _NON_WORD.sub(" ", text.lower()).strip() + " "


class _WordIndex:
    """Normalised text with its short word sequences indexed, for fast phrase look-ups."""

    def __init__(self, text: str) -> None:
        self.text = normalise(text)
        words = self.text.split()
        self.grams = {tuple(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}
        self.words = set(words)

    def __contains__(self, phrase: str) -> bool:
        words = tuple(phrase.split())
        # A long phrase must start with an indexed shingle: most look-ups stop there.
        if len(words) >= _SHINGLE and words[:_SHINGLE] not in self.grams:
            return False
        if not self.words.issuperset(words):  # a cheap test before the substring search
            return False
        return f" {' '.join(words)} " in self.text


def _plain(markdown_text: str) -> str:
    rendered = markdown.markdown(markdown_text, extensions=["tables", "fenced_code"])
    return html.unescape(_TAG.sub(" ", rendered))


def _sentences(markdown_text: str) -> Iterator[str]:
    """Split prose into sentence-sized pieces worth looking for."""
    yield from re.split(r"(?<=[.!?:;])\s+|\n+", _plain(markdown_text))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def needles(hb: Handbook, public: View) -> tuple[list[Needle], dict[str, str], set[str]]:
    """Build what must not leak: text needles, internal asset digests, and private ids."""
    found: list[Needle] = []
    allowed = _WordIndex(" ".join(_public_text(hb, public)))

    def add(text: str | None, what: str, min_words: int = 1) -> None:
        if not text:
            return
        norm = normalise(text)
        words = norm.split()
        if len(words) < min_words or len(norm.strip()) < 4:
            return
        if norm in allowed:  # the same words are also legitimately public
            return
        found.append(Needle(norm, what))

    for s in hb.stories.values():
        label = f"story '{s.id}'"
        if s.id not in public.stories:
            why = "draft" if s.is_draft else ("internal" if s.meta.visibility == "internal" else "not cleared")
            add(s.meta.title, f"title of {why} {label}")
            add(s.meta.summary, f"summary of {why} {label}")
            add(s.meta.public_summary, f"public summary of {why} {label}")
            add(s.meta.impact, f"impact of {why} {label}", min_words=3)
            for text in (*(s.meta.five_whys or []), *s.meta.contributing_factors):
                add(text, f"five whys or contributing factors of {why} {label}", min_words=3)
            if s.meta.award:
                add(s.meta.award.title, f"award of {why} {label}", min_words=3)
            for piece in _sentences(markers.strip_internal(s.body) if _well_formed(s.body) else s.body):
                add(piece, f"body of {why} {label}", min_words=6)
        else:
            if s.meta.public_summary:
                add(s.meta.summary, f"internal summary of {label} (it has a public_summary)")
            if s.meta.clearance:
                add(s.meta.clearance.digest, f"clearance of {label}")
        for f in s.meta.follow_ups:
            add(f.title, f"follow-up title of {label}")
        for value in _strings(s.meta.internal or {}):
            add(value, f"'internal' value of {label}")
        for section in markers.internal_text(s.body) if _well_formed(s.body) else []:
            for piece in _sentences(section):
                add(piece, f"internal section of {label}", min_words=3)
    for l in hb.lessons.values():
        for section in markers.internal_text(l.body) if _well_formed(l.body) else []:
            for piece in _sentences(section):
                add(piece, f"internal section of lesson '{l.id}'", min_words=3)
        if l.id not in public.lessons:
            add(l.meta.title, f"title of internal lesson '{l.id}'")
            add(l.meta.summary, f"summary of internal lesson '{l.id}'")
            for piece in _sentences(l.body):
                add(piece, f"body of internal lesson '{l.id}'", min_words=6)
    for p in hb.pages.values():
        if p.src not in public.pages:
            add(p.meta.title, f"title of internal page '{p.src}'")
            for piece in _sentences(p.doc.body):
                add(piece, f"body of internal page '{p.src}'", min_words=6)
    for aid, author in hb.authors.items():
        if not author.public:
            add(author.name, f"name of non-public author '{aid}'")

    assets = {}
    for src in hb.assets:
        if src not in public.assets:
            try:
                assets[hashlib.sha256((hb.docs_dir / src).read_bytes()).hexdigest()] = src
            except OSError:
                continue
    public_ids = set(public.stories) | set(public.lessons) | set(public.tags) | {t for s in public.stories.values() for t in s.teams}
    public_ids |= {part for src in list(public.pages) + [s.src for s in public.stories.values()] for part in src[:-3].split("/")}
    private_ids = {sid for sid in hb.stories if sid not in public.stories} | {lid for lid in hb.lessons if lid not in public.lessons}
    return found, assets, private_ids - public_ids


def _well_formed(body: str) -> bool:
    return not markers.find_sections(body)[1]


def _public_text(hb: Handbook, public: View) -> Iterable[str]:
    for s in public.stories.values():
        yield from (s.title, s.summary, s.impact or "", *s.five_whys, *s.contributing_factors, _plain(s.body))
        yield from (a.label for a in s.authors)
    for l in public.lessons.values():
        yield from (l.title, l.summary, _plain(l.body))
    for p in public.pages.values():
        yield from (p.title or "", _plain(p.body))
    yield from public.tags.values()


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            return data
    return data


def _file_text(path: Path, data: bytes) -> str | None:
    suffix = Path(path.name.removesuffix(".gz")).suffix.lower()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None if suffix not in _TEXT_SUFFIXES else data.decode("utf-8", "replace")
    if suffix == ".json":
        try:
            text = " \n ".join(_strings(json.loads(text))) + "\n" + text
        except ValueError:
            pass
    return html.unescape(_TAG.sub(" ", text)) + "\n" + text


def _pristine(rel: str, data: bytes, theme_dirs: list[Path]) -> bool:
    """Tell whether a site file is an unchanged copy of a file an installed theme ships:
    such a file holds no handbook content (and a theme's script can hold any common word)."""
    for folder in theme_dirs:
        original = folder / rel
        try:
            if original.is_file() and original.stat().st_size == len(data) and original.read_bytes() == data:
                return True
        except OSError:
            continue
    return False


def scan(site_dir: Path | str, hb: Handbook, public: View | None = None, theme_dirs: Iterable[Path | str] = ()) -> list[Leak]:
    """Scan every file of a built public site; return each leak with its file.

    theme_dirs: folders of installed themes (never a handbook's own custom_dir); a file
    byte-identical to theirs is not searched for text."""
    site = Path(site_dir)
    themes = [Path(d) for d in theme_dirs]
    public = public or select(hb, Variant.PUBLIC)
    text_needles, asset_digests, private_ids = needles(hb, public)

    by_first: dict[tuple[str, ...], list[Needle]] = {}
    short: list[Needle] = []
    for n in text_needles:
        words = tuple(n.text.split())
        if len(words) >= _SHINGLE:
            by_first.setdefault(words[:_SHINGLE], []).append(n)
        else:
            short.append(n)

    leaks: list[Leak] = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        name = path.name.removesuffix(".gz")
        if name in ("authors.yml", "tags.yml"):
            leaks.append(Leak(rel, f"data file {name} copied into the site"))
        data = _read(path)
        leaked_asset = asset_digests.get(hashlib.sha256(data).hexdigest())
        if leaked_asset:
            leaks.append(Leak(rel, f"copy of asset '{leaked_asset}', which no public page uses"))
            continue
        text = _file_text(path, data)
        if text is None or _pristine(rel, data, themes):
            continue
        hay = _WordIndex(text)
        # Only needles whose first words occur in this file can be in it.
        candidates = [n for key in hay.grams & by_first.keys() for n in by_first[key]] + short
        seen: set[str] = set()
        for n in candidates:
            if n.what not in seen and n.text in hay:
                seen.add(n.what)
                leaks.append(Leak(rel, f"{n.what}: '{n.text.strip()[:80]}'"))
        for sid in sorted(set(_ID_IN_URL.findall(text.lower())) & private_ids):
            leaks.append(Leak(rel, f"id of left-out '{sid}'"))
    return leaks
