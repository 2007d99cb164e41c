"""HTML read as browsers read it, and held to an allowlist (core/active_content.py, core/documents.py).

1. Tricky forms a browser turns into script (unfinished tags, foreign content, comment
   openers in attribute values, `</p>`, nested forms, `<noscript>`, `<template>`, encoded
   schemes, srcset, formaction, xlink:href, meta refresh, base, link) are `check` errors
   (HB310) at their line; outside the allowlist is an error too, script or not.
2. The same forms made by Markdown where the body's tokenizer cannot see them are refused
   by the build's last guard, with the page's file named.
3. Assets a browser opens as a document: an SVG with script is an error and never copied,
   an HTML file likewise; a clean SVG passes.
4. Comments are what the parser says; accepted HTML stays accepted whatever trusted markup
   follows it on the page (hypothesis).
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, build_site, story
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handbook_gen.core import active_content, comments, segments
from handbook_gen.core.validation import check

STORY = "stories/2021/first-story.md"

# (name, body lines, marker: text of the line the error is on)
TRICKY = [
    ("unfinished-tag-at-end", "Intro.\n\n<img src=x onerror=alert(1)", "<img"),
    ("unfinished-tag-in-paragraph", "Text <img src=x onerror=alert(1)\n\nOutro.", "<img"),
    ("unfinished-quoted-attribute", '<div title="x\n\nOutro " onmouseover=alert(1) x=".', "<div"),
    ("svg-style", "<svg><style><img src=x onerror=alert(1)></style></svg>", "<svg>"),
    ("math-style", "<math><style><img src=x onerror=alert(1)></style></math>", "<math>"),
    ("svg-style-in-md-in-html", '<div markdown="1">\n\n<svg><style><img src=x onerror=alert(1)></style></svg>\n\n</div>', "<svg>"),
    ("comment-opener-in-attribute", 'See <a title="<!--" href="https://example.com/">x</a> <img src=x onerror=alert(1)> -->', "<a title"),
    ("p-end-tag-in-svg", "<svg></p><style><a id=\"</style><img src=x onerror=alert(1)>\"></a></style></svg>", "<svg>"),
    ("nested-forms", '<form action="https://example.com/"><form><input type="submit"></form></form>', "<form"),
    ("noscript", '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript>', "<noscript>"),
    ("template", "<template><img src=x onerror=alert(1)></template>", "<template>"),
    ("entity-colon", '<a href="javascript&colon;alert(1)">x</a>', "<a href"),
    ("entity-tab-in-scheme", '<a href="java&#x09;script:alert(1)">x</a>', "<a href"),
    ("srcset", '<img src="https://example.com/a.png" srcset="https://example.com/a.png 1x, javascript:alert(1) 2x">', "srcset"),
    ("formaction", '<button formaction="javascript:alert(1)">x</button>', "formaction"),
    ("xlink-href", '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', "xlink"),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=https://example.com/">', "<meta"),
    ("base", '<base href="https://example.com/">', "<base"),
    ("link", '<link rel="stylesheet" href="https://example.com/x.css">', "<link"),
    ("multi-line-element", 'Para.\n\n<p\nclass="x"\nstyle="position:fixed">x</p>', "<p"),
    ("ftp-link", "[x](ftp://example.com/file)", "[x]"),
    ("backslash-lt", "Text \\<b onclick=alert(1)>x</b> more.", "Text"),
    ("attr-list-style", "A paragraph.\n{ style=\"position:fixed\" }", "{ style"),
    ("theme-id", "## Heading {#__search}", "## Heading"),
    ("b-element", "Text <b>bold</b>.", "Text <b>"),
]


def _write(make_handbook: Any, body: str, extra: dict[str, Any] | None = None, config: str = "") -> Path:
    root = make_handbook({"stories": {"2021": {"first-story.md": story(body=body)}, **(extra or {})}})
    if config:
        path = root / "mkdocs.yml"
        path.write_text(path.read_text(encoding="utf-8").replace("      variant: !ENV", config + "      variant: !ENV"), encoding="utf-8")
    return root


def _line(root: Path, marker: str, path: str = STORY) -> int:
    rows = (root / path).read_text(encoding="utf-8").split("\n")
    return next(n for n, row in enumerate(rows, 1) if marker in row)


@pytest.mark.parametrize("name, body, marker", TRICKY, ids=[t[0] for t in TRICKY])
def test_tricky_form_is_hb310_at_its_line(make_handbook, name, body, marker):
    root = _write(make_handbook, body)
    _, problems = check(root / "stories", root)
    found = {(d.path, d.line) for d in problems if d.code == "HB310"}
    assert found == {(STORY, _line(root, marker))}, [d.text() for d in problems]
    # The message names what was found and what is allowed.
    message = next(d.message for d in problems if d.code == "HB310")
    assert "not allowed" in message or "would run script" in message
    assert "stories hold what Markdown writes" in message
    # allow_scripts opts out of all of it.
    _, allowed = check(root / "stories", root, allow_scripts=True)
    assert [d for d in allowed if d.code == "HB310"] == []


def test_what_markdown_writes_passes(make_handbook):
    body = (
        "## Heading {#custom .wide}\n\nText *em* **strong** `<b>code</b>` [l](https://example.com/ \"t\") <https://example.com/>"
        " <me@example.com> a < b, 3 <4 and a<-b.\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n!!! note \"N\"\n    Body.\n\n"
        "<div class=\"x\" markdown=\"1\">\n\n- item\n\n</div>\n\n<!-- a note -->\n\n<p>Raw <span class=\"y\">span</span>"
        "<br></p>\n\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 8 8\"><title>t</title><path d=\"M0 0h8\"/></svg>\n"
    )
    root = _write(make_handbook, body)
    _, problems = check(root / "stories", root)
    assert [d.text() for d in problems if d.code == "HB310"] == []


def test_comment_opener_in_an_attribute_value_is_no_comment():
    text = 'See <a title="<!--" href="https://example.com/">x</a> and <!-- a note --> more.\n'
    body = segments.parse(text)
    assert [text[a:b] for a, b in body.comments] == ["<!-- a note -->"]
    assert body.public_text() == 'See <a title="<!--" href="https://example.com/">x</a> and  more.\n'
    html = '<svg><style><!-- in SVG a comment --></style></svg><textarea><!-- text --></textarea>'
    assert [html[a:b] for a, b in comments.spans(html)] == ["<!-- in SVG a comment -->"]


# --- 2. the build's last guard --------------------------------------------------------

# A Markdown extension that writes a form into every page after Markdown ran: no body holds
# it, so `check` cannot see it; only the guard on the rendered page can.
EXTENSION = """
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor

