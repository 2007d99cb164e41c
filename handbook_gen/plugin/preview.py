"""A fast preview: between two builds of one `serve`, only pages whose Markdown changed are rendered.

MkDocs keeps a plugin that has `on_startup` alive across the rebuilds of `mkdocs serve`,
and a dirty build skips every page whose file says it is not modified. The preview keys
each page by the hash of the Markdown the plugin makes for it (with the navigation and
the configuration), so a page is rendered again exactly when what it shows changed, and
keeps the search entries of the pages it skipped.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.structure.files import Files

from ..core import similarity
from ..render import site


class Preview:
    """What the previous build of this preview rendered, and its search entries."""

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}  # src -> key of the Markdown last rendered
        self.pending: dict[str, str] = {}
        self.skipped: set[str] = set()  # urls of pages not rendered in this build
        self.entries: dict[str, list[dict[str, Any]]] = {}  # page url -> its search entries
        self.rendered = site.Memo()  # the page table's Markdown, kept for pages an edit did not touch
        self.similar = similarity.Kept()  # the word statistics of similar stories, weighed again only for an edit
        # Templates compiled by an earlier build (Jinja's bytecode), one cache per environment.
        self.compiled_pages, self.compiled_theme = Compiled(), Compiled()
        self.listed = Listed()

    def keep_compiled(self, renderer_env: jinja2.Environment, theme: Any) -> None:
        """Let this build's environments reuse the templates earlier builds compiled."""
        renderer_env.bytecode_cache = self.compiled_pages
        make, cache, listed = theme.get_env, self.compiled_theme, self.listed

        def get_env() -> jinja2.Environment:
            env: jinja2.Environment = make()
            env.bytecode_cache = cache
            env.list_templates = partial(listed.names, env.list_templates, theme)  # type: ignore[method-assign]
            return env

        theme.get_env = get_env  # MkDocs makes the theme's environment after on_config, with this

    def mark(self, files: Files, markdown_of: Callable[[str], str | None], salt: str) -> None:
        """Mark every page whose Markdown is unchanged since the last build as not modified."""
        self.pending = {}
        self.skipped = set()
        for file in files.documentation_pages():
            markdown = markdown_of(file.src_uri)
            key = None
            if markdown is not None:  # a hand-written page is always rendered
                key = hashlib.blake2b((salt + "\0" + markdown).encode("utf-8"), digest_size=16).hexdigest()
                self.pending[file.src_uri] = key
            if key is not None and self.keys.get(file.src_uri) == key and os.path.isfile(file.abs_dest_path):
                file.is_modified = _unmodified  # type: ignore[method-assign]
                self.skipped.add(file.url)
            else:
                file.is_modified = _modified  # type: ignore[method-assign]

    def finish(self, site_dir: str) -> None:
        """Put the skipped pages' entries back into the search index; remember this build."""
        self.keys = self.pending
        self._settle()
        self._index(site_dir)

    def _settle(self) -> None:
        """After the first build, set what it made aside from Python's cycle collector (gc.freeze):
        the kept files, models and pages then stay out of every later full collection, which
        otherwise scanned them all on almost every save (0.17 s of a 1.4 s rebuild at 1,000
        stories). Once a process, as the collector is the process's: what a later build makes is
        collected as usual, so memory stays flat."""
        if not gc.get_freeze_count():
            gc.collect()
            gc.freeze()

    def _index(self, site_dir: str) -> None:
        index_path = Path(site_dir, "search", "search_index.json")
        if not index_path.is_file():
            return
        index = json.loads(index_path.read_text(encoding="utf-8"))
        docs = index.get("docs", [])
        rendered: dict[str, list[dict[str, Any]]] = {}
        for entry in docs:
            rendered.setdefault(entry.get("location", "").split("#", 1)[0], []).append(entry)
        kept = [entry for url in sorted(self.skipped) for entry in self.entries.get(url, [])]
        self.entries = {url: v for url, v in self.entries.items() if url in self.skipped} | rendered
        if kept:
            index["docs"] = docs + kept
            index_path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


class Compiled(jinja2.BytecodeCache):
    """Jinja's compiled templates kept in memory between the builds of one preview: every
    build makes new environments (the plugin's renderer, the theme's), which would compile
    each template again. Jinja keys each by the template's name and the checksum of its
    source, so an edited template is compiled afresh; one entry per template name."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


class Listed:
    """The theme's files, listed once per preview while its folders stay as they were.

    MkDocs lists every file of the theme's folders in each build to copy the static ones
    (Material's hold thousands of icons) and filters the names one by one. A file added,
    removed or renamed changes its folder's modification time, so the listing is kept
    while no folder listed changed (and for the same filter: the filter's code and the
    theme's static templates, all it reads).
    """

    def __init__(self) -> None:
        self.stamp: tuple[Any, ...] | None = None
        self.folders: list[str] = []
        self.lists: dict[Any, list[str]] = {}

    def names(self, list_templates: Callable[..., list[str]], theme: Any, extensions: Any = None, filter_func: Any = None) -> list[str]:
        """What list_templates(extensions, filter_func) returns, from the last listing when nothing changed."""
        stamp = (tuple(theme.dirs), tuple(_mtime(f) for f in self.folders))
        if stamp != self.stamp or not self.folders:
            self.folders = [root for d in theme.dirs for root, _, _ in os.walk(d)]
            self.stamp = (tuple(theme.dirs), tuple(_mtime(f) for f in self.folders))
            self.lists = {}
        code = getattr(filter_func, "__code__", filter_func)
        key = (repr(extensions), code, tuple(getattr(theme, "static_templates", ())))
        if key not in self.lists:
            self.lists[key] = list_templates(extensions=extensions, filter_func=filter_func)
        return list(self.lists[key])


def _mtime(folder: str) -> int:
    try:
        return os.stat(folder).st_mtime_ns
    except OSError:
        return -1


def _unmodified() -> bool:
    return False


def _modified() -> bool:
    return True
