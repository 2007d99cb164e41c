"""`handbook audit SITE_DIR`: scan a built public site for leaks."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..core.diagnostics import Severity, render
from .failure import Failed
from .project import find


@click.command("audit")
@click.argument("site_dir", type=click.Path(exists=True, file_okay=False))
@click.pass_obj
def command(config_file: str, site_dir: str) -> None:
    """Scan every file of a built public site for internal content."""
    project = find(config_file)
    hb, problems = project.check()
    errors = [d for d in problems if d.severity is Severity.ERROR]
    if errors:
        click.echo(render(errors), err=True)
        raise Failed("the content is invalid, so the audit cannot know what is internal")
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    # Imported here: the audit (and Markdown) stay off the path of every other command.
    from ..core import audit

    leaks = audit.scan(site_dir, hb, theme_dirs=installed_theme_dirs())
    files = sum(1 for p in Path(site_dir).rglob("*") if p.is_file())
    for leak in leaks:
        click.echo(f"{Path(site_dir, leak.file).as_posix()}: leak: {leak.what}")
    if leaks:
        click.echo(f"{len(leaks)} leak{'s' * (len(leaks) != 1)} in {len({l.file for l in leaks})} of {files} files", err=True)
        raise Failed()
    click.echo(f"no leaks in {files} files", err=True)


def installed_theme_dirs() -> list[str]:
    """The folders of every installed MkDocs theme, ours and Pagefind's own files (whose files the audit skips)."""
    from mkdocs.utils import get_theme_dir, get_theme_names

    from ..core import layout
    from ..search import pagefind

    dirs = [str(layout.THEME_DIR), *pagefind.shipped_dirs()]
    for name in get_theme_names():
        try:
            dirs.append(get_theme_dir(name))
        except Exception:  # a broken theme package: its files are simply searched
            continue
    return dirs
