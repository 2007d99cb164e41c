"""`handbook diff BASE`: what a change does to the public site, from a two-commit history."""

from __future__ import annotations

import subprocess

import pytest
from conftest import lesson, story


def git(root, *args):
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)


def init_repo(root):
    """Make root a git repository on branch main, with a committer."""
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "T")


def test_diff_reports_stories_entering_and_leaving_the_public_site(cli, make_handbook):
    root = make_handbook({"stories": {"2021": {
        "leaving.md": story("A story that will leave", extra="visibility: public\n"),
        "entering.md": story("A story that will enter"),
        "stale.md": story("A story that will go stale", extra="visibility: public\n"),
    }}})
    init_repo(root)
    assert cli(root, "clear", "leaving", "stale", "--by", "bob").exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")

    stories = root / "stories" / "2021"
    leaving = stories / "leaving.md"
    leaving.write_text(leaving.read_text(encoding="utf-8").replace("visibility: public", "visibility: internal"), encoding="utf-8")
    entering = stories / "entering.md"
    entering.write_text(entering.read_text(encoding="utf-8").replace("lessons: [keep-backups]", "lessons: [keep-backups]\nvisibility: public"), encoding="utf-8")
    assert cli(root, "clear", "entering", "--by", "bob").exit_code == 0
    stale = stories / "stale.md"
    stale.write_text(stale.read_text(encoding="utf-8").replace("Things went wrong", "Things went badly wrong"), encoding="utf-8")

    result = cli(root, "diff", "main")
    # 'leaving' was made internal on purpose; 'stale' leaves because an edit voided its clearance: that fails.
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        "compared with main:",
        "  enters the public site: entering",
        "  leaves the public site: leaving (internal)",
        "  leaves the public site: stale (edited since clearance)",
        "  cleared: entering (by Bob Hidden (bob))",
        "  clearance voided by an edit: stale",
        "  error: stale leaves the public site without being withdrawn (edited since its clearance): "
        "clear it again: handbook clear stale --by bob, or, to take it off on purpose, add 'withdrawn: REASON'",
        "  new warning: stories/2021/stale.md:8:1: warning: HB306 public story 'stale' changed after its clearance: "
        "it stays out of the public site until 'handbook clear stale --by AUTHOR' again",
    ]
    markdown = cli(root, "diff", "main", "--format", "markdown").stdout
    assert markdown.startswith("### Publication report (compared with `main`)\n")
    assert "**Enters the public site**\n\n- `entering`\n" in markdown
    assert "**Leaves the public site**\n\n- `leaving` (internal)\n- `stale` (edited since clearance)\n" in markdown
    assert ("**Leaves the public site without being withdrawn**\n\n- `stale` (edited since its clearance): clear it again: "
            "`handbook clear stale --by bob`, or, to take it off on purpose, add `withdrawn: REASON`\n") in markdown


def test_diff_reports_lessons_pages_and_public_names_that_change_the_public_site(cli, make_handbook):
    """No story moves, yet the public site changes: a lesson and a page become public, an author's
    public name appears, another's changes, and a public lesson's text changes."""
    root = make_handbook({"stories": {
        "about.md": "---\ntitle: About us\n---\n\n# About\n",
        "lessons": {"say-it-early.md": lesson("Say it early", extra="visibility: internal\n")},
        "2021": {"shown.md": story("A story on the public site", lessons="[keep-backups, say-it-early]", extra="visibility: public\n")},
    }})
    init_repo(root)
    assert cli(root, "clear", "shown", "--by", "bob").exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    assert cli(root, "diff", "main").stdout == "no change to the public site compared with main\n"

    stories = root / "stories"
    (stories / "about.md").write_text("---\ntitle: About us\nvisibility: public\n---\n\n# About\n", encoding="utf-8")
    (stories / "lessons" / "say-it-early.md").write_text(lesson("Say it early"), encoding="utf-8")
    backups = stories / "lessons" / "keep-backups.md"
    backups.write_text(backups.read_text(encoding="utf-8").replace("Restore them regularly.", "Restore them every week."), encoding="utf-8")
    authors = stories / "authors.yml"
    authors.write_text(authors.read_text(encoding="utf-8").replace("name: Ada Lovelace", "name: Ada King").replace(
        "team: data\n", "team: data\n  public: true\n"), encoding="utf-8")

    result = cli(root, "diff", "main")
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
    markdown = cli(root, "diff", "main", "--format", "markdown").stdout
    assert "**Lessons**\n\n- `keep-backups` changes on the public site\n- `say-it-early` enters the public site\n" in markdown
    assert "**Pages**\n\n- `about.md` enters the public site\n" in markdown
    assert "- author `bob` is named on the public site: Bob Hidden\n" in markdown


def test_diff_without_changes_and_with_a_bad_ref(cli, make_handbook):
    root = make_handbook()
    init_repo(root)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    assert cli(root, "diff", "main").stdout == "no change to the public site compared with main\n"
    bad = cli(root, "diff", "nope")
    assert bad.exit_code == 1 and f"Error: 'nope' is not a commit of {root}" in bad.output


