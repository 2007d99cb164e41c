"""Read a handbook's content tree into a Handbook, with every problem found in one pass."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from . import layout, segments
from .clearance import decide
from .diagnostics import Diagnostic, Severity, error, warning
from .frontmatter import Document, parse, parse_yaml
from .links import resolve
from .listings import TAGS, TEAMS
from .model import Handbook, LessonEntry, PageEntry, Publication, StoryEntry
from .schema import ID_PATTERN, Author, Lesson, Page, Story, Team, validate, validate_tag

__all__ = ["Handbook", "LessonEntry", "PageEntry", "StoryEntry", "inside_docs", "load"]

_ID = re.compile(ID_PATTERN)
M = TypeVar("M", Page, Lesson, Story)


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
    hb.teams = _load_teams(hb, problems)

    seen: dict[str, list[str]] = {}
    files = _FILES.of(docs, md_files)
    for src in md_files:
        text = _read(hb, src, problems)
        if text is None:
            continue
        hb.sources[src] = text
        path = hb.rel(src)
        kind = "page" if "/" not in src else ("lesson" if src.startswith(layout.LESSONS_DIR + "/") else "story")
        read = files.read(src, path, kind, text)
        doc, doc_problems, body = read.doc, read.doc_problems, read.body
        problems.extend(doc_problems)
        problems.extend(body.problems)
        section_problems = [d for d in body.problems if d.severity is Severity.ERROR]
        if kind != "story" and not doc_problems and (misplaced := _misplaced_story(hb, src, doc, Page if kind == "page" else Lesson)):
            problems.append(misplaced)  # one line saying where it goes, not one per field a page or lesson lacks
            continue
        if kind == "page":
            page, p = read.validated(Page)
            problems.extend(p)
            if page is not None and src in layout.PUBLIC_BY_DEFAULT and "visibility" not in doc.data:
                page = page.model_copy(update={"visibility": "public"})
            if page is None or doc_problems or section_problems:
                continue
            taken = layout.taken_by(src)
            beside = layout.readme_beside_index(src, md_files)
            if taken or beside:
                what = taken.describe(src) if taken else f"'{beside}' beside it (MkDocs serves a {layout.README} as its folder's home page, as it does {layout.INDEX})"
                problems.append(error("HB205", path, 1, f"page '{src}' collides with {what} - rename the file, for example to '{layout.rename_hint(src)}'"))
            if src == layout.CULTURE_PAGE and page.visibility != "public":
                line, col = doc.where(("visibility",))
                problems.append(error("HB103", path, line, "'visibility' of the culture page must be public: it is in both variants", col=col))
            hb.pages[src] = PageEntry(src, path, page, doc, body)
            continue

        stem = src.rsplit("/", 1)[-1][: -len(".md")]
        seen.setdefault(f"{kind}:{stem}", []).append(path)
        (hb.lesson_ids if kind == "lesson" else hb.story_ids).add(stem)
        if not _ID.match(stem):
            problems.append(error("HB104", path, 1, f"{kind} id '{stem}' (the file name) must be lowercase kebab-case such as '{_suggest_id(stem)}' - rename the file"))
        if kind == "lesson" and stem == "index":
            problems.append(error("HB205", path, 1, f"lesson id 'index' collides with the generated page '{layout.LESSONS_DIR}/index.md' - rename the file"))
        if kind == "story":
            taken = layout.taken_by(src)
            if taken or stem == "index":
                what = taken.describe(src) if taken else f"the generated page '{src}'"
                problems.append(error("HB205", path, 1, f"story '{stem}' at '{src}' collides with {what} - move or rename it"))
        if doc_problems:
            continue
        if kind == "lesson":
            lesson, p = read.validated(Lesson)
            problems.extend(p)
            if lesson is not None and not section_problems:
                hb.lessons[stem] = LessonEntry(stem, src, path, lesson, doc, body)
        else:
            story, p = read.validated(Story)
            problems.extend(p)
            if story is not None and not section_problems:
                hb.stories[stem] = StoryEntry(stem, src, path, story, doc, body)
            else:
                hb.rejected.append((stem, path, doc, body))

    # Any other file is published at its own path: never where the build writes one.
    problems += layout.taken(assets, folder=hb.rel(""))
    _hash_linked_assets(hb)
    for entry in hb.stories.values():
        entry.publication = files.decided(entry)
    for key, paths in seen.items():
        if len(paths) > 1:
            kind, stem = key.split(":", 1)
            for path in paths:
                others = ", ".join(p for p in paths if p != path)
                problems.append(error("HB201", path, 1, f"duplicate {kind} id '{stem}': also used by {others} - ids are file names and must be unique"))
    return hb, problems


class _Read:
    """One Markdown file read on its own: its front-matter, its parsed body and, asked for
    by model, its validation. Nothing later changes these: loads share them."""

    __slots__ = ("body", "doc", "doc_problems", "_models", "_decided")

    def __init__(self, path: str, text: str) -> None:
        self.doc, self.doc_problems = parse(path, text)
        # The body is parsed once, here; everything later reads these segments.
        self.body = segments.parse(self.doc.body, path, self.doc.body_line)
        self._models: dict[type[Any], tuple[Any, list[Diagnostic]]] = {}
        self._decided: tuple[tuple[str, tuple[tuple[str, str], ...]], Publication] | None = None

    def validated(self, model: type[M]) -> tuple[M | None, list[Diagnostic]]:
        """The front-matter validated against a model, once per model."""
        if model not in self._models:
            self._models[model] = validate(model, self.doc.data, self.doc)
        entry, problems = self._models[model]
        return entry, list(problems)


class _Files:
    """The files the last load in this process read, by what they hold: a file whose text,
    path and kind are the same is not parsed, segmented and validated again (`serve`
    rebuilds after every save). Only the files present stay, so memory stays flat."""

    def __init__(self) -> None:
        self.docs = ""
        self.files: dict[str, tuple[bytes, _Read]] = {}

    def of(self, docs: Path, present: list[str]) -> _Files:
        """The cache for a content folder, holding only the files it has now."""
        if self.docs != str(docs):
            self.docs, self.files = str(docs), {}
        kept = set(present)
        self.files = {src: v for src, v in self.files.items() if src in kept}
        return self

    def decided(self, story: StoryEntry) -> Publication:
        """A story's publication, decided again only when its file or a file it links to changed."""
        read = self.files[story.src][1]
        key = (story.id, tuple(story.assets.items()))  # the rest of what decide reads is the read's own
        if read._decided is None or read._decided[0] != key:
            read._decided = (key, decide(story))
        return read._decided[1]

    def read(self, src: str, path: str, kind: str, text: str) -> _Read:
        """A file read and parsed: from the cache when its key (path, kind, text) is unchanged."""
        key = hashlib.blake2b("\0".join((path, kind, text)).encode("utf-8", "surrogatepass"), digest_size=20).digest()
        hit = self.files.get(src)
        if hit is not None and hit[0] == key:
            return hit[1]
        read = _Read(path, text)
        self.files[src] = (key, read)
        return read


