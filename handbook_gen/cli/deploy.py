"""`handbook deploy`: build the public site, audit it, and only then publish it."""

from __future__ import annotations

import os
import subprocess
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import click

from ..core.diagnostics import Severity, render
from .build import Staging, build_variant, refusal
from .project import Project, find

DEFAULT_REMOTE = "origin"
DEFAULT_BRANCH = "gh-pages"
NOTHING = "nothing was published"


class Refused(Exception):
    """Nothing was published, for the reason given (one line), with any details (lines) after it."""

    def __init__(self, reason: str, details: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


@click.command("deploy")
@click.option("--remote", help=f"The git remote to push to.  [default: {DEFAULT_REMOTE}]")
@click.option("--branch", help=f"The branch of the remote that serves the site.  [default: {DEFAULT_BRANCH}]")
@click.option("-d", "--site-dir", type=click.Path(file_okay=False),
              help="Publish into this folder (replacing a site built there before) instead of a git branch.")
@click.option("-m", "--message", help="The commit message of the published site.")
@click.pass_obj
def command(config_file: str | None, remote: str | None, branch: str | None, site_dir: str | None, message: str | None) -> None:
    """Build the public site, audit it, and only then publish it."""
    project = find(config_file)
    if site_dir is not None and (remote or branch or message):
        raise click.UsageError("--remote, --branch and -m are for publishing to git: not with -d")
    try:
        if site_dir is not None:
            where = _to_folder(project, Path(site_dir))
        else:
            where = _to_branch(project, remote or DEFAULT_REMOTE, branch or DEFAULT_BRANCH, message)
    except Refused as exc:
        click.echo(f"{exc.reason}: {NOTHING}", err=True)
        if exc.details:
            click.echo(exc.details, err=True)
        raise SystemExit(1) from None
    click.echo(f"published the audited public site {where}")


def _to_folder(project: Project, target: Path) -> str:
    """Build and audit into DIR.tmp-XXXX beside DIR, then swap it in by renames."""
    target = target.absolute()
    reason = refusal(target, project.root)
    if reason:
        raise Refused(reason)
    _valid(project)
    try:
        stage = Staging(target)
    except OSError as exc:
        raise Refused(f"cannot write beside {target}: {exc}") from None
    try:
        _build_and_audit(project, stage.folder)
        try:
            stage.publish()
        except OSError as exc:
            raise Refused(f"cannot put the site in place at {target}: {exc}") from None
    finally:
        stage.discard()
    return f"in {target}"


def _to_branch(project: Project, remote: str, branch: str, message: str | None) -> str:
    """Build and audit into a temporary folder, then commit it to BRANCH with ghp-import and push it."""
    top = _git(project.root, "rev-parse", "--show-toplevel")
    if top.returncode == 127:
        raise Refused(top.stderr)
    if top.returncode != 0:
        raise Refused(f"{project.root} is not in a git repository (publish to a folder with -d DIR instead)")
    repo = Path(top.stdout.strip())
    url = _git(repo, "remote", "get-url", remote)
    if url.returncode != 0:
        raise Refused(f"the git repository {repo} has no remote '{remote}' (add it, or pass --remote)")
    if _git(repo, "check-ref-format", f"refs/heads/{branch}").returncode != 0:
        raise Refused(f"'{branch}' is not a valid branch name")
    _valid(project)
    if message is None:
        head = _git(repo, "rev-parse", "--short", "HEAD")
        message = "The audited public handbook" + (f", built from {head.stdout.strip()}" if head.returncode == 0 else "")
    with tempfile.TemporaryDirectory(prefix="handbook-deploy-") as scratch:
        site = Path(scratch) / "site"
        _build_and_audit(project, site)
        _commit(repo, site, remote, branch, message)
        pushed = _git(repo, "push", "--quiet", remote, f"refs/heads/{branch}:refs/heads/{branch}")
        if pushed.returncode != 0:
            raise Refused(f"git push {remote} {branch} failed: {_reason(pushed.stderr)}")
    return f"to branch '{branch}' of remote '{remote}' ({url.stdout.strip()})"


def _commit(repo: Path, site: Path, remote: str, branch: str, message: str) -> None:
    """Record the site as a new commit on the local BRANCH, on top of the remote's."""
    import ghp_import

    before = _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").stdout
    # Whoever deployed last, from wherever: build on the remote's branch, so the push is a fast-forward.
    _git(repo, "fetch", "--quiet", remote, branch)  # fails when the branch is not there yet: fine
    cwd = os.getcwd()
    os.chdir(repo)  # ghp-import runs git in the current folder
    try:
        ghp_import.ghp_import(str(site), mesg=message, remote=remote, branch=branch, push=False, nojekyll=True)
    except ghp_import.GhpError as exc:
        raise Refused(f"git could not record the site on branch '{branch}': {_reason(str(exc.message))}") from None
    except Exception as exc:  # ghp-import fails in odd ways (a bytes write to stdout) when git does
        raise Refused(f"git could not record the site on branch '{branch}' ({type(exc).__name__}: {exc})") from None
    finally:
        os.chdir(cwd)
    after = _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
    if after.returncode != 0 or after.stdout == before:
        raise Refused(f"git could not record the site on branch '{branch}'")


def _build_and_audit(project: Project, site: Path) -> None:
    """Build the public variant into site; the plugin audits it (and empties it on a leak)."""
    # In a process of its own, as `handbook build` does: the build's logging set-up stays there.
    with ProcessPoolExecutor(max_workers=1) as pool:
        ok, error = pool.submit(build_variant, str(project.config_file), "public", str(site)).result()
    if not ok:
        raise Refused("the public build failed", error)


def _valid(project: Project) -> None:
    if project.options.get("audit", True) is not True:
        # `audit: false` (or a value only MkDocs can read) in mkdocs.yml: never publish unaudited.
        raise Refused(f"{project.config_file.name} turns the handbook plugin's audit off, and deploy publishes only an audited site")
    _, problems = project.check()
    if problems:
        click.echo(render(problems), err=True)
    errors = [d for d in problems if d.severity is Severity.ERROR]
    if errors:
        raise Refused(f"{len(errors)} error{'s' * (len(errors) != 1)} in the content")


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    except OSError as exc:  # no git at all
        return subprocess.CompletedProcess(["git", *args], 127, "", f"cannot run git: {exc}")


def _reason(stderr: str) -> str:
    """The line of git's output that says what went wrong."""
    lines = [" ".join(line.split()) for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal: ", "error: ")) or "rejected]" in line:
            return line.split(": ", 1)[1] if line.startswith(("fatal: ", "error: ")) else line.lstrip("! ")
    return lines[0] if lines else "no reason given"
