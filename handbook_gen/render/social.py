"""Link-preview images: the 1200x630 PNG a chat or social site shows when a page is shared.

Drawn at build time with Pillow, in a chain of fonts: the DejaVu Sans shipped beside this
module first (no system font, library or network is needed for Latin, Greek, Cyrillic...),
then the system's fonts for what DejaVu lacks (Chinese, Japanese, Korean...), found with
fontconfig or in the usual font folders. Each character is drawn in the first font of the
chain that has a glyph for it; a text with a letter no font has is left off the card, never
drawn as boxes. An image is drawn only from the Card it is given, and a card is made only
from a variant's View, so a public image holds exactly what the public page shows.

Images are cached by a hash of exactly the text drawn, the fonts that draw it and DRAWING
(the version of the drawing), in a private folder outside the project and outside any git
work tree (a pull request cannot put a file there), each with a MAC under a secret kept in
that folder: an unchanged story costs a file check on the next build, and a file that was
not written by a build here is drawn again, never published. No MkDocs here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Protocol

from PIL import Image, ImageColor, ImageDraw, ImageFont

from ..core.listings import label
from ..core.variants import LessonView, StoryView

DRAWING = "4"  # 2: quantised to 64 colours; 3: onto the card's blends; 4: a chain of fonts, CJK lines
"""Bump when the drawing changes: every cached image is then drawn again."""

WIDTH, HEIGHT = 1200, 630
FONTS = Path(__file__).resolve().parent / "fonts"
CACHE = Path("~") / ".cache" / "handbook_gen" / "social"
"""Where the images are cached by default; $HANDBOOK_CACHE_DIR/social, else $XDG_CACHE_HOME/handbook_gen/social
comes first, the system temp folder last. Never inside the project or a git work tree (see cache_dir)."""
CACHE_ENV = "HANDBOOK_CACHE_DIR"

# The band's colour by what the page is: a story's kind, a lesson, the culture page, the site.
ACCENTS = {
    "incident": "#d32f2f",
    "near-miss": "#f57c00",
    "project": "#1976d2",
    "process": "#00897b",
    "decision": "#7b1fa2",
    "other": "#546e7a",
    "lesson": "#2e7d32",
    "culture": "#c2185b",
    "site": "#3949ab",
}

_BACKGROUND = "#14161f"
_TITLE = "#ffffff"
_SUMMARY = "#c9cdd8"
_SITE = "#9aa0b0"
_MARGIN = 72
_BAND = 18
_ELLIPSIS = "\u2026"
_TITLE_SIZES = (64, 56, 48)  # the largest at which the title fits in 3 lines; else the smallest, cut short
_TITLE_LINES = 3
_SUMMARY_SIZE = 30
_SUMMARY_LINES = 2

drawn = 0
"""How many images this process has drawn (cache misses): the tests count on it."""
_counting = threading.Lock()


# --- Fonts ---------------------------------------------------------------------------------

# Font files FreeType scales (TrueType, OpenType and their collections); bitmap formats are left out.
_SCALABLE = (".ttf", ".otf", ".ttc", ".otc")


@dataclass(frozen=True)
class Face:
    """One font: a file, and which font of it (a .ttc collection holds several)."""

    path: str
    index: int = 0

    def cmap(self) -> frozenset[int]:
        """The code points the font has a glyph for (none if it cannot be read)."""
        return _cmap(self.path, self.index)

    def font(self, size: int) -> ImageFont.FreeTypeFont | None:
        return _truetype(self.path, self.index, size)

    def identity(self) -> str:
        """What names the font in a cache key: a hash of its file, so another version of it redraws."""
        return _identity(self.path, self.index)


@cache
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # read only when text is checked against a font

    try:
        with TTFont(path, fontNumber=index, lazy=True) as font:
            return frozenset(font.getBestCmap() or ())
    except Exception:  # noqa: BLE001 - a font fontTools cannot read is one the chain cannot use
        return frozenset()


@lru_cache(maxsize=256)
def _truetype(path: str, index: int, size: int) -> ImageFont.FreeTypeFont | None:
    try:
        return ImageFont.truetype(path, size, index=index)
    except OSError:  # e.g. a colour emoji font of fixed sizes only
        return None


@cache
def _identity(path: str, index: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for chunk in iter(lambda: data.read(1 << 20), b""):
            digest.update(chunk)
    return f"{digest.hexdigest()[:16]}:{index}"


class Fonts:
    """The chain of fonts text is drawn in: the shipped DejaVu Sans, then (with system=True) the
    system's fonts, in fontconfig's order of preference for sans-serif when it is there."""

    def __init__(self, system: bool = True) -> None:
        self.system = system
        self._chains: dict[bool, tuple[Face, ...]] = {}
        self._choices: dict[tuple[str, bool], Face | None] = {}
        self._lock = threading.Lock()

    def shipped(self, bold: bool) -> Face:
        return Face(str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")))

    def chain(self, bold: bool) -> tuple[Face, ...]:
        """Every font of the chain, the shipped one first (the system's are looked for once)."""
        with self._lock:
            if bold not in self._chains:
                first = self.shipped(bold)
                others = [f for f in _system_faces(bold) if f != first] if self.system else []
                self._chains[bold] = (first, *others)
            return self._chains[bold]

    def face(self, char: str, bold: bool) -> Face | None:
        """The first font of the chain with a glyph for char (None: no font has one)."""
        first = self.shipped(bold)
        if ord(char) in first.cmap():
            return first
        key = (char, bold)
        if key not in self._choices:
            chain = self.chain(bold)
            # A font counts only if FreeType scales it (the smallest size on a card is 28).
            self._choices[key] = next((f for f in chain if ord(char) in f.cmap() and f.font(28)), None)
        return self._choices[key]


def _system_faces(bold: bool) -> list[Face]:
    """The system's fonts: fontconfig's list for sans-serif of that weight; else the font folders."""
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            out = subprocess.run(
                [fc_match, "-s", "--format", "%{file}\t%{index}\n", f"sans-serif:weight={200 if bold else 80}"],
                capture_output=True, text=True, timeout=20, check=True,
            ).stdout
            faces = [Face(file, int(index or 0)) for file, _, index in (line.partition("\t") for line in out.splitlines())
                     if file.lower().endswith(_SCALABLE) and Path(file).is_file()]
            if faces:
                return list(dict.fromkeys(faces))
        except (OSError, subprocess.SubprocessError, ValueError):
            pass
    files = sorted({f for folder in _font_folders() for f in _walk(folder)})
    # Sans-serif first, then the weight asked for; the first font of a collection stands for it.
    files.sort(key=lambda f: ("sans" not in f.name.lower(), ("bold" in f.name.lower()) != bold))
    return [Face(str(f)) for f in files]


def _font_folders() -> list[Path]:
    home = Path.home()
    folders = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), home / ".local/share/fonts", home / ".fonts"]
    if sys.platform == "darwin":
        folders += [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library/Fonts"]
    if sys.platform == "win32":
        folders += [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts",
                    Path(os.environ.get("LOCALAPPDATA", home)) / "Microsoft/Windows/Fonts"]
    return folders


def _walk(folder: Path) -> Iterator[Path]:
    for parent, _, names in os.walk(folder):
        for name in names:
            if name.lower().endswith(_SCALABLE):
                yield Path(parent, name)


SYSTEM_FONTS = Fonts()
"""The chain every build uses."""
SHIPPED_FONTS = Fonts(system=False)
"""DejaVu Sans alone: what a card looks like on a machine without other fonts."""


def _ignorable(char: str) -> bool:
    """Invisible characters (joiners, variation selectors): left out where their font lacks them."""
    return unicodedata.category(char) == "Cf" or 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF


@lru_cache(maxsize=4096)
def drawable(text: str, bold: bool, fonts: Fonts) -> str:
    """What of text the chain draws: all of it; without the pictographs and invisible characters
    no font has; or nothing when a letter, digit or mark no font has would go missing."""
    first = fonts.shipped(bold).cmap()
    if first.issuperset(map(ord, text)):
        return text
    kept = []
    for char in text:
        if char.isspace() or fonts.face(char, bold) is not None:
            kept.append(char)
        elif not (_ignorable(char) or unicodedata.category(char) in ("So", "Sk")):  # emoji, skin tones
            return ""  # drawn without it, the text would say something else
    return " ".join("".join(kept).split())


class _Measure(Protocol):
    def getlength(self, text: str) -> float: ...


class _Chain:
    """Text in a chain of fonts at one size, cut in runs of one font each: measured, and laid out."""

    def __init__(self, fonts: Fonts, bold: bool, size: int) -> None:
        self.fonts, self.bold, self.size = fonts, bold, size
        self.first = fonts.shipped(bold)
        self.cmap = self.first.cmap()
        font = self.first.font(size)
        assert font is not None, self.first  # shipped with the package
        self.font = font

    def runs(self, text: str) -> list[tuple[str, Face]]:
        """Text cut where the font changes; a space or invisible character stays in the font before it if that has it."""
        if self.cmap.issuperset(map(ord, text)):
            return [(text, self.first)] if text else []
        runs: list[tuple[str, Face]] = []
        for char in text:
            if runs and (char.isspace() or _ignorable(char)) and ord(char) in runs[-1][1].cmap():
                face: Face | None = runs[-1][1]
            else:
                face = self.fonts.face(char, self.bold)
            if face is None:
                continue  # never reached for text from drawable(); a box is never drawn
            if runs and runs[-1][1] == face:
                runs[-1] = (runs[-1][0] + char, face)
            else:
                runs.append((char, face))
        return runs

    def getlength(self, text: str) -> float:
        if self.cmap.issuperset(map(ord, text)):
            return self.font.getlength(text)
        return sum(_font_of(face, self.size).getlength(run) for run, face in self.runs(text))


def _font_of(face: Face, size: int) -> ImageFont.FreeTypeFont:
    font = face.font(size)
    assert font is not None, face  # the chain keeps only fonts FreeType scales
    return font


# --- Cards ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """Exactly the text and colour one image shows."""

    site: str
    title: str
    kicker: str = ""  # "Incident · Major · 2021", "Lesson"
    summary: str = ""
    accent: str = ACCENTS["site"]

    def key(self, fonts: Fonts = SYSTEM_FONTS) -> str:
        """The content hash that names the image: of the text drawn, the fonts that draw it and the drawing's version."""
        used = sorted({face.identity() for text, bold in self._texts()
                       for face in _faces(drawable(text, bold, fonts), bold, fonts)})
        text = json.dumps([DRAWING, *astuple(self), used], ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    def _texts(self) -> list[tuple[str, bool]]:
        """Each text on the card, and whether it is bold."""
        return [(self.site, True), (self.kicker, True), (self.title, True), (self.summary, False), (_ELLIPSIS, True)]


@lru_cache(maxsize=4096)
def _faces(text: str, bold: bool, fonts: Fonts) -> frozenset[Face]:
    return frozenset(face for _, face in _Chain(fonts, bold, _SUMMARY_SIZE).runs(text))


def story_card(site: str, story: StoryView) -> Card:
    """A story's card: its title, kind, severity and year, and its summary as the view shows it
    (the public view holds the public summary)."""
    kicker = " \u00b7 ".join([label(story.kind), *([label(story.severity)] if story.severity else []), str(story.date.year)])
    return Card(_line(site), _line(story.title), kicker, _line(story.summary), ACCENTS.get(story.kind, ACCENTS["other"]))


def lesson_card(site: str, lesson: LessonView) -> Card:
    return Card(_line(site), _line(lesson.title), "Lesson", _line(lesson.summary), ACCENTS["lesson"])


def page_card(site: str, title: str, summary: str = "", kicker: str = "", accent: str = ACCENTS["site"]) -> Card:
    return Card(_line(site), _line(title), _line(kicker), _line(summary), accent)


# --- The cache -----------------------------------------------------------------------------


def cache_dir(root: Path) -> Path:
    """The folder of cached images for the project at root: a private one outside it and outside
    any git work tree (so no file a pull request commits is ever read as an image); the first
    of $HANDBOOK_CACHE_DIR/social, $XDG_CACHE_HOME/handbook_gen/social or ~/.cache/handbook_gen/social,
    and the temp folder's; else a new empty one for this build."""
    env = os.environ.get(CACHE_ENV)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    bases = [Path(env) if env else Path(xdg) / CACHE.parent.name if Path(xdg).is_absolute() else CACHE.parent,
             Path(tempfile.gettempdir()) / f"handbook_gen-{os.getuid() if hasattr(os, 'getuid') else 'user'}"]
    for base in bases:
        folder = Path(os.path.abspath(base.expanduser() / CACHE.name))
        if _in_work_tree(folder, root):
            continue
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if _private(folder) and os.access(folder, os.W_OK) and _secret(folder):
                return folder
        except OSError:  # read-only, or another user's: the next place
            continue
    return Path(tempfile.mkdtemp(prefix="handbook_gen-social-"))


def _in_work_tree(folder: Path, root: Path) -> bool:
    """Whether folder is in the project or in a git work tree (where a commit can put files)."""
    real = Path(os.path.realpath(folder))
    if real.is_relative_to(os.path.realpath(root)):
        return True
    return any((parent / ".git").exists() for parent in (real, *real.parents))


def _private(path: Path) -> bool:
    """Whether only this user can write path (in a shared temp folder, another could make it first)."""
    if not hasattr(os, "getuid"):
        return True
    status = path.stat()
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


@lru_cache(maxsize=8)
def _secret(folder: Path) -> bytes:
    """The cache folder's key for its images' MACs, made once (in the folder, so it goes where the cache goes)."""
    path = folder / ".secret"
    if not path.is_file():
        handle, tmp = tempfile.mkstemp(dir=folder, prefix=".secret-")
        with os.fdopen(handle, "wb") as out:
            out.write(secrets.token_bytes(32))
        try:
            os.link(tmp, path)  # never replaces the key a build beside this one made first
        except FileExistsError:
            pass
        except OSError:
            os.replace(tmp, path)
        Path(tmp).unlink(missing_ok=True)
    secret = path.read_bytes()
    if len(secret) < 32 or not _private(path):
        raise OSError(f"the key of the image cache cannot be trusted: {path}")
    return secret


def _mac(folder: Path, key: str, data: bytes) -> str:
    return hmac.new(_secret(folder), key.encode() + b"\0" + data, "sha256").hexdigest()


def _proven(path: Path, key: str) -> bool:
    """Whether the image at path was drawn by a build here for the card of that key (its MAC holds)."""
    try:
        data, tag = path.read_bytes(), path.with_suffix(".mac").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return hmac.compare_digest(tag, _mac(path.parent, key, data))


def _write(path: Path, data: bytes) -> None:
    # Written whole, then renamed: a build running beside this one never reads half a file.
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".draw-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure(card: Card, folder: Path, fonts: Fonts = SYSTEM_FONTS) -> Path:
    """The card's image in the cache folder, drawn unless a proven one is there."""
    key = card.key(fonts)
    path = folder / f"{key}.png"
    if _proven(path, key):
        return path
    data = draw(card, fonts)
    _write(path, data)
    _write(path.with_suffix(".mac"), _mac(folder, key, data).encode("ascii"))
    return path


def ensure_all(cards: list[Card], folder: Path, fonts: Fonts = SYSTEM_FONTS) -> list[Path]:
    """Each card's image in the cache folder, in the cards' order; the ones not there yet are
    drawn a few at a time (Pillow draws and encodes without holding Python's lock, so threads
    share the cores)."""
    keys = [card.key(fonts) for card in cards]
    paths = [folder / f"{key}.png" for key in keys]
    missing = list({path: card for path, key, card in zip(paths, keys, cards, strict=True)
                    if not _proven(path, key)}.values())
    if len(missing) < 2:
        for card in missing:
            ensure(card, folder, fonts)
    else:
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            for _ in pool.map(lambda card: ensure(card, folder, fonts), missing):
                pass
    return paths


# --- Drawing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Text in one font on the card: its left end on the baseline at x, y."""

    x: float
    y: float
    text: str
    face: Face
    size: int
    fill: str


def layout(card: Card, fonts: Fonts = SYSTEM_FONTS) -> tuple[list[Run], list[tuple[tuple[int, int, int, int], str]]]:
    """Where each run of text and each box goes on the card; only text a font of the chain has a glyph for."""
    runs: list[Run] = []
    boxes = [((0, HEIGHT - _BAND, WIDTH, HEIGHT), card.accent)]
    width = WIDTH - 2 * _MARGIN

    def put(x: float, y: int, text: str, chain: _Chain, fill: str) -> None:
        baseline = y + chain.font.getmetrics()[0]  # the shipped font's baseline, whatever font a run is in
        pieces = chain.runs(text)
        for i, (run, face) in enumerate(pieces):
            runs.append(Run(x, baseline, run, face, chain.size, fill))
            if i + 1 < len(pieces):  # measured only when a run follows (Latin text is one run)
                x += _font_of(face, chain.size).getlength(run)

    y = _MARGIN - 8
    site_text = drawable(card.site, True, fonts)
    if site_text:
        site = _Chain(fonts, True, 30)
        put(_MARGIN, y, wrap(site_text, site, width, 1)[0], site, _SITE)
    y += 52
    kicker_text = drawable(card.kicker, True, fonts)
    if kicker_text:
        kicker = _Chain(fonts, True, 28)
        boxes.append(((_MARGIN, y + 6, _MARGIN + 10, y + 32), card.accent))
        put(_MARGIN + 24, y, wrap(kicker_text, kicker, width - 24, 1)[0], kicker, card.accent)
        y += 56
    y += 16

    title_text = drawable(card.title, True, fonts)
    lines: list[str] = []
    for size in _TITLE_SIZES:
        title = _Chain(fonts, True, size)
        lines = wrap(title_text, title, width, _TITLE_LINES)
        if not lines or not lines[-1].endswith(_ELLIPSIS) or size == _TITLE_SIZES[-1]:
            break
    step = round(size * 1.2)
    for line in lines:
        put(_MARGIN, y, line, title, _TITLE)
        y += step
    summary_text = drawable(card.summary, False, fonts)
    if summary_text:
        summary = _Chain(fonts, False, _SUMMARY_SIZE)
        # The summary sits low on the card, under the title however long that is.
        y = max(y + 24, HEIGHT - _BAND - _MARGIN + 8 - _SUMMARY_LINES * 42)
        for line in wrap(summary_text, summary, width, _SUMMARY_LINES):
            put(_MARGIN, y, line, summary, _SUMMARY)
            y += 42
    return runs, boxes


def draw(card: Card, fonts: Fonts = SYSTEM_FONTS) -> bytes:
    """Draw a card as a 1200x630 PNG."""
    global drawn
    with _counting:
        drawn += 1
    image = Image.new("RGB", (WIDTH, HEIGHT), _BACKGROUND)
    pen = ImageDraw.Draw(image)
    runs, boxes = layout(card, fonts)
    for box, fill in boxes:
        pen.rectangle(box, fill=fill)
    for run in runs:
        pen.text((run.x, run.y), run.text, font=_font_of(run.face, run.size), fill=run.fill, anchor="ls")

    out = BytesIO()
    # A card holds its few colours and their anti-aliased edges, which are blends of a colour
    # with the background: mapped onto those blends, the PNG looks the same, takes a third of
    # the space, and is quick to make (no palette to search for).
    image.quantize(palette=_palette(card.accent), dither=Image.Dither.NONE).save(out, "PNG")
    return out.getvalue()


_BLEND_STEPS = 16  # blends of each colour with the background, the background and the colour included


@lru_cache(maxsize=16)
def _palette(accent: str) -> Image.Image:
    """A palette image of a card's colours and their blends with the background (64 entries)."""
    background = ImageColor.getrgb(_BACKGROUND)
    colours: list[int] = []
    for colour in (_TITLE, _SUMMARY, _SITE, accent):
        rgb = ImageColor.getrgb(colour)
        for step in range(_BLEND_STEPS):
            t = step / (_BLEND_STEPS - 1)
            colours += [round(b + (c - b) * t) for b, c in zip(background, rgb, strict=False)]
    palette = Image.new("P", (1, 1))
    palette.putpalette(colours)
    return palette


# Characters a line never starts with (closing marks) or ends with (opening marks), in CJK text.
_NO_START = set("、。，．！？：；）」』】〕〉》〙〗｝］ー～・…‐々ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")
_NO_END = set("（「『【〔〈《〘〖｛［")


def _wide(char: str) -> bool:
    """A character of a script written without spaces between words (Chinese, Japanese); Korean
    (Hangul) puts spaces between words, and breaks there."""
    return unicodedata.east_asian_width(char) in "WF" and not ("\uac00" <= char <= "\ud7af" or "\u1100" <= char <= "\u11ff"
                                                              or "\u3130" <= char <= "\u318f")


def _tokens(text: str) -> Iterator[tuple[str, bool]]:
    """The pieces a line may break between, and whether each follows the one before with no space:
    words, and each wide (CJK) character on its own, a closing mark kept with what it closes."""
    for word in text.split():
        start = 0
        if word.isascii():
            yield word, False
            continue
        for i in range(1, len(word)):
            before, char = word[i - 1], word[i]
            if (_wide(char) or _wide(before)) and char not in _NO_START and before not in _NO_END:
                yield word[start:i], start > 0
                start = i
        yield word[start:], start > 0


def wrap(text: str, font: _Measure, width: int, max_lines: int) -> list[str]:
    """Break text into at most max_lines lines no wider than width; an ellipsis ends a text cut short.

    Lines break at spaces and between CJK characters; a word wider than a line (a URL) is
    broken between characters."""
    lines: list[str] = []
    current = ""
    cut = False
    for word, joined in _tokens(text):
        trial = f"{current}{'' if joined or not current else ' '}{word}"
        if font.getlength(trial) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        while font.getlength(word) > width and len(lines) <= max_lines:
            n = _fitting(word, font, width)
            lines.append(word[:n])
            word = word[n:]
        current = word
        if len(lines) >= max_lines:
            cut = True
            break
    if current and not cut:
        lines.append(current)
    if len(lines) > max_lines or cut:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + _ELLIPSIS) > width:
            last = last[:-1]
        lines[-1] = last.rstrip(" ,;:.-\u2013\u2014\u3001\u3002") + _ELLIPSIS
    return lines


def _fitting(word: str, font: _Measure, width: int) -> int:
    """How many leading characters of word fit in width (at least one)."""
    low, high = 1, len(word)
    while low < high:
        mid = (low + high + 1) // 2
        if font.getlength(word[:mid]) <= width:
            low = mid
        else:
            high = mid - 1
    return low


def _line(text: str | None) -> str:
    return " ".join(str(text or "").split())
