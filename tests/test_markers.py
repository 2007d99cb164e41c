"""Internal sections and comments in a body, read through its parsed form (core only, no MkDocs)."""

from handbook_gen.core.segments import parse

BODY = "Intro.\n\n<!-- internal -->\nSecret line.\n<!-- /internal -->\n\nOutro.\n"


def test_strip_and_box_internal_sections():
    assert parse(BODY).public_text() == "Intro.\n\n\nOutro.\n"
    boxed = parse(BODY).boxed()
    assert 'class="hb-internal"' in boxed and "Internal only" in boxed and "Secret line." in boxed


def test_markers_written_in_code_are_prose():
    body = "Put details between `<!-- internal -->` and `<!-- /internal -->`.\n\n```\n<!-- internal -->\n```\n"
    parsed = parse(body)
    assert (parsed.sections, parsed.problems) == ([], [])
    assert parsed.public_text() == body


def test_inline_marker_outside_code_is_an_error():
    problems = parse("Text <!-- internal --> more\n", "s.md", 10).problems
    assert [(p.line, p.code) for p in problems] == [(10, "HB303")]


def test_comments_removed_outside_code_only():
    body = "a <!-- note -->b\n<!-- two\nlines -->\n```html\n<!-- kept in a fence -->\n```\n`<!-- kept in code -->`"
    assert parse(body).public_text() == "a b\n\n```html\n<!-- kept in a fence -->\n```\n`<!-- kept in code -->`"
