"""`handbook clear`: clearance is a second person's act."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import AUTHORS, story

from handbook_gen.cli import handbook

CAN_CLEAR = AUTHORS + "cleo:\n  name: Cleo Clearer\n  can_clear: true\n"


def clear(root, *args):
    return CliRunner().invoke(handbook, ["-f", str(root / "mkdocs.yml"), "clear", *args], catch_exceptions=False)


def test_an_author_of_the_story_may_not_clear_it(make_handbook):
    root = make_handbook({"stories": {"2021": {"pub.md": story(authors="[ada, bob]", extra="visibility: public\n")}}})
    path = root / "stories" / "2021" / "pub.md"
    before = path.read_bytes()
    result = clear(root, "pub", "--by", "bob")
    assert result.exit_code == 1
    assert "error: pub: bob is an author of it: someone else must clear it" in result.stderr.splitlines()
    assert path.read_bytes() == before


def test_where_authors_yml_names_who_may_clear_nobody_else_may(make_handbook):
    root = make_handbook({"stories": {"authors.yml": CAN_CLEAR, "2021": {"pub.md": story(extra="visibility: public\n")}}})
    path = root / "stories" / "2021" / "pub.md"
    before = path.read_bytes()
    result = clear(root, "pub", "--by", "bob")
    assert result.exit_code == 1
    assert result.stderr == "error: bob may not clear stories: authors.yml names who may (cleo) - nothing was cleared\n"
    assert path.read_bytes() == before
    assert clear(root, "pub", "--by", "cleo").exit_code == 0
    assert "  by: cleo\n" in path.read_text(encoding="utf-8")


def test_clearing_every_public_story_leaves_out_those_the_clearer_wrote(make_handbook):
    root = make_handbook({"stories": {"2021": {
        "mine.md": story("A story bob wrote", authors="[bob]", extra="visibility: public\n"),
        "theirs.md": story("A story ada wrote", extra="visibility: public\n"),
    }}})
    result = clear(root, "--all-public", "--by", "bob")
    assert result.exit_code == 0, result.output
    assert "cleared theirs (stories/2021/theirs.md)" in result.stdout
    assert "skipped mine: bob is an author of it: someone else must clear it" in result.stderr
    assert "clearance:" not in (root / "stories" / "2021" / "mine.md").read_text(encoding="utf-8")


def test_a_withdrawn_story_is_not_cleared(make_handbook):
    root = make_handbook({"stories": {"2021": {"pub.md": story(extra="visibility: public\nwithdrawn: Taken down at the customer's request.\n")}}})
    result = clear(root, "pub", "--by", "bob")
    assert result.exit_code == 1
    assert "error: pub: withdrawn (Taken down at the customer's request.): remove 'withdrawn:' to publish it again" in result.stderr
