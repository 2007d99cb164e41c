"""Front-matter parsing: key positions, YAML errors at the right file line, plain data only."""

from __future__ import annotations

import pytest

from handbook_gen.core.frontmatter import parse, parse_yaml

STORY = """\
---
title: Disk full
date: 2021-03-04
award:
  year: 2021
  title: Biggest Mistake
authors:
  - ada
  - bob
lessons: [keep-backups, restore-often]
follow_ups:
  - title: Add alerts
    status: done
---

Body line one.
"""


def codes(problems):
    return [d.code for d in problems]


def test_key_positions_top_level_nested_and_list_items():
    doc, problems = parse("stories/2021/x.md", STORY)
    assert problems == []
    assert doc.has_front_matter
    assert doc.data["award"] == {"year": 2021, "title": "Biggest Mistake"}
    assert doc.where(("title",)) == (2, 1)
    assert doc.where(("date",)) == (3, 1)
    assert doc.where(("award",)) == (4, 1)
    assert doc.where(("award", "year")) == (5, 3)
    assert doc.where(("award", "title")) == (6, 3)
    assert doc.where(("authors", 0)) == (8, 5)
    assert doc.where(("authors", 1)) == (9, 5)
    assert doc.where(("lessons", 0)) == (10, 11)
    assert doc.where(("lessons", 1)) == (10, 25)
    assert doc.where(("follow_ups", 0, "status")) == (13, 5)
    # An unknown path falls back to its nearest known parent, then to the first line.
    assert doc.where(("award", "nope")) == (4, 1)
    assert doc.where(("nope",)) == (1, 1)
    # The body starts after the closing '---' and the blank line.
    assert doc.body.startswith("Body line one.")
    assert doc.body_line == 16


def test_no_front_matter_is_all_body():
    doc, problems = parse("stories/index.md", "# Hello\n\nText.\n")
    assert problems == []
    assert doc.data == {} and not doc.has_front_matter
    assert doc.body == "# Hello\n\nText.\n"


def test_empty_front_matter_is_an_empty_mapping():
    doc, problems = parse("x.md", "---\n---\nbody\n")
    assert problems == [] and doc.data == {} and doc.body == "body\n"


@pytest.mark.parametrize(
    ("text", "line", "col", "words"),
    [
        # an unclosed flow sequence: reported where the '[' opens, not where the parser gave up
        ("---\ntitle: a\ndate: [1\nfoo: x\n---\n", 3, 7, "flow sequence"),
        # an unclosed quote runs to the end of the front-matter: reported at the quote
        ('---\ntitle: "abc\ndate: x\nsummary: y\n---\n', 2, 8, "quoted scalar"),
        # a key without a colon
        ("---\ntitle: a\nsummary this\ndate: 2021-01-01\n---\n", 3, 1, "could not find expected ':'"),
        # bad indentation
        ("---\ntitle: a\n  bad: indent\n---\n", 3, 6, "mapping values are not allowed"),
        # a tab where YAML wants spaces
        ("---\ntitle: a\n\tdate: b\n---\n", 3, 1, "'\\t'"),
        # an unclosed flow mapping on line 4 of the file
        ("---\ntitle: a\ndate: 2021-01-01\naward: {year: 2021, title: x\nsummary: y\n---\n", 4, 8, "flow mapping"),
        # an impossible date
        ("---\ntitle: a\ndate: 2023-02-30\n---\n", 3, 7, "not a real date"),
        # a control character
        ("---\ntitle: a\nsummary: b\x00c\n---\n", 3, 11, "#x0000"),
    ],
)
def test_yaml_errors_point_at_the_file_line_where_the_problem_starts(text, line, col, words):
    doc, problems = parse("stories/2021/x.md", text)
    assert len(problems) == 1, problems
    p = problems[0]
    assert (p.path, p.line, p.col, p.code) == ("stories/2021/x.md", line, col, "HB001")
    assert "broken YAML" in p.message and words in p.message
    assert "\n" not in p.message  # one diagnostic, one line of text
    assert doc.data == {}


def test_deep_nesting_is_an_error_not_a_crash():
    text = "---\ntitle: " + "[" * 600 + "]" * 600 + "\n---\n"
    _, problems = parse("x.md", text)
    assert codes(problems) == ["HB001"]
    assert "nested too deeply" in problems[0].message


