"""A body parsed once into segments: what Markdown renders as code is code, and nothing else is."""

from __future__ import annotations

import pytest

from handbook_gen.core import lint, segments
from handbook_gen.core.frontmatter import Document
from handbook_gen.core.links import unlink
from handbook_gen.core.segments import Kind

SECTION = "<!-- internal -->\nSECRET\n<!-- /internal -->\n"


# Each prefix once fooled a line scanner into reading the section below as code, which
# published it; Markdown reads none of them as an open code block.
@pytest.mark.parametrize("prefix", [
    "Inline ```triple``` backticks.\n",
    "\t```\n",  # a tab-indented fence is an indented code block of one line
    "<!--\n```\n-->\n",  # a fence inside a comment
    "````\n```\n````\n",  # a four-backtick block holding a three-backtick line
    "A lone ` backtick.\n",
    "~~~\nclosed tilde fence\n~~~\n",
    "<div>\n",  # raw HTML around the section: the markers are still markers
])
def test_sections_after_lines_that_look_like_fences_are_removed(prefix):
    body = segments.parse(prefix + "\n" + SECTION + "\nAfter.\n")
    assert body.problems == []
    assert len(body.sections) == 1
    public = body.public_text()
    assert "SECRET" not in public and "After." in public


@pytest.mark.parametrize("fence", ["```\n", "~~~\n", "    "])
def test_markers_in_code_are_text(fence):
    code = fence + "<!-- internal -->" + ("\n" + fence.strip() + "\n" if fence.strip() else "\n")
    body = segments.parse("Intro.\n\n" + code + "\nOutro.\n")
    assert body.sections == [] and body.problems == []
    assert body.public_text() == "Intro.\n\n" + code + "\nOutro.\n"


@pytest.mark.parametrize(("line", "wanted"), [
    ("<!-- internal only -->", "<!-- internal -->"),
    ("<!--internal-->", "<!-- internal -->"),
    ("<!-- INTERNAL -->", "<!-- internal -->"),
    ("<!-- end internal -->", "<!-- /internal -->"),
    ("<!-- / internal -->", "<!-- /internal -->"),
    ("> <!-- internal -->", "<!-- internal -->"),
    ("Text <!-- internal --> more", "<!-- internal -->"),
])
def test_near_miss_markers_are_errors_with_a_suggestion(line, wanted):
    body = segments.parse(f"Intro.\n\n{line}\n\nOutro.\n", "stories/2021/x.md", 7)
    assert [(d.path, d.line, d.code) for d in body.problems] == [("stories/2021/x.md", 9, "HB303")]
    assert f"did you mean '{wanted}'" in body.problems[0].message


def test_comments_in_html_blocks_end_where_a_browser_ends_them():
    """The public text (what clearance covers) holds what a browser shows: `<!-->` is a whole
    (empty) comment and `--!>` closes one, so the text after them is published, and public."""
    for opener in ("<!-->", "<!--->", "<!-- note --!>"):
        body = segments.parse(f"<div>\n{opener} Shown words\n</div>\n\nAfter. <!-- x -->\n")
        assert "Shown words" in body.public_text(), opener
        assert "<!-- x -->" not in body.public_text()
    # A raw-text element's `<!--` is text, not a comment.
    body = segments.parse("<style>\n/* <!-- */ p { color: red }\n</style>\n\nShown.\n")
    assert "color: red" in body.public_text() and "Shown." in body.public_text()


def test_comments_are_removed_outside_code_only():
    body = segments.parse("a <!-- note -->b\n<!-- two\nlines -->\n```html\n<!-- kept in a fence -->\n```\n`<!-- kept in code -->`")
    assert body.public_text() == "a b\n\n```html\n<!-- kept in a fence -->\n```\n`<!-- kept in code -->`"
    assert segments.parse("Before.\n\n<!-- never closed\n\nSECRET\n").public_text() == "Before.\n\n\n"


def test_code_is_never_linted():
    text = "We ran `git blame` on it.\n\n```\n$ git blame app.py  # human error?\n```\n\nIt was human error.\n"
    body = segments.parse(text, "s.md", 10)
    doc = Document("s.md", {}, text, 10)
    found = lint.check_story("s.md", doc, body)
    assert [(d.line, d.col, d.message.split(":")[0]) for d in found] == [(16, 8, "blame language 'human error'")]


def test_links_in_code_are_neither_links_nor_unlinked():
    text = "See [it](other.md), `[code](other.md)`.\n\n```\n![img](other.png)\n```\n"
    body = segments.parse(text)
    assert [(link.line, link.target, link.image) for link in body.links] == [(0, "other.md", False)]
    assert unlink(text, "2021/this.md", {"2021/other.md", "2021/other.png"}) == (
        "See it, `[code](other.md)`.\n\n```\n![img](other.png)\n```\n"
    )


def test_script_in_raw_html_links_and_attribute_lists_is_found_with_its_line():
    text = "One.\n\n<script>alert(1)</script>\n\nA [link](javascript:alert(1)).\n\nPara.\n{ onclick=alert(1) }\n\n`<script>` in code.\n"
    body = segments.parse(text)
    assert body.active == [
        (2, "<script> element"),
        (4, "script URL in a link"),
        (7, "event-handler attribute 'onclick' in an attribute list"),
    ]


def test_segments_keep_line_numbers_and_kinds():
    body = segments.parse("# Title\n\nProse with `code`.\n\n```\nblock\n```\n\n<div>x</div>\n")
    assert [(s.kind, s.start, s.end) for s in body.segments] == [
        (Kind.PROSE, 0, 1), (Kind.PROSE, 2, 3), (Kind.CODE, 4, 7), (Kind.HTML, 8, 9),
    ]
    assert body.segments[1].text == "Prose with       ."


def test_a_paragraph_dense_with_markup_is_reported_not_parsed():
    body = segments.parse("Intro.\n\n" + "[a" * 5000 + "\n", "s.md", 3)
    assert [(d.line, d.code, d.severity) for d in body.problems] == [(5, "HB010", "warning")]
    assert body.public_text().startswith("Intro.")


def test_a_fence_inside_an_html_block_is_an_error_at_its_line():
    """CommonMark keeps `<div>` and the fence below it in one HTML block, and reads the next fence
    as the one that opens, so the section after it is code to it; the renderer's fences read the
    section as a section. The two disagree: the story must say it another way (the fuzz test's case)."""
    text = "<div>\n```\n\n```\n\n" + SECTION + "\n```\n```\n"
    body = segments.parse(text, "stories/2021/x.md", 5)
    assert [(d.code, d.line) for d in body.problems if d.code == "HB304"] == [("HB304", 6)]
    # With a blank line between the HTML and the fence, both read the fence, and the section, alike.
    fixed = segments.parse("<div>\n\n```\n\n```\n\n" + SECTION)
    assert fixed.problems == [] and "SECRET" not in fixed.public_text()
