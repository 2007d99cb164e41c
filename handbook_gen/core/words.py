"""Text as words, the same in every script: how the audit and `check` compare texts.

A quoted title is found whatever the markup, punctuation, case, width or diacritics around it:
both sides are NFKC-normalised, case-folded and cut into words first.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Scripts written without spaces between words (CJK, kana, Hangul, Thai, Lao, Myanmar, Khmer):
# each of their letters is a word of its own, so a phrase is still a sequence of words.
SPACELESS = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff66-\uffdc"
    "\U0001aff0-\U0001b16f\U00020000-\U0003ffff]"
)
# How normalise writes ASCII (once lower-cased): letters and digits kept, anything else a space.
_ASCII = {i: " " for i in range(128) if not chr(i).isalnum()}
_ASCII_ALL = {i: chr(i) for i in range(128)} | _ASCII
# normalise works on this many characters at a time, so that a long file's words are never all
# listed at once (the audit searches long normalised texts in windows of the same size).
WINDOW = 1 << 20


def normalise(text: str) -> str:
    """Words separated by single spaces, in any script: markup and punctuation ignored.

    NFKC-normalised and case-folded; a word is a run of Unicode letters and digits (combining
    marks dropped, so optional diacritics such as Arabic harakat do not matter; other decimal
    digits written as 0-9); a letter of a script written without spaces (CJK, kana, Hangul,
    Thai...) is a word of its own."""
    if text.isascii():  # NFKC and case folding of ASCII are lower()
        folded = text.lower().translate(_ASCII)
    else:
        folded = unicodedata.normalize("NFKC", text).casefold().translate(_Folding(_ASCII_ALL))
    # Only letters, digits and spaces are left, spaces to be made single: a window at a time
    # (cut at a space), so that a long file's words are never all listed at once.
    pieces = []
    start = 0
    while start < len(folded):
        end = folded.find(" ", start + WINDOW)
        end = len(folded) if end < 0 else end
        if words := folded[start:end].split():
            pieces.append(" ".join(words))
        start = end
    return " ".join(["", *pieces, ""]) if pieces else "  "


class _Folding(dict[int, str]):
    """The str.translate table of normalise: a character not in it yet is worked out when met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold(chr(code))
        return folded


@lru_cache(maxsize=1 << 16)
def _fold(c: str) -> str:
    """How normalise writes one character, already NFKC-normalised and case-folded."""
    if c.isalnum():
        if SPACELESS.match(c):
            return f" {c} "
        if c.isdecimal():
            return str(unicodedata.decimal(c))
        return c
    return "" if unicodedata.category(c).startswith("M") else " "
