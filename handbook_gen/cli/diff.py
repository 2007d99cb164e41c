"""`handbook diff BASE`: what the working tree changes on the public site compared with a git ref."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from ..core import placeholder
from ..core.changes import as_markdown, as_text, compare
from .failure import Failed
from .project import find


@click.command("diff")
@click.argument("base")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
@click.pass_obj
def command(config_file: str | None, base: str, fmt: str) -> None:
    """Show what the working tree changes on the public site compared with git ref BASE.

    Exits 1 when a story public at BASE leaves the public site without being withdrawn on purpose."""
    project = find(config_file)
    top = _git(project.root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise Failed(f"{project.root} is not in a git repository")
    repo = Path(top.stdout.strip())
    if _git(repo, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").returncode != 0:
        raise Failed(f"'{base}' is not a commit of {repo}")
    head_hb, head_problems = project.check()
    with tempfile.TemporaryDirectory(prefix="handbook-diff-") as tmp:
        # The base's files, as they were: the same relative layout as the working tree.
        archive = subprocess.run(["git", "archive", "--format=tar", base], cwd=repo, capture_output=True, check=False)
        if archive.returncode != 0:
            raise Failed(f"git archive {base} failed: {archive.stderr.decode(errors='replace').strip()}")
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        base_root = Path(tmp) / os.path.relpath(project.root, repo)
        base_config = base_root / project.config_file.name
        if base_config.is_file():
            # The base's own settings say where its content was (before a migration, docs_dir itself).
            base_project = find(str(base_config), check_layout=False)
            if base_project.engine_docs is not None and placeholder.problem(base_project.engine_docs, base_project.docs_dir) and not base_project.options.get("content_dir"):
                base_project.docs_dir = base_project.engine_docs
        else:
            base_project = replace(project, root=base_root, docs_dir=base_root / os.path.relpath(project.docs_dir, project.root))
        base_hb, base_problems = base_project.check()
    changes = compare(base_hb, head_hb, base_problems, head_problems)
    click.echo(as_markdown(changes, base) if fmt == "markdown" else as_text(changes, base))
    if changes.silent:
        # A published story's address must keep answering: a pull request that drops one fails.
        count = len(changes.silent)
        if fmt == "markdown":  # the report went to a file (a CI summary): say why here too
            for sid, what, fix in changes.silent:
                click.echo(f"error: {sid} leaves the public site without being withdrawn ({what}): {fix}", err=True)
        click.echo(f"{count} public stor{'y' if count == 1 else 'ies'} would leave the public site without being withdrawn", err=True)
        raise Failed()


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
