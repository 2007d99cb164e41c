"""`handbook build`: build one variant, or both in parallel processes."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import click

from ..core.diagnostics import Severity, render
from ..core.variants import Variant
from . import address, configure
from .failure import Failed
from .progress import Line, reporter
from .project import Project, find

VARIANTS = tuple(v.value for v in Variant)


def build_variant(config_file: str, variant: str, site_dir: str) -> tuple[bool, str]:
    """Build one variant into site_dir; return success and what went wrong (run in a worker process)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    logging.basicConfig(level=logging.WARNING, format=f"{variant}: %(levelname)s - %(message)s", force=True)
    # The command printed the content's warnings once already; each build would repeat them.
    logging.getLogger("mkdocs.plugins.handbook").setLevel(logging.ERROR)
    # MkDocs logs why a build failed, then raises a bare Abort: the reason is kept for the
    # caller to print (once), instead of being logged here.
    errors = _Errors()
    for handler in logging.getLogger().handlers:
        handler.addFilter(lambda record: record.levelno < logging.ERROR)
    logging.getLogger().addHandler(errors)
    address.unset_if_empty()
    try:
        config = configure.load(config_file, variant, site_dir=site_dir)
        if "handbook" not in config.plugins:
            return False, f"{config_file} does not enable the handbook plugin (add '- handbook' under plugins)"
        if variant == Variant.PUBLIC and address.on_ci() and (wrong := address.problem(config.site_url, Path(config_file).name)):
            return False, wrong  # a public site built on CI is about to be published: at its real address
        if _reports is not None:
            config.plugins["handbook-progress"] = reporter(variant, _reports)
        build(config)
    except MkDocsException as exc:
        return False, "\n".join(errors.messages) or str(exc)
    except OSError as exc:
        return False, f"cannot write the site: {exc}"
    except Exception as exc:  # a bug of ours: say so plainly, with the trace only on request
        if os.environ.get("HANDBOOK_DEBUG"):
            raise
        return False, f"unexpected internal error ({type(exc).__name__}: {exc}); rerun with HANDBOOK_DEBUG=1 and report it"
    for message in errors.messages:  # logged as errors, yet the build went on: show them after all
        print(f"{variant}: ERROR - {message}", file=sys.stderr)
    return True, ""


_reports: Any = None  # in a worker of `handbook build`: the queue its stages go to (see progress.py)


def _init_worker(reports: Any) -> None:
    global _reports
    _reports = reports


