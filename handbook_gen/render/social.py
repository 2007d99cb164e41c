"""Link-preview images: the 1200x630 PNG a chat or social site shows when a page is shared.

Drawn at build time with Pillow, in the DejaVu Sans font shipped beside this module (no
system font, library or network is needed: Pillow's own FreeType reads it). An image is
drawn only from the Card it is given, and a card is made only from a variant's View, so a
public image holds exactly what the public page shows.

Images are cached by a hash of exactly the text drawn (and DRAWING, the version of the
drawing): an unchanged story costs a file look-up on the next build. No MkDocs here.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont

from ..core.variants import LessonView, StoryView
from .pages import label

DRAWING = "3"  # 2: PNGs quantised to 64 colours; 3: onto the blends of the card's colours
"""Bump when the drawing changes: every cached image is then drawn again."""

WIDTH, HEIGHT = 1200, 630
FONTS = Path(__file__).resolve().parent / "fonts"
CACHE = Path(".cache") / "handbook" / "social"
"""Where the images are cached, under the project root (the system temp folder if that is read-only)."""

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


@dataclass(frozen=True)
class Card:
    """Exactly the text and colour one image shows."""

    site: str
    title: str
    kicker: str = ""  # "Incident · Major · 2021", "Lesson"
    summary: str = ""
    accent: str = ACCENTS["site"]

    def key(self) -> str:
        """The content hash that names the image: of the text drawn and the drawing's version."""
        text = json.dumps([DRAWING, *astuple(self)], ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def story_card(site: str, story: StoryView) -> Card:
    """A story's card: its title, kind, severity and year, and its summary as the view shows it
    (the public view holds the public summary)."""
    kicker = " \u00b7 ".join([label(story.kind), *([label(story.severity)] if story.severity else []), str(story.date.year)])
    return Card(_line(site), _line(story.title), kicker, _line(story.summary), ACCENTS.get(story.kind, ACCENTS["other"]))


def lesson_card(site: str, lesson: LessonView) -> Card:
    return Card(_line(site), _line(lesson.title), "Lesson", _line(lesson.summary), ACCENTS["lesson"])


def page_card(site: str, title: str, summary: str = "", kicker: str = "", accent: str = ACCENTS["site"]) -> Card:
    return Card(_line(site), _line(title), _line(kicker), _line(summary), accent)


def cache_dir(root: Path) -> Path:
    """The cache folder for a project: ROOT/.cache/handbook/social, or the temp folder's."""
    for folder in (root / CACHE, Path(tempfile.gettempdir()) / "handbook-social"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if folder == root / CACHE:
                # Like .pytest_cache: git never sees the cache, whatever the repository ignores.
                ignore = root / CACHE.parts[0] / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("# Created by handbook_gen: a cache of link-preview images.\n*\n", encoding="utf-8")
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    raise OSError(f"no writable folder for link-preview images ({root / CACHE})")


def ensure(card: Card, folder: Path) -> Path:
    """The card's image in the cache folder, drawn only if it is not there yet."""
    path = folder / f"{card.key()}.png"
    if path.is_file():
        return path
    data = draw(card)
    # Written whole, then renamed: a build running beside this one never reads half an image.
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=".draw-", suffix=".png")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def ensure_all(cards: list[Card], folder: Path) -> list[Path]:
    """Each card's image in the cache folder, in the cards' order; the ones not there yet are
    drawn a few at a time (Pillow draws and encodes without holding Python's lock, so threads
    share the cores)."""
    paths = [folder / f"{card.key()}.png" for card in cards]
    missing = list({path: card for path, card in zip(paths, cards, strict=True) if not path.is_file()}.values())
    if len(missing) < 2:
        for card in missing:
            ensure(card, folder)
    else:
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            for _ in pool.map(lambda card: ensure(card, folder), missing):
                pass
    return paths


def draw(card: Card) -> bytes:
    """Draw a card as a 1200x630 PNG."""
    global drawn
    with _counting:
        drawn += 1
    image = Image.new("RGB", (WIDTH, HEIGHT), _BACKGROUND)
    pen = ImageDraw.Draw(image)
    width = WIDTH - 2 * _MARGIN
    pen.rectangle((0, HEIGHT - _BAND, WIDTH, HEIGHT), fill=card.accent)

    y = _MARGIN - 8
    site = _font(True, 30)
    pen.text((_MARGIN, y), wrap(card.site, site, width, 1)[0] if card.site else "", font=site, fill=_SITE)
    y += 52
    if card.kicker:
        kicker = _font(True, 28)
        pen.rectangle((_MARGIN, y + 6, _MARGIN + 10, y + 32), fill=card.accent)
        pen.text((_MARGIN + 24, y), wrap(card.kicker, kicker, width - 24, 1)[0], font=kicker, fill=card.accent)
        y += 56
    y += 16

    for size in _TITLE_SIZES:
        title = _font(True, size)
        lines = wrap(card.title, title, width, _TITLE_LINES)
        if not lines or not lines[-1].endswith(_ELLIPSIS) or size == _TITLE_SIZES[-1]:
            break
    step = round(size * 1.2)
    for line in lines:
        pen.text((_MARGIN, y), line, font=title, fill=_TITLE)
        y += step
    if card.summary:
        summary = _font(False, _SUMMARY_SIZE)
        # The summary sits low on the card, under the title however long that is.
        y = max(y + 24, HEIGHT - _BAND - _MARGIN + 8 - _SUMMARY_LINES * 42)
        for line in wrap(card.summary, summary, width, _SUMMARY_LINES):
            pen.text((_MARGIN, y), line, font=summary, fill=_SUMMARY)
            y += 42

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


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """Break text into at most max_lines lines no wider than width; an ellipsis ends a text cut short.

    A word wider than a line (a URL, or text in a script written without spaces) is broken
    between characters."""
    lines: list[str] = []
    current = ""
    cut = False
    for word in text.split():
        trial = f"{current} {word}" if current else word
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
        lines[-1] = last.rstrip(" ,;:.-\u2013\u2014") + _ELLIPSIS
    return lines


def _fitting(word: str, font: ImageFont.FreeTypeFont, width: int) -> int:
    """How many leading characters of word fit in width (at least one)."""
    low, high = 1, len(word)
    while low < high:
        mid = (low + high + 1) // 2
        if font.getlength(word[:mid]) <= width:
            low = mid
        else:
            high = mid - 1
    return low


@lru_cache(maxsize=16)
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def _line(text: str | None) -> str:
    return " ".join(str(text or "").split())
