"""`handbook check`: validate all content without rendering."""

from __future__ import annotations

import click

from ..core.diagnostics import Severity, render
from .failure import Failed
from .project import find


@click.command("check")
@click.option("--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.pass_obj
def command(config_file: str, fmt: str, strict: bool) -> None:
    """Validate every story, lesson and page; report every problem at once."""
    project = find(config_file)
    hb, problems = project.check()
    if problems or fmt == "json":
        click.echo(render(problems, fmt))
    errors = sum(d.severity is Severity.ERROR for d in problems)
    warnings = len(problems) - errors
    if fmt != "json":
        click.echo(
            f"{_count(len(hb.stories), 'story', 'stories')}, {_count(len(hb.lessons), 'lesson')}, {_count(len(hb.pages), 'page')}: "
            f"{_count(errors, 'error')}, {_count(warnings, 'warning')}",
            err=True,
        )
    if errors or (strict and warnings):
        raise Failed()


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
