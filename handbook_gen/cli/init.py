"""`handbook init DIR`: scaffold a new handbook that builds at once."""

from __future__ import annotations

import datetime as dt
import json
import os
from importlib import metadata
from pathlib import Path, PurePosixPath

import click

from .. import __version__
from ..core import placeholder
from ..core.schema import story_json_schema

SCAFFOLD = Path(__file__).resolve().parent.parent / "scaffold"
# Wheels leave out files and folders whose names start with a dot, so the scaffold keeps
# them as dot-NAME and init writes them as .NAME (dot-github/ -> .github/).
DOT = "dot-"
FIRST_STORY = "first-story.md.j2"
SCHEMA_FILE = PurePosixPath(".vscode/story.schema.json")


def version() -> str:
    """The version of handbook-gen installed: requirements.txt pins it."""
    try:
        return metadata.version("handbook-gen")
    except metadata.PackageNotFoundError:
        return __version__


def scaffold_files(today: dt.date) -> dict[PurePosixPath, bytes]:
    """Every file init writes, by path relative to the new handbook, with its content."""
    files: dict[PurePosixPath, bytes] = {}
    values = {"{{ today }}": today.isoformat(), "{{ version }}": version()}
    for source in sorted(SCAFFOLD.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        parts = ["." + p[len(DOT):] if p.startswith(DOT) else p for p in source.relative_to(SCAFFOLD).parts]
        data = source.read_bytes()
        if source.name.endswith(".j2"):
            parts[-1] = parts[-1].removesuffix(".j2")
            text = data.decode("utf-8")
            for marker, value in values.items():
                text = text.replace(marker, value)
            data = text.encode("utf-8")
        if source.name == FIRST_STORY:
            parts = ["stories", str(today.year), "first-story.md"]
        files[PurePosixPath(*parts)] = data
    # MkDocs' docs_dir: all that an engine without the plugin can publish.
    files[PurePosixPath(placeholder.PLACEHOLDER_DIR, placeholder.PAGE)] = placeholder.TEXT.encode("utf-8")
    # What `handbook schema` prints, for editors (.vscode/settings.json points at it).
    files[SCHEMA_FILE] = (json.dumps(story_json_schema(), indent=2) + "\n").encode("utf-8")
    return files


def _refuse(directory: str, target: Path) -> None:
    """Stop unless target is missing, empty, or holds only an empty git repository (.git)."""
    if not os.path.lexists(target):
        return
    if not target.is_dir():
        raise click.ClickException(f"{directory} is not a folder: handbook init writes into a new or empty folder")
    try:
        names = sorted(entry.name for entry in os.scandir(target))
    except OSError as exc:
        raise click.ClickException(f"cannot read {directory}: {exc.strerror or exc}") from None
    if names and names != [".git"]:
        raise click.ClickException(
            f"{directory} is not empty: handbook init only writes into a new or empty folder, or one holding only a new git repository"
        )


@click.command("init")
@click.argument("directory", type=click.Path())
def command(directory: str) -> None:
    """Create a handbook in DIR (new, empty, or holding only .git): mkdocs.yml, stories/,
    requirements.txt, a CI workflow, a pre-commit hook and editor settings."""
    target = Path(directory)
    _refuse(directory, target)
    files = scaffold_files(dt.date.today())
    made_dirs: list[Path] = []
    written: list[Path] = []

    def mkdirs(folder: Path) -> None:
        missing = [p for p in (folder, *folder.parents) if not os.path.lexists(p)]
        for p in reversed(missing):
            p.mkdir()
            made_dirs.append(p)

    try:
        mkdirs(target)
        for relative, data in files.items():
            dest = target.joinpath(*relative.parts)
            mkdirs(dest.parent)
            with open(dest, "xb") as handle:  # "x": never overwrite, even in a race
                written.append(dest)
                handle.write(data)
    except OSError as exc:
        # Leave the folder as it was: nothing half-written.
        for path in reversed(written):
            path.unlink(missing_ok=True)
        for folder in reversed(made_dirs):
            try:
                folder.rmdir()
            except OSError:
                pass
        where = exc.filename or directory
        raise click.ClickException(f"cannot write {where}: {exc.strerror or exc} - nothing was written") from None
    click.echo(f"created a handbook in {directory}: cd {directory} && handbook serve")
