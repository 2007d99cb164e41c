"""`handbook init DIR`: scaffold a new handbook that builds at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import click

from ..core import placeholder
from ..core.schema import story_json_schema
from .failure import Failed

SCAFFOLD = Path(__file__).resolve().parent.parent / "scaffold"
# Wheels leave out files and folders whose names start with a dot, so the scaffold keeps
# them as dot-NAME and init writes them as .NAME (dot-github/ -> .github/).
DOT = "dot-"
FIRST_STORY = "first-story.md.j2"
SCHEMA_FILE = PurePosixPath(".vscode/story.schema.json")


DIST = "handbook-gen"


@dataclass(frozen=True)
class Pin:
    """The requirement that installs the very build of handbook-gen running now, and what to know about it."""

    requirement: str  # one line pip reads: requirements.txt and the pre-commit hook both hold it
    note: tuple[str, ...] = ()  # comment lines for requirements.txt, without the leading "# "


def pin() -> Pin:
    """Pin what this installation was installed from, read from its own record (PEP 610 direct_url.json)."""
    # An installer's record (pip writes INSTALLER), before a build's by-product such as an
    # egg-info folder left in a source tree that is on sys.path.
    found = sorted(metadata.distributions(name=DIST), key=lambda d: d.read_text("INSTALLER") is None)
    if not found:  # a source tree on sys.path, never installed
        return _from_folder(None, editable=True)
    dist = found[0]
    record = dist.read_text("direct_url.json")
    try:
        origin = json.loads(record) if record else None
    except ValueError:
        origin = None
    if not isinstance(origin, dict) or not isinstance(origin.get("url"), str):
        # No record: pip writes one for every install that did not come from an index.
        return Pin(f"{DIST}=={dist.version}", ("installed from a package index: CI installs the same version from it.",))
    url: str = origin["url"]
    if isinstance(vcs := origin.get("vcs_info"), dict) and vcs.get("commit_id"):
        if url.startswith("file:///"):
            # The same address with its host named: pip before 24.1 (what `python -m venv` gives
            # on Python 3.11 and 3.12) refuses `git+file:///...` without one.
            url = "file://localhost/" + url.removeprefix("file:///")
        subdirectory = f"#subdirectory={origin['subdirectory']}" if origin.get("subdirectory") else ""
        requirement = f"{DIST} @ {vcs.get('vcs', 'git')}+{url}@{vcs['commit_id']}{subdirectory}"
        if urlsplit(url).scheme != "file":
            return Pin(requirement, ("installed from its git repository at this commit.",))
        return Pin(requirement, (
            "installed from a repository on this machine: CI and every writer must reach it.",
            "Change the address to one they can reach (https://... or ssh://git@...) and keep @COMMIT.",
        ))
    if isinstance(archive := origin.get("archive_info"), dict):
        digests = archive.get("hashes")
        legacy = str(archive.get("hash", "")).partition("=")  # the older form: "sha256=..."
        sha256 = (digests.get("sha256") if isinstance(digests, dict) else None) or (legacy[2] if legacy[0] == "sha256" else "")
        if not sha256 and (local := _path(url)) and local.is_file():
            # pip records no hash for a file on disk: take the file's, so a rebuild at that path is refused.
            sha256 = hashlib.sha256(local.read_bytes()).hexdigest()
        # The hash makes pip refuse any other file at that address.
        requirement = f"{DIST} @ {url}" + (f"#sha256={sha256}" if sha256 else "")
        if urlsplit(url).scheme != "file":
            return Pin(requirement, ("installed from this file: CI downloads the same one.",))
        return Pin(requirement, (
            "installed from a file on this machine: CI must reach it too. Put the file where CI can",
            "download it (a release page, an internal file server) and change the address, keeping the #sha256.",
        ))
    return _from_folder(_path(url), editable=bool((origin.get("dir_info") or {}).get("editable")))


def _path(url: str) -> Path | None:
    """The local folder a file:// URL names."""
    parts = urlsplit(url)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


def _from_folder(folder: Path | None, *, editable: bool) -> Pin:
    """A folder install cannot be reinstalled elsewhere: say so, and what to write instead."""
    how = "an editable install" if editable else "an install"
    where = folder.as_uri() if folder else "YOUR-CHECKOUT"
    commit, remote = _git(folder, "rev-parse", "HEAD"), _address(_git(folder, "remote", "get-url", "origin"))
    suggestion = f"{DIST} @ git+{remote or 'https://YOUR-GIT-HOST/handbook-gen'}@{commit or 'COMMIT'}"
    return Pin(f"{DIST} @ {where}", (
        f"REPLACE THE LINE BELOW: handbook init ran from {how} of a folder, which only this machine has.",
        "Pin a pushed commit of handbook-gen's git repository, for example",
        f"  {suggestion}",
        "or a wheel built with `python -m build` that CI can download:",
        f"  {DIST} @ https://YOUR-FILE-SERVER/handbook_gen-VERSION-py3-none-any.whl",
        "and write the same line in .pre-commit-config.yaml.",
    ))


