"""The public unlinker edits the links segments.parse found, where they are written: it and the
link checker read the same links, so they agree on srcset, unquoted values, nested
parentheses, README targets and links spread over lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handbook_gen.core import links, segments
from handbook_gen.core.links import unlink

SRC = "2021/this.md"
LEFT_OUT = {"2021/other.md", "2021/chart.png", "2021/big.png", "2021/folder/README.md", "2021/café.md"}


@pytest.mark.parametrize(("text", "expected"), [
    # Every candidate of a srcset, not only the first; the kept one stays as written.
    ('<img src="kept.png" srcset="kept.png 1x, big.png 2x">', '<img src="kept.png" srcset="kept.png 1x, # 2x">'),
    ('<img srcset="chart.png, kept.png 2x" alt="x">', '<img srcset="#, kept.png 2x" alt="x">'),
    ('<img srcset="kept.png 1x,chart.png 2x">', '<img srcset="kept.png 1x,# 2x">'),
    # Unquoted and single-quoted values, and upper-case names.
    ("<a href=other.md>it</a>", "<a href=#>it</a>"),
    ("<a HREF='other.md' title=\"other.md\">it</a>", "<a HREF='#' title=\"other.md\">it</a>"),
    ('<video poster="chart.png"></video>', '<video poster="#"></video>'),
    # Parentheses in a target and in a link's text.
    ("See [a (b) c](other.md) and [x](<kept (1).md>).", "See a (b) c and [x](<kept (1).md>)."),
    ("See [it](other.md#(part)) now.", "See it now."),
    # A folder's README.md is its page, as MkDocs serves it.
    ("See [the folder](folder/) and [its readme](folder/README.md).", "See the folder and its readme."),
    # Percent-escapes are undone, as MkDocs undoes them to find the file.
    ("See [it](caf%C3%A9.md) and [that](café.md).", "See it and that."),
    # A link spread over lines, in a quote and in a list.
    ("> See [the\n> outage](other.md) there.\n", "> See the\n> outage there.\n"),
    ("- item [one\n  two](other.md)\n", "- item one\n  two\n"),
    # Inside a table cell, and in a heading with closing hashes.
    ("| a | b |\n|---|---|\n| [x](kept.md) | [y](other.md) |\n", "| a | b |\n|---|---|\n| [x](kept.md) | y |\n"),
    ("## See [it](other.md) ##\n", "## See it ##\n"),
    # A link inside a link: both unlinked, the inner one inside the outer one's text.
    ("[![chart](chart.png) and text](other.md)", " and text"),
    ("[![chart](kept.png)](other.md)", "![chart](kept.png)"),
    # What an edit joins is read again: a stray `[` and an escaped link's `](...)` make no new link,
    # and a comment inside a link's text is cut from the text that stays.
    ("[[t](other.md)\\[t](other.md)", "t\\[t"),
    ("[a <!-- zq secret --> b](other.md)", "a  b"),
    # What follows a comment on its line is Markdown to Python-Markdown: read as such.
    ("<!-- note --> [t](other.md) and [k](kept.md)\n", " t and [k](kept.md)\n"),
    # An HTML comment's link is no link (the comment goes anyway).
    ('<p><!-- <a href="other.md"> --><a href="kept.md">k</a></p>', '<p><a href="kept.md">k</a></p>'),
])
def test_unlinker_edits_the_spans_segments_found(text, expected):
    assert unlink(text, SRC, LEFT_OUT) == expected


def test_every_link_segments_find_is_placed_where_it_is_written():
    text = (
        "Intro [a](x.md) and ![b](y.png \"t\").\n\n> quoted [c\n> d](z.md)\n\n- [e](w.md)\n\n"
        "<div markdown=\"1\">\n[f](v.md)\n</div>\n\n<img src='u.png' srcset=\"s1.png 1x, s2.png 2x\">\n\n[g][r]\n\n[r]: t.md\n"
    )
    body = segments.parse(text)
    written = [text[link.span[0] : link.span[1]] for link in body.links if link.span]
    assert written == ["[a](x.md)", '![b](y.png "t")', "[c\n> d](z.md)", "[e](w.md)", "[f](v.md)", "u.png", "s1.png", "s2.png", "[g][r]"]
    assert all(link.span for link in body.links)
    definitions = [link for seg in body.segments if seg.kind is segments.Kind.DEFINITION for link in seg.links]
    assert [(text[d.span[0] : d.span[1]], d.target) for d in definitions if d.span] == [("[r]: t.md", "t.md")]


def test_checker_and_unlinker_read_one_target_the_same_way():
    # The README form is a file of the folder for both: the checker finds it, the unlinker removes it.
    assert "2021/folder/README.md" in links.files("folder/", SRC)
    assert links.files("https://example.com/x.md", SRC) == []
    # A URL relative to the page's own address (../other/) is read from its directory URL; a .md path is not.
    assert "2021/other.md" in links.files("../other/", SRC)
    assert "2021/other.md" not in links.files("../2021/x/../other.md", "2021/sub/this.md")


_WORDS = st.sampled_from(["See", "it", "(x)", "[y]", "*z*", "`code`", "\n", "\n\n", "> ", "- ", "|", "  "])
_LINKS = st.sampled_from([
    "[t](other.md)", "![i](chart.png)", "[t](kept.md)", "<a href=other.md>a</a>", '<img srcset="big.png 2x">',
    "[t (p)](other.md)", "[o][r]", "[t](folder/)", "<!-- c -->",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_WORDS, _LINKS), max_size=14))
def test_public_text_keeps_no_link_that_leads_out(parts):
    text = " ".join(parts) + "\n\n[r]: other.md\n"
    public = unlink(text, SRC, LEFT_OUT)
    again = segments.parse(public)
    # Whatever segments find in the unlinked text leads nowhere left out: the two read the same links.
    assert [link.target for link in again.links if links.leads_out(link.target, SRC, LEFT_OUT)] == []


def test_comments_before_a_link_on_its_line_cost_linear_time():
    # What follows a run of comments is read once, with the comments standing aside, never comment by comment.
    body = segments.parse("<!---->" * 20_000 + " [x](other.md)\n")
    assert [link.target for link in body.links] == ["other.md"]
    assert unlink("<!-- a --> x <!-- b --> [t](other.md)\n", SRC, LEFT_OUT) == " x  t\n"
