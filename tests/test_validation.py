"""Validation (SPEC section 4): one test per kind of error, all problems in one pass, warnings, no traceback."""

from __future__ import annotations

import datetime as dt
import os
import random

import pytest
from conftest import lesson, story

from handbook_gen.core.diagnostics import Severity
from handbook_gen.core.validation import check

TODAY = dt.date(2024, 6, 1)


def run(root):
    """Validate a handbook; return (handbook, errors, warnings)."""
    hb, problems = check(root / "stories", root, today=TODAY)
    errors = [d for d in problems if d.severity is Severity.ERROR]
    warnings = [d for d in problems if d.severity is Severity.WARNING]
    return hb, errors, warnings


def only_error(root):
    """The single error of a handbook (the base tree alone is valid)."""
    _, errors, _ = run(root)
    assert len(errors) == 1, "\n".join(d.text() for d in errors)
    return errors[0]


# Line numbers of story(): 1 '---', 2 title, 3 date, 4 summary, 5 authors, 6 lessons, 7.. extra.


def test_base_handbook_is_valid(make_handbook):
    hb, errors, warnings = run(make_handbook())
    assert errors == [] and warnings == []
    assert set(hb.stories) == {"first-story"} and set(hb.lessons) == {"keep-backups"}


# --- files ---------------------------------------------------------------------------


def test_unreadable_file(make_handbook):
    root = make_handbook()
    # A link to a missing file inside stories/ cannot be read (even by root).
    os.symlink("ghost-target.md", root / "stories" / "2021" / "ghost.md")
    d = only_error(root)
    assert (d.path, d.line, d.code) == ("stories/2021/ghost.md", 1, "HB006")
    assert "cannot read file" in d.message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_permissions(make_handbook):
    root = make_handbook({"stories": {"2021": {"locked.md": story()}}})
    locked = root / "stories" / "2021" / "locked.md"
    locked.chmod(0)
    try:
        d = only_error(root)
    finally:
        locked.chmod(0o644)
    assert (d.path, d.line, d.code) == ("stories/2021/locked.md", 1, "HB006")


def test_non_utf8_file(make_handbook):
    root = make_handbook({"stories": {"2021": {"latin.md": story().replace("A story worth telling", "Caf\xe9 story").encode("latin-1")}}})
    d = only_error(root)
    assert (d.path, d.line, d.col, d.code) == ("stories/2021/latin.md", 2, 11, "HB006")
    assert "not valid UTF-8" in d.message and "0xe9" in d.message


def test_broken_yaml(make_handbook):
    text = story(extra="impact: [users, noticed\ntags: [dns]\n")
    root = make_handbook({"stories": {"2021": {"x.md": text}}})
    d = only_error(root)
    assert (d.path, d.line, d.col, d.code) == ("stories/2021/x.md", 7, 9, "HB001")
    assert d.message.startswith("broken YAML")


def test_front_matter_not_a_mapping(make_handbook):
    root = make_handbook({"stories": {"2021": {"x.md": "---\n- title\n- date\n---\n\nBody.\n"}}})
    d = only_error(root)
    assert (d.path, d.line, d.code) == ("stories/2021/x.md", 2, "HB004")
    assert "must be a mapping" in d.message and "a list" in d.message


def test_unclosed_front_matter(make_handbook):
    root = make_handbook({"stories": {"2021": {"x.md": "---\ntitle: A story\ndate: 2021-01-01\n\nBody.\n"}}})
    d = only_error(root)
    assert (d.path, d.line, d.code) == ("stories/2021/x.md", 1, "HB003")


# --- schema ----------------------------------------------------------------------------


def test_missing_field(make_handbook):
    text = "---\ntitle: A story worth telling\ndate: 2021-03-04\nauthors: [ada]\nlessons: [keep-backups]\n---\n\nBody.\n"
    root = make_handbook({"stories": {"2021": {"x.md": text}}})
    d = only_error(root)
    assert (d.path, d.line, d.code) == ("stories/2021/x.md", 1, "HB101")
    assert d.message == "missing required field 'summary'"


