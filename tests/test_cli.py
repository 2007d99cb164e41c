"""The `handbook` command line (SPEC section 7): check, schema, new, clear, init, build."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build_site, story

HANDBOOK_BIN = Path(sys.executable).parent / "handbook"



def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root's stories/, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "stories").rglob("*")) if p.is_file()}


# --- check -----------------------------------------------------------------------------

TYPO = {"stories": {"2021": {"typo.md": story("Typo story", extra="lesons: [keep-backups]\n")}}}
PUBLIC = {"stories": {"2021": {"pub.md": story("Public story", extra="visibility: public\n")}}}
TYPO_LINE = "stories/2021/typo.md:7:1: error: HB102 unknown field 'lesons' - did you mean 'lessons'?"
PUBLIC_LINE = "stories/2021/pub.md:7:1: warning: HB305 public story 'pub' is not cleared: it stays out of the public site until 'handbook clear pub --by AUTHOR'"


def test_check_valid_exits_0(make_handbook, cli):
    result = cli(make_handbook(), "check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "1 story, 1 lesson, 2 pages: 0 errors, 0 warnings" in result.stderr


def test_check_errors_exit_1_with_exact_text_lines(make_handbook, cli):
    root = make_handbook({"stories": {"2021": {**TYPO["stories"]["2021"], **PUBLIC["stories"]["2021"]}}})
    result = cli(root, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [PUBLIC_LINE, TYPO_LINE]
    assert "1 error, 1 warning" in result.stderr


def test_check_warnings_pass_unless_strict(make_handbook, cli):
    root = make_handbook(PUBLIC)
    result = cli(root, "check")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [PUBLIC_LINE]
    strict = cli(root, "check", "--strict")
    assert strict.exit_code == 1
    assert strict.stdout.splitlines() == [PUBLIC_LINE]
    assert cli(make_handbook(name="clean"), "check", "--strict").exit_code == 0


def test_check_github_format(make_handbook, cli):
    root = make_handbook({"stories": {"2021": {**TYPO["stories"]["2021"], **PUBLIC["stories"]["2021"]}}})
    result = cli(root, "check", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::warning file=stories/2021/pub.md,line=7,col=1::public story 'pub' is not cleared: it stays out of the public site until 'handbook clear pub --by AUTHOR'",
        "::error file=stories/2021/typo.md,line=7,col=1::unknown field 'lesons' - did you mean 'lessons'?",
    ]


def test_check_json_is_only_a_json_array_on_stdout(make_handbook, cli):
    root = make_handbook({"stories": {"2021": {**TYPO["stories"]["2021"], **PUBLIC["stories"]["2021"]}}})
    result = cli(root, "check", "--format", "json")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)  # the whole of stdout is one JSON document
    assert isinstance(rows, list) and len(rows) == 2
    for row in rows:
        assert set(row) == {"path", "line", "col", "severity", "code", "message"}
    assert {"path": "stories/2021/typo.md", "line": 7, "col": 1, "severity": "error", "code": "HB102",
            "message": "unknown field 'lesons' - did you mean 'lessons'?"} in rows
    assert any(r["severity"] == "warning" and r["code"] == "HB305" for r in rows)


def test_check_json_when_valid_is_an_empty_array(make_handbook, cli):
    result = cli(make_handbook(), "check", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_check_json_subprocess_stdout_is_pure_json(make_handbook):
    root = make_handbook(TYPO)
    result = subprocess.run([str(HANDBOOK_BIN), "check", "--format", "json"], cwd=root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    rows = json.loads(result.stdout)
    assert [(r["path"], r["line"], r["col"], r["code"]) for r in rows] == [("stories/2021/typo.md", 7, 1, "HB102")]


def test_check_with_config_file_from_another_cwd(make_handbook, cli, tmp_path):
    root = make_handbook(TYPO)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = cli(elsewhere, "-f", str(root / "mkdocs.yml"), "check")
    assert result.exit_code == 1
    # Paths stay relative to the folder holding mkdocs.yml, not to the cwd.
    assert result.stdout.splitlines() == [TYPO_LINE]
    relative = cli(tmp_path, "-f", "hb/mkdocs.yml", "check")
    assert relative.stdout.splitlines() == [TYPO_LINE]


def test_check_without_mkdocs_yml_fails_clearly(cli, tmp_path):
    result = cli(tmp_path, "check")
    assert result.exit_code == 1
    assert "mkdocs.yml" in result.stderr and "-f" in result.stderr


# --- schema ----------------------------------------------------------------------------


def test_schema_prints_json_schema(cli, tmp_path):
    result = cli(tmp_path, "schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert {"title", "date", "summary", "authors", "lessons", "visibility", "award", "clearance"} <= set(schema["properties"])
    assert {"title", "date", "summary", "authors", "lessons"} <= set(schema["required"])
    assert "lesons" not in schema["properties"]
    assert schema["properties"]["visibility"]["enum"] == ["internal", "public"]
    # Every field carries a description and an example, for editors.
    assert [name for name, prop in schema["properties"].items() if not prop.get("description") or not prop.get("examples")] == []
    assert schema["properties"]["time_to_detect"]["examples"] == ["25m"]


# --- new -------------------------------------------------------------------------------


def test_new_without_tty_names_the_missing_flag(make_handbook, cli):
    root = make_handbook()
    before = snapshot(root)
    result = cli(root, "new", "Disk full again")
    assert result.exit_code == 1
    assert "--author" in result.stderr and "ada" in result.stderr and "bob" in result.stderr
    no_lesson = cli(root, "new", "Disk full again", "--author", "ada")
    assert no_lesson.exit_code == 1 and "--lesson" in no_lesson.stderr
    no_title = cli(root, "new", "--author", "ada", "--lesson", "keep-backups")
    assert no_title.exit_code == 1 and "TITLE" in no_title.stderr
    assert snapshot(root) == before


def test_new_with_flags_writes_a_valid_story(make_handbook, cli):
    root = make_handbook()
    result = cli(root, "new", "Disk full again", "--author", "ada", "--author", "bob", "--lesson", "keep-backups",
                 "--date", "2022-05-06", "--kind", "near-miss", "--severity", "major", "--team", "platform", "--tag", "disks")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "stories/2022/disk-full-again.md"
    path = root / "stories" / "2022" / "disk-full-again.md"
    text = path.read_text(encoding="utf-8")
    assert "title: Disk full again" in text and "date: 2022-05-06" in text and "kind: near-miss" in text
    check = cli(root, "check", "--format", "json")
    assert check.exit_code == 0, check.stdout
    assert [r for r in json.loads(check.stdout) if r["severity"] == "error"] == []
    build_site(root, "internal")
    assert (root / "site" / "internal" / "2022" / "disk-full-again" / "index.html").is_file()


def test_new_never_overwrites(make_handbook, cli):
    mine = "---\ntitle: Mine\n---\n\nDo not touch.\n"
    root = make_handbook({"stories": {"2022": {"disk-full-again.md": mine}}})
    args = ("new", "Disk full again", "--author", "ada", "--lesson", "keep-backups", "--date", "2022-05-06")
    result = cli(root, *args)
    assert result.exit_code == 1
    assert "exists" in result.stderr
    assert (root / "stories" / "2022" / "disk-full-again.md").read_text(encoding="utf-8") == mine
    # The same id in another year's folder is refused too (ids are unique).
    root2 = make_handbook({"stories": {"2019": {"disk-full-again.md": story("Disk full again")}}}, name="hb2")
    before = snapshot(root2)
    result = cli(root2, *args)
    assert result.exit_code == 1 and "stories/2019/disk-full-again.md" in result.stderr
    assert snapshot(root2) == before


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("Launch in the future", "--date", "2999-01-01"), "stories/2999/launch-in-the-future.md:3:1: error: HB204 'date' 2999-01-01 is in the future"),
        (("Index", "--date", "2021-05-06"), "stories/2021/index.md:1:1: error: HB205 story 'index'"),
    ],
)
def test_new_leaves_no_invalid_story_behind(make_handbook, cli, args, problem):
    root = make_handbook()
    before = snapshot(root)
    result = cli(root, "new", *args, "--author", "ada", "--lesson", "keep-backups")
    assert result.exit_code == 1
    assert any(line.startswith(problem) for line in result.stderr.splitlines()), result.stderr
    assert snapshot(root) == before
    assert not (root / "stories" / "2999").exists()
    assert cli(root, "check", "--strict").exit_code == 0


def test_new_unknown_lesson_or_author_suggests(make_handbook, cli):
    root = make_handbook()
    before = snapshot(root)
    result = cli(root, "new", "Disk full again", "--author", "ada", "--lesson", "keep-backup")
    assert result.exit_code == 1
    assert "unknown lesson 'keep-backup' - did you mean 'keep-backups'?" in result.stderr
    result = cli(root, "new", "Disk full again", "--author", "adaa", "--lesson", "keep-backups")
    assert result.exit_code == 1
    assert "unknown author 'adaa' - did you mean 'ada'?" in result.stderr
    assert snapshot(root) == before


# --- clear -----------------------------------------------------------------------------

COMMENTED = """\
---
# Comments, key order and quoting are the author's: clear must keep them.
title: "Public: the day we shipped the wrong installer"   # quoted on purpose
visibility: public
date: 2021-03-04
summary: >
  Something failed in an instructive way and we wrote it down.
