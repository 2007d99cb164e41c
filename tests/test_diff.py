"""`handbook diff BASE`: what a change does to the public site, from a two-commit history."""

from __future__ import annotations

import subprocess

from click.testing import CliRunner
from conftest import story

from handbook_gen.cli import handbook


def git(root, *args):
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)


def run(root, monkeypatch, *args):
    monkeypatch.chdir(root)
    return CliRunner().invoke(handbook, list(args), catch_exceptions=False)


def test_diff_reports_stories_entering_and_leaving_the_public_site(make_handbook, monkeypatch):
    root = make_handbook({"stories": {"2021": {
        "leaving.md": story("A story that will leave", extra="visibility: public\n"),
        "entering.md": story("A story that will enter"),
        "stale.md": story("A story that will go stale", extra="visibility: public\n"),
    }}})
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "T")
    assert run(root, monkeypatch, "clear", "leaving", "stale", "--by", "ada").exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")

    stories = root / "stories" / "2021"
    leaving = stories / "leaving.md"
    leaving.write_text(leaving.read_text(encoding="utf-8").replace("visibility: public", "visibility: internal"), encoding="utf-8")
    entering = stories / "entering.md"
    entering.write_text(entering.read_text(encoding="utf-8").replace("lessons: [keep-backups]", "lessons: [keep-backups]\nvisibility: public"), encoding="utf-8")
    assert run(root, monkeypatch, "clear", "entering", "--by", "ada").exit_code == 0
    stale = stories / "stale.md"
    stale.write_text(stale.read_text(encoding="utf-8").replace("Things went wrong", "Things went badly wrong"), encoding="utf-8")

    result = run(root, monkeypatch, "diff", "main")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "compared with main:",
        "  enters the public site: entering",
        "  leaves the public site: leaving (internal)",
        "  leaves the public site: stale (edited since clearance)",
        "  cleared: entering",
        "  clearance voided by an edit: stale",
        "  new warning: stories/2021/stale.md:8:1: warning: public story 'stale' changed after its clearance: "
        "it stays out of the public site until 'handbook clear stale --by AUTHOR' again",
    ]
    markdown = run(root, monkeypatch, "diff", "main", "--format", "markdown").stdout
    assert markdown.startswith("### Publication report (compared with `main`)\n")
    assert "**Enters the public site**\n\n- `entering`\n" in markdown
    assert "**Leaves the public site**\n\n- `leaving` (internal)\n- `stale` (edited since clearance)\n" in markdown


def test_diff_without_changes_and_with_a_bad_ref(make_handbook, monkeypatch):
    root = make_handbook()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "T")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    assert run(root, monkeypatch, "diff", "main").stdout == "no change to the public site compared with main\n"
    bad = run(root, monkeypatch, "diff", "nope")
    assert bad.exit_code == 1 and f"Error: 'nope' is not a commit of {root}" in bad.output
