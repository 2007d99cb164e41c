"""Scan a built public site for anything the public variant must never contain (SPEC 5)."""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress, count, islice
from pathlib import Path

import markdown

from . import continuity, projection, walk
from .loading import Handbook
from .variants import Variant, View, select
from .words import SPACELESS, WINDOW, normalise

MAX_FILE_BYTES = 64 * 1024 * 1024
"""The most the audit reads of one site file, once decompressed. A text file or a .gz bigger
than this is never read whole: it is reported as a leak of its own (it cannot be audited)."""

_CHUNK = 1 << 20
_SHINGLE = 4
# Tags end at the first '>' and never span a '<': a file of '<' without '>' is scanned in linear time.
_TAG = re.compile(r"<[^<>]*>")
# A sentence ends at . ! ? : ; (and their Arabic, Greek, Devanagari forms) before a space, or
# right after a full-width CJK stop, which no space follows.
_SENTENCE_END = re.compile(r"(?<=[.!?:;\u037e\u061f\u06d4\u0964\u0965])\s+|(?<=[\u3002\uff01\uff1f\uff1b\uff1a\uff0e])\s*|\n+")
# An id where a URL or file name would hold it: `/2021/the-id/`, `the-id.md`, `"the-id"`, in
# any case (ASCII only: no `K` sign read as a k), so no lower-cased copy of a file is made. The
# atomic group never gives back a character: a shorter prefix of a run could not be followed by
# `.`, `/` or `"` anyway, and without it a long run could be re-tried piece by piece.
_ID_IN_URL = re.compile(r"(?<![a-z0-9-])((?>[a-z0-9]+(?:-[a-z0-9]+)*))(?=\.md|/|\.html|\")", re.IGNORECASE | re.ASCII)
# A character reference: html.unescape's own pattern, names narrowed to what an entity's name
# can be (2 to 32 ASCII letters and digits): html.unescape leaves anything else as it is.
_CHARREF = re.compile(r"(&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]{1,31};?))")
# The backslash escapes of JSON and JavaScript strings that change words or URLs (any other
# escaped character reads the same with its backslash); a surrogate pair first, as one character.
_JS_ESCAPE = re.compile(r"(\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\\/\"'nrtbfv0]))")
_JS_SIMPLE = {"n": "\n", "r": "\n", "t": " ", "b": " ", "f": " ", "v": " ", "0": " "}
_TEXT_SUFFIXES = {".html", ".htm", ".xml", ".json", ".js", ".css", ".txt", ".svg", ".md", ".yml", ".yaml", ".map", ".csv", ""}
_TOO_LARGE = "too large to audit: not published"
_TOO_LARGE_GZ = "too large to audit once decompressed: not published"


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


def _too_short(words: list[str]) -> bool:
    """Too short to be told apart from common text: under 4 characters, spaces included; a
    letter of a script without spaces counts twice (two CJK characters make a name)."""
    length = sum(len(w) for w in words) + len(words) - 1
    return length + sum(1 for w in words if SPACELESS.match(w)) < 4


class _WordIndex:
    """Normalised text with its short word sequences indexed, for fast phrase look-ups.

    text: a text (already normalised if said so), or pieces of text no phrase may span.
    only: index only these word sequences (a phrase of _SHINGLE words or more is then found
    only if it starts with one of them)."""

    def __init__(self, text: str | Iterable[str], only: set[tuple[str, ...]] | None = None, *, normalised: bool = False) -> None:
        if isinstance(text, str):
            self.text = text if normalised else normalise(text)
        else:  # "\0" is never part of a normalised word: a phrase cannot run across it.
            self.text = " \0 ".join(normalise(t) for t in text)
        words = self.text.split()
        self.words = set(words)
        shingles = zip(*(islice(words, i, None) for i in range(_SHINGLE)), strict=False)
        if only is None:
            self.grams = set(shingles)
        else:  # looked up at C speed; only the few found are kept
            self.grams = {tuple(words[i : i + _SHINGLE]) for i in compress(count(), map(only.__contains__, shingles))}

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
    return _unescape_html(_TAG.sub(" ", rendered))


