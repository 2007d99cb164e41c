"""Read a handbook's content tree into a Handbook, with every problem found in one pass."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import layout, markers
from .diagnostics import Diagnostic, error, warning
from .frontmatter import Document, parse, parse_yaml
from .links import links
from .schema import ID_PATTERN, Author, Lesson, Page, Story, validate

_ID = re.compile(ID_PATTERN)


@dataclass
class StoryEntry:
    """A failure story: its id, where it lives, its validated front-matter and body."""

    id: str
    src: str  # relative to docs_dir, with forward slashes
    path: str  # relative to the project root, for diagnostics
    meta: Story
    doc: Document
    # Local files the story's public text links to, with the sha256 of their bytes:
    # part of the content a clearance covers.
    assets: dict[str, str] = field(default_factory=dict)

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
    assets: list[str] = field(default_factory=list)  # srcs of non-Markdown files
    sources: dict[str, str] = field(default_factory=dict)  # src -> raw text, for audit/clear
    # Every story and lesson file's id, valid or not, so a reference to a file with errors
    # of its own is not also reported as unknown.
    story_ids: set[str] = field(default_factory=set)
    lesson_ids: set[str] = field(default_factory=set)
    # Stories left out for errors of their own whose front-matter is still a mapping:
    # (id, path, document), so their references are checked in the same pass.
    rejected: list[tuple[str, str, Document]] = field(default_factory=list)

    def rel(self, src: str) -> str:
        """Return a docs-relative src as a path relative to the project root."""
        return _relpath(self.docs_dir / src, self.root)


def _relpath(path: Path, root: Path) -> str:
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:
        return path.as_posix()


def load(docs_dir: Path | str, root: Path | str | None = None, today: dt.date | None = None) -> tuple[Handbook, list[Diagnostic]]:
    """Load and validate every file of a handbook; return it with all diagnostics."""
    docs = Path(docs_dir).absolute()
    hb = Handbook(root=Path(root).absolute() if root else docs.parent, docs_dir=docs)
    problems: list[Diagnostic] = []
    if not docs.is_dir():
        problems.append(error("HB006", hb.rel(""), 1, f"content folder '{hb.rel('')}' does not exist"))
        return hb, problems

    md_files, assets = _walk(hb, problems)
    hb.assets = assets
    hb.authors = _load_authors(hb, problems)
    hb.tags = _load_tags(hb, problems)

    seen: dict[str, list[str]] = {}
    for src in md_files:
        text = _read(hb, src, problems)
        if text is None:
            continue
        hb.sources[src] = text
        path = hb.rel(src)
        doc, doc_problems = parse(path, text)
        problems.extend(doc_problems)
        kind = "page" if "/" not in src else ("lesson" if src.startswith(layout.LESSONS_DIR + "/") else "story")
        if kind == "page":
            page, p = validate(Page, doc.data, doc)
            problems.extend(p)
            # Pages get internal sections too: culture.md is in both variants.
            section_problems = markers.find_sections(doc.body, path, doc.body_line)[1]
            problems.extend(section_problems)
            if page is None or doc_problems or section_problems:
                continue
            clash = layout.collision(src)
            if clash:
                problems.append(error("HB205", path, 1, f"page '{src}' collides with the generated page '{clash}' - rename the file"))
            if src == layout.CULTURE_PAGE and page.visibility != "public":
                line, col = doc.where(("visibility",))
                problems.append(error("HB103", path, line, "'visibility' of the culture page must be public: it is in both variants", col=col))
            hb.pages[src] = PageEntry(src, path, page, doc)
            continue

        stem = src.rsplit("/", 1)[-1][: -len(".md")]
        seen.setdefault(f"{kind}:{stem}", []).append(path)
        (hb.lesson_ids if kind == "lesson" else hb.story_ids).add(stem)
        if not _ID.match(stem):
            problems.append(error("HB104", path, 1, f"{kind} id '{stem}' (the file name) must be lowercase kebab-case such as '{_suggest_id(stem)}' - rename the file"))
        if kind == "lesson" and stem == "index":
            problems.append(error("HB205", path, 1, f"lesson id 'index' collides with the generated page '{layout.LESSONS_DIR}/index.md' - rename the file"))
        if kind == "story":
            clash = layout.collision(src) or (src if stem == "index" else None)
            if clash:
                problems.append(error("HB205", path, 1, f"story '{stem}' at '{src}' collides with the generated page '{clash}' - move or rename it"))
        # Lesson bodies get the same internal sections as stories (boxed or removed per variant).
        section_problems = markers.find_sections(doc.body, path, doc.body_line)[1]
        problems.extend(section_problems)
        if doc_problems:
            continue
        if kind == "lesson":
            lesson, p = validate(Lesson, doc.data, doc)
            problems.extend(p)
            if lesson is not None and not section_problems:
                hb.lessons[stem] = LessonEntry(stem, src, path, lesson, doc)
        else:
            story, p = validate(Story, doc.data, doc)
            problems.extend(p)
            if story is not None and not section_problems:
                hb.stories[stem] = StoryEntry(stem, src, path, story, doc)
            else:
                hb.rejected.append((stem, path, doc))

    _hash_linked_assets(hb)
    for key, paths in seen.items():
        if len(paths) > 1:
            kind, stem = key.split(":", 1)
            for path in paths:
                others = ", ".join(p for p in paths if p != path)
                problems.append(error("HB201", path, 1, f"duplicate {kind} id '{stem}': also used by {others} - ids are file names and must be unique"))
    return hb, problems


def _hash_linked_assets(hb: Handbook) -> None:
    """Record the digest of every local file each story's public text links to."""
    known = set(hb.assets)
    for story in hb.stories.values():
        public_text = markers.public_text(story.body)
        for src in sorted(links(public_text, story.src) & known):
            try:
                story.assets[src] = hashlib.sha256((hb.docs_dir / src).read_bytes()).hexdigest()
            except OSError:
                continue  # unreadable: it cannot be published either


