"""What the public site may show of each entry, and what it must never show, derived from the schema.

Each field of the schema says once, with a `Public` marker, whether and how the public site
shows it; each text says with a `Words` marker that it is words someone reads. This module
reads only those markers (it walks `model_fields`), so a field added to a model is covered by
the clearance digest, the quote checks (HB307, HB308), the audit and the public views without
another edit. A field without a marker is never shown (fail closed).
"""

from __future__ import annotations

import types
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import to_jsonable_python

from . import walk
from .model import Handbook, LessonEntry, PageEntry, StoryEntry
from .schema import NEVER, Author, Public, Show, Words
from .segments import Body

BODY_WORDS = Words(6, 6)  # a sentence of a body that is not public: shorter ones are common
SECTION_WORDS = Words(3, 3)  # a sentence of an internal section or a comment
FREE_WORDS = Words(1, 3)  # a value of a free-form mapping such as `internal`

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Piece:
    """A text of an entry: where it is, the text, and how many of its words identify it."""

    path: Path  # front-matter key path, ("body",) for body text
    text: str
    words: Words
    reason: str = ""  # why it is withheld from a public entry
    free_form: bool = False  # a value of a free-form mapping (the `internal` one)

    @property
    def label(self) -> str:
        """Name where the text is: "body", or "field 'timeline.event'"."""
        if self.path[:1] == ("body",):
            return "body"
        return "field '" + ".".join(str(p) for p in self.path if isinstance(p, str)) + "'"


@dataclass
class Split:
    """A model as the public site shows it: its public data, the texts shown and the texts withheld."""

    public: dict[str, Any] = field(default_factory=dict)
    shown: list[Piece] = field(default_factory=list)
    withheld: list[Piece] = field(default_factory=list)


def rule(info: FieldInfo) -> Public:
    """Return how the public site shows a field: its marker, or never."""
    return next((m for m in info.metadata if isinstance(m, Public)), NEVER)


# A model's split, by the model object: a preview's rebuild keeps the models of the files the
# save left alone (loading.py), so only the edited one is split again. An entry goes with its
# model (a weak reference), so memory stays flat however long the preview runs.
_SPLITS: dict[int, tuple[weakref.ref[BaseModel], Split]] = {}


def split(model: BaseModel, path: Path = ()) -> Split:
    """Split a model's fields into what the public site shows of them and what it withholds."""
    if path:
        return _split(model, path)
    key = id(model)
    hit = _SPLITS.get(key)
    if hit is None or hit[0]() is not model:

        def forget(ref: weakref.ref[BaseModel], key: int = key) -> None:
            if key in _SPLITS and _SPLITS[key][0] is ref:
                del _SPLITS[key]

        hit = (weakref.ref(model, forget), _split(model, ()))
        _SPLITS[key] = hit
    done = hit[1]
    return Split(dict(done.public), list(done.shown), list(done.withheld))  # a caller's edits stay its own


def _split(model: BaseModel, path: Path) -> Split:
    out = Split()
    fields = type(model).model_fields
    later: list[tuple[str, FieldInfo, Public]] = []
    for name, info in fields.items():
        how = rule(info)
        value = getattr(model, name)
        here = (*path, name)
        if how.show is Show.INSTEAD_OF:
            later.append((name, info, how))
        elif how.show is Show.NEVER or (how.show is Show.WHEN and not getattr(model, how.target, False)):
            out.withheld += texts(value, info, here, how.describe())
        elif how.show is Show.COUNTS:
            out.public[name] = [to_jsonable_python(getattr(item, how.target)) for item in value]
            out.withheld += texts(value, info, here, how.describe())
        elif not (how.later and not value):
            public, shown, withheld = _value(value, info.annotation, tuple(info.metadata), here)
            out.public[name] = public
            out.shown += shown
            out.withheld += withheld
    for name, info, how in later:  # after the field they stand in for
        value = getattr(model, name)
        if not value:
            continue
        replaced = [p for p in out.shown if p.path[len(path)] == how.target]
        out.shown = [p for p in out.shown if p.path[len(path)] != how.target]
        out.withheld += [_because(p, f"'{name}' is shown in its place") for p in replaced]
        public, shown, withheld = _value(value, info.annotation, tuple(info.metadata), (*path, name))
        out.public[how.target] = public
        out.shown += shown
        out.withheld += withheld
    return out


def _because(piece: Piece, reason: str) -> Piece:
    return Piece(piece.path, piece.text, piece.words, piece.reason or reason, piece.free_form)