_FILES = _Files()


def _hash_linked_assets(hb: Handbook) -> None:
    """Record the digest of every local file each story's public text links to."""
    known = set(hb.assets)
    for story in hb.stories.values():
        linked = {r for link in story.parsed.public_links() if (r := resolve(link.target, story.src))}
        for src in sorted(linked & known):
            try:
                story.assets[src] = hashlib.sha256((hb.docs_dir / src).read_bytes()).hexdigest()
            except OSError:
                continue  # unreadable: it cannot be published either


def _misplaced_story(hb: Handbook, src: str, doc: Document, model: type[Page] | type[Lesson]) -> Diagnostic | None:
    """A story written where a page or a lesson belongs: its fields are a story's, two of them required ones."""
    if not isinstance(doc.data, dict):
        return None
    foreign = {str(k) for k in doc.data} - set(model.model_fields)
    required = {name for name, f in Story.model_fields.items() if f.is_required()}
    if not foreign or not foreign <= set(Story.model_fields) or len(foreign & required) < 2:
        return None
    when = doc.data.get("date")
    year = str(when)[:4] if isinstance(when, dt.date) or re.match(r"\d{4}-", str(when or "")) else str(dt.date.today().year)
    where = "the top of the content folder holds pages" if model is Page else f"'{layout.LESSONS_DIR}/' holds lessons"
    moved = hb.rel(f"{year}/{src.rsplit('/', 1)[-1]}")
    return error("HB009", hb.rel(src), 1, f"this is a story, but {where}: stories go in a folder of their year - move it to '{moved}'")


