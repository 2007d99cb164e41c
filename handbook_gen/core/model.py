"""The content model: a handbook's stories, lessons and pages as loaded and validated.

Every fact about an entry is derived once, when it is loaded: its parsed body and, for
a story, its publication (whether and why it is on the public site).
"""

from __future__ import annotations

import functools
import os
import posixpath
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from .frontmatter import Document
from .schema import Author, Lesson, Page, Story, Team
from .segments import Body


class Status(StrEnum):
    """Where a story stands with the public site."""

    PUBLIC = "public"  # cleared, unchanged since: in the public site
    INTERNAL = "internal"  # visibility internal: never public
    NOT_CLEARED = "not cleared"
    STALE = "edited since clearance"
    DRAFT = "draft"  # public and cleared, but a draft: in no build yet
    WITHDRAWN = "withdrawn"  # `withdrawn:` set: off the public site on purpose, its address says so


@dataclass(frozen=True)
class Publication:
    """A story's publication, decided once at load."""

    status: Status
    digest: str  # of the story's current public content
    cleared: bool  # the clearance matches that digest

    @property
    def public(self) -> bool:
        return self.status is Status.PUBLIC


@dataclass
class StoryEntry:
    """A failure story: its id, where it lives, its validated front-matter and parsed body."""

    id: str
    src: str  # relative to docs_dir, with forward slashes
    path: str  # relative to the project root, for diagnostics
    meta: Story
    doc: Document
    parsed: Body
    # Local files the story's public text links to, with the sha256 of their bytes:
    # part of the content a clearance covers.
    assets: dict[str, str] = field(default_factory=dict)
    publication: Publication = field(default_factory=lambda: Publication(Status.INTERNAL, "", False))

    @property
    def body(self) -> str:
        return self.doc.body

    @property
    def is_draft(self) -> bool:
        return self.meta.status == "draft"


@dataclass
class LessonEntry:
    """A lesson: what stories taught."""

    id: str
    src: str
    path: str
    meta: Lesson
    doc: Document
    parsed: Body

    @property
    def body(self) -> str:
        return self.doc.body


@dataclass
class PageEntry:
    """A hand-written page directly in the docs folder."""

    src: str
    path: str
    meta: Page
    doc: Document
    parsed: Body


@dataclass
class Handbook:
    """All content of a handbook, validated."""

    root: Path
    docs_dir: Path
    stories: dict[str, StoryEntry] = field(default_factory=dict)
    lessons: dict[str, LessonEntry] = field(default_factory=dict)
    pages: dict[str, PageEntry] = field(default_factory=dict)
    authors: dict[str, Author] = field(default_factory=dict)
    tags: dict[str, str] | None = None
    teams: dict[str, Team] | None = None  # None: no teams.yml, any team id goes
    assets: list[str] = field(default_factory=list)  # srcs of non-Markdown files
    sources: dict[str, str] = field(default_factory=dict)  # src -> raw text, for audit/clear
    # Every story and lesson file's id, valid or not, so a reference to a file with errors
    # of its own is not also reported as unknown.
    story_ids: set[str] = field(default_factory=set)
    lesson_ids: set[str] = field(default_factory=set)
    # Stories left out for errors of their own whose front-matter is still a mapping:
    # (id, path, document, parsed body), so their references and language are checked in the same pass.
    rejected: list[tuple[str, str, Document, Body]] = field(default_factory=list)

    def rel(self, src: str) -> str:
        """Return a docs-relative src (as the walk writes it: forward slashes, no dots) as a path relative to the project root."""
        return posixpath.normpath(f"{self._docs_rel}/{src}")  # as os.path.relpath would write it, without its calls to the system

    @functools.cached_property
    def _docs_rel(self) -> str:
        # The content folder relative to the root, made once: every diagnostic and read names a file by it.
        return relpath(self.docs_dir, self.root)


def relpath(path: Path, root: Path) -> str:
    """Return a path relative to root, with forward slashes."""
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:
        return path.as_posix()