def test_ill_typed_field(make_handbook):
    root = make_handbook({"stories": {"2021": {"x.md": story(extra="severity: huge\n")}}})
    d = only_error(root)
    assert (d.path, d.line, d.col, d.code) == ("stories/2021/x.md", 7, 1, "HB103")
    assert "'severity'" in d.message and "'huge'" in d.message and "'minor'" in d.message


def test_ill_typed_nested_field(make_handbook):
    root = make_handbook({"stories": {"2021": {"x.md": story(extra="award:\n  year: twenty\n  title: Biggest Mistake\n")}}})
    d = only_error(root)
    assert (d.path, d.line, d.col, d.code) == ("stories/2021/x.md", 8, 3, "HB103")
    assert "'award.year'" in d.message and "whole number" in d.message and "'twenty'" in d.message


def test_ill_typed_list_item(make_handbook):
    root = make_handbook({"stories": {"2021": {"x.md": story(authors="[ada, Bob Smith]")}}})
    d = only_error(root)
    assert (d.path, d.line, d.col) == ("stories/2021/x.md", 5, 16)
    assert "'authors[1]'" in d.message and "kebab-case" in d.message


def test_too_short_summary(make_handbook):
    root = make_handbook({"stories": {"2021": {"x.md": story(summary="Too short.")}}})
    d = only_error(root)
    assert (d.line, d.code) == (4, "HB103")
    assert "'summary'" in d.message and "at least 20" in d.message


def test_unknown_field_with_suggestion(make_handbook):
    root = make_handbook({"stories": {"2021": {"x.md": story(extra="lesons: [keep-backups]\n")}}})
    d = only_error(root)
    assert (d.path, d.line, d.col, d.code) == ("stories/2021/x.md", 7, 1, "HB102")
    assert d.message == "unknown field 'lesons' - did you mean 'lessons'?"


def test_unknown_nested_field_with_suggestion(make_handbook):
    root = make_handbook({"stories": {"2021": {"x.md": story(extra="award:\n  yeer: 2021\n  title: Biggest Mistake\n")}}})
    _, errors, _ = run(root)
    unknown = [d for d in errors if d.code == "HB102"]
    assert len(unknown) == 1
    assert (unknown[0].line, unknown[0].col) == (8, 3)
    assert "unknown field 'award.yeer' - did you mean 'year'?" in unknown[0].message


# --- references ------------------------------------------------------------------------


def test_unknown_author(make_handbook):
    root = make_handbook({"stories": {"2021": {"x.md": story(authors="[ada, bobb]")}}})
    d = only_error(root)
    assert (d.path, d.line, d.col, d.code) == ("stories/2021/x.md", 5, 16, "HB202")
    assert d.message == "'authors': unknown author 'bobb' - did you mean 'bob'?"


def test_unknown_lesson_with_suggestion(make_handbook):
    root = make_handbook({"stories": {
        "lessons": {"separate-prod-and-test.md": lesson("Separate prod and test")},
        "2021": {"x.md": story(lessons="[keep-backups, seperate-prod]")},
    }})
    d = only_error(root)
    assert (d.path, d.line, d.col, d.code) == ("stories/2021/x.md", 6, 25, "HB202")
    assert d.message == "'lessons': unknown lesson 'seperate-prod' - did you mean 'separate-prod-and-test'?"


def test_unknown_related_story(make_handbook):
    root = make_handbook({"stories": {"2022": {"x.md": story(extra="related: [first-stroy]\n")}}})
    d = only_error(root)
    assert (d.path, d.line, d.code) == ("stories/2022/x.md", 7, "HB202")
    assert d.message == "'related': unknown story 'first-stroy' - did you mean 'first-story'?"