def _suggest_id(stem: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "my-story"


# The other file extensions MkDocs renders as Markdown pages.
_OTHER_MARKDOWN = (".markdown", ".mdown", ".mkdn", ".mkd")


def _walk(hb: Handbook, problems: list[Diagnostic]) -> tuple[list[str], list[str]]:
    """List Markdown files and assets under docs_dir, skipping (with a warning) every symbolic
    link that leads outside it, nowhere, or round in a loop."""
    import errno

    real_docs = os.path.realpath(hb.docs_dir)
    md_files: list[str] = []
    assets: list[str] = []

    def skip(src: str, why: str) -> None:
        problems.append(warning("HB007", hb.rel(src), 1, f"'{hb.rel(src)}' is a symbolic link {why}: it is ignored"))

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
            leads_to = target = ""
            try:
                is_link = entry.is_symlink()
                if is_link:
                    leads_to = os.readlink(entry.path)
                    target = os.path.realpath(entry.path, strict=True)
                is_dir = entry.is_dir()
            except OSError as exc:
                if not entry.is_symlink():
                    problems.append(error("HB006", hb.rel(src), 1, f"cannot read: {exc.strerror}"))
                elif exc.errno == errno.ELOOP:
                    skip(src, f"loop (it leads to '{leads_to}', which leads back to it)")
                elif exc.errno in (errno.ENOENT, errno.ENOTDIR) and src.endswith(".md"):
                    # A story, lesson or page that cannot be read must not vanish quietly.
                    problems.append(error("HB006", hb.rel(src), 1, f"cannot read file: it is a symbolic link to '{leads_to}', which does not exist"))
                elif exc.errno in (errno.ENOENT, errno.ENOTDIR):
                    skip(src, f"to '{leads_to}', which does not exist")
                else:
                    skip(src, f"to '{leads_to}' that cannot be followed ({exc.strerror})")
                continue
            if is_link and not _inside(target, real_docs):
                skip(src, f"to '{target}', outside the content folder")
                continue
            if is_dir:
                real = os.path.realpath(entry.path)
                if real in seen_dirs:
                    # MkDocs would follow it round and round, copying the folder into itself.
                    skip(src, f"loop (it leads to '{leads_to or real}', a folder it is in)")
                    continue
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


def inside_docs(docs_dir: str | Path) -> Callable[[str | Path], bool]:
    """A test of whether a file, links resolved, lies inside the content folder (the folder's own links resolved once)."""
    real_docs = os.path.realpath(docs_dir)
    return lambda path: _inside(os.path.realpath(path), real_docs)


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
        elif bad := validate_tag(value, doc, key):
            problems.extend(bad)  # bounded, and no control characters, like every text
        else:
            tags[key] = value
            if clash := layout.group_clash(TAGS, key):
                problems.append(error("HB205", doc.path, line, clash, col=col))
    return tags


def _load_teams(hb: Handbook, problems: list[Diagnostic]) -> dict[str, Team] | None:
    """Read teams.yml (optional): team id -> {name, description}; None when there is none."""
    loaded = _load_data(hb, "teams.yml", problems)
    if loaded is None:
        return {} if (hb.docs_dir / "teams.yml").exists() else None
    data, doc = loaded
    teams: dict[str, Team] = {}
    for key, value in data.items():
        key = str(key)
        if not _ID.match(key):
            line, col = doc.where((key,))
            problems.append(error("HB104", doc.path, line, f"team id '{key}' must be lowercase kebab-case", col=col))
            continue
        if clash := layout.group_clash(TEAMS, key):
            line, col = doc.where((key,))
            problems.append(error("HB205", doc.path, line, clash, col=col))
        team, p = validate(Team, value, doc, root=(key,))
        problems.extend(p)
        if team is not None:
            teams[key] = team
    return teams