def _sentences(markdown_text: str) -> Iterator[str]:
    """Split prose into sentence-sized pieces worth looking for."""
    yield from _SENTENCE_END.split(_plain(markdown_text))


def needles(hb: Handbook, public: View) -> tuple[list[Needle], dict[str, str], set[str]]:
    """Build what must not leak: text needles, internal asset digests, and private ids."""
    found: list[Needle] = []
    allowed = _WordIndex(list(_excusing_text(hb, public)))

    def add(text: str | None, what: str, min_words: int = 1) -> None:
        if not text:
            return
        norm = normalise(text)
        words = norm.split()
        if len(words) < min_words or _too_short(words):
            return
        if norm in allowed:  # the same words are published by a cleared public story
            return
        found.append(Needle(norm, what))

    # What the projection withholds, every text of an entry whatever warnings its body has.
    for w in projection.withheld(hb):
        piece = w.piece
        if piece.path[:1] == ("body",):
            for sentence in _sentences(piece.text):
                add(sentence, w.what, min_words=piece.words.audit)
        else:
            add(piece.text, w.what, min_words=piece.words.audit)

    assets = {}
    for src in hb.assets:
        if src not in public.assets:
            try:
                assets[_sha256(hb.docs_dir / src)] = src
            except OSError:
                continue
    public_ids = set(public.stories) | set(public.lessons) | set(public.tags) | {t for s in public.stories.values() for t in s.teams}
    public_ids |= {part for src in list(public.pages) + [s.src for s in public.stories.values()] for part in src[:-3].split("/")}
    # A story's old address answers (a redirect, or "no longer available"): the address is public, its words are not.
    formers = continuity.formers(hb, public.stories, public.variant is Variant.PUBLIC)
    public_ids |= {part for former in formers for part in former.src[:-3].split("/")}
    private_ids = {sid for sid in hb.stories if sid not in public.stories} | {lid for lid in hb.lessons if lid not in public.lessons}
    return found, assets, private_ids - public_ids


def _excusing_text(hb: Handbook, public: View) -> Iterator[str]:
    """The only text that may excuse a needle: the public fields of the cleared public stories
    the public view holds, as published. Lessons, pages and tag descriptions are cleared by
    nobody: words they share with internal content are leaks, never an excuse."""
    if public.variant is not Variant.PUBLIC:
        return
    for s in public.stories.values():
        entry = hb.stories.get(s.id)
        if entry is None or not entry.publication.public:  # public means cleared, unchanged since, no draft
            continue
        yield from (p.text for p in projection.shown(entry))
        yield _plain(s.body)
        yield from (a.label for a in s.authors)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class _Content:
    """What the audit read of one site file."""

    data: bytes | None  # the bytes to search (decompressed); None when not read
    digests: list[str] = field(default_factory=list)  # sha256 of the file, and of what it decompresses to
    too_large: str | None = None  # why it was not read: a leak of its own


def _read(path: Path, cap: int | None = None) -> _Content:
    """Read a site file without ever holding more than cap (MAX_FILE_BYTES) bytes of what it
    holds, raw or decompressed.

    A .gz, or any file that starts as gzip, is decompressed as a stream: past the cap it is not read, and reported. A plain file
    past the cap is only hashed, in chunks, and reported if it is text."""
    cap = MAX_FILE_BYTES if cap is None else cap
    raw = _read_raw(path, cap)
    if path.suffix != ".gz" and not _gzipped(path):
        return raw
    inflated, over, clean = _inflate(path, cap)
    if over:
        return _Content(None, raw.digests, _TOO_LARGE_GZ)
    if inflated is None:  # no gzip at all: searched as it is
        return raw
    digests = [*raw.digests, hashlib.sha256(inflated).hexdigest()]
    if clean:
        return _Content(inflated, digests)
    # Corrupt or cut short: what decompressed, and the raw bytes, which are published too.
    if raw.data is None:
        return _Content(None, digests, _TOO_LARGE)
    return _Content(inflated + b"\n" + raw.data, digests)


