"""When each story last changed, from git: the date of the last commit touching its file.

Outside core because it runs git. One `git log` for the whole content folder, read as it
streams and stopped once every file asked for is found. A commit's date, never a file's
mtime, so two builds of one commit agree; no date where git is not (not a repository, git
missing, a file never committed).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

# %x01 starts a commit's record (never in a path); %cs is its committer date, YYYY-MM-DD.
_FORMAT = "--format=%x01%cs"


def last_updated(folder: str | Path, srcs: Iterable[str]) -> dict[str, dt.date]:
    """The date of the last commit touching each of srcs (paths relative to folder), for those git knows."""
    wanted = set(srcs)
    if not wanted:
        return {}
    command = ["git", "-c", "core.quotepath=off", "-c", "log.showSignature=false", "log", _FORMAT, "--name-only",
               "--relative", "--no-renames", "--no-textconv", "--no-ext-diff", "--", "."]
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    found: dict[str, dt.date] = {}
    try:
        with subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                              env=env, text=True, encoding="utf-8", errors="surrogateescape") as git:
            assert git.stdout is not None
            day: dt.date | None = None
            for line in git.stdout:
                line = line.rstrip("\n")
                if line.startswith("\x01"):
                    day = _date(line[1:])
                elif line in wanted and line not in found and day is not None:
                    found[line] = day  # newest first: the first commit met is the last one
                    if len(found) == len(wanted):
                        git.kill()  # every file found: the rest of the history is not needed
                        break
    except OSError:  # git missing, or the folder gone
        return {}
    return found


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
