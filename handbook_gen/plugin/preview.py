"""A fast preview: between two builds of one `serve`, only pages whose Markdown changed are rendered.

MkDocs keeps a plugin that has `on_startup` alive across the rebuilds of `mkdocs serve`,
and a dirty build skips every page whose file says it is not modified. The preview keys
each page by the hash of the Markdown the plugin makes for it (with the navigation and
the configuration), so a page is rendered again exactly when what it shows changed, and
keeps the search entries of the pages it skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.structure.files import Files


class Preview:
    """What the previous build of this preview rendered, and its search entries."""

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}  # src -> key of the Markdown last rendered
        self.pending: dict[str, str] = {}
        self.skipped: set[str] = set()  # urls of pages not rendered in this build
        self.entries: dict[str, list[dict[str, Any]]] = {}  # page url -> its search entries

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


def _unmodified() -> bool:
    return False


def _modified() -> bool:
    return True