def _value(value: Any, annotation: Any, metadata: tuple[Any, ...], path: Path) -> tuple[Any, list[Piece], list[Piece]]:
    """Return (public data, texts shown, texts withheld) of a value shown as it is."""
    if isinstance(value, BaseModel):
        inner = split(value, path)
        return inner.public, inner.shown, inner.withheld
    if isinstance(value, list):
        data, shown, withheld = [], [], []
        item = _item(annotation)
        for i, v in enumerate(value):
            d, s, w = _value(v, item, (), (*path, i))
            data.append(d)
            shown += s
            withheld += w
        return data, shown, withheld
    return value, list(_texts(value, annotation, metadata, path, "")), []


def texts(value: Any, info: FieldInfo | None, path: Path, reason: str = "") -> list[Piece]:
    """Every text a value holds, each with where it is and how many words identify it."""
    if info is None:
        return list(_texts(value, None, (), path, reason))
    return list(_texts(value, info.annotation, tuple(info.metadata), path, reason))


def _texts(value: Any, annotation: Any, metadata: tuple[Any, ...], path: Path, reason: str) -> Iterator[Piece]:
    if value is None:
        return
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from _texts(getattr(value, name), info.annotation, tuple(info.metadata), (*path, name), reason)
    elif isinstance(value, dict):  # free-form: every text in it
        for i, text in enumerate(walk.strings(value, numbers=True)):
            yield Piece((*path, i), text, FREE_WORDS, reason, free_form=True)
    elif isinstance(value, list | tuple):
        item = _item(annotation)
        for i, v in enumerate(value):
            yield from _texts(v, item, (), (*path, i), reason)
    elif isinstance(value, str) and (words := _words(annotation, metadata)) is not None:
        yield Piece(path, value, words, reason)


def _words(annotation: Any, metadata: tuple[Any, ...] = ()) -> Words | None:
    """Return the Words marker of a type (through Annotated and `| None`), if it is words."""
    found = next((m for m in metadata if isinstance(m, Words)), None)
    if found is not None:
        return found
    origin = get_origin(annotation)
    if origin is Annotated:
        return _words(get_args(annotation)[0], tuple(annotation.__metadata__))
    if origin in (Union, types.UnionType):
        return next((w for a in get_args(annotation) if (w := _words(a)) is not None), None)
    return None


def _item(annotation: Any) -> Any:
    """Return the item type of a list type (through Annotated and `| None`)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _item(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return next((i for a in get_args(annotation) if (i := _item(a)) is not None), None)
    if origin in (list, tuple):
        args = get_args(annotation)
        return args[0] if args else None
    return None


def all_texts(model: BaseModel) -> list[Piece]:
    """Every text of a model's fields, shown or not."""
    parts = split(model)
    return parts.shown + parts.withheld


def body_text(body: Body) -> str:
    """Return a body's public text as the clearance digest reads it: lines without trailing spaces."""
    text = body.public_text()
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def body_withheld(body: Body) -> list[Piece]:
    """The texts of a body the public site never shows: its internal sections and comments."""
    pieces = [Piece(("body",), text, SECTION_WORDS, "internal section") for text in body.internal_texts()]
    pieces += [Piece(("body",), body.text[a:b], SECTION_WORDS, "comment") for a, b in body.comments if not body.in_section(_line(body, a))]
    return pieces


def _outside_sections(body: Body) -> str:
    """Return a body without its internal sections (comments kept)."""
    lines = body.lines
    return "\n".join(row for i, row in enumerate(lines) if not body.in_section(i))


def _line(body: Body, offset: int) -> int:
    return body.text.count("\n", 0, offset)


def story_content(story: StoryEntry) -> dict[str, Any]:
    """Return a story's content as the public variant would show it: what a clearance covers."""
    data = split(story.meta).public
    data["body"] = body_text(story.parsed)
    if story.assets:  # only when there are any, so a story without files keeps its digest
        data["assets"] = dict(sorted(story.assets.items()))
    return data


# --- the whole handbook ------------------------------------------------------------------------


Entry = StoryEntry | LessonEntry | PageEntry


@dataclass(frozen=True)
class Withheld:
    """A text that must never appear on the public site, and whose it is."""

    piece: Piece
    kind: str  # story, lesson, page, author
    key: str  # id, src, or author id
    path: str  # the file, for messages
    public: bool  # the entry is on the public site (the piece is a withheld part of it)
    why: str = ""  # why the entry is not public ("internal", "draft", "not cleared")

    @property
    def what(self) -> str:
        """Say what the text is and whose, e.g. "field 'title' of internal story 'x'"."""
        piece = self.piece
        body = piece.path[:1] == ("body",)
        label = (piece.reason or "body") if body else piece.label
        owner = f"{self.kind} '{self.key}'" if self.public else f"{self.why} {self.kind} '{self.key}'"
        why = f" ({piece.reason})" if self.public and not body and piece.reason else ""
        return f"{label} of {owner}{why}"


