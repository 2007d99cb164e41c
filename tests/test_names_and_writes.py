"""Security review fixes: page names, safe clearance writes, `new` through links, link loops, GitHub annotations."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from conftest import AUTHORS, build_site, lesson, story

from handbook_gen.core.clearance import ClearanceError, with_clearance
from handbook_gen.core.diagnostics import Diagnostic, Severity


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root's stories/ (links not followed), by relative path."""
    out = {}
    for folder, _dirs, files in os.walk(root / "stories"):
        for name in files:
            path = Path(folder, name)
            out[path.relative_to(root).as_posix()] = path.read_bytes() if path.is_file() else b"<link>"
    return out


def check_json(cli, root: Path) -> list[dict]:
    result = cli(root, "check", "--format", "json")
    return json.loads(result.stdout)


# --- 1. page names that collide with generated pages or the home page ------------------

LISTINGS = ["years", "teams", "tags", "kinds", "severities", "lessons"]


@pytest.mark.parametrize("name", LISTINGS)
def test_page_named_like_a_listing_is_an_error(make_handbook, cli, name):
    root = make_handbook({"stories": {f"{name}.md": f"---\ntitle: My {name}\n---\n\nHand-written {name}.\n"}})
    before = snapshot(root)
    result = cli(root, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"stories/{name}.md:1:1: error: HB205 page '{name}.md' collides with the generated page '{name}/index.md' "
        f"(both would be served at {name}/) - rename the file, for example to '{name}-page.md'"
    ]
    assert [(r["path"], r["line"], r["code"]) for r in check_json(cli, root)] == [(f"stories/{name}.md", 1, "HB205")]
    build = cli(root, "build")
    assert build.exit_code == 1 and "1 error: nothing was built" in build.stderr
    assert not (root / "site").exists()
    assert snapshot(root) == before


def test_renamed_listing_page_builds_beside_the_listing(make_handbook, cli):
    root = make_handbook({"stories": {"years-page.md": "---\ntitle: About years\n---\n\nOur own page about years.\n"}})
    assert cli(root, "check", "--strict").exit_code == 0
    site = build_site(root)
    assert "Our own page about years." in (site / "years-page" / "index.html").read_text(encoding="utf-8")
    listing = (site / "years" / "index.html").read_text(encoding="utf-8")
    assert "Stories by year" in listing and "Our own page about years." not in listing


def test_readme_beside_index_is_an_error(make_handbook, cli):
    root = make_handbook({"stories": {"README.md": "---\ntitle: Read me\n---\n\nNot the home page.\n"}})
    result = cli(root, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "stories/README.md:1:1: error: HB205 page 'README.md' collides with 'index.md' beside it (MkDocs serves a README.md "
        "as its folder's home page, as it does index.md) - rename the file, for example to 'readme-page.md'"
    ]
    assert [(r["path"], r["line"], r["code"]) for r in check_json(cli, root)] == [("stories/README.md", 1, "HB205")]


def test_readme_without_index_is_the_home_page(make_handbook, cli):
    root = make_handbook({"stories": {"README.md": "---\ntitle: Home\n---\n\nThe README home.\n"}})
    (root / "stories" / "index.md").unlink()
    result = cli(root, "check", "--strict")
    assert result.exit_code == 0, result.output
    assert "1 story, 1 lesson, 2 pages: 0 errors, 0 warnings" in result.stderr
    assert "The README home." in (build_site(root) / "index.html").read_text(encoding="utf-8")


def test_readme_in_story_and_lesson_folders_is_never_lost(make_handbook, cli):
    # Inside folders every .md is a story or lesson: README is not a kebab-case id.
    root = make_handbook({"stories": {"2021": {"README.md": story("Upper case story")}, "lessons": {"README.md": lesson("Upper case")}}})
    result = cli(root, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "stories/2021/README.md:1:1: error: HB104 story id 'README' (the file name) must be lowercase kebab-case such as 'readme' - rename the file",
        "stories/lessons/README.md:1:1: error: HB104 lesson id 'README' (the file name) must be lowercase kebab-case such as 'readme' - rename the file",
        "stories/lessons/README.md:1:1: warning: HB206 lesson 'README' is taught by no story - link it from a story's 'lessons' or remove it",
    ]


