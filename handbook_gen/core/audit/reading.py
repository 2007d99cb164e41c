"""Reading the files of a built site for the audit: size caps, gzip streams, and the texts a
file holds once its HTML references and script escapes are undone."""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import walk

MAX_FILE_BYTES = 64 * 1024 * 1024
"""The most the audit reads of one site file, once decompressed. A text file or a .gz bigger
than this is never read whole: it is reported as a leak of its own (it cannot be audited)."""

_CHUNK = 1 << 20
# Tags end at the first '>' and never span a '<': a file of '<' without '>' is scanned in linear time.
TAG = re.compile(r"<[^<>]*>")
# A character reference: html.unescape's own pattern, names narrowed to what an entity's name
# can be (2 to 32 ASCII letters and digits): html.unescape leaves anything else as it is.
_CHARREF = re.compile(r"(&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]{1,31};?))")
# The backslash escapes of JSON and JavaScript strings that change words or URLs (any other
# escaped character reads the same with its backslash); a surrogate pair first, as one character.
_JS_ESCAPE = re.compile(r"(\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\\/\"'nrtbfv0]))")
_JS_SIMPLE = {"n": "\n", "r": "\n", "t": " ", "b": " ", "f": " ", "v": " ", "0": " "}
TEXT_SUFFIXES = {".html", ".htm", ".xml", ".json", ".js", ".css", ".txt", ".svg", ".md", ".yml", ".yaml", ".map", ".csv", ""}
_TOO_LARGE = "too large to audit: not published"
_TOO_LARGE_GZ = "too large to audit once decompressed: not published"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()



@dataclass
class Content:
    """What the audit read of one site file."""

    data: bytes | None  # the bytes to search (decompressed); None when not read
    digests: list[str] = field(default_factory=list)  # sha256 of the file, and of what it decompresses to
    too_large: str | None = None  # why it was not read: a leak of its own


def read(path: Path, cap: int | None = None) -> Content:
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
        return Content(None, raw.digests, _TOO_LARGE_GZ)
    if inflated is None:  # no gzip at all: searched as it is
        return raw
    digests = [*raw.digests, hashlib.sha256(inflated).hexdigest()]
    if clean:
        return Content(inflated, digests)
    # Corrupt or cut short: what decompressed, and the raw bytes, which are published too.
    if raw.data is None:
        return Content(None, digests, _TOO_LARGE)
    return Content(inflated + b"\n" + raw.data, digests)


def _gzipped(path: Path) -> bool:
    """Tell whether a file starts as gzip whatever its name (Pagefind's index files have no .gz)."""
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _read_raw(path: Path, cap: int) -> Content:
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
        return Content(kept.getvalue(), [digest.hexdigest()])
    text = _suffix(path) in TEXT_SUFFIXES or _utf8_start(first)
    return Content(None, [digest.hexdigest()], _TOO_LARGE if text else None)


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


def unescape_html(text: str) -> str:
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


def file_texts(path: Path, data: bytes) -> list[str] | None:
    """The texts of a site file to search: as written (with the strings of its JSON, its
    script escapes undone) and, if that differs, without tags and with references undone.
    None for a binary file."""
    suffix = _suffix(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        if suffix not in TEXT_SUFFIXES:
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
    plain = unescape_html(TAG.sub(" ", text))
    return [plain] if plain == text else [plain, text]



def pristine(rel: str, data: bytes, theme_dirs: list[Path]) -> bool:
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

