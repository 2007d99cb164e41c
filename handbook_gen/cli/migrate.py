"""`handbook migrate`: move a handbook to the layout that fails closed (docs_dir holds a placeholder)."""

from __future__ import annotations

import click

from ..core import placeholder
from ..core.clearance import write_atomically
from .failure import Failed
from .project import find


@click.command("migrate")
@click.pass_obj
def command(config_file: str | None) -> None:
    """Point docs_dir at a placeholder page, so that no engine without the plugin publishes the stories."""
    project = find(config_file, check_layout=False)
    assert project.engine_docs is not None
    if placeholder.problem(project.engine_docs, project.docs_dir) is None:
        click.echo(f"{project.config_file.name} already keeps the content out of docs_dir: nothing to do")
        return
    text = project.config_file.read_text(encoding="utf-8")
    # Before the change, the content is in docs_dir itself, and the plugin has no content_dir.
    docs = project.engine_docs
    if project.options.get("content_dir") or docs == project.root or not docs.is_relative_to(project.root):
        raise Failed(
            f"{project.config_file.name}: set docs_dir to a folder holding only {placeholder.PLACEHOLDER_DIR}/{placeholder.PAGE} "
            "by hand, and the handbook plugin's content_dir to the stories' folder"
        )
    content = docs.relative_to(project.root).as_posix()
    try:
        new = placeholder.migrate(text, content)
    except placeholder.MigrationError as exc:
        raise Failed(f"{project.config_file.name}: {exc}") from None
    page = project.root / placeholder.PLACEHOLDER_DIR / placeholder.PAGE
    if page.parent.exists() and any(page.parent.iterdir()):
        raise Failed(f"{placeholder.PLACEHOLDER_DIR}/ exists and is not empty: move it away, then run migrate again")
    page.parent.mkdir(exist_ok=True)
    page.write_text(placeholder.TEXT, encoding="utf-8")
    write_atomically(project.config_file, new)
    after = find(str(project.config_file), check_layout=False)
    assert after.engine_docs is not None
    why = placeholder.problem(after.engine_docs, after.docs_dir)
    if why or after.docs_dir != project.engine_docs:
        # Never leave a half-done migration: put the configuration back as it was.
        write_atomically(project.config_file, text)
        page.unlink()
        raise Failed(f"{project.config_file.name}: the migration did not take ({why or 'the content folder moved'}); nothing was changed")
    click.echo(
        f"docs_dir is now {placeholder.PLACEHOLDER_DIR}/ (one page that says how the handbook is built); "
        f"the plugin reads the stories from {content}/"
    )