def test_unknown_tag_when_tags_yml_exists(make_handbook):
    root = make_handbook({"stories": {
        "tags.yml": "dns: Names and how they resolve\nbackups: Copies we hope to restore\n",
        "2021": {"x.md": story(extra="tags: [backups, dsn]\n")},
    }})
    d = only_error(root)
    assert (d.path, d.line, d.col, d.code) == ("stories/2021/x.md", 7, 17, "HB202")
    assert d.message == "'tags': unknown tag 'dsn' - did you mean 'dns'?"


def test_tags_are_free_without_tags_yml(make_handbook):
    root = make_handbook({"stories": {"2021": {"x.md": story(extra="tags: [dsn, anything-goes]\n")}}})
    _, errors, _ = run(root)
    assert errors == []


def test_reference_to_a_story_with_errors_is_not_unknown(make_handbook):
    # The broken story reports its own error; the story linking to it is not blamed too.
    root = make_handbook({"stories": {"2021": {
        "broken.md": story(extra="severity: huge\n"),
        "x.md": story(extra="related: [broken]\n"),
    }}})
    d = only_error(root)
    assert d.path == "stories/2021/broken.md"


def test_duplicate_id_in_two_folders(make_handbook):
    root = make_handbook({"stories": {"2021": {"dup.md": story()}, "teams-stuff": {"dup.md": story()}}})
    _, errors, _ = run(root)
    assert [(d.path, d.line, d.code) for d in errors] == [
        ("stories/2021/dup.md", 1, "HB201"),
        ("stories/teams-stuff/dup.md", 1, "HB201"),
    ]
    assert "duplicate story id 'dup'" in errors[0].message and "stories/teams-stuff/dup.md" in errors[0].message
    assert "stories/2021/dup.md" in errors[1].message


def test_date_in_the_future(make_handbook):
    root = make_handbook({"stories": {"2021": {"x.md": story(date="2024-06-02")}}})
    d = only_error(root)
    assert (d.path, d.line, d.col, d.code) == ("stories/2021/x.md", 3, 1, "HB204")
    assert "'date' 2024-06-02 is in the future" in d.message
    # Today itself is fine.
    root = make_handbook({"stories": {"2021": {"x.md": story(date=TODAY.isoformat())}}}, name="today")
    assert run(root)[1] == []


def test_award_year_before_date(make_handbook):
    root = make_handbook({"stories": {"2021": {"x.md": story(extra="award:\n  title: Biggest Mistake\n  year: 2020\n")}}})
    d = only_error(root)
    assert (d.path, d.line, d.col, d.code) == ("stories/2021/x.md", 9, 3, "HB204")
    assert "'award.year' 2020" in d.message and "2021" in d.message


# --- internal markers ------------------------------------------------------------------

# Body of story(): line 7 '---' closes (no extra), line 8 blank, body from line 9.


def test_unclosed_internal_marker(make_handbook):
    body = "Public part.\n\n<!-- internal -->\nSecret part.\n"
    root = make_handbook({"stories": {"2021": {"x.md": story(body=body)}}})
    d = only_error(root)
    assert (d.path, d.line, d.code) == ("stories/2021/x.md", 11, "HB304")
    assert "unclosed" in d.message and "<!-- /internal -->" in d.message


def test_nested_internal_marker(make_handbook):
    body = "Public.\n<!-- internal -->\nA.\n<!-- internal -->\nB.\n<!-- /internal -->\n"
    root = make_handbook({"stories": {"2021": {"x.md": story(body=body)}}})
    d = only_error(root)
    assert (d.path, d.line, d.code) == ("stories/2021/x.md", 12, "HB301")
    assert "nested" in d.message and "line 10" in d.message


def test_marker_lines_count_crlf_and_extra_fields(make_handbook):
    text = story(extra="severity: minor\nkind: decision\n", body="One.\n<!-- /internal -->\n").replace("\n", "\r\n")
    root = make_handbook({"stories": {"2021": {"x.md": text}}})
    d = only_error(root)
    assert (d.path, d.line, d.code) == ("stories/2021/x.md", 12, "HB302")