FORM = {form!r}

class Inject(Postprocessor):
    def run(self, text):
        return text + FORM

class InjectExtension(Extension):
    def extendMarkdown(self, md):
        md.postprocessors.register(Inject(md), "inject", 0)

def makeExtension(**kwargs):
    return InjectExtension(**kwargs)
"""
GUARDED = [(name, body) for name, body, _ in TRICKY if "<" in body and name not in ("backslash-lt", "svg-style-in-md-in-html")]


@pytest.mark.parametrize("name, form", GUARDED, ids=[g[0] for g in GUARDED])
def test_the_build_refuses_a_page_the_body_check_cannot_see(make_handbook, tmp_path, monkeypatch, caplog, name, form):
    from mkdocs.exceptions import Abort

    module = f"hb_inject_{name.replace('-', '_')}"
    (tmp_path / "ext").mkdir()
    (tmp_path / "ext" / f"{module}.py").write_text(EXTENSION.format(form=form), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "ext"))
    root = make_handbook()
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"markdown_extensions:\n  - {module}\n", encoding="utf-8")
    with pytest.raises(Abort):
        build_site(root, "internal", tmp_path / "site")
    errors = " ".join(r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert "the rendered page" in errors and "nothing was built" in errors
    assert not list((tmp_path / "site").rglob("*.html"))


# --- 3. assets a browser opens as a document --------------------------------------------

SCRIPTED_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">\n  <path d="M0 0h8"/>\n'
    '  <script>alert(1)</script>\n</svg>\n'
)
LINKED = "Intro.\n\n![A drawing](../assets/drawing.svg)\n\nSee [the page](../assets/page.html).\n"


@pytest.mark.parametrize("name, files, line", [
    ("svg-script", {"drawing.svg": SCRIPTED_SVG}, 3),
    ("svg-handler", {"drawing.svg": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'}, 1),
    ("svg-foreign-object", {"drawing.svg": '<svg xmlns="http://www.w3.org/2000/svg">\n<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject></svg>'}, 2),
    ("svg-javascript-href", {"drawing.svg": '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n\n<a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'}, 3),
    ("svg-use-of-another-file", {"drawing.svg": '<svg xmlns="http://www.w3.org/2000/svg">\n<use href="other.svg#x"/></svg>'}, 2),
    ("svg-stylesheet-instruction", {"drawing.svg": '<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="x.xsl"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'}, 2),
    ("svg-prefixed-script", {"drawing.svg": '<s:svg xmlns:s="http://www.w3.org/2000/svg">\n<s:script>alert(1)</s:script></s:svg>'}, 2),
    ("svgz-script", {"drawing.svgz": gzip.compress(SCRIPTED_SVG.encode())}, 3),
    ("html-page", {"page.html": "<p>hello</p>\n"}, 1),
    ("xml-page", {"feed.xml": "<?xml version='1.0'?><rss/>"}, 1),
])
def test_document_assets_are_hb310_and_never_copied(make_handbook, tmp_path, name, files, line):
    from mkdocs.exceptions import Abort

    root = _write(make_handbook, LINKED, {"assets": files})
    _, problems = check(root / "stories", root)
    (asset,) = files
    assert {(d.path, d.line) for d in problems if d.code == "HB310"} == {(f"stories/assets/{asset}", line)}
    with pytest.raises(Abort):
        build_site(root, "internal", tmp_path / "site")
    assert not (tmp_path / "site" / "assets" / asset).exists()
    _, allowed = check(root / "stories", root, allow_scripts=True)
    assert [d for d in allowed if d.code == "HB310"] == []


def test_a_clean_svg_passes_and_is_published(make_handbook, tmp_path):
    logo = (REPO / "overrides" / "assets" / "logo.svg").read_text(encoding="utf-8")
    root = _write(make_handbook, "Intro.\n\n![Logo](../assets/logo.svg)\n", {"assets": {"logo.svg": logo, "logo.svgz": gzip.compress(logo.encode())}})
    _, problems = check(root / "stories", root)
    assert [d.text() for d in problems if d.code == "HB310"] == []
    site = build_site(root, "internal", tmp_path / "site")
    assert (site / "assets" / "logo.svg").read_text(encoding="utf-8") == logo


# --- 4. what the allowlist accepts stays accepted ---------------------------------------

PIECES = ["<", ">", "/", "=", '"', "'", " ", "\n", "x", "<!--", "-->", "--!>", "<!", "<?", "&#x09;", "&lt;", "&", "<p>", "</p>",
          "<a ", 'href="', "javascript:", "https://e.example/", "<img ", "src=", "<svg>", "</svg>", "<style>", "</style>", "<math>",
          "<span>", "</span>", "<div>", "</div>", "<table>", "<td>", "<template>", "<noscript>", "</noscript>", "<textarea>",
          "<title>", "</title>", "<path d=1>", "<foreignObject>", "onerror=1", "title=", "<b>", "<![CDATA[", "]]>", "<select>"]
# Markup the templates put after a body on a page: trusted, but it may close what a body left open.
FOLLOWING = ['\n<h2 id="lessons">Lessons</h2>\n<p class="hb-muted">Text "quoted" and \'single\' > here</p>\n',
             '<a href="../x/" title="Next">next</a> -->\n</div>\n', "</style></script></textarea></title></noscript></svg></math>\n<p>x</p>"]


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragment=st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=14).map("".join), following=st.sampled_from(FOLLOWING))
def test_accepted_html_stays_accepted_whatever_follows(fragment, following):
    """A fragment the allowlist accepts, followed on the page by trusted markup, parses to nothing outside it."""
    if active_content.in_html(fragment):
        return
    assert active_content.in_html(fragment + following) == []
