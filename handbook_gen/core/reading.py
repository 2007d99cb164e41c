"""Reading time: how long a page takes to read, from the words it shows."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .memo import Recent

WORDS_PER_MINUTE = 220  # an adult's silent reading of prose, 200-230 in most studies

# What a reader never reads as words: a link's or image's target, HTML tags, attribute lists.
_NOT_READ = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|<[^>]*>|\{[:.#][^}]*\}")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def words(texts: Iterable[str | None]) -> int:
    """Count the words of texts (Markdown): link targets, tags and attribute lists left out."""
    return sum(COUNTED(text) for text in texts if text)


def _count(text: str) -> int:
    return len(_WORD.findall(_NOT_READ.sub("]", text)))


# A text's words, counted once: a preview's rebuild counts only the texts a save changed.
# variants.select turns it once per view.
COUNTED = Recent(_count)


def minutes(texts: Iterable[str | None]) -> int:
    """Minutes to read texts at WORDS_PER_MINUTE, rounded, at least one."""
    return max(1, (words(texts) + WORDS_PER_MINUTE // 2) // WORDS_PER_MINUTE)
