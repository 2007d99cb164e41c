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
from typing import Any

from .words import normalise

TOP_TERMS = 24  # words kept per story: enough to say what it is about
POSTINGS = 64  # stories kept per word: a word shared by more says little about any pair
MIN_SCORE = 0.08  # below this a "similar" story shares only a few common words
K1, B = 1.2, 0.75  # BM25's usual saturation and length normalisation
# The title and summary say what a story is about more densely than its body: counted again.
FIELD_WEIGHTS = (("title", 3), ("summary", 2), ("five_whys", 1), ("body", 1))


def terms(story: Any) -> Counter[str]:
    """Count the words of a story's title, summary, five whys and body, the first two weighted."""
    counts: Counter[str] = Counter()
    for name, weight in FIELD_WEIGHTS:
        value = getattr(story, name)
        text = " ".join(value) if isinstance(value, list) else value or ""
        for word, n in Counter(normalise(text).split()).items():
            counts[word] += n * weight
    return counts


def vectors(stories: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Each story's TOP_TERMS heaviest words with their BM25 weights, scaled to unit length."""
    counted = {sid: terms(s) for sid, s in stories.items()}
    n = len(counted)
    df: Counter[str] = Counter(w for c in counted.values() for w in c)
    lengths = {sid: sum(c.values()) for sid, c in counted.items()}
    mean = (sum(lengths.values()) / n) if n else 1.0
    out: dict[str, dict[str, float]] = {}
    for sid, counts in counted.items():
        norm = K1 * (1 - B + B * lengths[sid] / (mean or 1.0))
        # A word no other story uses cannot make two stories similar: not kept.
        weights = [
            (tf * (K1 + 1) / (tf + norm) * math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5)), w)
            for w, tf in counts.items() if df[w] > 1
        ]
        top = sorted(weights, key=lambda x: (-x[0], x[1]))[:TOP_TERMS]
        length = math.sqrt(sum(x * x for x, _ in top)) or 1.0
        out[sid] = {w: x / length for x, w in top}
    return out


def suggest(stories: Mapping[str, Any], named: Mapping[str, Sequence[str]], limit: int = 3) -> dict[str, list[str]]:
    """Map each story id to the stories most like it, enough to make `limit` with its named ones."""
    vecs = vectors(stories)
    postings: dict[str, list[tuple[float, str]]] = {}
    for sid, vec in vecs.items():
        for w, x in vec.items():
            postings.setdefault(w, []).append((x, sid))
    for w, items in postings.items():
        postings[w] = sorted(items, key=lambda item: (-item[0], item[1]))[:POSTINGS]
    out: dict[str, list[str]] = {}
    for sid, vec in vecs.items():
        wanted = limit - len(named.get(sid, ()))
        if wanted <= 0:
            out[sid] = []
            continue
        scores: dict[str, float] = {}
        for w, x in vec.items():
            for y, other in postings[w]:
                scores[other] = scores.get(other, 0.0) + x * y
        skip = {sid, *named.get(sid, ())}
        # Rounded, so that a tie is a tie whatever order the sums were made in.
        ranked = sorted(((-round(v, 9), o) for o, v in scores.items() if o not in skip and v >= MIN_SCORE))
        out[sid] = [o for _, o in ranked[:wanted]]
    return out
