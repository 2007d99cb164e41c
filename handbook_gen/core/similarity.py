"""Stories that say similar things: the suggestions a story page adds to its named related stories.

BM25 weights over each story's title, summary, five whys and body, as one variant's view holds
them: the corpus statistics (how many stories use a word) come from that variant's stories
alone, so a public page's suggestions can neither name an internal story nor be shaped by one.

Linear in the number of stories: each story keeps only its TOP_TERMS heaviest words, and each
word's posting list only its POSTINGS heaviest stories, so scoring a story costs at most
TOP_TERMS x POSTINGS additions however large the handbook. Deterministic: ties go by story id.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .memo import Recent
from .words import normalise

TOP_TERMS = 24  # words kept per story: enough to say what it is about
POSTINGS = 64  # stories kept per word: a word shared by more says little about any pair
MIN_SCORE = 0.08  # below this a "similar" story shares only a few common words
K1, B = 1.2, 0.75  # BM25's usual saturation and length normalisation
# The title and summary say what a story is about more densely than its body: counted again.
FIELD_WEIGHTS = (("title", 3), ("summary", 2), ("five_whys", 1), ("body", 1))


def _texts(story: Any) -> tuple[str, ...]:
    out = []
    for name, _ in FIELD_WEIGHTS:
        value = getattr(story, name)
        out.append(" ".join(value) if isinstance(value, list) else value or "")  # equal texts count the same
    return tuple(out)


def _count(texts: tuple[str, ...]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for (_, weight), text in zip(FIELD_WEIGHTS, texts, strict=True):
        for word, n in Counter(normalise(text).split()).items():
            counts[word] += n * weight
    return counts


# Each story's counted words by its texts: a preview's rebuild counts only the story a save changed.
_COUNTED = Recent(_count)


def terms(story: Any) -> Counter[str]:
    """Count the words of a story's title, summary, five whys and body, the first two weighted (do not change it: it is shared)."""
    return _COUNTED(_texts(story))


def vectors(stories: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Each story's TOP_TERMS heaviest words with their BM25 weights, scaled to unit length."""
    return _weighed(_counted(stories))[1]


def _weighed(counted: Mapping[str, Counter[str]]) -> tuple[Stats, dict[str, dict[str, float]]]:
    """The statistics of counted stories, and each one's vector under them."""
    stats = _stats(counted)
    return stats, {sid: _vector(counts, stats) for sid, counts in counted.items()}


def _counted(stories: Mapping[str, Any]) -> dict[str, Counter[str]]:
    _COUNTED.turn()
    return {sid: terms(s) for sid, s in stories.items()}


Stats = tuple[int, Counter[str], float]  # how many stories, how many use each word, their mean length


def _stats(counted: Mapping[str, Counter[str]]) -> Stats:
    n = len(counted)
    df: Counter[str] = Counter(w for c in counted.values() for w in c)
    mean = (sum(sum(c.values()) for c in counted.values()) / n) if n else 1.0
    return n, df, mean


def _vector(counts: Counter[str], stats: Stats) -> dict[str, float]:
    n, df, mean = stats
    norm = K1 * (1 - B + B * sum(counts.values()) / (mean or 1.0))
    # A word no other story uses cannot make two stories similar: not kept.
    weights = [
        (tf * (K1 + 1) / (tf + norm) * math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5)), w)
        for w, tf in counts.items() if df[w] > 1
    ]
    top = sorted(weights, key=lambda x: (-x[0], x[1]))[:TOP_TERMS]
    length = math.sqrt(sum(x * x for x, _ in top)) or 1.0
    return {w: x / length for x, w in top}


def _postings(vecs: Mapping[str, dict[str, float]]) -> dict[str, list[tuple[float, str]]]:
    postings: dict[str, list[tuple[float, str]]] = {}
    for sid, vec in vecs.items():
        for w, x in vec.items():
            postings.setdefault(w, []).append((x, sid))
    return {w: _capped(items) for w, items in postings.items()}


