"""Publishing: `handbook deploy` of the audited public site (to a git branch or a folder) and of the
internal site (only to a destination of its own), only forward, only at a real address;
`mkdocs gh-deploy` refusing the internal variant; failed builds leaving nothing behind; the 404
page under a project sub-path (browser)."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from browsing import needs_chromium
from conftest import MKDOCS_YML, build_site, story, write_tree
from mkdocs.exceptions import Abort
from variant_support import clear, site_files, token_hits

from handbook_gen.cli import address
from handbook_gen.cli.build import Staging
from handbook_gen.cli.deploy import RECORD

INTERNAL_TITLE = "The Zqxinternal night the ledger melted down"
PUBLIC_STORY = story(
    "Zqpublic rollout went sideways",
    extra="visibility: public\n",
    body="## What happened\n\nZqpublicbody the rollout reached every region.\n\n"
         "<!-- internal -->\nZqxsectioncanary staff-only details.\n<!-- /internal -->\n",
)
INTERNAL_STORY = story(INTERNAL_TITLE, date="2021-04-04", body="## What happened\n\nZqxinternalbody the ledger stopped.\n")
# Where the team serves its site: deploy refuses the conftest's (the scaffold's) placeholder.
SITE_URL = "https://failures.acme.dev/"
DEPLOY_YML = MKDOCS_YML.replace(address.PLACEHOLDER, SITE_URL)
TREE = {"mkdocs.yml": DEPLOY_YML, "stories": {"2021": {"pub.md": PUBLIC_STORY, "melt.md": INTERNAL_STORY}}}
# Everything of the internal story and section: none may reach a published file.
CANARIES = {"internal story title": "Zqxinternal", "internal story body": "Zqxinternalbody",
            "internal section": "Zqxsectioncanary", "internal story id": "melt"}
# A file the public site always gets (public_files), quoting the internal story's title: a leak.
LEAK = {
    "mkdocs.yml": DEPLOY_YML.replace("      variant:", "      public_files: [notes.txt]\n      variant:"),
    "stories": {"notes.txt": f"Remember {INTERNAL_TITLE}.\n"},
}
LEAK_LINE = f"notes.txt: field 'title' of internal story 'melt': '{INTERNAL_TITLE.lower()}'"
DEFAULT_MESSAGE = "The audited public handbook, built from "


@pytest.fixture(autouse=True)
def git_env(monkeypatch, tmp_path):
    """Git with a fixed identity, no user or system configuration, and no repository above tmp_path."""
    for key, value in {"GIT_AUTHOR_NAME": "Tess Ter", "GIT_AUTHOR_EMAIL": "tess@example.com",
                       "GIT_COMMITTER_NAME": "Tess Ter", "GIT_COMMITTER_EMAIL": "tess@example.com",
                       "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
                       "GIT_CEILING_DIRECTORIES": str(tmp_path)}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("HANDBOOK_VARIANT", raising=False)
    monkeypatch.delenv("CI", raising=False)  # a local run (tests that need CI set it): a public build on CI needs a real address



def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check, timeout=60)


def handbook_repo(make_handbook, tmp_path: Path, *trees: dict, remote: str | None = "remote.git") -> tuple[Path, Path]:
    """A handbook (TREE and trees over the base) committed in a git repository; its remote `origin`
    a bare repository in tmp_path. Return the handbook's root and the remote."""
    root = make_handbook(TREE)
    for tree in trees:
        write_tree(root, tree)
    clear(root, "pub")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "The handbook")
    bare = tmp_path / (remote or "none.git")
    if remote:
        git(tmp_path, "init", "-q", "--bare", bare.name)
        git(root, "remote", "add", "origin", str(bare))
    return root, bare