# --- collisions with generated pages ---------------------------------------------------


@pytest.mark.parametrize(
    ("where", "generated"),
    [(("teams", "x.md"), "teams/"), (("2021", "index.md"), "2021/index.md"), (("years", "2021", "y.md"), "years/")],
)
def test_story_id_collides_with_generated_page(make_handbook, where, generated):
    tree = {"stories": {}}
    node = tree["stories"]
    for part in where[:-1]:
        node = node.setdefault(part, {})
    node[where[-1]] = story()
    root = make_handbook(tree)
    d = only_error(root)
    assert (d.path, d.line, d.code) == ("stories/" + "/".join(where), 1, "HB205")
    assert f"generated page '{generated}'" in d.message


def test_page_collides_with_generated_page(make_handbook):
    root = make_handbook({"stories": {"stats.md": "# My stats\n"}})
    d = only_error(root)
    assert (d.path, d.code) == ("stories/stats.md", "HB205")


# --- one pass --------------------------------------------------------------------------


def test_every_problem_reported_in_one_pass(make_handbook):
    three = story(authors="[adaa]", extra="lesons: [keep-backups]\n", body="Text.\n<!-- internal -->\nSecret.\n")
    two = story(date="2030-01-01", lessons="[keep-backupz]")
    root = make_handbook({"stories": {"2021": {"three.md": three}, "2022": {"two.md": two}}})
    _, errors, _ = run(root)
    assert [(d.path, d.line, d.code) for d in errors] == [
        ("stories/2021/three.md", 5, "HB202"),   # unknown author
        ("stories/2021/three.md", 7, "HB102"),   # unknown field
        ("stories/2021/three.md", 11, "HB304"),  # unclosed marker
        ("stories/2022/two.md", 3, "HB204"),     # future date
        ("stories/2022/two.md", 6, "HB202"),     # unknown lesson
    ]
    assert "did you mean 'ada'" in errors[0].message
    assert "did you mean 'keep-backups'" in errors[4].message


def test_problems_in_data_files_and_lessons_are_reported_too(make_handbook):
    root = make_handbook({"stories": {
        "authors.yml": "ada:\n  name: Ada Lovelace\n  public: yes please\nbob:\n  name: Bob\n",
        "lessons": {"bad-lesson.md": "---\ntitle: Bad\nsumary: typo\n---\n\nText.\n"},
    }})
    _, errors, _ = run(root)
    where = {(d.path, d.line) for d in errors}
    assert ("stories/authors.yml", 3) in where
    assert ("stories/lessons/bad-lesson.md", 3) in where  # unknown field 'sumary'


# --- warnings --------------------------------------------------------------------------


