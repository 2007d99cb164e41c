"""`handbook build`: build one variant, or both in parallel processes."""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import click

from ..core.diagnostics import Severity, render
from .project import Project, find

VARIANTS = ("internal", "public")


def build_variant(config_file: str, variant: str, site_dir: str) -> tuple[bool, str]:
    """Build one variant into site_dir; return success and what went wrong (run in a worker process)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from ..plugin.plugin import force_variant

    logging.basicConfig(level=logging.WARNING, format=f"{variant}: %(levelname)s - %(message)s", force=True)
    # The command printed the content's warnings once already; each build would repeat them.
    logging.getLogger("mkdocs.plugins.handbook").setLevel(logging.ERROR)
    force_variant(variant)
    try:
        config = load_config(config_file, site_dir=site_dir)
        if "handbook" not in config.plugins:
            return False, f"{config_file} does not enable the handbook plugin (add '- handbook' under plugins)"
        build(config)
    except MkDocsException as exc:
        return False, str(exc)
    except OSError as exc:
        return False, f"cannot write the site: {exc}"
    except Exception as exc:  # a bug of ours: say so plainly, with the trace only on request
        if os.environ.get("HANDBOOK_DEBUG"):
            raise
        return False, f"unexpected internal error ({type(exc).__name__}: {exc}); rerun with HANDBOOK_DEBUG=1 and report it"
    finally:
        force_variant(None)
    return True, ""


@click.command("build")
@click.option("--variant", type=click.Choice([*VARIANTS, "all"]), default="all", show_default=True)
@click.option("-d", "--site-dir", type=click.Path(file_okay=False), help="Where to write (all: DIR/internal and DIR/public).")
@click.pass_obj
def command(config_file: str, variant: str, site_dir: str | None) -> None:
    """Build the internal and/or public site."""
    project = find(config_file)
    if not _valid(project):
        raise SystemExit(1)
    variants = VARIANTS if variant == "all" else (variant,)
    base = Path(site_dir) if site_dir else project.root / "site"
    targets = {v: str(base / v) if (variant == "all" or not site_dir) else str(base) for v in variants}
    started = time.monotonic()
    # Each build runs in a process of its own: in parallel for `all`, and with its own
    # logging set-up either way, leaving the caller's untouched.
    with ProcessPoolExecutor(max_workers=len(variants)) as pool:
        futures = {v: pool.submit(build_variant, str(project.config_file), v, targets[v]) for v in variants}
        results = {v: f.result() for v, f in futures.items()}
    failed = False
    for v, (ok, message) in results.items():
        if ok:
            click.echo(f"built the {v} site in {targets[v]}", err=True)
        else:
            failed = True
            click.echo(f"{v}: build failed: {message}", err=True)
    click.echo(f"done in {time.monotonic() - started:.1f}s", err=True)
    raise SystemExit(1 if failed else 0)


def _valid(project: Project) -> bool:
    _, problems = project.check()
    if problems:
        click.echo(render(problems), err=True)
    errors = [d for d in problems if d.severity is Severity.ERROR]
    if errors:
        click.echo(f"{len(errors)} error{'s' * (len(errors) != 1)}: nothing was built", err=True)
    return not errors
