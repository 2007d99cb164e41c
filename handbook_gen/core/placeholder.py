"""The placeholder folder: all that a site generator without the handbook plugin can publish.

MkDocs' `docs_dir` names a folder holding one page that says how the handbook is built; the
plugin reads the stories from its own `content_dir` option and hands them to MkDocs. An engine
that ignores plugins (Zensical, MkDocs 2) or a build with the plugin left out therefore
publishes that page and nothing else: the layout fails closed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

CONTENT_DIR = "stories"
"""Where the stories live, by default (the plugin's `content_dir` option)."""
PLACEHOLDER_DIR = "placeholder"
"""The folder mkdocs.yml's `docs_dir` names in a new handbook."""
PAGE = "index.md"
TEXT = """\
# This handbook is built with `handbook build`

You are looking at the placeholder that a site generator publishes when it builds this
handbook without its `handbook` plugin. The stories live in the content folder, which only
the plugin reads: it checks every story and leaves out whatever is not cleared for the
public site, so nothing is published by accident.

Build the handbook with `handbook build` (or `mkdocs build` with the plugin installed), or
write a plain docs tree that any engine can build with `handbook export`.
"""


def problem(docs_dir: Path, content_dir: Path) -> str | None:
    """Say why this docs_dir would let an engine without the plugin publish content, or None."""
    docs, content = (Path(os.path.normpath(p.absolute())) for p in (docs_dir, content_dir))
    if docs == content or content.is_relative_to(docs):
        return (
            f"mkdocs.yml's docs_dir '{docs.name}' holds the content folder '{content.name}': a site generator that "
            "does not run the handbook plugin (Zensical, MkDocs 2) would publish every story, internal ones included. "
            f"Run `handbook migrate` (docs_dir becomes a '{PLACEHOLDER_DIR}' folder with one page; the plugin reads "
            f"'{content.name}' through its content_dir option)"
        )
    if docs.is_relative_to(content):
        return f"mkdocs.yml's docs_dir '{docs.name}' is inside the content folder '{content.name}': give it a folder of its own beside it"
    extra = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file() and p.relative_to(docs).as_posix() != PAGE) if docs.is_dir() else []
    if extra:
        return (
            f"mkdocs.yml's docs_dir '{docs.name}' holds '{extra[0]}'"
            + (f" and {len(extra) - 1} more file{'s' if len(extra) > 2 else ''}" if len(extra) > 1 else "")
            + f": it may hold only its {PAGE} (a site generator without the plugin publishes whatever is there); "
            f"move content into '{content.name}'"
        )
    return None


_DOCS_DIR_LINE = re.compile(r"^docs_dir[ \t]*:[ \t]*(?P<value>[^#\n]*?)[ \t]*(?:#.*)?$", re.MULTILINE)
_HANDBOOK_ENTRY = re.compile(r"^(?P<indent>[ \t]*)-[ \t]+handbook[ \t]*(?P<colon>:)?[ \t]*(?:#.*)?$", re.MULTILINE)


class MigrationError(ValueError):
    """mkdocs.yml cannot be rewritten safely: the message says what to change by hand."""


def migrate(config_text: str, docs_dir: str) -> str:
    """Return mkdocs.yml's text with docs_dir pointing at the placeholder and content_dir at the content.

    Only two lines change: the `docs_dir` line, and a `content_dir` option added under the
    plugin when the content folder is not the default one. Anything unusual raises MigrationError.
    """
    line = _DOCS_DIR_LINE.search(config_text)
    content = docs_dir.strip().strip("\"'")
    if line is None:
        # MkDocs' default docs_dir is `docs`.
        content = "docs"
        text = config_text.rstrip("\n") + f"\ndocs_dir: {PLACEHOLDER_DIR}\n"
    else:
        text = config_text[: line.start()] + f"docs_dir: {PLACEHOLDER_DIR}" + config_text[line.end() :]
    if content.rstrip("/") == CONTENT_DIR:
        return text
    entry = _HANDBOOK_ENTRY.search(text)
    if entry is None:
        raise MigrationError(
            f"cannot find the '- handbook' entry under plugins: add `content_dir: {content}` to its options by hand"
        )
    indent = entry.group("indent") + "    "
    option = f"{indent}content_dir: {content}"
    if entry.group("colon"):
        # Options follow on the next, more indented lines: add ours first.
        head = text[: entry.end()]
        return head + "\n" + option + text[entry.end() :]
    return text[: entry.start()] + f"{entry.group('indent')}- handbook:\n" + option + text[entry.end() :]
