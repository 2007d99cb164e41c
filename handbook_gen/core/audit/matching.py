"""Matching needles in the texts of a site: a word index of short word sequences, long texts
in overlapping windows, and ids where a URL or file name would hold them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import compress, count, islice
from typing import Generic, Protocol, TypeVar

from ..words import WINDOW, normalise

SHINGLE = 4
# An id where a URL or file name would hold it: `/2021/the-id/`, `the-id.md`, `"the-id"`, in
# any case (ASCII only: no `K` sign read as a k), so no lower-cased copy of a file is made. The
# atomic group never gives back a character: a shorter prefix of a run could not be followed by
# `.`, `/` or `"` anyway, and without it a long run could be re-tried piece by piece.
_ID_IN_URL = re.compile(r"(?<![a-z0-9-])((?>[a-z0-9]+(?:-[a-z0-9]+)*))(?=\.md|/|\.html|\")", re.IGNORECASE | re.ASCII)


class WordIndex:
    """Normalised text with its short word sequences indexed, for fast phrase look-ups.

    text: a text (already normalised if said so), or pieces of text no phrase may span.
    only: index only these word sequences (a phrase of SHINGLE words or more is then found
    only if it starts with one of them)."""

    def __init__(self, text: str | Iterable[str], only: set[tuple[str, ...]] | None = None, *, normalised: bool = False) -> None:
        if isinstance(text, str):
            self.text = text if normalised else normalise(text)
        else:  # "\0" is never part of a normalised word: a phrase cannot run across it.
            self.text = " \0 ".join(normalise(t) for t in text)
        words = self.text.split()
        self.words = set(words)
        shingles = zip(*(islice(words, i, None) for i in range(SHINGLE)), strict=False)
        if only is None:
            self.grams = set(shingles)
        else:  # looked up at C speed; only the few found are kept
            self.grams = {tuple(words[i : i + SHINGLE]) for i in compress(count(), map(only.__contains__, shingles))}

    def __contains__(self, phrase: str) -> bool:
        words = tuple(phrase.split())
        # A long phrase must start with an indexed shingle: most look-ups stop there.
        if len(words) >= SHINGLE and words[:SHINGLE] not in self.grams:
            return False
        if not self.words.issuperset(words):  # a cheap test before the substring search
            return False
        return f" {' '.join(words)} " in self.text



def ids_in(text: str, private_ids: set[str]) -> set[str]:
    """The private ids a text holds where a URL or file name would, looked for a window at a
    time: a file of a million id-like words is never listed whole."""
    overlap = max(map(len, private_ids), default=0) + len(".html") + 1
    found: set[str] = set()
    for start in range(0, max(len(text) - overlap, 1), WINDOW):
        # The pattern looks behind `start`, and not past the window's end.
        found |= {word.lower() for word in set(_ID_IN_URL.findall(text, start, start + WINDOW + overlap))} & private_ids
    return found


def windows(norm: str, overlap: int) -> Iterator[str]:
    """A long normalised text in windows of WINDOW characters, each overlapping the next by
    `overlap`: a phrase no longer than that lies whole in the window where it starts."""
    step = max(WINDOW, 4 * overlap)
    for start in range(0, max(len(norm) - overlap, 1), step):
        yield norm[start : start + step + overlap]



class _Phrase(Protocol):
    @property
    def text(self) -> str: ...  # normalised words


N = TypeVar("N", bound=_Phrase)


class Matcher(Generic[N]):
    """Needles grouped by their first words: a window of a text indexes only the word
    sequences some needle starts with, and only those needles are looked up in it."""

    def __init__(self, needles: Iterable[N]) -> None:
        self.by_first: dict[tuple[str, ...], list[N]] = {}
        self.short: list[N] = []
        self.longest = 0
        for n in needles:
            words = tuple(n.text.split())
            if len(words) >= SHINGLE:
                self.by_first.setdefault(words[:SHINGLE], []).append(n)
            else:
                self.short.append(n)
            self.longest = max(self.longest, len(n.text))
        self.shingles = set(self.by_first)

    def find(self, text: str, wanted: Callable[[N], bool]) -> Iterator[N]:
        """Yield each wanted needle the text holds, asking wanted again before each look-up."""
        for window in windows(normalise(text), self.longest):
            # Only needles whose first words occur in this window can be in it: only those are indexed.
            hay = WordIndex(window, self.shingles, normalised=True)
            for n in [n for key in hay.grams for n in self.by_first[key]] + self.short:
                if wanted(n) and n.text in hay:
                    yield n
