"""`handbook diff BASE`: what the working tree changes on the public site compared with a git ref."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

import click

from ..core.changes import as_markdown, as_text, compare
from ..core.validation import check
from .project import find


@click.command("diff")
@click.argument("base")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
@click.pass_obj
def command(config_file: str | None, base: str, fmt: str) -> None:
    """Show what the working tree changes on the public site compared with git ref BASE."""
    project = find(config_file)
    top = _git(project.root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise click.ClickException(f"{project.root} is not in a git repository")
    repo = Path(top.stdout.strip())
    if _git(repo, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").returncode != 0:
        raise click.ClickException(f"'{base}' is not a commit of {repo}")
    head_hb, head_problems = project.check()
    with tempfile.TemporaryDirectory(prefix="handbook-diff-") as tmp:
        # The base's files, as they were: the same relative layout as the working tree.
        archive = subprocess.run(["git", "archive", "--format=tar", base], cwd=repo, capture_output=True, check=False)
        if archive.returncode != 0:
            raise click.ClickException(f"git archive {base} failed: {archive.stderr.decode(errors='replace').strip()}")
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        rel_root = Path(os.path.relpath(project.root, repo))
        rel_docs = Path(os.path.relpath(project.docs_dir, project.root))
        base_root = Path(tmp) / rel_root
        base_hb, base_problems = check(base_root / rel_docs, base_root, allow_scripts=project.options.get("allow_scripts") is True)
    changes = compare(base_hb, head_hb, base_problems, head_problems)
    click.echo(as_markdown(changes, base) if fmt == "markdown" else as_text(changes, base))


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
