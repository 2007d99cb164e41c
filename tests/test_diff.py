"""`handbook diff BASE`: what a change does to the public site, from a two-commit history."""

from __future__ import annotations

import subprocess

from click.testing import CliRunner
from conftest import lesson, story

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
        "  cleared: entering (by Ada Lovelace (ada))",
        "  clearance voided by an edit: stale",
        "  new warning: stories/2021/stale.md:8:1: warning: public story 'stale' changed after its clearance: "
        "it stays out of the public site until 'handbook clear stale --by AUTHOR' again",
    ]
    markdown = run(root, monkeypatch, "diff", "main", "--format", "markdown").stdout
    assert markdown.startswith("### Publication report (compared with `main`)\n")
    assert "**Enters the public site**\n\n- `entering`\n" in markdown
    assert "**Leaves the public site**\n\n- `leaving` (internal)\n- `stale` (edited since clearance)\n" in markdown


def test_diff_reports_lessons_pages_and_public_names_that_change_the_public_site(make_handbook, monkeypatch):
    """No story moves, yet the public site changes: a lesson and a page become public, an author's
    public name appears, another's changes, and a public lesson's text changes."""
    root = make_handbook({"stories": {
        "about.md": "---\ntitle: About us\n---\n\n# About\n",
        "lessons": {"say-it-early.md": lesson("Say it early", extra="visibility: internal\n")},
        "2021": {"shown.md": story("A story on the public site", lessons="[keep-backups, say-it-early]", extra="visibility: public\n")},
    }})
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "T")
    assert run(root, monkeypatch, "clear", "shown", "--by", "bob").exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    assert run(root, monkeypatch, "diff", "main").stdout == "no change to the public site compared with main\n"

    stories = root / "stories"
    (stories / "about.md").write_text("---\ntitle: About us\nvisibility: public\n---\n\n# About\n", encoding="utf-8")
    (stories / "lessons" / "say-it-early.md").write_text(lesson("Say it early"), encoding="utf-8")
    backups = stories / "lessons" / "keep-backups.md"
    backups.write_text(backups.read_text(encoding="utf-8").replace("Restore them regularly.", "Restore them every week."), encoding="utf-8")
    authors = stories / "authors.yml"
    authors.write_text(authors.read_text(encoding="utf-8").replace("name: Ada Lovelace", "name: Ada King").replace(
        "team: data\n", "team: data\n  public: true\n"), encoding="utf-8")

    result = run(root, monkeypatch, "diff", "main")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "compared with main:",
        # The story names the lesson that became public, and its authors' public names changed.
        "  public text changed: shown",
        "  lesson changes on the public site: keep-backups",
        "  lesson enters the public site: say-it-early",
        "  page enters the public site: about.md",
        "  author ada's public name changes: Ada Lovelace -> Ada King",
        "  author bob is named on the public site: Bob Hidden",
    ]
    markdown = run(root, monkeypatch, "diff", "main", "--format", "markdown").stdout
    assert "**Lessons**\n\n- `keep-backups` changes on the public site\n- `say-it-early` enters the public site\n" in markdown
    assert "**Pages**\n\n- `about.md` enters the public site\n" in markdown
    assert "- author `bob` is named on the public site: Bob Hidden\n" in markdown


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