lessons:
  - keep-backups   # the one that matters
authors: [ada]
internal:
  ticket: OPS-1234
---

## What happened

A public paragraph.

<!-- internal -->
The customer was ACME.
<!-- /internal -->

Trailing text without a final newline."""


def clear_tree():
    return {"stories": {"2021": {
        "pub.md": COMMENTED,
        "other-pub.md": story("Another public story", extra="visibility: public\n"),
        "draft-pub.md": story("A public draft", extra="visibility: public\nstatus: draft\n"),
        "internal-one.md": story("Internal one"),
        "broken-pub.md": story("Broken public", extra="visibility: public\nseverity: huge\n"),
        "bad-ref-pub.md": story("Bad reference public", lessons="[keep-backup]", extra="visibility: public\n"),
    }}}


def without_clearance(text: str) -> str:
    lines = text.split("\n")
    i = lines.index("clearance:")
    assert lines[i + 1] == "  by: bob" and lines[i + 2] == f"  date: {dt.date.today().isoformat()}"
    assert lines[i + 3].startswith("  digest: sha256:")
    return "\n".join(lines[:i] + lines[i + 4 :])


def test_clear_writes_only_the_clearance_block(make_handbook, cli):
    root = make_handbook(clear_tree())
    before = snapshot(root)
    result = cli(root, "clear", "pub", "--by", "bob")  # ada wrote it: a second person clears
    assert result.exit_code == 0, result.output
    assert "cleared pub (stories/2021/pub.md)" in result.stdout
    after = snapshot(root)
    text = after["stories/2021/pub.md"].decode("utf-8")
    assert without_clearance(text) == COMMENTED  # everything else byte-for-byte
    assert text.split("\n").index("clearance:") == text.split("\n").index("---", 1) - 4  # at the end of the front-matter
    assert {k: v for k, v in after.items() if k != "stories/2021/pub.md"} == {k: v for k, v in before.items() if k != "stories/2021/pub.md"}


def test_clear_puts_the_story_in_the_public_build(make_handbook, cli):
    root = make_handbook({"stories": {"2021": {"pub.md": COMMENTED}}})
    site = build_site(root, "public")
    assert not (site / "2021" / "pub").exists()
    assert cli(root, "clear", "pub", "--by", "bob").exit_code == 0
    result = cli(root, "check", "--strict")
    assert result.exit_code == 0, result.output
    site = build_site(root, "public")
    page = (site / "2021" / "pub" / "index.html").read_text(encoding="utf-8")
    assert "A public paragraph." in page
    assert "ACME" not in page and "OPS-1234" not in page
    assert "data-pagefind-body" in page  # and searchable


def test_clear_then_edit_body_warns_but_internal_edit_does_not(make_handbook, cli):
    root = make_handbook({"stories": {"2021": {"pub.md": COMMENTED}}})
    assert cli(root, "clear", "pub", "--by", "bob").exit_code == 0
    path = root / "stories" / "2021" / "pub.md"
    cleared = path.read_text(encoding="utf-8")

    path.write_text(cleared.replace("The customer was ACME.", "The customer was ACME Corp."), encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace("ticket: OPS-1234", "ticket: OPS-9999"), encoding="utf-8")
    result = cli(root, "check", "--strict")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""

    path.write_text(cleared.replace("A public paragraph.", "A public paragraph, edited."), encoding="utf-8")
    result = cli(root, "check")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("stories/2021/pub.md:")
    assert "warning: HB306 public story 'pub' changed after its clearance" in lines[0]
    assert not (build_site(root, "public") / "2021" / "pub").exists()
    # Clearing again replaces the block in place: still exactly one, at the same place.
    assert cli(root, "clear", "pub", "--by", "bob").exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert text.count("clearance:") == 1 and "  by: bob" in text and "  by: ada" not in text
    assert cli(root, "check", "--strict").exit_code == 0


@pytest.mark.parametrize(
    ("ids", "reason"),
    [
        (["nope"], "nope: unknown story"),
        (["internal-one"], "internal-one: internal story"),
        (["broken-pub"], "broken-pub: invalid story"),
        (["bad-ref-pub"], "bad-ref-pub: invalid story"),
        (["other-pub", "nope"], "nope: unknown story"),  # one bad id: nothing at all is cleared
        (["pubb"], "pubb: unknown story - did you mean 'pub'?"),
    ],
)
def test_clear_refuses_and_changes_nothing(make_handbook, cli, ids, reason):
    root = make_handbook(clear_tree())
    before = snapshot(root)
    result = cli(root, "clear", *ids, "--by", "ada")
    assert result.exit_code == 1
    assert reason in result.stderr
    assert "nothing was cleared" in result.stderr
    assert snapshot(root) == before


def test_clear_unknown_clearer_refused(make_handbook, cli):
    root = make_handbook(clear_tree())
    before = snapshot(root)
    result = cli(root, "clear", "pub", "--by", "adaa")
    assert result.exit_code == 1 and "unknown author 'adaa'" in result.stderr
    assert snapshot(root) == before


def test_clear_all_public(make_handbook, cli):
    tree = clear_tree()
    for name in ("broken-pub.md", "bad-ref-pub.md"):
        del tree["stories"]["2021"][name]
    root = make_handbook(tree)
    assert cli(root, "clear", "pub", "--by", "bob").exit_code == 0
    before = snapshot(root)
    result = cli(root, "clear", "--all-public", "--by", "bob")
    assert result.exit_code == 0, result.output
    after = snapshot(root)
    changed = {k for k in after if after[k] != before[k]}
    # The uncleared public stories (the draft included) are cleared; the already cleared
    # one and the internal one are left alone.
    assert changed == {"stories/2021/other-pub.md", "stories/2021/draft-pub.md"}
    assert b"clearance:" in after["stories/2021/draft-pub.md"]
    result = cli(root, "check", "--strict")
    assert result.exit_code == 0, result.output


def test_clear_all_public_refuses_when_content_is_invalid(make_handbook, cli):
    root = make_handbook(clear_tree())
    before = snapshot(root)
    result = cli(root, "clear", "--all-public", "--by", "ada")
    assert result.exit_code == 1
    assert "stories/2021/broken-pub.md" in result.stderr
    assert snapshot(root) == before


def test_clear_keeps_crlf_line_endings(make_handbook, cli):
    crlf = COMMENTED.replace("\n", "\r\n")
    root = make_handbook({"stories": {"2021": {"pub.md": crlf.encode("utf-8")}}})
    assert cli(root, "clear", "pub", "--by", "bob").exit_code == 0
    raw = (root / "stories" / "2021" / "pub.md").read_bytes().decode("utf-8")
    assert "\n" not in raw.replace("\r\n", "")  # every line still ends in CRLF
    assert without_clearance(raw.replace("\r\n", "\n")) == COMMENTED
    assert cli(root, "check", "--strict").exit_code == 0


# --- init ------------------------------------------------------------------------------


def test_init_creates_a_handbook_that_checks_and_builds(cli, tmp_path):
    target = tmp_path / "fresh"
    result = cli(tmp_path, "init", "fresh")
    assert result.exit_code == 0, result.output
    for name in ("mkdocs.yml", "stories/authors.yml", "stories/index.md", "stories/culture.md"):
        assert (target / name).is_file(), name
    assert list((target / "stories" / "lessons").glob("*.md"))
    stories = [p for p in (target / "stories").rglob("*.md") if p.parent.name.isdigit()]
    assert len(stories) == 1
    assert (target / "overrides").is_dir()
    check = cli(target, "check", "--format", "json")
    assert check.exit_code == 0
    assert [r for r in json.loads(check.stdout) if r["severity"] == "error"] == []
    internal = build_site(target, "internal")
    story_page = internal / stories[0].parent.name / stories[0].stem / "index.html"
    assert story_page.is_file()
    public = build_site(target, "public")
    assert (public / "index.html").is_file()


def test_init_refuses_a_non_empty_dir(cli, tmp_path):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = cli(tmp_path, "init", "busy")
    assert result.exit_code == 1
    assert "not empty" in result.stderr
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_init_into_an_existing_empty_dir(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    assert cli(tmp_path, "init", "empty").exit_code == 0
    assert (tmp_path / "empty" / "mkdocs.yml").is_file()


# --- build -----------------------------------------------------------------------------


def test_build_one_variant_into_a_dir(make_handbook, cli, tmp_path):
    root = make_handbook()
    out = tmp_path / "out-internal"
    result = cli(root, "build", "--variant", "internal", "-d", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file()
    assert (out / "2021" / "first-story" / "index.html").is_file()
    assert not (out / "internal").exists() and not (root / "site").exists()


def test_build_never_replaces_a_folder_of_other_files(make_handbook, cli, tmp_path):
    root = make_handbook()
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("keep me\n", encoding="utf-8")
    result = cli(root, "build", "--variant", "internal", "-d", str(notes))
    assert result.exit_code == 1
    assert result.stderr == (f"refusing to write the site there: {notes} is not empty and does not look like a built site "
                             "(no index.html or sitemap.xml)\n")
    assert [p.name for p in notes.iterdir()] == ["todo.txt"] and (notes / "todo.txt").read_text(encoding="utf-8") == "keep me\n"
    # Nor the handbook, or a folder holding it; nothing is built.
    for holder in (root, root.parent):
        result = cli(root, "build", "--variant", "internal", "-d", str(holder))
        assert result.exit_code == 1 and result.stderr == f"refusing to write the site there: {holder} holds the handbook itself\n"
    assert (root / "stories" / "2021" / "first-story.md").is_file() and not (root / "site").exists()
    # An earlier site is replaced, as is an empty folder.
    site = tmp_path / "site"
    assert cli(root, "build", "--variant", "internal", "-d", str(site)).exit_code == 0
    (site / "stale.html").write_text("old\n", encoding="utf-8")
    assert cli(root, "build", "--variant", "internal", "-d", str(site)).exit_code == 0
    assert (site / "index.html").is_file() and not (site / "stale.html").exists()


def test_build_all_builds_both_variants(make_handbook):
    root = make_handbook(PUBLIC)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([str(HANDBOOK_BIN), "build"], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    internal, public = root / "site" / "internal", root / "site" / "public"
    assert (internal / "2021" / "first-story" / "index.html").is_file()
    assert (internal / "2021" / "pub" / "index.html").is_file()
    assert (public / "index.html").is_file()
    # Internal stories and the uncleared public one stay out of the public site.
    assert not (public / "2021" / "first-story").exists() and not (public / "2021" / "pub").exists()
    # The uncleared story's warning is printed once, not once per variant.
    assert result.stderr.count("public story 'pub' is not cleared") == 1, result.stderr


def test_build_invalid_content_exits_1_listing_errors(make_handbook, cli):
    root = make_handbook({"stories": {"2021": {**TYPO["stories"]["2021"], "late.md": story("Late", date="2999-01-01")}}})
    result = cli(root, "build")
    assert result.exit_code == 1
    assert TYPO_LINE in result.stderr.splitlines()
    assert any(line.startswith("stories/2021/late.md:3:1: error: HB204 'date' 2999-01-01 is in the future") for line in result.stderr.splitlines())
    assert "2 errors: nothing was built" in result.stderr
    assert not (root / "site").exists()


def _in_a_terminal(root: Path, args: list[str], answers: list[bytes]) -> tuple[int | None, str]:
    """Run `handbook ARGS` with a terminal on its standard streams, answering each prompt in turn."""
    import pty
    import select

    primary, secondary = pty.openpty()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.Popen([str(HANDBOOK_BIN), *args], cwd=root, env=env, stdin=secondary, stdout=secondary, stderr=secondary)
    os.close(secondary)
    seen = b""
    left = iter(answers)
    try:
        while proc.poll() is None or select.select([primary], [], [], 0)[0]:
            ready, _, _ = select.select([primary], [], [], 10)
            if not ready:
                break
            try:
                chunk = os.read(primary, 1024)
            except OSError:
                break
            seen += chunk
            if chunk.rstrip().endswith(b":"):
                os.write(primary, next(left, b"\x04"))  # no answer left: end of input, and the test fails
        proc.wait(timeout=30)
    finally:
        os.close(primary)
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, seen.decode()


def test_new_in_a_terminal_asks_for_every_required_field(make_handbook):
    """With a terminal on standard input, `new` prompts for title, date, summary, authors and lessons."""
    root = make_handbook()
    code, text = _in_a_terminal(root, ["new"], [b"Asked in a terminal\n", b"\n", b"\n", b"ada\n", b"keep-backups\n"])
    assert "Title:" in text and f"Date [{dt.date.today().isoformat()}]:" in text and "Summary, one or two sentences (empty: write it later):" in text
    assert "Author id (ada, bob):" in text and "Lesson ids" in text
    assert code == 0, text
    written = next((root / "stories").glob("*/asked-in-a-terminal.md"))
    content = written.read_text()
    assert "title: Asked in a terminal\n" in content and "authors: [ada]\n" in content and "lessons: [keep-backups]\n" in content
    assert f"date: {dt.date.today().isoformat()}\n" in content


def test_new_in_a_terminal_asks_again_only_what_was_mistyped(make_handbook):
    root = make_handbook()
    answers = [b"Shipped someone else's installer\n", b"2021-13-04\n", b"2021-03-04\n", b"Too short\n",
               b"We shipped an installer built by another team without reading it first.\n", b"ada adaa\n", b"ada\n", b"keep-backups\n"]
    code, text = _in_a_terminal(root, ["new"], answers)
    assert code == 0, text
    assert "Error: --date must be YYYY-MM-DD, found '2021-13-04'" in text
    assert "Error: unknown author 'adaa' - did you mean 'ada'?" in text
    assert text.count("Title:") == 1 and text.count("Author id") == 2 and text.count("Summary") == 2
    content = (root / "stories" / "2021" / "shipped-someone-elses-installer.md").read_text()
    assert "date: 2021-03-04\n" in content and "summary: We shipped an installer built by another team without reading it first.\n" in content
    # A flag's wrong value is asked again too, the flags given right kept.
    code, text = _in_a_terminal(root, ["new", "A flagged story", "--author", "bbo", "--lesson", "keep-backups", "--date", "2022-02-02"],
                                [b"\n", b"bob\n"])
    assert code == 0, text
    assert "Error: unknown author 'bbo' - did you mean 'bob'?" in text and "Title:" not in text and "Lesson ids" not in text
    assert "authors: [bob]\n" in (root / "stories" / "2022" / "a-flagged-story.md").read_text()


def test_build_progress_on_a_terminal_quiet_in_a_log_unless_asked(make_handbook, monkeypatch):
    import re

    root = make_handbook()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    quiet = subprocess.run([str(HANDBOOK_BIN), "build"], cwd=root, capture_output=True, text=True, timeout=300, env=env)
    assert quiet.returncode == 0, quiet.stderr
    assert "rendering pages" not in quiet.stderr and "validated" not in quiet.stderr  # a CI log gets no progress
    asked = subprocess.run([str(HANDBOOK_BIN), "build", "--progress"], cwd=root, capture_output=True, text=True, timeout=300, env=env)
    assert asked.returncode == 0, asked.stderr
    lines = asked.stderr.splitlines()
    assert lines[0] == "validated 1 story"
    # The two variants build at once: each reports its own stages, in whatever order they interleave.
    # A stage's counts are shown as they come, and a fast stage may be overtaken before its last count shows.
    assert any(re.search(r"(^|; )internal: rendering pages \d+/\d+(;|$)", line) for line in lines), lines
    assert any(re.search(r"(^|; )public: rendering pages \d+/\d+(;|$)", line) for line in lines), lines
    assert any(re.search(r"(^|; )internal: indexing(;|$)", line) for line in lines), lines
    assert any(re.search(r"(^|; )public: indexing and auditing(;|$)", line) for line in lines), lines
    assert "\r" not in asked.stderr
    # On a terminal, one line rewritten in place, gone at the end. A build this small can end before
    # the two seconds a terminal waits (0.9 s on a quiet machine): the test asks for no wait.
    monkeypatch.setenv("HANDBOOK_PROGRESS_DELAY", "0")
    code, shown = _in_a_terminal(root, ["build"], [])
    assert code == 0, shown
    assert "\r\x1b[Kvalidated 1 story; internal: " in shown and "rendering pages" in shown
    assert "\r\x1b[K" in shown.split("built the internal site")[0][-40:]  # cleared before the results