class _Errors(logging.Handler):
    """Collect the messages of error records."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@click.command("build")
@click.option("--variant", type=click.Choice([*VARIANTS, "all"]), default="all", show_default=True)
@click.option("-d", "--site-dir", type=click.Path(file_okay=False), help="Where to write (all: DIR/internal and DIR/public).")
@click.option("--progress/--no-progress", "show_progress", default=None,
              help="Report each stage as it goes [default: on a terminal, once a build takes two seconds].")
@click.pass_obj
def command(config_file: str, variant: str, site_dir: str | None, show_progress: bool | None) -> None:
    """Build the internal and/or public site."""
    project = find(config_file)
    started = time.monotonic()
    stories = _valid(project)
    if stories is None:
        raise Failed()
    variants = VARIANTS if variant == "all" else (variant,)
    base = Path(site_dir) if site_dir else project.root / "site"
    targets = {v: str(base / v) if (variant == "all" or not site_dir) else str(base) for v in variants}
    for target in targets.values():
        reason = refusal(Path(target), project.root)
        if reason:
            click.echo(f"refusing to write the site there: {reason}", err=True)
            raise Failed()
    # Each variant is built into a fresh folder beside its target and moved into place only
    # once its build (and the public audit) succeeded: a failed build leaves no half site,
    # and the previous site stays until a good one replaces it.
    staged: dict[str, Staging] = {}
    try:
        try:
            for v in variants:
                staged[v] = Staging(Path(targets[v]))
        except OSError as exc:
            click.echo(f"cannot write the site: {exc}", err=True)
            raise Failed() from None
        # Each build runs in a process of its own: in parallel for `all`, and with its own
        # logging set-up either way, leaving the caller's untouched.
        with Line(f"validated {stories} stor{'y' if stories == 1 else 'ies'}", started, show_progress) as line, \
                ProcessPoolExecutor(max_workers=len(variants), initializer=_init_worker, initargs=(line.reports,)) as pool:
            futures = {v: pool.submit(build_variant, str(project.config_file), v, str(staged[v].folder)) for v in variants}
            results = {v: f.result() for v, f in futures.items()}
        failed = False
        for v, (ok, message) in results.items():
            if ok:
                try:
                    staged[v].publish()
                except OSError as exc:
                    ok, message = False, f"cannot put the site in place: {exc}"
            if ok:
                click.echo(f"built the {v} site in {targets[v]}", err=True)
            else:
                failed = True
                click.echo(f"{v}: build failed: {message}", err=True)
    finally:
        for stage in reversed(staged.values()):  # the last made first: an emptied parent goes too
            stage.discard()
    click.echo(f"done in {time.monotonic() - started:.1f}s", err=True)
    if failed:
        raise Failed()


def refusal(target: Path, handbook: Path) -> str | None:
    """Why a built site may not replace the folder `target` (None: it may).

    A site replaces its folder whole, so the folder must be missing, empty or an earlier
    site: never the handbook, a folder holding it, or a folder of other files."""
    target = target.resolve()
    handbook = handbook.resolve()
    if target == handbook or target in handbook.parents:
        return f"{target} holds the handbook itself"
    if target.is_dir() and any(target.iterdir()) and not looks_like_a_site(target):
        return f"{target} is not empty and does not look like a built site (no index.html or sitemap.xml)"
    if target.exists() and not target.is_dir():
        return f"{target} is a file"
    return None


def looks_like_a_site(folder: Path) -> bool:
    return (folder / "index.html").is_file() or (folder / "sitemap.xml").is_file()


class Staging:
    """A fresh folder beside a target site folder, to build into and then swap in by renames."""

    def __init__(self, target: Path) -> None:
        # A symlinked target is replaced where it points, and the link kept.
        self.target = target.resolve() if target.is_symlink() else target.absolute()
        self.created = [p for p in (self.target.parent, *self.target.parent.parents) if not p.exists()]
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.folder = _fresh_folder(self.target.parent, f"{self.target.name}.tmp-")

    def publish(self) -> None:
        """Replace the target with the built folder: the old contents stay until the last rename."""
        if not os.path.lexists(self.target):
            os.rename(self.folder, self.target)
            return
        old = _fresh_folder(self.target.parent, f"{self.target.name}.old-")
        try:
            os.rename(self.target, old)  # onto an empty folder, which POSIX rename replaces
        except OSError:
            old.rmdir()
            raise
        try:
            os.rename(self.folder, self.target)
        except OSError:
            os.rename(old, self.target)
            raise
        shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        """Remove what is left of the built folder, and the parents made for it if still empty."""
        shutil.rmtree(self.folder, ignore_errors=True)
        for parent in self.created:  # deepest first
            try:
                parent.rmdir()
            except OSError:
                break


def _fresh_folder(parent: Path, prefix: str) -> Path:
    """Make a new, empty folder of a random name (with the usual permissions, unlike mkdtemp's 0700)."""
    while True:
        folder = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder


def _valid(project: Project) -> int | None:
    """The number of stories of a valid handbook; None (the errors said) when it has errors."""
    hb, problems = project.check()
    if problems:
        click.echo(render(problems), err=True)
    errors = [d for d in problems if d.severity is Severity.ERROR]
    if errors:
        click.echo(f"{len(errors)} error{'s' * (len(errors) != 1)}: nothing was built", err=True)
        return None
    return len(hb.stories)
