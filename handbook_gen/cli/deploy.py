"""`handbook deploy`: build one variant (the audited public site by default), and only then publish it.

Each published tree holds a record of what it is (RECORD: the variant, the source commit, the
time): the internal site never replaces a tree holding the public one (nor the other way
round), and a deploy only moves forward, from a commit that descends from the published one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import tempfile
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click

from ..core.diagnostics import Severity, render
from ..core.variants import Variant
from . import address
from .build import VARIANTS, Staging, build_variant, looks_like_a_site, refusal
from .failure import Failed
from .project import Project, find

DEFAULT_REMOTE = "origin"
DEFAULT_BRANCH = "gh-pages"
DEFAULT_VARIANT = Variant.PUBLIC.value
NOTHING = "nothing was published"
RECORD = ".handbook-deploy.json"  # at the root of every published tree
ONE_OF = "-d DIR, --remote REMOTE or --branch BRANCH"


class Refused(Exception):
    """Nothing was published, for the reason given (one line), with any details (lines) after it."""

    def __init__(self, reason: str, details: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class Source:
    """What a deploy is built from: the handbook repository's HEAD (None outside git), and
    whether the handbook's files differ from it."""

    repo: Path | None
    commit: str | None
    dirty: list[str]


@dataclass(frozen=True)
class Published:
    """What a destination holds: a site, and its record when it has one (None for a site
    published without one, as before records existed)."""

    variant: str | None
    commit: str | None


@click.command("deploy")
@click.option("--variant", type=click.Choice(VARIANTS), default=DEFAULT_VARIANT, show_default=True,
              help=f"The site to publish. The internal one has no default destination: name it with {ONE_OF}.")
@click.option("--remote", help=f"The git remote to push to.  [default: {DEFAULT_REMOTE}]")
@click.option("--branch", help=f"The branch of the remote that serves the site.  [default: {DEFAULT_BRANCH}]")
@click.option("-d", "--site-dir", type=click.Path(file_okay=False),
              help="Publish into this folder (replacing a site built there before) instead of a git branch.")
@click.option("-m", "--message", help="The commit message of the published site.")
@click.option("--force", is_flag=True,
              help="Publish even from a commit that does not descend from the published one, or with uncommitted changes.")
@click.pass_obj
def command(config_file: str | None, variant: str, remote: str | None, branch: str | None, site_dir: str | None,
            message: str | None, force: bool) -> None:
    """Build the public site (or the internal one), audit it, and only then publish it."""
    project = find(config_file)
    if site_dir is not None and (remote or branch or message):
        raise click.UsageError("--remote, --branch and -m are for publishing to git: not with -d")
    if variant != DEFAULT_VARIANT and site_dir is None and remote is None and branch is None:
        raise click.UsageError(f"the {variant} site has no default destination: name its own with {ONE_OF}")
    try:
        # One worker process for MkDocs (reading the address, then building): the build's
        # logging set-up stays there, as in `handbook build`.
        with ProcessPoolExecutor(max_workers=1) as pool:
            if site_dir is not None:
                where = _to_folder(pool, project, variant, Path(site_dir), force)
            else:
                where = _to_branch(pool, project, variant, remote or DEFAULT_REMOTE, branch or DEFAULT_BRANCH, message, force)
    except Refused as exc:
        click.echo(f"{exc.reason}: {NOTHING}", err=True)
        if exc.details:
            click.echo(exc.details, err=True)
        raise Failed() from None
    click.echo(f"published the {_adjective(variant)} site {where}")


def _to_folder(pool: Executor, project: Project, variant: str, target: Path, force: bool) -> str:
    """Build and audit into DIR.tmp-XXXX beside DIR, then swap it in by renames."""
    target = target.absolute()
    reason = refusal(target, project.root)
    if reason:
        raise Refused(reason)
    _address(pool, project)
    if variant != DEFAULT_VARIANT:
        _not_inside_a_public_site(target)
    source = _source(project)
    _may_replace(variant, _published_in(target), str(target), source, force)
    _valid(project, variant)
    try:
        stage = Staging(target)
    except OSError as exc:
        raise Refused(f"cannot write beside {target}: {exc}") from None
    try:
        _build_and_audit(pool, project, variant, stage.folder, source)
        try:
            stage.publish()
        except OSError as exc:
            raise Refused(f"cannot put the site in place at {target}: {exc}") from None
    finally:
        stage.discard()
    return f"in {target}"


