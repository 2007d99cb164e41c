"""`handbook init DIR`: scaffold a new handbook that builds at once."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import click

SCAFFOLD = Path(__file__).resolve().parent.parent / "scaffold"


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False))
def command(directory: str) -> None:
    """Create mkdocs.yml, overrides/ and stories/ with a page, a lesson, a story and authors."""
    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        raise click.ClickException(f"{directory} is not empty: handbook init only writes into a new or empty folder")
    target.mkdir(parents=True, exist_ok=True)
    today = dt.date.today()
    for source in sorted(SCAFFOLD.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        relative = source.relative_to(SCAFFOLD)
        if source.name == "first-story.md.j2":
            dest = target / "stories" / str(today.year) / "first-story.md"
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(source.read_text(encoding="utf-8").replace("{{ today }}", today.isoformat()), encoding="utf-8")
            continue
        dest = target / relative
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
    click.echo(f"created a handbook in {directory}: cd {directory} && handbook serve")