def _public_history(make_handbook, cli, **stories):
    """A git repository whose base commit has each story public and cleared (by bob: ada wrote them)."""
    root = make_handbook({"stories": {"2021": {f"{sid}.md": story(title, extra="visibility: public\n") for sid, title in stories.items()}}})
    init_repo(root)
    assert cli(root, "clear", *stories, "--by", "bob").exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return root, root / "stories" / "2021"


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_diff_fails_on_a_public_story_whose_edit_voids_its_clearance_and_names_the_command(cli, make_handbook):
    root, stories = _public_history(make_handbook, cli, typo="A story with a typo")
    _edit(stories / "typo.md", "Things went wrong", "Things went wrogn")
    result = cli(root, "diff", "main", "--format", "markdown")
    assert result.exit_code == 1
    assert "- `typo` (edited since its clearance): clear it again: `handbook clear typo --by bob`" in result.stdout
    # The log of a CI job says it too, and the exact command.
    assert "error: typo leaves the public site without being withdrawn (edited since its clearance): clear it again: handbook clear typo --by bob" in result.stderr


def test_diff_fails_on_a_deleted_public_story(cli, make_handbook):
    root, stories = _public_history(make_handbook, cli, gone="A story someone deletes")
    (stories / "gone.md").unlink()
    result = cli(root, "diff", "main")
    assert result.exit_code == 1
    assert ("  error: gone leaves the public site without being withdrawn (deleted): keep stories/2021/gone.md with "
            "'withdrawn: REASON' instead of deleting it, so its address says it is no longer available") in result.stdout.splitlines()


WITHDRAW = ("visibility: public\n", "visibility: public\nwithdrawn: The customer asked us to take it down.\n")


@pytest.mark.parametrize("edits", [
    [WITHDRAW],
    [("visibility: public\n", "visibility: internal\n")],
    # Withdrawn, and edited too: its clearance is void, which no longer matters.
    [WITHDRAW, ("Things went wrong", "Things went badly wrong")],
], ids=["withdrawn", "internal", "withdrawn-and-edited"])
def test_diff_passes_when_the_story_is_withdrawn_on_purpose(cli, make_handbook, edits):
    root, stories = _public_history(make_handbook, cli, kept="A story taken off on purpose")
    for edit in edits:
        _edit(stories / "kept.md", *edit)
    result = cli(root, "diff", "main")
    assert result.exit_code == 0, result.output
    assert "error:" not in result.stdout
    assert "  leaves the public site: kept (" in result.stdout


def test_diff_sees_a_rename_and_passes_once_the_old_address_is_kept(cli, make_handbook):
    root, stories = _public_history(make_handbook, cli, **{"old-name": "A story with a better name coming"})
    (stories / "old-name.md").rename(stories / "new-name.md")
    result = cli(root, "diff", "main")
    assert result.exit_code == 1
    assert ("  error: old-name leaves the public site without being withdrawn (renamed to 'new-name'): add "
            "'formerly: [2021/old-name.md]' to stories/2021/new-name.md so its old address leads there") in result.stdout.splitlines()
    _edit(stories / "new-name.md", "visibility: public\n", "visibility: public\nformerly: [2021/old-name.md]\n")
    result = cli(root, "diff", "main")
    # formerly is never shown: the rename keeps the clearance.
    assert result.exit_code == 0, result.output
    assert "  enters the public site: new-name" in result.stdout.splitlines()


def test_the_scaffolds_publication_report_step_fails_the_job_and_still_writes_the_report(cli, make_handbook, tmp_path):
    """The step's own shell line, run as GitHub runs it (bash -e), with the base ref passed through env."""
    import os
    import sys
    from pathlib import Path

    import yaml

    import handbook_gen

    workflow = Path(handbook_gen.__file__).parent / "scaffold" / "dot-github" / "workflows" / "handbook.yml"
    step = next(s for s in yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]["check"]["steps"] if s["name"] == "Publication report")
    assert "${{" not in step["run"] and step["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    root, stories = _public_history(make_handbook, cli, typo="A story with a typo")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    summary = tmp_path / "summary.md"
    env = {**os.environ, "BASE_REF": "main", "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}

    def step_run():
        return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=root, env=env, capture_output=True, text=True)

    assert step_run().returncode == 0
    _edit(stories / "typo.md", "Things went wrong", "Things went wrogn")
    failed = step_run()
    assert failed.returncode == 1
    assert "error: typo leaves the public site without being withdrawn" in failed.stderr
    assert "`handbook clear typo --by bob`" in summary.read_text(encoding="utf-8")


def test_diff_fails_on_a_public_story_moved_to_another_folder_until_its_old_path_is_kept(cli, make_handbook):
    root, stories = _public_history(make_handbook, cli, moving="A story filed under the wrong year")
    (root / "stories" / "2022").mkdir()
    (stories / "moving.md").rename(root / "stories" / "2022" / "moving.md")
    result = cli(root, "diff", "main")
    assert result.exit_code == 1
    assert ("  error: moving leaves the public site without being withdrawn (moved to 2022/moving.md): add "
            "'formerly: [2021/moving.md]' to stories/2022/moving.md so its old address leads there") in result.stdout.splitlines()
    _edit(root / "stories" / "2022" / "moving.md", "visibility: public\n", "visibility: public\nformerly: [2021/moving.md]\n")
    assert cli(root, "diff", "main").exit_code == 0