def test_symlink_outside_stories_is_ignored_and_never_read(make_handbook, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: [unclosed\n---\nTOP SECRET\n", encoding="utf-8")
    (outside / "folder").mkdir()
    (outside / "folder" / "also-secret.md").write_text("---\n- not a mapping\n---\n", encoding="utf-8")
    root = make_handbook()
    os.symlink(outside / "secret.md", root / "stories" / "2021" / "linked.md")
    os.symlink(outside / "folder", root / "stories" / "linked-folder")
    hb, errors, warnings = run(root)
    assert errors == []  # the broken files outside were never parsed
    assert sorted((d.path, d.code) for d in warnings) == [
        ("stories/2021/linked.md", "HB007"),
        ("stories/linked-folder", "HB007"),
    ]
    assert all("symbolic link" in d.message and "ignored" in d.message for d in warnings)
    assert not any("secret" in src for src in hb.sources)
    assert not any("TOP SECRET" in text for text in hb.sources.values())
    assert "linked" not in hb.stories


def test_symlink_inside_stories_is_followed(make_handbook):
    root = make_handbook({"stories": {"2022": {}}})
    os.symlink(root / "stories" / "2021" / "first-story.md", root / "stories" / "2022" / "alias.md")
    hb, errors, warnings = run(root)
    assert warnings == []
    assert "alias" in hb.stories  # read like any other story


def test_public_story_without_clearance_warns(make_handbook):
    root = make_handbook({"stories": {"2021": {"x.md": story(extra="visibility: public\n")}}})
    _, errors, warnings = run(root)
    assert errors == []
    assert [(d.path, d.line, d.code) for d in warnings] == [("stories/2021/x.md", 7, "HB305")]
    assert "'x' is not cleared" in warnings[0].message


def test_public_story_with_stale_clearance_warns(make_handbook):
    clearance = "clearance:\n  by: ada\n  date: 2021-05-01\n  digest: sha256:0000\n"
    root = make_handbook({"stories": {"2021": {"x.md": story(extra="visibility: public\n" + clearance)}}})
    _, errors, warnings = run(root)
    assert errors == []
    assert [(d.path, d.line, d.code) for d in warnings] == [("stories/2021/x.md", 8, "HB306")]


def test_blame_language_warns(make_handbook):
    body = "## What happened\n\nThe outage was human error, plain and simple.\n"
    root = make_handbook({"stories": {"2021": {"x.md": story(body=body)}}})
    _, errors, warnings = run(root)
    assert errors == []
    assert [(d.path, d.line, d.col, d.code) for d in warnings] == [("stories/2021/x.md", 11, 16, "HB401")]
    assert "'human error'" in warnings[0].message


@pytest.mark.parametrize("phrase", ["careless", "whose fault", "should have known", "blamed"])
def test_other_blame_phrases_warn(make_handbook, phrase):
    root = make_handbook({"stories": {"2021": {"x.md": story(extra=f"impact: It was {phrase} of us.\n")}}})
    _, errors, warnings = run(root)
    assert errors == []
    assert [(d.line, d.code) for d in warnings] == [(7, "HB401")]


def test_lesson_taught_by_no_story_warns(make_handbook):
    root = make_handbook({"stories": {"lessons": {"unused-lesson.md": lesson("Unused lesson")}}})
    _, errors, warnings = run(root)
    assert errors == []
    assert [(d.path, d.line, d.code) for d in warnings] == [("stories/lessons/unused-lesson.md", 1, "HB206")]
    assert "'unused-lesson' is taught by no story" in warnings[0].message


# --- no traceback, whatever the input --------------------------------------------------

FIELDS = "title: A story worth telling\ndate: 2021-03-04\nsummary: Something failed in an instructive way.\nauthors: [ada]\nlessons: [keep-backups]\n"

MALFORMED = [
    "title: [a\n",
    "date: 2023-02-30\n",
    "authors: [[a]]\n",
    "award: 5\n",
    "follow_ups: [x]\n",
    "follow_ups: {title: a}\n",
    "follow_ups: [{title: a, status: maybe}]\n",
    "title: " + "[" * 600 + "]" * 600 + "\n",
    "award: " + "{a: " * 300 + "1" + "}" * 300 + "\n",
    "award: {year: 2021.5, title: x}\n",
    "award: {year: true, title: x}\n",
    "date: 99999999999\n",
    "date: 2021-01-01T10:00:00\n",
    "date: 0000-00-00\n",
    "lessons: {a: b}\n",
    "authors: null\n",
    "authors: []\n",
    "title: ~\n",
    "summary: " + "x" * 5000 + "\n",
    "five_whys: [" + ", ".join(["why"] * 20) + "]\n",
    "internal: [1, 2]\n",
    "clearance: {by: ada}\n",
    "clearance: {by: [a], date: x, digest: 5}\n",
    "1: a\n",
    "true: false\n",
    "null: 1\n",
    "? [a, b]\n: c\n",
    "<<: {a: 1}\n",
    "title: \x00\n",
    "related: 5\n",
    "tags: [Has Space]\n",
    "visibility: [public]\n",
    "kind: {}\n",
    "status: published: no\n",
    # Values past their bounds: errors, never an overflow downstream.
    "award: {year: 99999999999999999999999999999999, title: x}\n",
    "internal: " + "{a: " * 300 + "1" + "}" * 300 + "\n",
    "time_to_detect: " + "9" * 5000 + "m\n",
    "time_to_detect: " + "9" * 5000 + "\n",
]


# Odd but valid: accepted without a crash.
ODD_BUT_VALID = [
    "award: {year: 2100, title: x}\n",
    "internal: " + "{a: " * 7 + "1" + "}" * 7 + "\n",
    "internal: {'': null, list: [2, 3], nested: {deeper: [{x: y}]}}\n",
    "impact: '{{ 7 * 7 }} {% raw %}'\n",
]


@pytest.mark.parametrize("raw", ODD_BUT_VALID)
def test_odd_but_valid_front_matter_is_accepted(make_handbook, raw):
    text = "---\n" + FIELDS + raw + "---\n\nBody.\n"
    root = make_handbook({"stories": {"2021": {"x.md": text}}})
    hb, errors, _ = run(root)
    assert errors == [] and "x" in hb.stories


def _random_bytes(seed: int) -> bytes:
    rnd = random.Random(seed)
    return b"---\n" + bytes(rnd.randrange(256) for _ in range(300)) + b"\n---\n\nBody.\n"


@pytest.mark.parametrize("raw", MALFORMED)
def test_malformed_front_matter_never_raises(make_handbook, raw):
    text = "---\n" + FIELDS + raw + "---\n\nBody.\n"
    root = make_handbook({"stories": {"2021": {"x.md": text}}})
    _, problems = check(root / "stories", root, today=TODAY)
    mine = [d for d in problems if d.path == "stories/2021/x.md" and d.severity is Severity.ERROR]
    assert mine, f"no error for {raw[:60]!r}"
    for d in mine:
        assert d.line >= 1 and d.col >= 1 and d.message and "\n" not in d.message
        assert "Traceback" not in d.message


@pytest.mark.parametrize(
    "raw",
    [_random_bytes(seed) for seed in range(4)]
    + [b"---\n", b"---\n\x00\x01\x02\n---\n", b"\xef\xbb\xbf---\n- a\n---\n", b"---\n'\n---\n", b"---\n%YAML 1.1\n---\n", b"---\r\ntitle: a\r---\n"],
)
def test_random_bytes_never_raise(make_handbook, raw):
    root = make_handbook({"stories": {"2021": {"x.md": raw}}})
    _, problems = check(root / "stories", root, today=TODAY)
    assert any(d.path == "stories/2021/x.md" and d.severity is Severity.ERROR for d in problems)


def test_field_name_that_is_not_text(make_handbook):
    root = make_handbook({"stories": {"2021": {"first-story.md": story(extra="2021: a year\n")}}})
    d = only_error(root)
    assert (d.path, d.line, d.code) == ("stories/2021/first-story.md", 7, "HB102")
    assert d.message == "field name 2021 must be text, such as 'title'"


def test_internal_mapping_takes_any_keys(make_handbook):
    root = make_handbook({"stories": {"2021": {"first-story.md": story(extra="internal:\n  2021: budget year\n  nested: {1: one}\n")}}})
    hb, errors, _ = run(root)
    assert errors == []
    assert hb.stories["first-story"].meta.internal == {2021: "budget year", "nested": {1: "one"}}


def test_blame_language_is_reported_in_a_story_with_errors_too(make_handbook):
    root = make_handbook({"stories": {"2021": {"x.md": story(extra="lesons: [keep-backups]\n", body="It was human error.\n")}}})
    _, errors, warnings = run(root)
    assert [(d.line, d.code) for d in errors] == [(7, "HB102")]
    assert [(d.path, d.line, d.col, d.code) for d in warnings] == [("stories/2021/x.md", 10, 8, "HB401")]