def test_story_id_readme_builds_at_its_own_address(make_handbook, cli):
    root = make_handbook({"stories": {"2021": {"readme.md": story("The readme story", body="Readme body text.\n")}}})
    assert cli(root, "check", "--strict").exit_code == 0
    site = build_site(root)
    assert "Readme body text." in (site / "2021" / "readme" / "index.html").read_text(encoding="utf-8")
    assert "Readme body text." not in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "2021" / "first-story" / "index.html").is_file()


# --- 2. handbook clear: line endings, comments, and a verified write ---------------------

PUB = "stories/2021/pub.md"
FIELDS = [
    "title: A public story",
    "date: 2021-03-04",
    "summary: Something failed in an instructive way and we wrote it down.",
    "authors: [bob]",  # ada clears it: a second person
    "lessons: [keep-backups]",
    "visibility: public",
]
BODY = ["", "## What happened", "", "A public paragraph.", "", "<!-- internal -->", "The customer was ACME.", "<!-- /internal -->"]
NEW_BLOCK = ["clearance:", "  by: ada", "  date: {today}", "  digest: {digest}"]  # filled in after clearing
OLD_BLOCK = ["clearance:", "  by: bob", "  date: 2020-01-01", "  digest: sha256:0000"]


def joined(lines: list[str], endings: list[str] | str) -> str:
    """Join lines, each with its own ending (a list) or all with one ending."""
    if isinstance(endings, str):
        endings = [endings] * len(lines)
    return "".join(line + end for line, end in zip(lines, endings, strict=True))


def digest_of(root: Path) -> str:
    from handbook_gen.core.clearance import digest
    from handbook_gen.core.validation import check

    hb, _ = check(root / "stories", root)
    return digest(hb.stories["pub"])


LF, CRLF = "\n", "\r\n"
MIXED_FM = [CRLF, LF, CRLF, CRLF, LF, CRLF, CRLF]  # --- and 6 fields: CRLF wins
MIXED_BODY = [LF, CRLF, LF, CRLF, CRLF, LF, CRLF, ""]

