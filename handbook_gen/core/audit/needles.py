"""What must never appear in a public site: the texts the public variant withholds (as sentences
and fields), the digests of assets it leaves out, and the ids of stories and lessons it leaves out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import markdown

from .. import continuity, projection
from ..loading import Handbook
from ..variants import Variant, View
from ..words import SPACELESS, normalise
from .matching import WordIndex
from .reading import TAG, sha256, unescape_html

# A sentence ends at . ! ? : ; (and their Arabic, Greek, Devanagari forms) before a space, or
# right after a full-width CJK stop, which no space follows.
_SENTENCE_END = re.compile(r"(?<=[.!?:;\u037e\u061f\u06d4\u0964\u0965])\s+|(?<=[\u3002\uff01\uff1f\uff1b\uff1a\uff0e])\s*|\n+")


@dataclass(frozen=True)
class Needle:
    """A piece of content that must not appear in a public site, and why."""

    text: str  # normalised words
    what: str



def _too_short(words: list[str]) -> bool:
    """Too short to be told apart from common text: under 4 characters, spaces included; a
    letter of a script without spaces counts twice (two CJK characters make a name)."""
    length = sum(len(w) for w in words) + len(words) - 1
    return length + sum(1 for w in words if SPACELESS.match(w)) < 4



def _plain(markdown_text: str) -> str:
    rendered = markdown.markdown(markdown_text, extensions=["tables", "fenced_code"])
    return unescape_html(TAG.sub(" ", rendered))


def _sentences(markdown_text: str) -> Iterator[str]:
    """Split prose into sentence-sized pieces worth looking for."""
    yield from _SENTENCE_END.split(_plain(markdown_text))


def needles(hb: Handbook, public: View) -> tuple[list[Needle], dict[str, str], set[str]]:
    """Build what must not leak: text needles, internal asset digests, and private ids."""
    found: list[Needle] = []
    allowed = WordIndex(list(_excusing_text(hb, public)))

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
                assets[sha256(hb.docs_dir / src)] = src
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