def _gzipped(path: Path) -> bool:
    """Tell whether a file starts as gzip whatever its name (Pagefind's index files have no .gz)."""
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _read_raw(path: Path, cap: int) -> _Content:
    digest = hashlib.sha256()
    kept: io.BytesIO | None = io.BytesIO()
    first = b""
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            first = first or chunk
            size += len(chunk)
            if size > cap:
                kept = None  # past the cap: hashed on, never held
            elif kept is not None:
                kept.write(chunk)
    if kept is not None:
        return _Content(kept.getvalue(), [digest.hexdigest()])
    text = _suffix(path) in _TEXT_SUFFIXES or _utf8_start(first)
    return _Content(None, [digest.hexdigest()], _TOO_LARGE if text else None)


def _inflate(path: Path, cap: int) -> tuple[bytes | None, bool, bool]:
    """Decompress a gzip file as a stream, holding at most cap bytes of its output, never
    more than _CHUNK more at a time: (data, past the cap, clean).

    Every member is read (a bomb of many small members adds up). data is None when nothing
    decompresses (no gzip at all); clean is False when the file is corrupt or cut short
    part way, or has bytes after its last member."""
    out = io.BytesIO()
    size = 0
    clean = True
    unpacker = zlib.decompressobj(wbits=31)  # 31: gzip header and trailer
    mid_member = False
    with path.open("rb") as handle:
        pending = b""
        while True:
            if not pending:
                pending = handle.read(_CHUNK)
                if not pending:
                    clean = clean and not mid_member
                    break
            try:
                piece = unpacker.decompress(pending, min(_CHUNK, cap + 1 - size))
            except zlib.error:
                clean = False
                break
            if not piece and not unpacker.eof and len(unpacker.unconsumed_tail) == len(pending):
                clean = False  # no progress: never loop on it
                break
            mid_member = True
            size += len(piece)
            if size > cap:
                return None, True, False
            out.write(piece)
            if unpacker.eof:  # the next member, if any
                pending = unpacker.unused_data
                unpacker = zlib.decompressobj(wbits=31)
                mid_member = False
            else:
                pending = unpacker.unconsumed_tail
    if size == 0 and not clean:
        return None, False, False
    return out.getvalue(), False, clean