# (before, expected after): the block goes at the end of the front-matter, or replaces the old one.
LAYOUTS = {
    "lf": (joined(["---", *FIELDS, "---", *BODY], LF),
           joined(["---", *FIELDS, *NEW_BLOCK, "---", *BODY], LF)),
    "crlf": (joined(["---", *FIELDS, "---", *BODY], CRLF),
             joined(["---", *FIELDS, *NEW_BLOCK, "---", *BODY], CRLF)),
    "crlf-front-matter-lf-body": (joined(["---", *FIELDS], CRLF) + joined(["---", *BODY], LF),
                                  joined(["---", *FIELDS, *NEW_BLOCK], CRLF) + joined(["---", *BODY], LF)),
    "lf-front-matter-crlf-body": (joined(["---", *FIELDS], LF) + joined(["---", *BODY], CRLF),
                                  joined(["---", *FIELDS, *NEW_BLOCK], LF) + joined(["---", *BODY], CRLF)),
    "mixed-lines": (joined(["---", *FIELDS], MIXED_FM) + joined(["---", *BODY[1:]], MIXED_BODY),
                    joined(["---", *FIELDS], MIXED_FM) + joined(NEW_BLOCK, CRLF) + joined(["---", *BODY[1:]], MIXED_BODY)),
    "comments-in-and-after-block": (
        joined(["---", *FIELDS[:3], "clearance:  # cleared", "  # note", "  by: bob", "", "  date: 2020-01-01",
                "  digest: sha256:0000", "  # indented note after", "", "# a comment of the author's", *FIELDS[3:], "---", *BODY], LF),
        joined(["---", *FIELDS[:3], *NEW_BLOCK, "", "# a comment of the author's", *FIELDS[3:], "---", *BODY], LF)),
    "column-0-comment-inside-block": (
        joined(["---", *FIELDS[:3], "clearance:", "  by: bob", "# between", "  date: 2020-01-01", "  digest: sha256:0000", *FIELDS[3:], "---", *BODY], CRLF),
        joined(["---", *FIELDS[:3], *NEW_BLOCK, "# between", *FIELDS[3:], "---", *BODY], CRLF)),
    "flow-style": (
        joined(["---", *FIELDS[:2], "clearance: {by: bob, date: 2020-01-01, digest: 'sha256:0000'}", *FIELDS[2:], "---", *BODY], LF),
        joined(["---", *FIELDS[:2], *NEW_BLOCK, *FIELDS[2:], "---", *BODY], LF)),
    "clearance-last-key": (joined(["---", *FIELDS, *OLD_BLOCK, "---", *BODY], CRLF),
                           joined(["---", *FIELDS, *NEW_BLOCK, "---", *BODY], CRLF)),
    "bom": ("\ufeff" + joined(["---", *FIELDS, "---", *BODY], CRLF),
            "\ufeff" + joined(["---", *FIELDS, *NEW_BLOCK, "---", *BODY], CRLF)),
    "no-final-newline-closing-line": (joined(["---", *FIELDS], CRLF) + "---",
                                      joined(["---", *FIELDS, *NEW_BLOCK], CRLF) + "---"),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_clear_writes_exactly_the_block_in_any_layout(make_handbook, cli, layout):
    before, expected = LAYOUTS[layout]
    root = make_handbook({"stories": {"2021": {"pub.md": before.encode("utf-8")}}})
    others = {k: v for k, v in snapshot(root).items() if k != PUB}
    value = digest_of(root)
    result = cli(root, "clear", "pub", "--by", "ada")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"cleared pub ({PUB})\n"
    assert result.stderr == ""
    after = snapshot(root)
    # Today as clear saw it (a run can cross midnight between the table above and this line).
    assert after[PUB] == expected.replace("{digest}", value).replace("{today}", dt.date.today().isoformat()).encode("utf-8")
    assert {k: v for k, v in after.items() if k != PUB} == others
    strict = cli(root, "check", "--strict")
    assert strict.exit_code == 0, strict.output  # one clearance block, matching the content
    assert strict.stdout == ""


def test_cleared_crlf_front_matter_story_is_public(make_handbook, cli):
    before, _ = LAYOUTS["crlf-front-matter-lf-body"]
    root = make_handbook({"stories": {"2021": {"pub.md": before.encode("utf-8")}}})
    assert cli(root, "clear", "pub", "--by", "ada").exit_code == 0
    page = (build_site(root, "public") / "2021" / "pub" / "index.html").read_text(encoding="utf-8")
    assert "A public paragraph." in page and "ACME" not in page and "clearance" not in page


def test_clearing_twice_replaces_the_block(make_handbook, cli):
    before, _ = LAYOUTS["comments-in-and-after-block"]
    root = make_handbook({"stories": {"2021": {"pub.md": before.encode("utf-8")}, "authors.yml": AUTHORS + "cleo:\n  name: Cleo\n"}})
    assert cli(root, "clear", "pub", "--by", "ada").exit_code == 0
    first = (root / PUB).read_bytes()
    assert cli(root, "clear", "pub", "--by", "cleo").exit_code == 0
    second = (root / PUB).read_bytes()
    assert second == first.replace(b"  by: ada\n", b"  by: cleo\n")
    assert second.count(b"clearance:") == 1


# Layouts with_clearance cannot write safely: the result is parsed back and refused.
UNSAFE = {
    # The whole front-matter indented: a block at column 0 would break the YAML.
    "indented-front-matter": joined(["---", *(" " + f for f in FIELDS), "---", *BODY], LF),
    # An explicit key the line scan does not see: a second clearance would be a duplicate.
    "explicit-key": joined(["---", *FIELDS, "? clearance", ": {by: bob, date: 2020-01-01, digest: 'sha256:0000'}", "---", *BODY], LF),
}
UNSAFE_REASON = {
    "indented-front-matter": "its front-matter would not parse after writing the clearance block (line 8: broken YAML: ",
    "explicit-key": "its front-matter would not parse after writing the clearance block (line 10: duplicate key 'clearance'",
}


@pytest.mark.parametrize("layout", list(UNSAFE))
def test_clear_refuses_what_it_cannot_write_safely(make_handbook, cli, layout):
    other = story("Another public story", authors="[bob]", extra="visibility: public\n")
    root = make_handbook({"stories": {"2021": {"pub.md": UNSAFE[layout].encode("utf-8"), "other.md": other}}})
    assert cli(root, "check").exit_code == 0  # a valid story: only writing it is unsafe
    before = snapshot(root)
    result = cli(root, "clear", "other", "pub", "--by", "ada")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {PUB}: cannot write its clearance block safely: {UNSAFE_REASON[layout]}")
    assert lines[0].endswith(" - nothing was cleared")
    assert "Traceback" not in result.output
    assert snapshot(root) == before  # not even the other story, checked first, was written
    assert not [p for p in (root / "stories" / "2021").iterdir() if p.name.endswith(".tmp")]


def test_with_clearance_refuses_instead_of_crashing():
    when = dt.date(2024, 1, 2)
    with pytest.raises(ClearanceError, match=r"^its front-matter is never closed by a '---' line$"):
        with_clearance("---\ntitle: T\n", "ada", when, "sha256:1")
    with pytest.raises(ClearanceError, match=r"^it has no front-matter"):
        with_clearance("title: T\n---\n", "ada", when, "sha256:1")
    # An id YAML would read as a number is quoted, so the block holds the string.
    assert with_clearance("---\ntitle: T\n---\nB\n", "123", when, "sha256:1") == (
        '---\ntitle: T\nclearance:\n  by: "123"\n  date: 2024-01-02\n  digest: sha256:1\n---\nB\n'
    )


# --- 3. handbook new never writes through a link out of stories/ -----------------------

NEW_ARGS = ("new", "Disk full again", "--author", "ada", "--lesson", "keep-backups", "--date", "2024-05-06")


def test_new_refuses_a_year_folder_linked_outside(make_handbook, cli, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = make_handbook()
    os.symlink(elsewhere, root / "stories" / "2024")
    before = snapshot(root)
    result = cli(root, *NEW_ARGS)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: stories/2024 is a symbolic link to '{elsewhere}', outside the content folder stories: "
        "the story would be in neither site - no story was written\n"
    )
    assert list(elsewhere.iterdir()) == []
    assert snapshot(root) == before


def test_new_refuses_a_dangling_year_link(make_handbook, cli, tmp_path):
    missing = tmp_path / "not-there"
    root = make_handbook()
    os.symlink(missing, root / "stories" / "2024")
    result = cli(root, *NEW_ARGS)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: stories/2024 is a symbolic link to '{missing}', outside the content folder stories: "
        "the story would be in neither site - no story was written\n"
    )
    assert not missing.exists()
    assert os.readlink(root / "stories" / "2024") == str(missing)