def _suggest_id(stem: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "my-story"


# The other file extensions MkDocs renders as Markdown pages.
_OTHER_MARKDOWN = (".markdown", ".mdown", ".mkdn", ".mkd")


def _walk(hb: Handbook, problems: list[Diagnostic]) -> tuple[list[str], list[str]]:
    """List Markdown files and assets under docs_dir, refusing links that lead outside it."""
    real_docs = os.path.realpath(hb.docs_dir)
    md_files: list[str] = []
    assets: list[str] = []

    def visit(directory: Path, prefix: str, seen_dirs: frozenset[str]) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            problems.append(error("HB006", hb.rel(prefix), 1, f"cannot read folder: {exc.strerror}"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            src = f"{prefix}{entry.name}"
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if not _inside(target, real_docs):
                    problems.append(warning("HB007", hb.rel(src), 1, f"'{hb.rel(src)}' is a symbolic link to '{target}', outside the content folder: it is ignored"))
                    continue
            if entry.is_dir():
                real = os.path.realpath(entry.path)
                if real in seen_dirs:
                    continue  # a link loop
                visit(Path(entry.path), src + "/", seen_dirs | {real})
            elif src.endswith(".md"):
                md_files.append(src)
            elif src.endswith(_OTHER_MARKDOWN):
                # MkDocs would render it as a page, unchecked and unfiltered: refuse it.
                stem = src.rsplit(".", 1)[0]
                problems.append(error("HB008", hb.rel(src), 1, f"Markdown file with a '.{src.rsplit('.', 1)[1]}' extension - rename it to '{stem.rsplit('/', 1)[-1]}.md' (only .md files are stories, lessons and pages)"))
            elif src not in layout.DATA_FILES:
                assets.append(src)

    visit(hb.docs_dir, "", frozenset({real_docs}))
    return md_files, assets


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def is_inside_docs(path: str | Path, docs_dir: str | Path) -> bool:
    """Tell whether a file, links resolved, lies inside the content folder."""
    return _inside(os.path.realpath(path), os.path.realpath(docs_dir))


def _read(hb: Handbook, src: str, problems: list[Diagnostic]) -> str | None:
    path = hb.rel(src)
    try:
        data = (hb.docs_dir / src).read_bytes()
    except OSError as exc:
        problems.append(error("HB006", path, 1, f"cannot read file: {exc.strerror}"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(error("HB006", path, line, f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}) - save it as UTF-8", col=col))
        return None


def _load_data(hb: Handbook, name: str, problems: list[Diagnostic]) -> tuple[Any, Document] | None:
    if not (hb.docs_dir / name).is_file():
        return None
    text = _read(hb, name, problems)
    if text is None:
        return None
    path = hb.rel(name)
    data, lines, p = parse_yaml(path, text)
    problems.extend(p)
    if p:
        return None
    doc = Document(path, {}, "", 1, lines)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(error("HB004", path, 1, f"{name} must be a mapping of ids to entries"))
        return None
    return data, doc


def _load_authors(hb: Handbook, problems: list[Diagnostic]) -> dict[str, Author]:
    loaded = _load_data(hb, "authors.yml", problems)
    if loaded is None:
        if not (hb.docs_dir / "authors.yml").exists():
            problems.append(error("HB006", hb.rel("authors.yml"), 1, "authors.yml is missing: every story names authors from it"))
        return {}
    data, doc = loaded
    authors: dict[str, Author] = {}
    for key, value in data.items():
        key = str(key)
        if not _ID.match(key):
            line, col = doc.where((key,))
            problems.append(error("HB104", doc.path, line, f"author id '{key}' must be lowercase kebab-case", col=col))
            continue
        author, p = validate(Author, value, doc, root=(key,))
        problems.extend(p)
        if author is not None:
            authors[key] = author
    return authors


def _load_tags(hb: Handbook, problems: list[Diagnostic]) -> dict[str, str] | None:
    loaded = _load_data(hb, "tags.yml", problems)
    if loaded is None:
        return {} if (hb.docs_dir / "tags.yml").exists() else None
    data, doc = loaded
    tags: dict[str, str] = {}
    for key, value in data.items():
        key = str(key)
        line, col = doc.where((key,))
        if not _ID.match(key):
            problems.append(error("HB104", doc.path, line, f"tag '{key}' must be lowercase kebab-case", col=col))
        elif not isinstance(value, str):
            problems.append(error("HB103", doc.path, line, f"tag '{key}' must map to a one-line description", col=col))
        else:
            tags[key] = value
    return tags