def _to_branch(pool: Executor, project: Project, variant: str, remote: str, branch: str, message: str | None, force: bool) -> str:
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
    place = f"branch '{branch}' of remote '{remote}'"
    if variant != DEFAULT_VARIANT and branch == DEFAULT_BRANCH and _same_url(repo, url.stdout, DEFAULT_REMOTE):
        raise Refused(f"the {variant} site may not go to {place}, where the public site is published by default: "
                      f"name its own destination ({ONE_OF})")
    _address(pool, project)
    source = _source(project)
    _may_replace(variant, _published_on(repo, remote, branch, place), place, source, force)
    _valid(project, variant)
    if message is None:
        short = f", built from {source.commit[:7]}" if source.commit else ""
        message = f"The {_adjective(variant)} handbook{short}"
    with tempfile.TemporaryDirectory(prefix="handbook-deploy-") as scratch:
        site = Path(scratch) / "site"
        _build_and_audit(pool, project, variant, site, source)
        _commit(repo, site, remote, branch, message)
        pushed = _git(repo, "push", "--quiet", remote, f"refs/heads/{branch}:refs/heads/{branch}")
        if pushed.returncode != 0:
            raise Refused(f"git push {remote} {branch} failed: {_reason(pushed.stderr)}")
    return f"to {place} ({url.stdout.strip()})"


# --- what may replace what ------------------------------------------------------------------


def _may_replace(variant: str, published: Published | None, where: str, source: Source, force: bool) -> None:
    """Refuse a deploy of variant, built from source, over what the destination holds.

    The variants never share a destination (no --force for that); a site goes only forward,
    from a commit descending from the published one, and from committed files (--force for these)."""
    if published is not None and published.variant not in (None, variant):
        raise Refused(f"{where} holds the {published.variant} site: the {variant} site never replaces it "
                      f"(give each site its own destination)")
    if published is not None and published.variant is None and variant != DEFAULT_VARIANT:
        raise Refused(f"{where} holds a site with no {RECORD} saying which it is: the {variant} site goes only "
                      f"to an empty destination or one holding the {variant} site")
    if force:
        return
    if source.dirty:
        shown = ", ".join(source.dirty[:3]) + (f" and {len(source.dirty) - 3} more" if len(source.dirty) > 3 else "")
        raise Refused(f"the handbook has uncommitted changes ({shown}): commit them, so the published site "
                      f"records the commit it is built from (or pass --force)")
    if published is None or published.commit is None:
        return  # nothing published yet, or published before records: this deploy starts the line
    if source.commit is None or source.repo is None:
        raise Refused(f"the {variant} site in {where} was built from commit {published.commit[:12]}, and this "
                      f"handbook is in no git repository to tell whether it is newer (pass --force to publish anyway)")
    newer = _git(source.repo, "merge-base", "--is-ancestor", published.commit, source.commit)
    if newer.returncode == 1:
        raise Refused(f"the {variant} site in {where} was built from commit {published.commit[:12]}, and this "
                      f"checkout ({source.commit[:12]}) does not descend from it: deploy a newer commit "
                      f"(or pass --force to go back)")
    if newer.returncode != 0:
        raise Refused(f"the {variant} site in {where} was built from commit {published.commit[:12]}, which this "
                      f"repository does not have: fetch it (a shallow clone needs its history) or pass --force")