def test_new_never_follows_a_link_in_place_of_the_story(make_handbook, cli, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = make_handbook({"stories": {"2024": {}}})
    os.symlink(outside / "disk-full-again.md", root / "stories" / "2024" / "disk-full-again.md")
    result = cli(root, *NEW_ARGS)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {root / 'stories' / '2024' / 'disk-full-again.md'} exists already: handbook new never overwrites\n"
    assert list(outside.iterdir()) == []


def test_new_where_the_year_folder_is_a_file_says_so(make_handbook, cli):
    root = make_handbook({"stories": {"2024": "not a folder\n"}})
    before = snapshot(root)
    result = cli(root, *NEW_ARGS)
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot make the folder {root / 'stories' / '2024'}: File exists\n"
    assert snapshot(root) == before


def test_new_through_a_linked_content_folder_is_fine(make_handbook, cli):
    # stories/ itself a link: its real path is what counts, so this is inside.
    root = make_handbook()
    (root / "stories").rename(root / "real-stories")
    os.symlink("real-stories", root / "stories")
    result = cli(root, *NEW_ARGS)
    assert result.exit_code == 0, result.output
    assert result.stdout == "stories/2024/disk-full-again.md\n"
    assert (root / "real-stories" / "2024" / "disk-full-again.md").is_file()
    # Valid; its only warnings are the placeholders `new` writes for the author to replace.
    checked = cli(root, "check", "--format", "json")
    assert checked.exit_code == 0
    assert {row["code"] for row in json.loads(checked.stdout)} == {"HB402"}


# --- 4. link loops and dangling links inside stories/ ------------------------------------


def loop_up(stories: Path) -> None:
    (stories / "a").mkdir()
    (stories / "a" / "note.txt").write_text("a note\n", encoding="utf-8")
    os.symlink("..", stories / "a" / "loop")


def loop_pair(stories: Path) -> None:
    os.symlink("b", stories / "a")
    os.symlink("a", stories / "b")


def loop_self(stories: Path) -> None:
    os.symlink("self", stories / "2021" / "self")


def dangling(stories: Path) -> None:
    os.symlink("nowhere.png", stories / "2021" / "gone.png")
    os.symlink("../missing", stories / "2021" / "gone-folder")


LINKS = {
    "loop-up": (loop_up, ["stories/a/loop:1:1: warning: HB007 'stories/a/loop' is a symbolic link loop (it leads to '..', a folder it is in): it is ignored"]),
    "loop-pair": (loop_pair, [
        "stories/a:1:1: warning: HB007 'stories/a' is a symbolic link loop (it leads to 'b', which leads back to it): it is ignored",
        "stories/b:1:1: warning: HB007 'stories/b' is a symbolic link loop (it leads to 'a', which leads back to it): it is ignored",
    ]),
    "loop-self": (loop_self, ["stories/2021/self:1:1: warning: HB007 'stories/2021/self' is a symbolic link loop (it leads to 'self', which leads back to it): it is ignored"]),
    "dangling": (dangling, [
        "stories/2021/gone-folder:1:1: warning: HB007 'stories/2021/gone-folder' is a symbolic link to '../missing', which does not exist: it is ignored",
        "stories/2021/gone.png:1:1: warning: HB007 'stories/2021/gone.png' is a symbolic link to 'nowhere.png', which does not exist: it is ignored",
    ]),
}


@pytest.mark.parametrize("case", list(LINKS))
def test_link_loops_and_dangling_links_are_warned_and_skipped(make_handbook, cli, case):
    make, lines = LINKS[case]
    root = make_handbook()
    make(root / "stories")
    result = cli(root, "check")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == lines
    assert f"1 story, 1 lesson, 2 pages: 0 errors, {len(lines)} warning" in result.stderr
    assert {(r["code"], r["severity"]) for r in check_json(cli, root)} == {("HB007", "warning")}
    assert cli(root, "check", "--strict").exit_code == 1


# MkDocs walks the folder itself, following links: the plugin drops what the handbook's walk skipped.
@pytest.mark.parametrize("case", list(LINKS))
def test_build_succeeds_past_skipped_links(make_handbook, case):
    make, _ = LINKS[case]
    root = make_handbook()
    make(root / "stories")
    site = build_site(root)
    assert (site / "2021" / "first-story" / "index.html").is_file()
    assert (site / "lessons" / "keep-backups" / "index.html").is_file()
    assert (site / "culture" / "index.html").is_file()
    assert not (site / "a" / "loop").exists() and not (site / "b").exists()
    assert not (site / "2021" / "gone").exists()


# --- 5. GitHub annotations cannot be forged through file names ---------------------------


def test_github_annotation_escapes_properties_and_message():
    d = Diagnostic("stories/a,b:c%d\r\n::error file=x::forged.md", 3, 1, Severity.ERROR, "HB104", "bad 100%\r\n::warning::x")
    assert d.github() == (
        "::error file=stories/a%2Cb%3Ac%25d%0D%0A%3A%3Aerror file=x%3A%3Aforged.md,line=3,col=1::bad 100%25%0D%0A::warning::x"
    )


def test_check_github_one_annotation_per_problem_for_odd_file_names(make_handbook, cli):
    root = make_handbook()
    (root / "stories" / "2021" / "bad\n::error file=forged.md::x.md").write_text(story("Forging story"), encoding="utf-8")
    (root / "stories" / "2021" / "a,b:c%d.md").write_text(story("Odd name story"), encoding="utf-8")
    result = cli(root, "check", "--format", "github")
    assert result.exit_code == 1
    problems = check_json(cli, root)
    assert len(problems) == 2
    assert result.stdout.splitlines() == [
        "::error file=stories/2021/a%2Cb%3Ac%25d.md,line=1,col=1::story id 'a,b:c%25d' (the file name) must be "
        "lowercase kebab-case such as 'a-b-c-d' - rename the file",
        "::error file=stories/2021/bad%0A%3A%3Aerror file=forged.md%3A%3Ax.md,line=1,col=1::story id 'bad%0A::error "
        "file=forged.md::x' (the file name) must be lowercase kebab-case such as 'bad-error-file-forged-md-x' - rename the file",
    ]
    assert all(line.startswith("::error file=stories/2021/") for line in result.stdout.splitlines())
    assert not re.search(r"^::error file=forged", result.stdout, re.MULTILINE)