def commit_all(root: Path, message: str) -> str:
    """Commit every change of the handbook; return the new commit."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD").stdout.strip()


def record_on(bare: Path, branch: str = "gh-pages") -> dict:
    """The deploy record at the top of a published branch."""
    return json.loads(git(bare, "--git-dir", str(bare), "show", f"{branch}:{RECORD}").stdout)


def branch_files(bare: Path, branch: str = "gh-pages") -> set[str]:
    return set(git(bare, "--git-dir", str(bare), "ls-tree", "-r", "--name-only", branch).stdout.splitlines())


def has_branch(repo: Path, branch: str = "gh-pages") -> bool:
    return git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False).returncode == 0


def checkout(bare: Path, into: Path, branch: str = "gh-pages") -> Path:
    """The files of a branch, without the .git folder."""
    git(bare.parent, "clone", "-q", "--branch", branch, "--single-branch", str(bare), str(into))
    shutil.rmtree(into / ".git")
    return into


def leftovers(folder: Path) -> list[str]:
    """Staging folders left beside a target (DIR.tmp-*, DIR.old-*)."""
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


# --- handbook deploy, to a git branch ---------------------------------------------------


def test_deploy_pushes_only_the_audited_public_site_to_gh_pages(make_handbook, cli, tmp_path):
    root, bare = handbook_repo(make_handbook, tmp_path)
    head = git(root, "rev-parse", "--short", "HEAD").stdout.strip()
    result = cli(root, "deploy")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"published the audited public site to branch 'gh-pages' of remote 'origin' ({bare})\n"
    files = branch_files(bare)
    assert {"index.html", "sitemap.xml", ".nojekyll", "2021/pub/index.html", "search/search_index.json"} <= files
    assert not [f for f in files if "melt" in f]
    site = checkout(bare, tmp_path / "published")
    assert "Zqpublicbody" in (site / "2021" / "pub" / "index.html").read_text(encoding="utf-8")
    assert token_hits(site, CANARIES) == []
    # The working tree is untouched: no site folder, no staging folder, nothing to commit.
    assert git(root, "status", "--porcelain").stdout == ""
    assert git(bare, "--git-dir", str(bare), "log", "--format=%s", "gh-pages").stdout == f"{DEFAULT_MESSAGE}{head}\n"

    # A second deploy goes on top of the remote's branch (a fast-forward), with its own message.
    again = cli(root, "deploy", "-m", "Second deploy")
    assert again.exit_code == 0, again.output
    assert git(bare, "--git-dir", str(bare), "log", "--format=%s", "gh-pages").stdout.splitlines() == [
        "Second deploy", f"{DEFAULT_MESSAGE}{head}"]


def test_deploy_of_a_leaking_site_publishes_nothing(make_handbook, cli, tmp_path):
    root, bare = handbook_repo(make_handbook, tmp_path, LEAK)
    result = cli(root, "deploy")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "the public build failed: nothing was published"
    assert lines[1].startswith("the public site in ")
    assert lines[1].endswith(" leaks internal content; do not publish it (the site folder was emptied):")
    assert lines[2:] == [LEAK_LINE]
    assert not has_branch(bare) and not has_branch(root)  # neither pushed nor even committed
    assert git(root, "status", "--porcelain").stdout == ""


def test_deploy_refuses_when_the_audit_is_off(make_handbook, cli, tmp_path):
    root, bare = handbook_repo(make_handbook, tmp_path, LEAK, {"mkdocs.yml": LEAK["mkdocs.yml"] + "      audit: false\n"})
    result = cli(root, "deploy")
    assert result.exit_code == 1
    assert result.stderr == ("mkdocs.yml turns the handbook plugin's audit off, and deploy publishes only an audited site: "
                             "nothing was published\n")
    assert not has_branch(bare) and not has_branch(root)


def test_deploy_unreachable_remote_is_one_clear_line(make_handbook, cli, tmp_path):
    root, _ = handbook_repo(make_handbook, tmp_path, remote=None)
    git(root, "remote", "add", "origin", str(tmp_path / "no-such-remote.git"))
    result = cli(root, "deploy")
    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    # Refused before building: what the branch holds decides whether the deploy may go on.
    assert line.startswith("cannot read branch 'gh-pages' of remote 'origin': ") and line.endswith(": nothing was published"), line
    assert f"'{tmp_path / 'no-such-remote.git'}' does not appear to be a git repository" in line
    assert "Traceback" not in result.output


def test_deploy_push_failure_is_one_clear_line(make_handbook, cli, tmp_path):
    root, bare = handbook_repo(make_handbook, tmp_path)
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    result = cli(root, "deploy")
    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("git push origin gh-pages failed: ") and line.endswith(": nothing was published"), line
    assert "pre-receive hook declined" in line
    assert not has_branch(bare)


def test_deploy_outside_a_git_repository_or_without_the_remote(make_handbook, cli, tmp_path):
    root = make_handbook(TREE)
    result = cli(root, "deploy")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"{root} is not in a git repository (publish to a folder with -d DIR instead): nothing was published\n"
    git(root, "init", "-q", "-b", "main")
    no_remote = cli(root, "deploy", "--remote", "pages")
    assert no_remote.exit_code == 1
    assert no_remote.stderr == f"the git repository {root.resolve()} has no remote 'pages' (add it, or pass --remote): nothing was published\n"
    git(root, "remote", "add", "origin", str(tmp_path / "remote.git"))
    bad_branch = cli(root, "deploy", "--branch", "no..dots")
    assert bad_branch.exit_code == 1
    assert bad_branch.stderr == "'no..dots' is not a valid branch name: nothing was published\n"
    assert not has_branch(root, "no..dots") and not (root / "site").exists()


def test_deploy_with_content_errors_publishes_nothing(make_handbook, cli, tmp_path):
    root, bare = handbook_repo(make_handbook, tmp_path)
    write_tree(root, {"stories": {"2021": {"typo.md": story("Typo story", extra="lesons: [keep-backups]\n")}}})
    commit_all(root, "A typo")
    result = cli(root, "deploy")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "stories/2021/typo.md:7:1: error: HB102 unknown field 'lesons' - did you mean 'lessons'?",
        "1 error in the content: nothing was published",
    ]
    assert not has_branch(bare) and not has_branch(root)


def test_deploy_folder_options_do_not_mix_with_git_ones(make_handbook, cli, tmp_path):
    result = cli(make_handbook(TREE), "deploy", "-d", str(tmp_path / "out"), "-m", "A message")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: --remote, --branch and -m are for publishing to git: not with -d"
    assert not (tmp_path / "out").exists()


# --- handbook deploy -d DIR -------------------------------------------------------------


def test_deploy_to_a_folder_replaces_a_previous_site(make_handbook, cli, tmp_path):
    root = make_handbook(TREE)
    clear(root, "pub")
    out = tmp_path / "www"
    write_tree(out, {"index.html": "old", "sitemap.xml": "old", "stale.txt": "old", "2021": {"melt": {"index.html": "old"}}})
    result = cli(root, "deploy", "-d", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"published the audited public site in {out}\n"
    files = site_files(out)
    assert "2021/pub/index.html" in files and "sitemap.xml" in files
    assert "stale.txt" not in files and not (out / "2021" / "melt").exists()
    assert token_hits(out, CANARIES) == []
    assert leftovers(tmp_path) == []
    (tmp_path / "plain").mkdir()  # the published folder has the usual permissions (mkdtemp's are 0700)
    assert out.stat().st_mode == (tmp_path / "plain").stat().st_mode
    # A new folder (and its missing parents) is fine too.
    fresh = cli(root, "deploy", "-d", str(tmp_path / "a" / "b"))
    assert fresh.exit_code == 0, fresh.output
    assert (tmp_path / "a" / "b" / "2021" / "pub" / "index.html").is_file()


def test_deploy_refuses_a_folder_that_is_not_a_site(make_handbook, cli, tmp_path):
    root = make_handbook(TREE)
    out = tmp_path / "documents"
    write_tree(out, {"notes.txt": "precious", "sub": {"index.html": "not at the top"}})
    result = cli(root, "deploy", "-d", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"{out} is not empty and does not look like a built site (no index.html or sitemap.xml): "
                             "nothing was published\n")
    assert (out / "notes.txt").read_text() == "precious" and (out / "sub" / "index.html").is_file()
    assert leftovers(tmp_path) == []
    for holder in (tmp_path, root):  # a folder holding the handbook is never replaced
        refused = cli(root, "deploy", "-d", str(holder))
        assert refused.exit_code == 1
        assert refused.stderr == f"{holder} holds the handbook itself: nothing was published\n"


def test_deploy_leak_keeps_the_previous_folder_site(make_handbook, cli, tmp_path):
    root = make_handbook(TREE)
    clear(root, "pub")
    out = tmp_path / "www"
    assert cli(root, "deploy", "-d", str(out)).exit_code == 0
    before = site_files(out)
    write_tree(root, LEAK)
    result = cli(root, "deploy", "-d", str(out))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "the public build failed: nothing was published"
    assert LEAK_LINE in result.stderr.splitlines()
    assert site_files(out) == before
    assert leftovers(tmp_path) == []


# --- deploys only go forward -------------------------------------------------------------


def test_deploy_records_the_variant_and_the_source_commit(make_handbook, cli, tmp_path):
    root, bare = handbook_repo(make_handbook, tmp_path)
    head = git(root, "rev-parse", "HEAD").stdout.strip()
    assert cli(root, "deploy").exit_code == 0
    record = record_on(bare)
    assert {k: record[k] for k in ("variant", "commit", "dirty")} == {"variant": "public", "commit": head, "dirty": False}
    assert dt.datetime.fromisoformat(record["time"].replace("Z", "+00:00")).tzinfo is not None


def test_deploy_refuses_an_older_commit_and_force_overrides(make_handbook, cli, tmp_path):
    root, bare = handbook_repo(make_handbook, tmp_path)
    first = git(root, "rev-parse", "HEAD").stdout.strip()
    assert cli(root, "deploy").exit_code == 0
    write_tree(root, {"stories": {"2021": {"later.md": story("A later story", date="2021-06-06")}}})
    second = commit_all(root, "A later story")
    assert cli(root, "deploy").exit_code == 0  # a descendant: forward
    assert record_on(bare)["commit"] == second
    published = git(bare, "--git-dir", str(bare), "rev-parse", "gh-pages").stdout

    git(root, "checkout", "-q", first)  # the older commit, as a late CI run or an old clone would
    older = cli(root, "deploy")
    assert older.exit_code == 1
    assert older.stderr == (f"the public site in branch 'gh-pages' of remote 'origin' was built from commit {second[:12]}, "
                            f"and this checkout ({first[:12]}) does not descend from it: deploy a newer commit "
                            "(or pass --force to go back): nothing was published\n")
    assert git(bare, "--git-dir", str(bare), "rev-parse", "gh-pages").stdout == published

    git(root, "checkout", "-q", "-b", "sideways", first)  # a sibling of the published commit: not forward either
    commit_all(root, "Elsewhere")
    assert cli(root, "deploy").exit_code == 1
    assert git(bare, "--git-dir", str(bare), "rev-parse", "gh-pages").stdout == published

    git(root, "checkout", "-q", first)
    forced = cli(root, "deploy", "--force")
    assert forced.exit_code == 0, forced.output
    assert record_on(bare)["commit"] == first
    assert "2021/later/index.html" not in branch_files(bare)


def test_deploy_refuses_uncommitted_changes_unless_forced(make_handbook, cli, tmp_path):
    root, bare = handbook_repo(make_handbook, tmp_path)
    write_tree(root, {"stories": {"2021": {"draft.md": story("A draft", date="2021-07-07")}}})
    result = cli(root, "deploy")
    assert result.exit_code == 1
    assert result.stderr == ("the handbook has uncommitted changes (stories/2021/draft.md): commit them, so the published "
                             "site records the commit it is built from (or pass --force): nothing was published\n")
    assert not has_branch(bare)
    forced = cli(root, "deploy", "--force")
    assert forced.exit_code == 0, forced.output
    assert record_on(bare)["dirty"] is True


def test_folder_deploy_goes_forward_too(make_handbook, cli, tmp_path):
    root, _ = handbook_repo(make_handbook, tmp_path, remote=None)
    out = tmp_path / "www"
    assert cli(root, "deploy", "-d", str(out)).exit_code == 0
    head = git(root, "rev-parse", "HEAD").stdout.strip()
    assert json.loads((out / RECORD).read_text())["commit"] == head
    # A site built from a commit this repository never had (another clone's, unfetched).
    unknown = "0123456789abcdef0123456789abcdef01234567"
    (out / RECORD).write_text(json.dumps({"variant": "public", "commit": unknown, "dirty": False, "time": "2026-01-01T00:00:00Z"}))
    result = cli(root, "deploy", "-d", str(out))
    assert result.exit_code == 1
    assert result.stderr == (f"the public site in {out} was built from commit {unknown[:12]}, which this repository does not "
                             "have: fetch it (a shallow clone needs its history) or pass --force: nothing was published\n")
    (out / RECORD).write_text("not json")
    garbled = cli(root, "deploy", "-d", str(out), "--force")
    assert garbled.exit_code == 1
    assert garbled.stderr == f"{out / RECORD} is not a deploy record handbook wrote (remove it, or publish elsewhere): nothing was published\n"


# --- the internal site: a destination of its own -----------------------------------------


def test_internal_deploy_has_no_default_destination(make_handbook, cli, tmp_path):
    root, bare = handbook_repo(make_handbook, tmp_path)
    result = cli(root, "deploy", "--variant", "internal")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("Error: the internal site has no default destination: "
                                              "name its own with -d DIR, --remote REMOTE or --branch BRANCH")
    git(root, "remote", "add", "mirror", f"{bare}/")  # origin's address, spelt another way
    for args in (["--branch", "gh-pages"], ["--remote", "origin"], ["--remote", "mirror"]):
        named = cli(root, "deploy", "--variant", "internal", *args)
        assert named.exit_code == 1, args
        remote = args[1] if args[0] == "--remote" else "origin"
        assert named.stderr == (f"the internal site may not go to branch 'gh-pages' of remote '{remote}', where the public site "
                                "is published by default: name its own destination (-d DIR, --remote REMOTE or --branch BRANCH): "
                                "nothing was published\n")
    assert not has_branch(bare) and not has_branch(root)


def test_internal_and_public_sites_never_share_a_destination(make_handbook, cli, tmp_path):
    root, bare = handbook_repo(make_handbook, tmp_path)
    git(tmp_path, "init", "-q", "--bare", "staff.git")
    git(root, "remote", "add", "staff", str(tmp_path / "staff.git"))
    internal = cli(root, "deploy", "--variant", "internal", "--remote", "staff")
    assert internal.exit_code == 0, internal.output
    assert internal.stdout.startswith("published the internal site to branch 'gh-pages' of remote 'staff'")
    assert "Zqxinternalbody" in git(root, "show", "staff/gh-pages:2021/melt/index.html").stdout
    assert record_on(tmp_path / "staff.git")["variant"] == "internal"
    public_there = cli(root, "deploy", "--remote", "staff", "--force")  # --force never mixes the sites
    assert public_there.exit_code == 1
    assert public_there.stderr == ("branch 'gh-pages' of remote 'staff' holds the internal site: the public site never "
                                   "replaces it (give each site its own destination): nothing was published\n")
    assert cli(root, "deploy").exit_code == 0
    internal_there = cli(root, "deploy", "--variant", "internal", "--remote", "origin", "--branch", "pages", "--force")
    assert internal_there.exit_code == 0  # another branch of origin: named, so allowed
    git(bare, "--git-dir", str(bare), "update-ref", "refs/heads/copy", "refs/heads/gh-pages")
    over_public = cli(root, "deploy", "--variant", "internal", "--branch", "copy")
    assert over_public.exit_code == 1
    assert over_public.stderr == ("branch 'copy' of remote 'origin' holds the public site: the internal site never replaces it "
                                  "(give each site its own destination): nothing was published\n")


def test_internal_folder_deploys_keep_away_from_the_public_site(make_handbook, cli, tmp_path):
    root = make_handbook(TREE)
    clear(root, "pub")
    public, staff, old = tmp_path / "www", tmp_path / "staff", tmp_path / "old"
    assert cli(root, "deploy", "-d", str(public)).exit_code == 0
    for target, line in (
        (public, f"{public} holds the public site: the internal site never replaces it (give each site its own destination)"),
        (public / "staff", f"{public / 'staff'} is inside {public}, which holds the public site: "
                           "the internal site would be published with it"),
    ):
        result = cli(root, "deploy", "--variant", "internal", "-d", str(target))
        assert result.exit_code == 1
        assert result.stderr == f"{line}: nothing was published\n"
    assert not (public / "staff").exists() and "Zqxinternal" not in (public / "sitemap.xml").read_text()
    write_tree(old, {"index.html": "a site published before deploys kept records"})
    unrecorded = cli(root, "deploy", "--variant", "internal", "-d", str(old))
    assert unrecorded.exit_code == 1
    assert unrecorded.stderr == (f"{old} holds a site with no {RECORD} saying which it is: the internal site goes only to an "
                                 "empty destination or one holding the internal site: nothing was published\n")
    assert cli(root, "deploy", "-d", str(old)).exit_code == 0  # the public site may take over its own old folder
    ok = cli(root, "deploy", "--variant", "internal", "-d", str(staff))
    assert ok.exit_code == 0, ok.output
    assert ok.stdout == f"published the internal site in {staff}\n"
    assert "Zqxinternalbody" in (staff / "2021" / "melt" / "index.html").read_text(encoding="utf-8")
    assert json.loads((staff / RECORD).read_text())["variant"] == "internal"
    assert cli(root, "deploy", "--variant", "internal", "-d", str(staff)).exit_code == 0  # and again
    back = cli(root, "deploy", "-d", str(staff))
    assert back.exit_code == 1 and back.stderr.startswith(f"{staff} holds the internal site: the public site never replaces it")


# --- the site's address --------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["public", "internal"])
def test_deploy_refuses_the_placeholder_or_no_address(make_handbook, cli, tmp_path, variant):
    root = make_handbook(TREE)
    clear(root, "pub")
    to = tmp_path / "out"
    for config, line in (
        (MKDOCS_YML, f"the site's address is the placeholder {address.PLACEHOLDER}: "),
        (MKDOCS_YML.replace(f"site_url: {address.PLACEHOLDER}\n", ""), "the site has no address: "),
    ):
        write_tree(root, {"mkdocs.yml": config})
        result = cli(root, "deploy", "--variant", variant, "-d", str(to))
        assert result.exit_code == 1
        assert result.stderr == (f"{line}set site_url in mkdocs.yml (or {address.VARIABLE}) to the address the site is served at: "
                                 "nothing was published\n")
        assert not to.exists()


def test_public_build_on_ci_needs_the_address(make_handbook, cli, monkeypatch):
    root = make_handbook(TREE)  # this one has a real address
    write_tree(root, {"mkdocs.yml": MKDOCS_YML})  # back to the placeholder
    monkeypatch.delenv("CI", raising=False)
    assert cli(root, "build", "--variant", "public").exit_code == 0  # locally, the placeholder builds
    monkeypatch.setenv("CI", "true")
    result = cli(root, "build")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert (f"public: build failed: the site's address is the placeholder {address.PLACEHOLDER}: set site_url in mkdocs.yml "
            f"(or {address.VARIABLE}) to the address the site is served at") in lines
    assert f"built the internal site in {root / 'site' / 'internal'}" in lines  # the internal one is not published from CI's build
    write_tree(root, {"mkdocs.yml": DEPLOY_YML})
    assert cli(root, "build", "--variant", "public").exit_code == 0


class _Pages(http.server.SimpleHTTPRequestHandler):
    """A static server as GitHub Pages serves a project: under /REPO/, with 404.html for what is missing."""

    not_found = b""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            return super().send_error(code, message, explain)
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.not_found)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(self.not_found)


def _missing_page_under_a_sub_path(browser, site: Path, tmp_path: Path) -> tuple[int, list[tuple[int, str]], dict]:
    """Open a missing page of site served at /repo/: the page's status, the assets that failed, what loaded."""
    from browsing import tab

    served = tmp_path / "served"
    served.mkdir(parents=True)
    (served / "repo").symlink_to(site, target_is_directory=True)
    handler = type("Pages", (_Pages,), {"not_found": (site / "404.html").read_bytes()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    failed: list[tuple[int, str]] = []
    try:
        with tab(browser) as page:
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
            page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 and r.request.resource_type != "document" else None)
            response = page.goto(base + "repo/2021/no-such-story/", wait_until="load")
            page.wait_for_load_state("networkidle")
            loaded = page.evaluate("""() => ({
                sheets: [...document.styleSheets].filter(s => s.href && s.href.startsWith(location.origin) && s.cssRules.length).map(s => new URL(s.href).pathname),
                material: typeof document$ !== "undefined",
                header: getComputedStyle(document.querySelector(".md-header")).position,
            })""")
            if loaded["material"]:  # the search on the 404 page: Pagefind's bundle, and a result's link
                page.locator("input.md-search__input").click()
                page.locator(".hb-pagefind input").fill("culture")
                page.locator(".pagefind-ui__result-link").first.wait_for()
                loaded["result"] = page.locator(".pagefind-ui__result-link").first.get_attribute("href")
            return response.status, failed, loaded
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
@needs_chromium
def test_404_page_loads_its_assets_under_a_project_sub_path(cli, browser, tmp_path, monkeypatch):
    """A team's site served at https://org.github.io/repo/: its 404 page has its styles and scripts;
    at the placeholder's address (root) they would be looked for at /assets/ and fail."""
    repo = tmp_path / "handbook"
    assert cli(tmp_path, "init", str(repo)).exit_code == 0
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv(address.VARIABLE, "https://org.github.io/repo/")
    built = cli(repo, "build", "--variant", "public")
    assert built.exit_code == 0, built.output
    status, failed, loaded = _missing_page_under_a_sub_path(browser, repo / "site" / "public", tmp_path / "good")
    assert status == 404
    assert failed == []
    assert "/repo/assets/handbook/handbook.css" in loaded["sheets"], loaded
    assert any(p.startswith("/repo/assets/stylesheets/main.") for p in loaded["sheets"]), loaded
    assert loaded["material"] and loaded["header"] == "sticky", loaded
    assert loaded["result"] == "/repo/culture/", loaded
    # The same site built at the placeholder's address (allowed off CI only): the 404 page breaks.
    monkeypatch.delenv("CI")
    monkeypatch.delenv(address.VARIABLE)
    assert cli(repo, "build", "--variant", "public").exit_code == 0
    _, failed, loaded = _missing_page_under_a_sub_path(browser, repo / "site" / "public", tmp_path / "placeholder")
    assert failed and all(status == 404 and "/repo/" not in url for status, url in failed), failed
    assert not loaded["material"]


# --- mkdocs gh-deploy -------------------------------------------------------------------


def gh_deploy(root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", "gh-deploy", "--force", "--remote-name", "origin"],
                          cwd=root, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
                          capture_output=True, text=True, timeout=180)


def test_mkdocs_gh_deploy_refuses_the_internal_site(make_handbook, tmp_path):
    root, bare = handbook_repo(make_handbook, tmp_path)
    result = gh_deploy(root)
    assert result.returncode == 1
    assert ("mkdocs gh-deploy would publish the internal site: run `handbook deploy`, "
            "which publishes only the audited public site") in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not has_branch(bare) and not has_branch(root)
    assert not (root / "site").exists()  # refused before anything was built


def test_mkdocs_gh_deploy_of_the_public_variant_is_allowed(make_handbook, tmp_path):
    root, bare = handbook_repo(make_handbook, tmp_path)
    result = gh_deploy(root, HANDBOOK_VARIANT="public")
    assert result.returncode == 0, result.stderr
    files = branch_files(bare)
    assert {"index.html", "2021/pub/index.html"} <= files
    assert token_hits(checkout(bare, tmp_path / "published"), CANARIES) == []


# --- a failed public build leaves nothing publishable -----------------------------------


def test_public_build_with_a_leak_removes_the_site_folder(make_handbook, caplog):
    root = make_handbook({**TREE, **LEAK, "stories": {**TREE["stories"], **LEAK["stories"]}})
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_site(root, "public")
    message = "\n".join(r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert f"the public site in {root / 'site' / 'public'} leaks internal content; do not publish it (the site folder was emptied):" in message
    assert LEAK_LINE in message.splitlines()
    assert not (root / "site" / "public").exists()


def test_handbook_build_failure_leaves_no_half_site(make_handbook, cli):
    root = make_handbook({**TREE, **LEAK, "stories": {**TREE["stories"], **LEAK["stories"]}})
    result = cli(root, "build", "--variant", "public")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    [failed] = [line for line in lines if line.startswith("public: build failed: ")]
    assert failed.startswith(f"public: build failed: the public site in {root / 'site' / 'public.tmp-'}")
    assert failed.endswith("leaks internal content; do not publish it (the site folder was emptied):")
    assert LEAK_LINE in lines
    assert not (root / "site").exists()  # nor the staging folder, nor the parent made for it


def test_handbook_build_failure_keeps_the_previous_site(make_handbook, cli):
    root = make_handbook(TREE)
    clear(root, "pub")
    first = cli(root, "build")
    assert first.exit_code == 0, first.output
    before = site_files(root / "site" / "public")
    assert "2021/pub/index.html" in before
    write_tree(root, LEAK)
    (root / "stories" / "2021" / "new.md").write_text(story("A newer internal story", date="2021-05-05"))
    result = cli(root, "build")
    assert result.exit_code == 1
    assert f"built the internal site in {root / 'site' / 'internal'}" in result.stderr.splitlines()
    assert any(line.startswith("public: build failed: ") for line in result.stderr.splitlines())
    assert site_files(root / "site" / "public") == before  # the last good public site, untouched
    assert (root / "site" / "internal" / "2021" / "new" / "index.html").is_file()  # the good build went in
    assert sorted(p.name for p in (root / "site").iterdir()) == ["internal", "public"]


def test_staging_restores_the_old_site_when_the_swap_fails(tmp_path, monkeypatch):
    target = tmp_path / "site"
    write_tree(target, {"index.html": "old site"})
    stage = Staging(target)
    (stage.folder / "index.html").write_text("new site")
    real_rename = os.rename
    calls: list[str] = []

    def rename(src, dst):
        calls.append(Path(src).name)
        if Path(src) == stage.folder:
            raise OSError("disk on fire")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="disk on fire"):
        stage.publish()
    monkeypatch.setattr(os, "rename", real_rename)
    stage.discard()
    assert (target / "index.html").read_text() == "old site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


# --- a new user, from nothing to a published site --------------------------------------


def test_a_new_user_goes_from_init_to_both_published_sites(cli, tmp_path, monkeypatch):
    """In an empty git repository: init, new, check, build, clear (by a second person), deploy
    the public site to a bare remote once its address is set, and the internal site to a
    remote of its own; gh-pages holds the public site and no internal text; gh-deploy is refused."""
    repo = tmp_path / "handbook"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    assert cli(repo, "init", ".").exit_code == 0
    author = next(iter(_authors(repo)))
    with (repo / "stories" / "authors.yml").open("a", encoding="utf-8") as authors:
        authors.write("second-reader:\n  name: Second Reader\n")
    new = cli(repo, "new", "The day the queue filled up", "--author", author, "--lesson", _lesson(repo),
              "--date", "2024-05-02", "--visibility", "public")
    assert new.exit_code == 0, new.output
    story = repo / "stories" / "2024" / "the-day-the-queue-filled-up.md"
    text = story.read_text(encoding="utf-8")
    story.write_text(text + "\n<!-- internal -->\nZqxnewusersecret ticket INC-9.\n<!-- /internal -->\n", encoding="utf-8")
    cleared = cli(repo, "clear", "the-day-the-queue-filled-up", "--by", "second-reader")
    assert cleared.exit_code == 0, cleared.output
    checked = cli(repo, "check")
    assert checked.exit_code == 0, checked.output
    built = cli(repo, "build")  # locally, the placeholder address builds
    assert built.exit_code == 0, built.output
    assert "Zqxnewusersecret" in (repo / "site" / "internal" / "2024" / "the-day-the-queue-filled-up" / "index.html").read_text(encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "A first story")
    git(tmp_path, "init", "-q", "--bare", "remote.git")
    git(repo, "remote", "add", "origin", str(tmp_path / "remote.git"))
    monkeypatch.delenv(address.VARIABLE, raising=False)
    placeholder = cli(repo, "deploy")
    assert placeholder.exit_code == 1
    assert placeholder.stderr == (f"the site's address is the placeholder {address.PLACEHOLDER}: set site_url in mkdocs.yml "
                                  f"(or {address.VARIABLE}) to the address the site is served at: nothing was published\n")
    monkeypatch.setenv(address.VARIABLE, "https://failures.acme.dev/")
    deployed = cli(repo, "deploy")
    assert deployed.exit_code == 0, deployed.output
    site = checkout(tmp_path / "remote.git", tmp_path / "published")
    assert (site / "2024" / "the-day-the-queue-filled-up" / "index.html").is_file()
    assert "https://failures.acme.dev/2024/the-day-the-queue-filled-up/" in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert token_hits(site, {"internal section": "Zqxnewusersecret"}) == []
    # The staff's site: its own remote (a private repository), its own address.
    git(tmp_path, "init", "-q", "--bare", "staff.git")
    git(repo, "remote", "add", "staff", str(tmp_path / "staff.git"))
    monkeypatch.setenv(address.VARIABLE, "https://failures.staff.acme.dev/")
    internal = cli(repo, "deploy", "--variant", "internal", "--remote", "staff")
    assert internal.exit_code == 0, internal.output
    staff = checkout(tmp_path / "staff.git", tmp_path / "staff")
    assert "Zqxnewusersecret" in (staff / "2024" / "the-day-the-queue-filled-up" / "index.html").read_text(encoding="utf-8")
    assert json.loads((staff / RECORD).read_text())["variant"] == "internal"
    refused = subprocess.run([sys.executable, "-m", "mkdocs", "gh-deploy", "--force"], cwd=repo, capture_output=True, text=True,
                             timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert refused.returncode != 0 and "mkdocs gh-deploy would publish the internal site" in refused.stdout + refused.stderr


def _authors(repo: Path) -> dict:
    import yaml

    return yaml.safe_load((repo / "stories" / "authors.yml").read_text(encoding="utf-8"))


def _lesson(repo: Path) -> str:
    return next((repo / "stories" / "lessons").glob("*.md")).stem


def test_a_deploy_from_a_fresh_runner_goes_on_top_of_the_published_branch(make_handbook, cli, tmp_path):
    """A CI runner has no local gh-pages and has never fetched the remote's: the new site is still
    committed on top of the published one (a fast-forward), so the push goes through."""
    root, bare = handbook_repo(make_handbook, tmp_path)
    assert cli(root, "deploy").exit_code == 0
    git(root, "branch", "-D", "gh-pages")
    git(root, "update-ref", "-d", "refs/remotes/origin/gh-pages")
    write_tree(root, {"stories": {"2021": {"later.md": story("A later story", date="2021-06-06")}}})
    commit_all(root, "A later story")
    again = cli(root, "deploy", "-m", "From a fresh runner")
    assert again.exit_code == 0, again.output
    assert git(bare, "--git-dir", str(bare), "log", "--format=%s", "gh-pages").stdout.splitlines()[0] == "From a fresh runner"
    assert len(git(bare, "--git-dir", str(bare), "log", "--format=%s", "gh-pages").stdout.splitlines()) == 2