def _address(remote: str) -> str:
    """A git remote as pip reads it (ssh:// for git@host:path), with no password or token in it."""
    if remote and "://" not in remote and ":" in remote and not remote.startswith("/"):
        remote = "ssh://" + remote.replace(":", "/", 1)  # scp-like git@host:org/repo
    parts = urlsplit(remote)
    if parts.scheme not in {"https", "http", "ssh"} or not parts.hostname:
        return ""
    # ssh keeps its user (git@); a user or token in an https address is a secret.
    user = f"{parts.username}@" if parts.scheme == "ssh" and parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{user}{parts.hostname}{port}").geturl()


def _git(folder: Path | None, *args: str) -> str:
    """One line of git's answer about a checkout, or "" when there is none."""
    if folder is None or not (folder / ".git").exists():
        return ""
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def scaffold_files(today: dt.date) -> dict[PurePosixPath, bytes]:
    """Every file init writes, by path relative to the new handbook, with its content."""
    files: dict[PurePosixPath, bytes] = {}
    installed = pin()
    values = {
        "{{ today }}": today.isoformat(),
        "{{ requirement }}": installed.requirement,
        # A JSON string is a YAML double-quoted scalar: the hook's list holds the same line.
        "{{ requirement_yaml }}": json.dumps(installed.requirement),
        "{{ requirement_note }}": "\n".join(f"# {line}".rstrip() for line in installed.note),
    }
    for source in sorted(SCAFFOLD.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        parts = ["." + p[len(DOT):] if p.startswith(DOT) else p for p in source.relative_to(SCAFFOLD).parts]
        data = source.read_bytes()
        if source.name.endswith(".j2"):
            parts[-1] = parts[-1].removesuffix(".j2")
            text = data.decode("utf-8")
            for marker, value in values.items():
                text = text.replace(marker, value)
            data = text.encode("utf-8")
        if source.name == FIRST_STORY:
            parts = ["stories", str(today.year), "first-story.md"]
        files[PurePosixPath(*parts)] = data
    # MkDocs' docs_dir: all that an engine without the plugin can publish.
    files[PurePosixPath(placeholder.PLACEHOLDER_DIR, placeholder.PAGE)] = placeholder.TEXT.encode("utf-8")
    # What `handbook schema` prints, for editors (.vscode/settings.json points at it).
    files[SCHEMA_FILE] = (json.dumps(story_json_schema(), indent=2) + "\n").encode("utf-8")
    return files


def _refuse(directory: str, target: Path) -> None:
    """Stop unless target is missing, empty, or holds only an empty git repository (.git)."""
    if not os.path.lexists(target):
        return
    if not target.is_dir():
        raise Failed(f"{directory} is not a folder: handbook init writes into a new or empty folder")
    try:
        names = sorted(entry.name for entry in os.scandir(target))
    except OSError as exc:
        raise Failed(f"cannot read {directory}: {exc.strerror or exc}") from None
    if names and names != [".git"]:
        raise Failed(
            f"{directory} is not empty: handbook init only writes into a new or empty folder, or one holding only a new git repository"
        )


@click.command("init")
@click.argument("directory", type=click.Path())
def command(directory: str) -> None:
    """Create a handbook in DIR (new, empty, or holding only .git): mkdocs.yml, stories/,
    requirements.txt, a CI workflow, a pre-commit hook and editor settings."""
    target = Path(directory)
    _refuse(directory, target)
    files = scaffold_files(dt.date.today())
    made_dirs: list[Path] = []
    written: list[Path] = []

    def mkdirs(folder: Path) -> None:
        missing = [p for p in (folder, *folder.parents) if not os.path.lexists(p)]
        for p in reversed(missing):
            p.mkdir()
            made_dirs.append(p)

    try:
        mkdirs(target)
        for relative, data in files.items():
            dest = target.joinpath(*relative.parts)
            mkdirs(dest.parent)
            with open(dest, "xb") as handle:  # "x": never overwrite, even in a race
                written.append(dest)
                handle.write(data)
    except OSError as exc:
        # Leave the folder as it was: nothing half-written.
        for path in reversed(written):
            path.unlink(missing_ok=True)
        for folder in reversed(made_dirs):
            try:
                folder.rmdir()
            except OSError:
                pass
        where = exc.filename or directory
        raise Failed(f"cannot write {where}: {exc.strerror or exc} - nothing was written") from None
    here = Path(directory).resolve() == Path.cwd().resolve()
    click.echo(f"created a handbook in {directory}: " + ("handbook serve" if here else f"cd {directory} && handbook serve"))
