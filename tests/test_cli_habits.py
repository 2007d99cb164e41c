"""A command line that fits habits: suggestions for values, YAML hints, ids from any title,
a busy port in one line, and a preview that shows content errors and recovers."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import REPO, story
from mkdocs.commands.build import build

from handbook_gen.cli import configure, handbook
from handbook_gen.core.validation import check

HANDBOOK_BIN = Path(sys.executable).parent / "handbook"


def run(root, monkeypatch, *args):
    monkeypatch.chdir(root)
    return CliRunner().invoke(handbook, list(args), catch_exceptions=False)


def messages(root):
    _, problems = check(root / "stories", root, today=dt.date(2026, 11, 28))
    return [(d.line, d.message) for d in problems if d.code != "HB206"]  # the lesson left untaught


def test_enum_values_get_a_suggestion(make_handbook):
    root = make_handbook({"stories": {"2021": {"first-story.md": story(extra="kind: near miss\nseverity: Major\n")}}})
    assert messages(root) == [
        (7, "'kind' must be one of 'incident', 'near-miss', 'project', 'process', 'decision' or 'other', found 'near miss' - did you mean 'near-miss'?"),
        (8, "'severity' must be one of 'minor', 'major' or 'critical', found 'Major' - did you mean 'major'?"),
    ]


def test_yaml_errors_carry_a_hint(make_handbook):
    root = make_handbook({"stories": {"2021": {
        "first-story.md": story(title="Fix: restart the cache"),
        "tabbed.md": "---\ntitle: Tabbed\n\tdate: 2021-01-01\n---\n\nBody.\n",
    }}})
    assert messages(root) == [
        (2, "broken YAML: mapping values are not allowed here - a value holding ': ' needs quotes, such as title: \"Fix: restart\""),
        (3, "broken YAML: while scanning for the next token found character '\\t' that cannot start any token - indent with spaces: YAML does not allow tabs"),
    ]


def test_new_makes_ids_from_accented_titles_and_takes_id(make_handbook, monkeypatch):
    root = make_handbook()
    result = run(root, monkeypatch, "new", "Ärger mit Löwen und Straße", "--author", "ada", "--lesson", "keep-backups", "--date", "2024-05-02")
    assert result.exit_code == 0, result.output
    assert (root / "stories" / "2024" / "arger-mit-lowen-und-strasse.md").is_file()
    result = run(root, monkeypatch, "new", "Ночь, когда всё упало", "--author", "ada", "--lesson", "keep-backups", "--date", "2024-05-02")
    assert result.exit_code == 1
    assert "no id can be made from the title 'Ночь, когда всё упало' (no Latin letters or digits): pass --id" in result.output
    result = run(root, monkeypatch, "new", "Ночь, когда всё упало", "--id", "the-night-it-fell", "--author", "ada", "--lesson", "keep-backups", "--date", "2024-05-02")
    assert result.exit_code == 0, result.output
    assert "title: Ночь, когда всё упало" in (root / "stories" / "2024" / "the-night-it-fell.md").read_text(encoding="utf-8")
    bad = run(root, monkeypatch, "new", "Anything", "--id", "Not_An_Id", "--author", "ada", "--lesson", "keep-backups")
    assert bad.exit_code == 1 and "--id 'Not_An_Id' must be lowercase words joined by hyphens, such as 'not-an-id'" in bad.output


def test_serve_on_a_busy_port_says_so_in_one_line(make_handbook):
    root = make_handbook()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([str(HANDBOOK_BIN), "serve", "-a", f"127.0.0.1:{port}"], cwd=root, capture_output=True, text=True,
                              timeout=120, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == f"Error: 127.0.0.1:{port} is in use (another preview?): pass another address, such as -a 127.0.0.1:{port + 1}"
    assert "Traceback" not in done.stderr


def test_a_preview_shows_content_errors_and_recovers(tmp_path):
    root = tmp_path / "hb"
    for name in ("stories", "overrides", "placeholder"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    story_file = root / "stories" / "2021" / "shipped-someone-elses-installer.md"
    good = story_file.read_text(encoding="utf-8")
    story_file.write_text(good.replace("\nlessons:", "\nlesons:", 1), encoding="utf-8")
    site = tmp_path / "site"
    config = configure.load(str(root / "mkdocs.yml"), "internal", site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config, serve_url="http://127.0.0.1:8000/")
        page = (site / "index.html").read_text(encoding="utf-8")
        assert "2 errors in the content" in page and "did you mean &#x27;lessons&#x27;?" in page
        # Nothing of the content while it has errors: its pages show the errors too.
        assert "2 errors in the content" in (site / "2021" / "shipped-someone-elses-installer" / "index.html").read_text(encoding="utf-8")
        story_file.write_text(good, encoding="utf-8")
        build(configure.load(str(root / "mkdocs.yml"), "internal", site_dir=str(site)), serve_url="http://127.0.0.1:8000/")
        assert (site / "2021" / "shipped-someone-elses-installer" / "index.html").is_file()
        assert "errors in the content" not in (site / "index.html").read_text(encoding="utf-8")
    finally:
        config.plugins.on_startup(command="build", dirty=False)


def test_help_lists_every_command_without_cutting_it_off(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(handbook, ["--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "..." not in result.output.split("Commands:")[1]
    assert "  check    Validate every story, lesson and page; report every problem at once.\n" in result.output
    for name in ("audit", "build", "check", "clear", "deploy", "diff", "export", "index", "init", "migrate", "new", "schema", "serve"):
        assert f"\n  {name} " in result.output


def test_placeholder_text_left_from_new_is_a_warning(make_handbook, monkeypatch):
    root = make_handbook()
    made = run(root, monkeypatch, "new", "Disk full again", "--author", "ada", "--lesson", "keep-backups", "--date", "2022-05-06")
    assert made.exit_code == 0, made.output
    _, problems = check(root / "stories", root, today=dt.date(2026, 11, 28))
    # The summary, the five whys (one line), and the three paragraphs of the body.
    assert [d.line for d in problems if d.code == "HB402"] == [4, 9, 14, 18, 21]
    assert run(root, monkeypatch, "check").exit_code == 0  # warnings: the story still builds
    assert run(root, monkeypatch, "check", "--strict").exit_code == 1


def test_a_story_at_the_top_or_among_lessons_gets_one_line_saying_where_stories_go(make_handbook):
    root = make_handbook({"stories": {"loose-story.md": story("Loose story"), "lessons": {"lost-story.md": story("Lost story", date="2019-02-03")}}})
    _, problems = check(root / "stories", root, today=dt.date(2026, 11, 28))
    assert [d.text() for d in problems] == [
        "stories/lessons/lost-story.md:1:1: error: HB009 this is a story, but 'lessons/' holds lessons: stories go in a folder "
        "of their year - move it to 'stories/2019/lost-story.md'",
        "stories/loose-story.md:1:1: error: HB009 this is a story, but the top of the content folder holds pages: stories go in a "
        "folder of their year - move it to 'stories/2021/loose-story.md'",
    ]


def test_a_page_or_lesson_with_a_stray_story_field_still_gets_the_field_error(make_handbook):
    root = make_handbook({"stories": {"notes.md": "---\ntitle: Notes\ndate: 2021-01-01\n---\n\nNotes.\n"}})
    assert messages(root) == [(3, "unknown field 'date' (valid fields: title, visibility, description, template, hide, icon, status, subtitle, search, tags)")]


def test_config_file_may_be_the_folder_holding_mkdocs_yml(make_handbook, tmp_path, monkeypatch):
    root = make_handbook({"stories": {"2021": {"typo.md": story("Typo story", extra="lesons: [keep-backups]\n")}}})
    line = "stories/2021/typo.md:7:1: error: HB102 unknown field 'lesons' - did you mean 'lessons'?"
    for args in (("-f", "hb", "check"), ("check", "-f", "hb/"), ("check", "-f", str(root))):
        result = run(tmp_path, monkeypatch, *args)
        assert (result.exit_code, result.stdout.splitlines()) == (1, [line]), args
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(tmp_path, monkeypatch, "check", "-f", "empty")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "Error: no mkdocs.yml in the folder empty: pass the handbook's folder or its mkdocs.yml"


def test_new_makes_an_id_from_a_title_with_apostrophes_as_one_word(make_handbook, monkeypatch):
    root = make_handbook()
    for title in ("Shipped someone else's installer", "The night’s watch didn’t page"):
        result = run(root, monkeypatch, "new", title, "--author", "ada", "--lesson", "keep-backups", "--date", "2024-05-02")
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (root / "stories" / "2024").iterdir()) == ["shipped-someone-elses-installer.md", "the-nights-watch-didnt-page.md"]


def test_readme_command_table_lists_every_command_and_says_how_long_the_tests_take():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Commands", 1)[1].split("\n\n", 3)[2]
    listed = {line.split("`handbook ", 1)[1].split(" ", 1)[0].rstrip("`") for line in table.splitlines() if line.startswith("| `handbook ")}
    assert listed == set(handbook.commands)
    assert re.search(r"takes about \d+ minutes", readme)