def _source(project: Project) -> Source:
    """The commit the handbook is at, and its files that differ from it (untracked ones too)."""
    head = _git(project.root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    top = _git(project.root, "rev-parse", "--show-toplevel")
    if head.returncode != 0 or top.returncode != 0:
        return Source(None, None, [])
    status = _git(project.root, "status", "--porcelain", "--untracked-files=all", "--", ".")
    dirty = [line[3:] for line in status.stdout.splitlines() if line.strip()]
    return Source(Path(top.stdout.strip()), head.stdout.strip(), dirty)


def _published_in(folder: Path) -> Published | None:
    """What the folder holds: nothing (None), or a site."""
    record = folder / RECORD
    if record.is_file():
        return _read_record(record.read_bytes(), str(record))
    return Published(None, None) if folder.is_dir() and looks_like_a_site(folder) else None


def _published_on(repo: Path, remote: str, branch: str, place: str) -> Published | None:
    """What the remote's branch holds: nothing (None: no such branch yet), or a site."""
    listed = _git(repo, "ls-remote", "--exit-code", "--heads", remote, f"refs/heads/{branch}")
    if listed.returncode == 2:
        return None
    if listed.returncode != 0:
        raise Refused(f"cannot read {place}: {_reason(listed.stderr)}")
    # Also updates remote/branch, on which the new site is committed (a fast-forward).
    fetched = _git(repo, "fetch", "--quiet", remote, f"refs/heads/{branch}")
    if fetched.returncode != 0:
        raise Refused(f"cannot fetch {place}: {_reason(fetched.stderr)}")
    tip = _git(repo, "rev-parse", "FETCH_HEAD").stdout.strip()
    record = subprocess.run(["git", "show", f"{tip}:{RECORD}"], cwd=repo, capture_output=True, stdin=subprocess.DEVNULL)
    if record.returncode == 0:
        return _read_record(record.stdout, f"{RECORD} of {place}")
    return Published(None, None)


def _read_record(data: bytes, shown: str) -> Published:
    try:
        record = json.loads(data)
        variant, commit = record["variant"], record["commit"]
    except (ValueError, TypeError, KeyError):
        raise Refused(f"{shown} is not a deploy record handbook wrote (remove it, or publish elsewhere)") from None
    if variant not in VARIANTS or not (commit is None or isinstance(commit, str) and commit):
        raise Refused(f"{shown} is not a deploy record handbook wrote (remove it, or publish elsewhere)")
    return Published(variant, commit)


def _record(variant: str, source: Source) -> str:
    """The record a published tree holds at RECORD."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return json.dumps({"variant": variant, "commit": source.commit, "dirty": bool(source.dirty), "time": now}, indent=2) + "\n"


def _not_inside_a_public_site(target: Path) -> None:
    """Refuse a folder inside one that holds the public site: it would be served with it."""
    for parent in target.resolve().parents:
        published = _published_in(parent) if (parent / RECORD).is_file() else None
        if published is not None and published.variant == DEFAULT_VARIANT:
            raise Refused(f"{target} is inside {parent}, which holds the public site: the internal site would be published with it")


def _same_url(repo: Path, url: str, other_remote: str) -> bool:
    """Whether url is the address of other_remote (ignoring a trailing / or .git)."""
    other = _git(repo, "remote", "get-url", other_remote)
    return other.returncode == 0 and _plain_url(other.stdout) == _plain_url(url)


def _plain_url(url: str) -> str:
    return url.strip().rstrip("/").removesuffix(".git")


# --- building -------------------------------------------------------------------------------


def _address(pool: Executor, project: Project) -> None:
    """Refuse a missing or placeholder site_url (None: the build will say what is wrong with the file)."""
    site_url = pool.submit(address.configured, str(project.config_file)).result()
    if site_url is not None and (wrong := address.problem(site_url, project.config_file.name)):
        raise Refused(wrong)


def _build_and_audit(pool: Executor, project: Project, variant: str, site: Path, source: Source) -> None:
    """Build the variant into site (the plugin audits the public one, and empties it on a leak); add its record."""
    ok, error = pool.submit(build_variant, str(project.config_file), variant, str(site)).result()
    if not ok:
        raise Refused(f"the {variant} build failed", error)
    (site / RECORD).write_text(_record(variant, source), encoding="utf-8")


def _commit(repo: Path, site: Path, remote: str, branch: str, message: str) -> None:
    """Record the site as a new commit on the local BRANCH, on top of the remote's."""
    import ghp_import

    before = _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").stdout
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


def _valid(project: Project, variant: str) -> None:
    if variant == DEFAULT_VARIANT and project.options.get("audit", True) is not True:
        # `audit: false` (or a value only MkDocs can read) in mkdocs.yml: never publish unaudited.
        raise Refused(f"{project.config_file.name} turns the handbook plugin's audit off, and deploy publishes only an audited site")
    _, problems = project.check()
    if problems:
        click.echo(render(problems), err=True)
    errors = [d for d in problems if d.severity is Severity.ERROR]
    if errors:
        raise Refused(f"{len(errors)} error{'s' * (len(errors) != 1)} in the content")


def _adjective(variant: str) -> str:
    return "audited public" if variant == DEFAULT_VARIANT else variant


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