def _utf8_start(data: bytes) -> bool:
    """Tell whether data starts as UTF-8 text (its last character may be cut short)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _suffix(path: Path) -> str:
    return Path(path.name.removesuffix(".gz")).suffix.lower()


def _replace_each(pattern: re.Pattern[str], value: Callable[[str], str], text: str) -> str:
    """pattern.sub(value), with value called once per distinct match rather than per match:
    a file of half a million references costs C-speed splitting and joining, not half a
    million Python calls. pattern captures its whole match in its one group."""
    parts = pattern.split(text)
    if len(parts) == 1:
        return text
    matches = parts[1::2]
    values = {m: value(m) for m in set(matches)}
    parts[1::2] = map(values.__getitem__, matches)
    return "".join(parts)


def _unescape_html(text: str) -> str:
    """html.unescape, safe from numeric references with thousands of digits (which make int()
    raise) and with each distinct reference worked out once."""
    return _replace_each(_CHARREF, _charref, text) if "&" in text else text


def _charref(ref: str) -> str:
    if len(ref) > 40 and ref[1] == "#":  # no name is that long: a number of many digits
        hexadecimal = ref[2] in "xX"
        digits = ref[3 if hexadecimal else 2 :].rstrip(";").lstrip("0") or "0"
        if len(digits) > 7:  # past U+10FFFF, which html.unescape makes U+FFFD
            return "\ufffd"
        ref = ("&#x" if hexadecimal else "&#") + digits + ";"
    return html.unescape(ref)


def _unescape_js(text: str) -> str:
    """Undo the backslash escapes of JSON and JavaScript strings (`\\u0436`, `\\/`, `\\"`)."""
    return _replace_each(_JS_ESCAPE, _js_escape, text) if "\\" in text else text


def _js_escape(escape: str) -> str:
    kind = escape[1]
    if len(escape) == 12:  # a surrogate pair: one character
        return chr(0x10000 + ((int(escape[2:6], 16) - 0xD800) << 10) + int(escape[8:], 16) - 0xDC00)
    if len(escape) > 2:  # \uXXXX or \xXX; a lone surrogate is no character
        c = chr(int(escape[2:], 16))
        return "\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c
    return _JS_SIMPLE.get(kind, kind)


def _file_texts(path: Path, data: bytes) -> list[str] | None:
    """The texts of a site file to search: as written (with the strings of its JSON, its
    script escapes undone) and, if that differs, without tags and with references undone.
    None for a binary file."""
    suffix = _suffix(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        if suffix not in _TEXT_SUFFIXES:
            return None
        text = data.decode("utf-8", "replace")
    pieces = [text]
    if suffix == ".json":
        try:
            pieces.append(" \n ".join(walk.strings(json.loads(text), keys=True)))
        except (ValueError, RecursionError):  # invalid, or nested deeper than the parser goes
            pieces.append(_unescape_js(text))
    elif "\\" in text:  # escaped strings of a script, of JSON inside a page
        pieces.append(_unescape_js(text))
    text = "\n".join(dict.fromkeys(pieces))  # a piece equal to another is searched once
    del pieces
    plain = _unescape_html(_TAG.sub(" ", text))
    return [plain] if plain == text else [plain, text]


def _ids_in(text: str, private_ids: set[str]) -> set[str]:
    """The private ids a text holds where a URL or file name would, looked for a window at a
    time: a file of a million id-like words is never listed whole."""
    overlap = max(map(len, private_ids), default=0) + len(".html") + 1
    found: set[str] = set()
    for start in range(0, max(len(text) - overlap, 1), WINDOW):
        # The pattern looks behind `start`, and not past the window's end.
        found |= {word.lower() for word in set(_ID_IN_URL.findall(text, start, start + WINDOW + overlap))} & private_ids
    return found


def _windows(norm: str, overlap: int) -> Iterator[str]:
    """A long normalised text in windows of WINDOW characters, each overlapping the next by
    `overlap`: a phrase no longer than that lies whole in the window where it starts."""
    step = max(WINDOW, 4 * overlap)
    for start in range(0, max(len(norm) - overlap, 1), step):
        yield norm[start : start + step + overlap]


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
    byte-identical to theirs is not searched for text. A file bigger than MAX_FILE_BYTES
    (once decompressed) is not read: it is a leak of its own."""
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

    shingles = set(by_first)
    longest = max((len(n.text) for n in text_needles), default=0)
    leaks: list[Leak] = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        name = path.name.removesuffix(".gz")
        if name in ("authors.yml", "tags.yml"):
            leaks.append(Leak(rel, f"data file {name} copied into the site"))
        content = _read(path)
        leaked_asset = next((asset_digests[d] for d in content.digests if d in asset_digests), None)
        if leaked_asset:
            leaks.append(Leak(rel, f"copy of asset '{leaked_asset}', which no public page uses"))
            continue
        if content.too_large:
            leaks.append(Leak(rel, content.too_large))
            continue
        if content.data is None or _pristine(rel, content.data, themes):
            continue
        texts = _file_texts(path, content.data)
        del content  # the file's bytes are not needed any more: a long file is held once less
        seen: set[str] = set()
        ids: set[str] = set()
        for text in texts or []:
            for window in _windows(normalise(text), longest):
                # Only needles whose first words occur in this window can be in it: only those are indexed.
                hay = _WordIndex(window, shingles, normalised=True)
                for n in [n for key in hay.grams for n in by_first[key]] + short:
                    if n.what not in seen and n.text in hay:
                        seen.add(n.what)
                        leaks.append(Leak(rel, f"{n.what}: '{n.text.strip()[:80]}'"))
            ids |= _ids_in(text, private_ids)
        for sid in sorted(ids):
            leaks.append(Leak(rel, f"id of left-out '{sid}'"))
    return leaks