@pytest.mark.parametrize(
    ("yaml_text", "line", "col", "what"),
    [
        ("title: &t A title\nsummary: *t\n", 2, 8, "anchor '&t'"),
        ("title: &t A title\nsummary: *t\n", 3, 10, "alias '*t'"),
        ("title: !!python/object:os.system x\n", 2, 8, "tag '!!python/object:os.system'"),
        ("title: a\ninternal: !!python/object/apply:os.system [ls]\n", 3, 11, "tag '!!python/object/apply:os.system'"),
        ("title: !!str a\n", 2, 8, "tag '!!str'"),
        ("title: !custom a\n", 2, 8, "tag '!custom'"),
        ("award: !!map {year: 2021}\n", 2, 8, "tag '!!map'"),
    ],
)
def test_anchors_aliases_and_tags_are_rejected(yaml_text, line, col, what):
    doc, problems = parse("stories/2021/x.md", f"---\n{yaml_text}---\nbody\n")
    hits = [p for p in problems if what in p.message]
    assert hits, problems
    assert all(p.code == "HB002" for p in problems)
    assert (hits[0].line, hits[0].col) == (line, col)
    assert "not allowed" in hits[0].message
    assert doc.data == {}  # nothing of it is used


def test_python_tag_is_never_constructed(tmp_path):
    marker = tmp_path / "pwned"
    text = f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\n"
    _, problems = parse("x.md", text)
    assert codes(problems) == ["HB002"]
    assert not marker.exists()


def test_duplicate_keys_top_level_and_nested():
    text = "---\ntitle: a\ndate: 2021-01-01\ntitle: b\naward:\n  year: 2021\n  year: 2022\n---\n"
    _, problems = parse("stories/2021/x.md", text)
    assert [(p.code, p.line, p.col) for p in problems] == [("HB005", 4, 1), ("HB005", 7, 3)]
    assert "duplicate key 'title'" in problems[0].message
    assert "duplicate key 'award.year'" in problems[1].message


@pytest.mark.parametrize(
    ("yaml_text", "found"),
    [("- a\n- b\n", "a list"), ("just a sentence\n", "a string"), ("42\n", "a number"), ("true\n", "true/false")],
)
def test_front_matter_that_is_not_a_mapping(yaml_text, found):
    _, problems = parse("stories/2021/x.md", f"---\n{yaml_text}---\nbody\n")
    assert [(p.code, p.line) for p in problems] == [("HB004", 2)]
    assert "must be a mapping" in problems[0].message and found in problems[0].message


def test_unclosed_front_matter():
    doc, problems = parse("stories/2021/x.md", "---\ntitle: a\ndate: 2021-01-01\n\nNo closing line.\n")
    assert [(p.code, p.line, p.col) for p in problems] == [("HB003", 1, 1)]
    assert "never closed" in problems[0].message
    assert doc.data == {}


def test_crlf_file_parses_like_lf():
    lf_doc, lf_problems = parse("x.md", STORY)
    crlf_doc, crlf_problems = parse("x.md", STORY.replace("\n", "\r\n"))
    assert lf_problems == crlf_problems == []
    assert crlf_doc.data == lf_doc.data
    assert crlf_doc.lines == lf_doc.lines
    assert crlf_doc.body_line == lf_doc.body_line
    assert "\r" not in crlf_doc.body and "\r" not in crlf_doc.data["title"]


def test_crlf_error_lines_are_file_lines():
    _, problems = parse("x.md", "---\r\ntitle: a\r\ntitle: b\r\n---\r\n")
    assert [(p.code, p.line) for p in problems] == [("HB005", 3)]


def test_bom_is_ignored():
    doc, problems = parse("x.md", "\ufeff" + STORY)
    assert problems == []
    assert doc.has_front_matter
    assert doc.data["title"] == "Disk full"
    assert doc.where(("award", "year")) == (5, 3)


def test_bom_and_crlf_together():
    doc, problems = parse("x.md", "\ufeff" + STORY.replace("\n", "\r\n"))
    assert problems == [] and doc.data["lessons"] == ["keep-backups", "restore-often"]


def test_parse_yaml_offsets_lines_and_maps_keys():
    data, lines, problems = parse_yaml("stories/authors.yml", "ada:\n  name: Ada\n  public: true\n")
    assert problems == []
    assert data == {"ada": {"name": "Ada", "public": True}}
    assert lines[("ada", "public")] == (3, 3)
    data, lines, problems = parse_yaml("x", "a: [1, 2]\n", first_line=10)
    assert lines[("a", 1)] == (10, 8)