def _capped(items: list[tuple[float, str]]) -> list[tuple[float, str]]:
    return sorted(items, key=lambda item: (-item[0], item[1]))[:POSTINGS]


def _ranked(sid: str, vec: dict[str, float], postings: Mapping[str, list[tuple[float, str]]], named: Sequence[str], limit: int) -> list[str]:
    wanted = limit - len(named)
    if wanted <= 0:
        return []
    scores: dict[str, float] = {}
    for w, x in vec.items():
        for y, other in postings.get(w, ()):
            scores[other] = scores.get(other, 0.0) + x * y
    skip = {sid, *named}
    # Rounded, so that a tie is a tie whatever order the sums were made in.
    ranked = sorted(((-round(v, 9), o) for o, v in scores.items() if o not in skip and v >= MIN_SCORE))
    return [o for _, o in ranked[:wanted]]


@dataclass
class Kept:
    """What a preview's last suggestions were made from, so that a save suggests again for little.

    A preview (`handbook serve`) passes one Kept to every rebuild. When the same stories are
    there and only a few of their texts changed, the word statistics of the last full
    computation are kept: only the edited stories' words are weighed again, and only the
    suggestions of the edited stories, of stories whose named related stories changed and of
    stories that suggested an edited one are made again. An edited story may therefore not yet
    be suggested on another story's page until the next full computation (a story added or
    removed, many edited, or a build: builds never keep anything). Without a Kept, suggest is
    always the full computation."""

    counted: dict[str, Counter[str]] = field(default_factory=dict)
    stats: Stats | None = None
    vecs: dict[str, dict[str, float]] = field(default_factory=dict)
    postings: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    named: dict[str, tuple[str, ...]] = field(default_factory=dict)
    out: dict[str, list[str]] = field(default_factory=dict)
    limit: int = 0
    full: int = 0  # how many times it computed everything (the tests read it)


def suggest(stories: Mapping[str, Any], named: Mapping[str, Sequence[str]], limit: int = 3, kept: Kept | None = None) -> dict[str, list[str]]:
    """Map each story id to the stories most like it, enough to make `limit` with its named ones."""
    counted = _counted(stories)
    names = {sid: tuple(named.get(sid, ())) for sid in counted}
    if kept is not None and kept.stats is not None and kept.limit == limit and kept.counted.keys() == counted.keys():
        changed = {sid for sid, c in counted.items() if c is not kept.counted[sid] and c != kept.counted[sid]}
        if len(changed) <= max(8, len(counted) // 20):
            return _again(kept, counted, names, changed)
    stats, vecs = _weighed(counted)
    postings = _postings(vecs)
    out = {sid: _ranked(sid, vec, postings, names[sid], limit) for sid, vec in vecs.items()}
    if kept is not None:
        kept.counted, kept.stats, kept.vecs, kept.postings, kept.named, kept.out, kept.limit = counted, stats, vecs, postings, names, out, limit
        kept.full += 1
    return {sid: list(v) for sid, v in out.items()}


def _again(kept: Kept, counted: dict[str, Counter[str]], names: dict[str, tuple[str, ...]], changed: set[str]) -> dict[str, list[str]]:
    """Suggest again after a few stories' texts changed, with the kept word statistics."""
    assert kept.stats is not None
    for sid in sorted(changed):
        old, new = kept.vecs[sid], _vector(counted[sid], kept.stats)
        kept.vecs[sid] = new
        for w in old.keys() | new.keys():
            items = [item for item in kept.postings.get(w, []) if item[1] != sid]
            if w in new:
                items.append((new[w], sid))
            kept.postings[w] = _capped(items)
    redo = changed | {sid for sid in counted if names[sid] != kept.named.get(sid)}
    redo |= {sid for sid, shown in kept.out.items() if changed.intersection(shown)}
    for sid in sorted(redo):
        kept.out[sid] = _ranked(sid, kept.vecs[sid], kept.postings, names[sid], kept.limit)
    kept.counted, kept.named = counted, names
    return {sid: list(v) for sid, v in kept.out.items()}
