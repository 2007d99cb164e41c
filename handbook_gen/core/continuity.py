"""A story's old addresses keep answering: a renamed story's redirect, a withdrawn story's notice.

A story names its former file paths (`formerly: [2021/old-name.md]`): each answers with a
page that sends the reader to the story. A story withdrawn on purpose (`withdrawn: reason`)
that was public (it holds a clearance block, or says `visibility: internal`) answers on the
public site, at its own address and its former ones, with a page saying it is no longer
available and nothing else of it. The build puts these pages in its page table; `check`
keeps their addresses free (HB209); `diff` reads the same table to know that an old address
still answers.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from . import layout
from .diagnostics import Diagnostic, error
from .model import Handbook, StoryEntry


@dataclass(frozen=True)
class Former:
    """An address a story no longer has a page at, and what answers there."""

    src: str  # the address, as the source of a page would give it (2021/old-name.md)
    story: str  # the id of the story it belongs to
    target: str | None  # the story's page (its src), or None: the story is no longer available


def former_src(story: StoryEntry, entry: str) -> str:
    """The source an entry of `formerly` names: a path in the content folder, or an id in the story's folder."""
    name = entry if entry.endswith(".md") else entry + ".md"
    if "/" in entry:
        return name
    folder = posixpath.dirname(story.src)
    return f"{folder}/{name}" if folder else name


def was_public(story: StoryEntry) -> bool:
    """Tell whether a withdrawn story was on the public site: it was cleared, or made internal."""
    meta = story.meta
    return meta.withdrawn is not None and (meta.clearance is not None or meta.visibility == "internal")


def formers(hb: Handbook, shown: Collection[str], public: bool) -> list[Former]:
    """Every old address a variant answers at; shown: the ids of the stories the variant shows.

    A shown story's former addresses redirect to it. In the public variant, a withdrawn story
    that was public answers, at its address and its former ones, that it is no longer available."""
    out: dict[str, Former] = {}
    for sid, story in sorted(hb.stories.items()):
        if sid in shown:
            target: str | None = story.src
        elif public and was_public(story):
            target = None
            out.setdefault(story.src, Former(story.src, sid, None))
        else:
            continue
        for entry in story.meta.formerly:
            out.setdefault(former_src(story, entry), Former(former_src(story, entry), sid, target))
    return list(out.values())


def check(hb: Handbook) -> list[Diagnostic]:
    """A former address must be free: no file of the content, no path the build writes, no other story's (HB209)."""
    problems: list[Diagnostic] = []
    files = set(hb.sources) | set(hb.assets)
    claimed: dict[str, str] = {}
    for story, i, src in _entries(hb):
        line, col = story.doc.where(("formerly", i))
        taken = layout.taken_by(src)
        if src in files:
            what = "the story's own file" if src == story.src else f"the file '{src}' that exists"
            why = f"'formerly': '{src}' is {what}: a former address must be one nothing else has now"
        elif taken is not None:
            why = f"'formerly': '{src}' is where the build writes {taken.what} '{taken.name}'"
        elif src in claimed and claimed[src] != story.id:
            why = f"'formerly': '{src}' is also a former address of story '{claimed[src]}': one address can lead to one story"
        else:
            claimed[src] = story.id
            continue
        problems.append(error("HB209", story.path, line, why, col=col))
    return problems


def _entries(hb: Handbook) -> Iterator[tuple[StoryEntry, int, str]]:
    for _, story in sorted(hb.stories.items()):
        for i, entry in enumerate(story.meta.formerly):
            yield story, i, former_src(story, entry)
