"""The allowlist's quick proof: it passes what Markdown renders, and never passes what the full parse refuses."""

from __future__ import annotations

import random

import pytest

from handbook_gen.core import active_content

RENDERED = (
    '<h2 id="what-happened">What happened<a class="headerlink" href="#what-happened" title="Permanent link">&para;</a></h2>\n'
    '<p>A <strong>bold</strong> <em>claim</em>, <code>x &lt; y</code>, a <a href="../2018/story-00053/">link</a><br />\n'
    '<span class="twemoji"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M18 2c-.9 0-2 1-2 2z"/></svg></span></p>\n'
    '<!-- a comment -->\n<table>\n<thead>\n<tr>\n<th style="text-align: left;">a</th>\n</tr>\n</thead>\n'
    '<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n</table>\n<div class="admonition note"><p class="admonition-title">Note</p></div>'
)

PIECES = (
    "<p>", "</p>", '<a href="x">', '<a href="javascript:x">', '<a href="java&#115;cript:x">', "<a href=java&colon;x>", "</a>",
    "text", "<", ">", "&lt;", "<!--", "-->", "--!>", "<!-->", "<svg>", "</svg>", '<path d="1"/>', "<path>", "</path>",
    "<title>", "<desc>", "<b>", "<table>", "<tr>", '<td style="text-align: left;">', '<td style="color:red">',
    '<span id="__search">', '<span id="ok">', "<div onclick=x>", "<img src=x onerror=y>", "<br/>", "</br>", "<textarea>",
    "<script>", "<style>", "<math>", '<svg viewbox="0 0 1 1">', '<use href="#a"/>', '<use href="http://x"/>', "<rect width=1 />",
    '"', "'", "=", " ", "\n", '<a\nhref="x"\n>', "<em class=a class=b>", "<p id=a id=__x>", "<svg><p>", '<polygon points="1"/>',
    "<lineargradient>", "<foreignObject>", '<a title="<b>">', "<tbody>", "<th>", "</td>", "<ul><li>", "<!---->", "<hr/>",
    "<code>", "<pre>\n", "</x>", "<x>", '<A HREF="x">', "<SVG><PATH/></SVG>", "<svg/>", "<?x>", "<!DOCTYPE html>", "</ >",
    '<a href="x"/>', "&", '<img src="data:x">', '<span style="width: 5%">', "<ol start=1>", "\x00", "\r",
)


def test_a_rendered_page_takes_the_quick_proof() -> None:
    assert active_content._plainly_allowed(RENDERED)
    assert active_content._in_html(RENDERED) == ()  # and the full parse agrees


@pytest.mark.parametrize("fragment", [
    '<a href="javascript:alert(1)">x</a>', '<a href="java&#115;cript:x">x</a>', "<img src=x onerror=alert(1)>",
    "<svg><title><img src=x onerror=y></title></svg>", "<p>unfinished <a href='x'", "<svg><path d='1'>",
    '<span id="__search">x</span>', "<math><mi>x</mi></math>", "<table><tr><td style='color:red'>x</td></tr></table>",
])
def test_what_is_refused_is_never_passed_quickly(fragment: str) -> None:
    assert not active_content._plainly_allowed(fragment)
    assert active_content.in_html(fragment)


def test_the_quick_proof_never_passes_what_the_full_parse_refuses() -> None:
    # Random fragments of tags, half-tags, comments and references: wherever the quick proof
    # says "allowed", a browser's parse must find nothing either.
    rng = random.Random(15)
    passed = 0
    for _ in range(20000):
        fragment = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))
        if active_content._plainly_allowed(fragment):
            passed += 1
            assert active_content._in_html.__wrapped__(fragment) == (), fragment
    assert passed > 1000  # the proof is taken often enough for the comparison to mean something
