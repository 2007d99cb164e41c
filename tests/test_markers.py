"""Internal sections and comments in a body (core only, no MkDocs)."""

from handbook_gen.core.markers import box_internal, find_sections, strip_comments, strip_internal

BODY = "Intro.\n\n<!-- internal -->\nSecret line.\n<!-- /internal -->\n\nOutro.\n"


def test_strip_and_box_internal_sections():
    assert strip_internal(BODY) == "Intro.\n\n\nOutro.\n"
    boxed = box_internal(BODY)
    assert 'class="hb-internal"' in boxed and "Internal only" in boxed and "Secret line." in boxed


def test_markers_written_in_code_are_prose():
    body = "Put details between `<!-- internal -->` and `<!-- /internal -->`.\n\n```\n<!-- internal -->\n```\n"
    assert find_sections(body) == ([], [])
    assert strip_comments(body) == body


def test_inline_marker_outside_code_is_an_error():
    _, problems = find_sections("Text <!-- internal --> more\n", "s.md", 10)
    assert [(p.line, p.code) for p in problems] == [(10, "HB303")]


def test_comments_removed_outside_code_only():
    body = "a <!-- note -->b\n<!-- two\nlines -->\n```html\n<!-- kept in a fence -->\n```\n`<!-- kept in code -->`"
    assert strip_comments(body) == "a b\n\n```html\n<!-- kept in a fence -->\n```\n`<!-- kept in code -->`"