def is_public(entry: Entry) -> bool:
    """Tell whether an entry is on the public site."""
    if isinstance(entry, StoryEntry):
        return entry.publication.public
    return entry.meta.visibility == "public"


def _why(entry: Entry) -> str:
    if isinstance(entry, StoryEntry):
        if entry.meta.withdrawn is not None:
            return "withdrawn"
        if entry.is_draft and entry.meta.visibility == "public":
            return "draft"
        return "internal" if entry.meta.visibility != "public" else "not cleared"
    return "internal"


def entries(hb: Handbook) -> Iterator[tuple[str, str, Entry]]:
    """Every story, lesson and page: (kind, key, entry)."""
    for sid, s in hb.stories.items():
        yield "story", sid, s
    for lid, lesson in hb.lessons.items():
        yield "lesson", lid, lesson
    for src, page in hb.pages.items():
        yield "page", src, page


def withheld(hb: Handbook) -> Iterator[Withheld]:
    """Every text of a handbook the public site must never show: all the texts of each entry
    that is not public, the withheld parts of those that are, and the names of authors who are not public."""
    for kind, key, entry in entries(hb):
        public = is_public(entry)
        if public:
            pieces = split(entry.meta).withheld + body_withheld(entry.parsed)
        else:
            pieces = all_texts(entry.meta) + [Piece(("body",), _outside_sections(entry.parsed), BODY_WORDS)]
            pieces += body_withheld(entry.parsed)
        why = "" if public else _why(entry)
        yield from (Withheld(p, kind, key, entry.path, public, why) for p in pieces)
    for aid, author in hb.authors.items():
        for p in split(author).withheld:
            yield Withheld(p, "author", aid, "authors.yml", False, "non-public")


def shown(entry: Entry) -> list[Piece]:
    """The texts of an entry's fields the public site shows (when the entry is public)."""
    return split(entry.meta).shown


def public_name(author: Author) -> str | None:
    """Return an author's name if the public site may show it."""
    return split(author).public.get("name")


def public_handbook(hb: Handbook) -> dict[str, Any]:
    """Project a whole handbook publicly into plain comparable data (JSON types only): its public
    stories, lessons and pages as the public site shows them (links only to public entries,
    authors by public name) and the public authors' names."""
    lessons = {lid for lid, lesson in hb.lessons.items() if is_public(lesson)}
    stories = {sid for sid, s in hb.stories.items() if is_public(s)}

    def resolve(model: BaseModel, data: dict[str, Any], targets: dict[str, set[str]]) -> dict[str, Any]:
        for name, info in type(model).model_fields.items():
            how = rule(info).show
            if name not in data:
                continue
            if how is Show.PUBLIC_TARGETS:
                data[name] = [t for t in data[name] if t in targets[name]]
            elif how is Show.PUBLIC_NAMES:
                data[name] = [_label(hb, a) for a in data[name]]
        return data

    out: dict[str, Any] = {"stories": {}, "lessons": {}, "pages": {}, "authors": {}}
    for sid in sorted(stories):
        s = hb.stories[sid]
        out["stories"][sid] = resolve(s.meta, story_content(s), {"lessons": lessons, "related": stories}) | {"src": s.src}
    for lid in sorted(lessons):
        lesson = hb.lessons[lid]
        data = split(lesson.meta).public | {"src": lesson.src, "body": body_text(lesson.parsed)}
        out["lessons"][lid] = resolve(lesson.meta, data, {"related": lessons})
    for src, page in sorted(hb.pages.items()):
        if is_public(page):
            out["pages"][src] = split(page.meta).public | {"body": body_text(page.parsed)}
    out["authors"] = {aid: name for aid, a in sorted(hb.authors.items()) if (name := public_name(a)) is not None}
    result: dict[str, Any] = to_jsonable_python(out)
    return result


def _label(hb: Handbook, author_id: str) -> str:
    """Return how the public site names an author: by name if public, else by team or as a colleague."""
    author = hb.authors.get(author_id)
    if author is None:
        return author_id
    name = public_name(author)
    if name is not None:
        return name
    return f"a member of the {author.team.replace('-', ' ')} team" if author.team else "a colleague"
