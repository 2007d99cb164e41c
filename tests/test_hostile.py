"""Staff-written values never run script in a reader's browser (security review).

1. A handbook whose every text field holds hostile payloads is cleared and built in both
   variants; every HTML file is parsed and must hold the payloads only as text, and each
   payload must still be visible, whole, where its field is shown.
2. Script written in a body is a `check` error (HB310) with its file and line, unless the
   handbook sets `allow_scripts: true`; the same text in code is text and no error.
3. The built sites in Chromium: pages are loaded, every element hovered, focused and
   clicked (by events), the site's search (Pagefind's UI, else Material's) run over the
   payloads: no dialog ever opens, no element gets an event-handler attribute.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import htmldoc
import pytest
import yaml
from browsing import needs_chromium
from browsing import served as serve_sites
from click.testing import CliRunner
from conftest import MKDOCS_YML, base_tree, build_site, lesson, story, write_tree
from variant_support import clear

from handbook_gen.cli import handbook
from handbook_gen.core.validation import check

# --- payloads ----------------------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "x { autofocus onfocus=alert(1) }",
    "x {: onmouseover=alert(1) }",
    "[x](javascript:alert(1))",
    "<svg onload=alert(1)>",
    "{{ 7*7 }} {% raw %}",
    "x  { onclick=alert(1) }",  # (a line break in a one-line field is refused by check: tests/test_bounds.py)
    ":material-trophy: ==mark== ^^ins^^ ~~del~~",
    "`<b onmouseover=alert(1)>` ``x``",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "' onmouseover='alert(1)' x='",
    '<a href="javascript:alert(1)">link</a> <!-- c -->',
    "![x](javascript:alert(1)) *em* __strong__",
    "1. ordered # not a heading | pipe",
    "x {#id .cls onclick=alert(1)}\\",
]
YEAR = 2021


def N(value: str) -> str:
    """A value as it is shown: one line, whitespace runs as one space."""
    return " ".join(value.split())


def fields(i: int, internal: bool = False) -> dict[str, Any]:
    """Every text value of payload i, by what it is; payloads at the start and at the end of values.

    The internal story's title differs from the public one's: a public lesson or page that
    quotes an internal story's title is an error (HB308), and lessons here are titled p.
    """
    p = PAYLOADS[i]
    return {
        "payload": p,
        "title": f"Internal {p}" if internal else p,
        "summary": f"Summary {i} of the story: {p}",
        "public_summary": f"Public summary {i} of the story: {p}",
        "impact": p,
        "five_whys": [p, f"why {p}"],
        "contributing_factors": [p],
        # Withheld even from a public story: texts of their own, which a public page showing p does not quote.
        "follow_ups": [{"title": f"Follow-up {i}: {p}", "status": "done"}, {"title": f"follow {i} {p}"}],
        "award": {"year": YEAR, "title": p},
        "internal": {f"key {i} {p}": f"value {i} {p}", "list": [f"item {i} {p}", {"nested": f"nested {i} {p}"}]},
        "timeline": [{"at": f"14:05 {p}", "event": p}],
        "lucky": [p],
        "detection": p,
        "author": p,
        "private_author": f"{p} (private)",
        "clearer": f"Cleared {p}",
        "lesson_title": p,
        "lesson_summary": f"Lesson {i}: {p}",
        "tag": p,
        "team": f"Team {p}",
        "page_description": p,
    } | (_internal_texts(i, p) if internal else {})


# An internal story's texts are its own (each starts "Internal i:"): a public page that showed
# the same payload would otherwise quote internal text (HB308), which is not what is tested here.
_STORY_TEXTS = ("summary", "impact", "five_whys", "contributing_factors", "follow_ups", "award", "internal", "timeline", "lucky", "detection")


def _internal_texts(i: int, p: str) -> dict[str, Any]:
    own = f"Internal {i}: {p}"
    return {
        "summary": f"Internal summary {i} of the story: {p}",
        "impact": own,
        "five_whys": [own, f"why {own}"],
        "contributing_factors": [own],
        "follow_ups": [{"title": own, "status": "done"}, {"title": f"follow {own}"}],
        "award": {"year": YEAR, "title": own},
        "internal": {f"key {own}": f"value {own}", "list": [own, {"nested": own}]},
        "timeline": [{"at": f"14:05 {i}", "event": own}],
        "lucky": [own],
        "detection": own,
    }


def _front(data: dict[str, Any], body: str) -> str:
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n\n" + body


def _story(i: int, public: bool) -> str:
    f = fields(i, internal=not public)
    n = len(PAYLOADS)
    data: dict[str, Any] = {"title": f["title"], "date": dt.date(YEAR, 1 + i % 12, 1 + i)}
    data["summary"] = f["summary"]
    data["authors"] = [f"pub-{i}", f"priv-{i}"]
    data["lessons"] = [f"lesson-{i}"]
    if public:
        data |= {"visibility": "public", "public_summary": f["public_summary"], "related": [f"int-{i}", f"pub-{(i + 1) % n}"]}
    else:
        data["related"] = [f"pub-{i}"]
    data |= {"severity": "major", "teams": ["platform"], "tags": [f"tag-{i}"], "impact": f["impact"]}
    data |= {k: f[k] for k in ("five_whys", "contributing_factors", "follow_ups", "award", "internal", "timeline", "lucky", "detection")}
    # The payload in the body as code, where it is text by definition.
    fence = "`" * 4
    body = f"## What happened\n\nThe payload as code:\n\n{fence}\n{PAYLOADS[i]}\n{fence}\n\nAnd `{{{{ 7*7 }}}}` inline.\n"
    return _front(data, body)


def hostile_tree() -> dict[str, Any]:
    n = len(PAYLOADS)
    authors, tags, lessons, stories, pages = {}, {}, {}, {}, {}
    for i in range(n):
        f = fields(i)
        authors[f"pub-{i}"] = {"name": f["author"], "team": "platform", "public": True}
        authors[f"priv-{i}"] = {"name": f["private_author"], "team": "data"}
        authors[f"clr-{i}"] = {"name": f["clearer"]}
        tags[f"tag-{i}"] = f["tag"]
        lessons[f"lesson-{i}.md"] = _front(
            {"title": f["lesson_title"], "summary": f["lesson_summary"], "related": [f"lesson-{(i + 1) % n}"]},
            "Restore them regularly.\n",
        )
        stories[f"pub-{i}.md"] = _story(i, public=True)
        stories[f"int-{i}.md"] = _story(i, public=False)
        pages[f"page-{i}.md"] = _front({"visibility": "public", "description": f["page_description"]}, f"# Page {i}\n\nA page.\n")
    mkdocs = MKDOCS_YML.replace("site_name: Test Handbook", "site_name: Hostile Handbook").replace(
        "features: [navigation.prune]", "features: [navigation.prune, navigation.tabs, search.suggest, search.highlight]"
    ) + "markdown_extensions:\n  - toc:\n      permalink: true\n  - pymdownx.superfences\n"
    return {
        "mkdocs.yml": mkdocs,
        "stories": {
            "index.md": "---\ntitle: Home\n---\n\n# Home\n\nWelcome.\n",
            "culture.md": "---\ntitle: Culture\n---\n\n# Culture\n\nWe tell failures.\n",
            "authors.yml": yaml.safe_dump(authors, allow_unicode=True),
            "tags.yml": yaml.safe_dump(tags, allow_unicode=True),
            "teams.yml": yaml.safe_dump({"platform": {"name": fields(0)["team"], "description": PAYLOADS[1]},
                                         "data": {"name": fields(2)["team"], "description": PAYLOADS[3]}}, allow_unicode=True),
            "lessons": lessons,
            str(YEAR): stories,
            **pages,
            "edges.md": _front({"visibility": "public", "description": "HTML at the edge of the allowlist"}, EDGES),
        },
    }


# Raw HTML the allowlist accepts that a careless scanner misreads: a comment opener in an
# attribute value, an SVG drawing whose title holds markup as text, a closed comment.
EDGES = (
    "# Edges\n\nSee <a title=\"<!--\" href=\"https://example.com/\">the link</a> and --> on.\n\n"
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><title>&lt;img src=x onerror=alert(1)&gt;</title>'
    '<path d="M0 0h8v8z"/></svg>\n\nText <!-- <img src=x onerror=alert(1)> --> after.\n'
)


# --- a small DOM over the HTML5 parse --------------------------------------------------

class Node:
    def __init__(self, tag: str, attrs: list[tuple[str, str | None]], parent: Node | None) -> None:
        self.tag, self.attr_list, self.parent = tag, attrs, parent
        self.attrs = {k: v or "" for k, v in attrs}
        self.children: list[Node | str] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self) -> Iterator[Node]:
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        return [n for n in self.iter() if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)
                and all(n.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}>"
        return found[0]

    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]

    def next_element(self) -> Node:
        assert self.parent is not None
        siblings = self.parent.elements()
        return siblings[siblings.index(self) + 1]

    def raw_text(self) -> str:
        """Text of the node, headerlinks (the pilcrow of permalinks) left out."""
        out = []
        for c in self.children:
            if isinstance(c, str):
                out.append(c)
            elif "headerlink" not in c.classes:
                out.append(c.raw_text())
        return "".join(out)

    def text(self) -> str:
        return N(self.raw_text())


def dom(html: str, *, fragment: bool = False) -> Node:
    """The page (or fragment) as a browser's HTML5 parser builds it (tests/htmldoc.py), as a tree of Nodes."""

    def copy(source: Any, parent: Node | None) -> Node:
        node = Node(source.name, list((source.attrs or {}).items()), parent)
        for child in source.children or []:
            if child.name == "#text":
                node.children.append(str(child.data or ""))
            elif not child.name.startswith("#"):  # comments and the doctype are no elements
                node.children.append(copy(child, node))
        return node

    return copy(htmldoc.parse(html, fragment=fragment), None)


# --- what counts as script ---------------------------------------------------------

_URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "srcdoc", "background", "ping", "srcset"}


def runs_script(url: str) -> bool:
    squeezed = "".join(c for c in url if c > " " and c != "\x7f").lower()
    return squeezed.startswith(("javascript:", "vbscript:", "data:text/html", "data:image/svg", "data:application"))


def _normal_script(text: str) -> str:
    """A theme script's text with the page's relative base written the same on every page."""
    text = re.sub(r'new URL\("[^"]*",location\)', 'new URL("BASE",location)', text)
    return text


def script_problems(root: Node, theme_scripts: set[str]) -> list[str]:
    """Everything in a parsed page that is script or would run script."""
    problems = []
    for n in root.iter():
        for name, value in n.attr_list:
            value = value or ""
            if name.startswith("on"):
                problems.append(f"<{n.tag} {name}={value!r}>")
            if name in _URL_ATTRS and runs_script(value):
                problems.append(f"<{n.tag} {name}={value!r}>: script URL")
            if "alert(" in value and not (n.tag == "meta" and name == "content"):
                problems.append(f"<{n.tag} {name}={value!r}>: payload in an attribute")
        if n.tag == "meta" and not set(n.attrs) <= {"name", "content", "charset", "property", "http-equiv"}:
            problems.append(f"<meta {n.attrs}>: attribute the theme does not write")
        if n.tag == "meta" and n.attrs.get("http-equiv", "").lower() == "refresh":
            problems.append(f"<meta {n.attrs}>: refresh")
        if n.tag in ("iframe", "frame", "object", "embed", "base", "portal", "applet"):
            problems.append(f"<{n.tag}> element")
        if n.tag == "script":
            text = n.raw_text()
            if "alert(" in text:
                problems.append(f"<script> running the payload: {text[:80]!r}")
            if "src" in n.attrs:
                # The theme's and the handbook's own scripts: files of the site's assets/ folder.
                if not (re.fullmatch(r"(/|(\.\./)*)assets/[a-z0-9_/.-]+\.js", n.attrs["src"]) and ".." not in n.attrs["src"].split("assets/", 1)[1]
                        and set(n.attrs) <= {"src", "defer", "async", "data-bundle"} and not text.strip()):
                    problems.append(f"<script {n.attrs}>: not one of the theme's")
            elif n.attrs == {"id": "__config", "type": "application/json"}:
                config = json.loads(text)
                if not (isinstance(config, dict) and set(config) <= {"annotate", "base", "features", "search", "tags", "translations", "version"}):
                    problems.append(f"<script id=__config>: unexpected content {text[:80]!r}")
            elif n.attrs or _normal_script(text) not in theme_scripts:
                problems.append(f"<script {n.attrs}>: not one of the theme's: {text[:80]!r}")
    return problems


def inline_scripts(root: Node) -> set[str]:
    return {_normal_script(n.raw_text()) for n in root.find_all("script") if not n.attrs}


def html_files(site: Path) -> dict[str, str]:
    out = {}
    for path in sorted(site.rglob("*.html")):
        out[path.relative_to(site).as_posix()] = path.read_text(encoding="utf-8")
    return out


# --- the build ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The hostile handbook checked, cleared with the CLI, built in both variants; and a benign build (the theme's own scripts)."""
    benign_root = tmp_path_factory.mktemp("benign") / "hb"
    tree = hostile_tree()
    write_tree(benign_root, {**base_tree(), "mkdocs.yml": tree["mkdocs.yml"]})
    benign = build_site(benign_root, "internal")
    theme_scripts: set[str] = set()
    for html in html_files(benign).values():
        theme_scripts |= inline_scripts(dom(html))
    assert len(theme_scripts) >= 2  # Material writes a few inline scripts of its own

    root = tmp_path_factory.mktemp("hostile") / "hb"
    write_tree(root, tree)
    for i in range(len(PAYLOADS)):
        clear(root, f"pub-{i}", by=f"clr-{i}")  # `handbook clear pub-i --by clr-i`
    # (Before clearing, the lessons titled p quote uncleared stories' titles: HB308.)
    _, problems = check(root / "stories", root)
    assert [d for d in problems if d.severity == "error"] == []
    return {
        "root": root,
        "internal": build_site(root, "internal"),
        "public": build_site(root, "public"),
        "theme_scripts": theme_scripts,
        "today": dt.date.today(),
    }


def page(hostile: dict[str, Any], variant: str, location: str) -> Node:
    return dom((hostile[variant] / location / "index.html").read_text(encoding="utf-8"))


def article(root: Node) -> Node:
    return root.find("article")


VARIANTS = ["internal", "public"]
IDX = list(range(len(PAYLOADS)))


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_html_file_holds_script_or_event_handlers(hostile, variant):
    files = html_files(hostile[variant])
    # Every story and lesson page is there, so every payload was scanned.
    for i in IDX:
        assert f"{YEAR}/pub-{i}/index.html" in files and f"lessons/lesson-{i}/index.html" in files
        assert (f"{YEAR}/int-{i}/index.html" in files) == (variant == "internal")
    problems = []
    for rel, html in files.items():
        problems += [f"{rel}: {p}" for p in script_problems(dom(html), hostile["theme_scripts"])]
    assert problems == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_payloads_reach_pages_as_text_only(hostile, variant):
    """No element that a payload would make if read as HTML or Markdown is in any page."""
    made = []
    for rel, html in html_files(hostile[variant]).items():
        root = dom(html)
        for n in root.iter():
            if n.tag == "img" and n.attrs.get("src") == "x":
                made.append(f"{rel}: <img src=x>")
            if n.tag in ("b", "mark", "ins", "del") or (n.tag == "svg" and "xmlns" not in n.attrs):
                made.append(f"{rel}: <{n.tag}>")
            if "cls" in n.classes or n.attrs.get("id") == "id":
                made.append(f"{rel}: attribute list applied to <{n.tag}>")
            if n.tag == "a" and "alert(" in n.attrs.get("href", ""):
                made.append(f"{rel}: link to {n.attrs['href']}")
    assert made == []


def test_the_scanner_sees_what_it_must(hostile):
    """The page checks above fail on a page that does run script (they can fail)."""
    theme = hostile["theme_scripts"]
    for bad in ('<p onclick="x()">a</p>', '<a href=" JaVa\tScRiPt:x()">a</a>', "<script>alert(1)</script>",
                '<script src="https://evil.example/x.js"></script>', '<meta name="x" content="y" onload="z">',
                '<iframe src="x"></iframe>', '<svg><a xlink:href="javascript:x()">a</a></svg>', '<img src="x" title="alert(1)">'):
        assert script_problems(dom(f"<html><body>{bad}</body></html>"), theme), bad
    assert script_problems(dom("<html><body><p>&lt;script&gt;alert(1)&lt;/script&gt;</p></body></html>"), theme) == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_html_at_the_edge_of_the_allowlist_is_published_as_written(hostile, variant):
    """What the allowlist accepts is published whole: the link whose title holds `<!--`, the drawing's title as text."""
    art = article(page(hostile, variant, "edges"))
    assert art.find("a", title="<!--").attrs["href"] == "https://example.com/"
    assert art.find("svg").find("title").text() == "<img src=x onerror=alert(1)>"
    assert art.find_all("img") == []
    assert "--> on." in art.text()


def _td_rows(table: Node) -> dict[str, str]:
    rows = {}
    for tr in table.find_all("tr"):
        cells = tr.find_all("td")
        if len(cells) == 2:
            rows[cells[0].text()] = cells[1].text()
    return rows


def _section_after(art: Node, heading_id: str) -> Node:
    return art.find("h2", id=heading_id).next_element()


def _list_after(art: Node, heading_id: str) -> Node:
    """The first list after a heading (a lesson's stories may be preceded by when it was taught)."""
    node = art.find("h2", id=heading_id).next_element()
    while node.tag != "ul":
        node = node.next_element()
    return node


@pytest.mark.parametrize("i", IDX)
@pytest.mark.parametrize("variant", VARIANTS)
def test_cleared_story_shows_every_value_as_text(hostile, variant, i):
    f = fields(i)
    internal = variant == "internal"
    root = page(hostile, variant, f"{YEAR}/pub-{i}")
    art = article(root)
    summary = f["summary"] if internal else f["public_summary"]
    assert root.find("title").text() == f"{N(f['title'])} - Hostile Handbook"
    assert [n.attrs["content"] for n in root.find_all("meta", name="description")] == [N(summary)]
    assert N(f["title"]) in [t.text() for t in root.find_all("span", cls="md-ellipsis")]
    assert art.find("h1").text() == N(f["title"])
    assert art.find("p", cls="hb-summary").text() == N(summary)
    told = f"{N(f['author'])}, {N(f['private_author'])}" if internal else f"{N(f['author'])}, a member of the data team"
    _assert_story_fields(art, f, told, internal)
    related = [li.find("a").text() for li in _section_after(art, "related-stories").elements()]
    assert N(PAYLOADS[(i + 1) % len(PAYLOADS)]) in related
    # The payload in the body is code, shown whole.
    assert PAYLOADS[i] + "\n" in [c.raw_text() for c in art.find_all("code")]
    boxes = art.find_all("div", cls="hb-internal")
    if not internal:
        assert boxes == []
        assert N(f["private_author"]) not in root.text() and N(f["clearer"]) not in root.text()
        return
    (box,) = boxes
    texts = [p.text() for p in box.elements() if p.tag == "p"]
    assert texts == ["Internal only", f"Public site: cleared by {N(f['clearer'])} on {hostile['today'].isoformat()}.",
                     f"Public summary: {N(f['public_summary'])}"]
    _assert_internal_tree(box, f)


def _assert_story_fields(art: Node, f: dict[str, Any], told: str, internal: bool) -> None:
    """The fields both kinds of story page show, each as its text."""
    rows = _td_rows(art.find("div", cls="hb-card").find("table"))
    assert rows["Told by"] == told
    assert rows["Impact"] == N(f["impact"])
    assert art.find("span", cls="hb-award").text() == f"{N(f['award']['title'])} {YEAR}"
    assert _section_after(art, "how-we-found-out").text() == N(f["detection"])
    timeline = art.find("div", cls="hb-timeline")
    assert [li.text() for li in timeline.find_all("li")] == [f"{N(t['at'])} {N(t['event'])}" for t in f["timeline"]]
    assert [s.text() for s in timeline.find_all("span", cls="hb-timeline__at")] == [N(t["at"]) for t in f["timeline"]]
    assert [li.text() for li in _section_after(art, "where-we-got-lucky").find_all("li")] == [N(x) for x in f["lucky"]]
    assert [li.text() for li in art.find("div", cls="hb-whys").find_all("li")] == [N(w) for w in f["five_whys"]]
    assert [li.text() for li in _section_after(art, "contributing-factors").find_all("li")] == [N(c) for c in f["contributing_factors"]]
    follow = _section_after(art, "follow-ups")
    if internal:
        assert [li.text() for li in follow.find_all("li")] == [f"done {N(f['follow_ups'][0]['title'])}", f"open {N(f['follow_ups'][1]['title'])}"]
    else:
        assert follow.tag == "p" and follow.text() == "2 follow-up actions, 1 done."
    assert [li.text() for li in _section_after(art, "lessons-learned").find_all("li")] == [f"{N(f['lesson_title'])}: {N(f['lesson_summary'])}"]


def _assert_internal_tree(box: Node, f: dict[str, Any]) -> None:
    """The `internal` mapping {key: value, list: [item, {nested: value}]} as nested lists of text."""
    (key, value), (_, (item, nested_map)) = f["internal"].items()
    (ul,) = [e for e in box.elements() if e.tag == "ul"]
    first, second = ul.elements()
    assert first.text() == f"{N(key)}: {N(value)}"
    assert first.find("strong").text() == N(key)
    assert second.elements()[0].tag == "strong" and second.elements()[0].text() == "list"
    (inner,) = [e for e in second.elements() if e.tag == "ul"]
    a, b = inner.elements()
    assert a.text() == N(item)
    (nested,) = [e for e in b.elements() if e.tag == "ul"]
    assert [li.text() for li in nested.elements()] == [f"nested: {N(nested_map['nested'])}"]


@pytest.mark.parametrize("i", IDX)
def test_internal_story_shows_every_value_as_text(hostile, i):
    f = fields(i, internal=True)
    root = page(hostile, "internal", f"{YEAR}/int-{i}")
    art = article(root)
    assert root.find("title").text() == f"{N(f['title'])} - Hostile Handbook"
    assert [n.attrs["content"] for n in root.find_all("meta", name="description")] == [N(f["summary"])]
    assert art.find("h1").text() == N(f["title"])
    assert art.find("p", cls="hb-summary").text() == N(f["summary"])
    _assert_story_fields(art, f, f"{N(f['author'])}, {N(f['private_author'])}", internal=True)
    (box,) = art.find_all("div", cls="hb-internal")
    assert [p.text() for p in box.elements() if p.tag == "p"] == ["Internal only", "Visibility: internal: never on the public site."]
    _assert_internal_tree(box, f)
    assert not (hostile["public"] / f"{YEAR}" / f"int-{i}").exists()


@pytest.mark.parametrize("i", IDX)
@pytest.mark.parametrize("variant", VARIANTS)
def test_lesson_page_shows_values_as_text(hostile, variant, i):
    f = fields(i)
    root = page(hostile, variant, f"lessons/lesson-{i}")
    art = article(root)
    assert root.find("title").text() == f"{N(f['lesson_title'])} - Hostile Handbook"
    assert [n.attrs["content"] for n in root.find_all("meta", name="description")] == [N(f["lesson_summary"])]
    assert art.find("h1").text() == N(f["lesson_title"])
    assert art.find("p", cls="hb-summary").text() == N(f["lesson_summary"])
    taught = [li.find("a").text() for li in _list_after(art, "stories-that-taught-it").elements()]
    assert sorted(taught) == sorted([N(f["title"])] + ([N(fields(i, internal=True)["title"])] if variant == "internal" else []))
    assert [li.text() for li in _section_after(art, "related-lessons").elements()] == [N(fields((i + 1) % len(PAYLOADS))["lesson_title"])]


@pytest.mark.parametrize("i", IDX)
@pytest.mark.parametrize("variant", VARIANTS)
def test_tag_description_shown_as_text(hostile, variant, i):
    art = article(page(hostile, variant, f"tags/tag-{i}"))
    assert art.find("h1").next_element().text() == N(fields(i)["tag"])
    index = article(page(hostile, variant, "tags"))
    items = {li.find("a").text(): li.text() for li in index.find("ul").elements()}
    count = 2 if variant == "internal" else 1
    assert items[f"tag-{i}"] == f"tag-{i} {count}: {N(fields(i)['tag'])}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_listings_and_awards_show_values_as_text(hostile, variant):
    per_story = 2 if variant == "internal" else 1
    year = article(page(hostile, variant, f"years/{YEAR}"))
    items = year.find("ul").elements()
    assert len(items) == per_story * len(PAYLOADS)
    shown = sorted((li.find("a").text(), li.text()) for li in items)
    expected = []
    for i in IDX:
        shown_stories = [fields(i)] + ([fields(i, internal=True)] if variant == "internal" else [])
        for f in shown_stories:
            summary = f["summary"] if variant == "internal" else f["public_summary"]
            head = N(f["title"])
            expected.append((head, f"{head} 2021-{1 + i % 12:02d}-{1 + i:02d} · Incident · Major · platform {N(summary)}"))
    assert shown == sorted(expected)
    awards = article(page(hostile, variant, "awards"))
    titles = sorted(card.find("strong").text() for card in awards.find_all("div", cls="hb-award-card"))
    assert titles == sorted(N(f["award"]["title"]) for i in IDX for f in [fields(i)] + ([fields(i, internal=True)] if variant == "internal" else []))
    lessons = article(page(hostile, variant, "lessons"))
    by_title = {N(fields(i)["lesson_title"]): i for i in IDX}
    items = lessons.find("ul").elements()
    assert sorted(li.find("strong").text() for li in items) == sorted(by_title)
    for li in items:
        f = fields(by_title[li.find("strong").text()])
        reach = li.find("span", cls="hb-muted").text()
        assert reach.endswith(".") and li.text() == f"{N(f['lesson_title'])}: {N(f['lesson_summary'])} {reach}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_page_description_meta_is_text(hostile, variant):
    for i in IDX:
        root = page(hostile, variant, f"page-{i}")
        assert [n.attrs["content"] for n in root.find_all("meta", name="description")] == [N(fields(i)["page_description"])]


def _html_text(fragment: str) -> tuple[list[str], str]:
    root = dom(fragment, fragment=True)
    return [n.tag for n in root.iter()], root.raw_text()


@pytest.mark.parametrize("variant", VARIANTS)
def test_feed_holds_values_as_text(hostile, variant):
    """Feed readers show an item's description as HTML: it must hold the summary as text."""
    items = {i.findtext("guid"): i for i in ET.fromstring((hostile[variant] / "feed.xml").read_bytes()).iter("item")}
    ids = [f"pub-{i}" for i in IDX] + ([f"int-{i}" for i in IDX] if variant == "internal" else [])
    newest = sorted(ids, key=lambda sid: (dt.date(YEAR, 1 + int(sid[4:]) % 12, 1 + int(sid[4:])), sid), reverse=True)[:20]
    assert sorted(items) == sorted(newest)
    for guid, item in items.items():
        i = int(guid.split("-")[1])
        f = fields(i, internal=guid.startswith("int-"))
        summary = f["public_summary"] if variant == "public" else f["summary"]
        assert item.findtext("title") == f["title"]
        tags, text = _html_text(item.findtext("description") or "")
        assert tags == [] and text == summary, (guid, item.findtext("description"))


@pytest.fixture(scope="module")
def hostile_material(hostile, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The cleared hostile handbook built with Material's search (as `handbook serve` uses it)."""
    import shutil

    root = tmp_path_factory.mktemp("hostile-material") / "hb"
    for name in ("stories", "placeholder"):
        shutil.copytree(hostile["root"] / name, root / name)
    config = (hostile["root"] / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - handbook:\n" in config
    (root / "mkdocs.yml").write_text(config.replace("  - handbook:\n", "  - handbook:\n      search_engine: material\n"), encoding="utf-8")
    return {variant: build_site(root, variant) for variant in VARIANTS}


@pytest.mark.parametrize("variant", VARIANTS)
def test_search_index_holds_values_as_text(hostile_material, variant):
    """Material shows search titles and texts as HTML: they hold no element a payload made."""
    docs = json.loads((hostile_material[variant] / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    assert docs
    problems = []
    for d in docs:
        for part in (d["title"], d["text"]):
            root = dom(part, fragment=True)
            problems += [f"{d['location']}: {p}" for p in script_problems(root, set())]
            problems += [f"{d['location']}: <{n.tag}>" for n in root.iter() if n.tag not in ("p", "code", "pre", "ul", "ol", "li", "strong", "em", "table", "thead", "tbody", "tr", "th", "td", "a", "span", "div", "br")]
    assert problems == []
    titles = {d["location"]: N(dom(d["title"], fragment=True).raw_text()) for d in docs}
    for i in IDX:
        assert titles[f"{YEAR}/pub-{i}/"] == N(PAYLOADS[i])
        assert titles[f"lessons/lesson-{i}/"] == N(PAYLOADS[i])


def test_sitemaps_are_plain(hostile):
    data = gzip.decompress((hostile["public"] / "sitemap.xml.gz").read_bytes())
    assert b"alert" not in data and b"alert" not in (hostile["public"] / "sitemap.xml").read_bytes()


def test_class_names_from_values_are_not_markdown_escaped(make_handbook):
    """A value written into an HTML attribute by a template is HTML-escaped only: no Markdown backslash."""
    from handbook_gen.core.variants import select
    from handbook_gen.render import Renderer

    extra = "kind: near-miss\nseverity: critical\nfollow_ups: [{title: Add a check, status: wontfix}]\n"
    root = make_handbook({"stories": {"2021": {"first-story.md": story(extra=extra)}}})
    hb, problems = check(root / "stories", root)
    assert [d for d in problems if d.severity == "error"] == []
    text = Renderer(select(hb, "internal")).story("first-story")
    assert '<span class="hb-chip hb-kind hb-kind--near-miss">' in text
    assert '<span class="hb-chip hb-severity hb-severity--critical">' in text
    assert '<span class="hb-chip hb-status--wontfix">wontfix</span>' in text


# --- pages titled with a payload (the plugin's navigation) -------------------------


def test_page_title_in_navigation_is_text(make_handbook):
    root = make_handbook({"stories": {"notes.md": _front({"title": '"><img src=x onerror=alert(1)>'}, "# Notes\n\nText.\n")}})
    site = build_site(root, "internal")
    problems = []
    for rel, html in html_files(site).items():
        problems += [f"{rel}: {p}" for p in script_problems(dom(html), inline_scripts(dom(html)))]
    assert problems == []


# --- 2. script in bodies is an error (HB310) ---------------------------------------

# (name, Markdown, a text on the line the error is reported at)
BODY_SCRIPTS = [
    ("script", "<script>alert(1)</script>", "<script>"),
    ("img-onerror", '<img src="https://example.com/x.png" onerror="alert(1)">', "onerror"),
    ("inline-img-onerror", "Text with <img src=https://example.com/x.png onerror=alert(1)> inline.", "onerror"),
    ("multiline-tag", "<img\nsrc=https://example.com/x.png\nonerror=alert(1)>", "<img"),
    ("a-javascript", '<a href="javascript:alert(1)">x</a>', "javascript"),
    ("a-javascript-entity", '<a href="&#106;ava&#x09;script:alert(1)">x</a>', "alert"),
    ("md-link", "[x](javascript:alert(1))", "javascript"),
    ("md-link-case", "See [x](JaVaScRiPt:alert(1)) here.", "JaVaScRiPt"),
    ("md-link-angle", "[x](<javascript:alert(1)>)", "javascript"),
    ("md-reference", "[x][r]\n\n[r]: javascript:alert(1)", "[x][r]"),
    ("md-image", "![x](javascript:alert(1))", "javascript"),
    ("autolink", "<javascript:alert(1)>", "javascript"),
    ("data-url", "[x](data:text/html,hello)", "data:"),
    ("attr-list-paragraph", "A paragraph.\n{ onclick=alert(1) }", "onclick"),
    ("attr-list-colon", "A paragraph.\n{: onclick=alert(1) }", "onclick"),
    ("attr-list-inline", "A paragraph. { onclick=alert(1) }", "onclick"),
    ("attr-list-heading", "## Heading { onmouseover=alert(1) }", "onmouseover"),
    ("attr-list-link", "[x](https://example.com/y){ onclick=alert(1) }", "onclick"),
    ("attr-list-href", "[x](https://example.com/y){ href=javascript:alert(1) }", "href"),
    ("attr-list-table", "| a |\n|---|\n| b { onclick=alert(1) } |", "onclick"),
    ("iframe", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', "iframe"),
    ("svg-onload", "<svg onload=alert(1)></svg>", "onload"),
    ("details-ontoggle", "<details open ontoggle=alert(1)>x</details>", "ontoggle"),
    ("button-formaction", '<form><button formaction="javascript:alert(1)">x</button></form>', "formaction"),
    # What a browser reads differently from a simple scanner (more in test_safe_html.py).
    ("svg-style", "<svg><style><img src=x onerror=alert(1)></style></svg>", "<svg>"),
    ("comment-opener-in-attribute", 'See <a title="<!--" href="https://example.com/">x</a> <img src=x onerror=alert(1)> -->', "<a title"),
    ("noscript", '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript>', "<noscript>"),
    ("srcset", '<img src="https://example.com/a.png" srcset="https://example.com/a.png 1x, javascript:alert(1) 2x">', "srcset"),
]
HOSTS = ["story", "lesson", "page"]
HOST_PATHS = {"story": "stories/2021/first-story.md", "lesson": "stories/lessons/keep-backups.md", "page": "stories/culture.md"}


def _host_tree(host: str, body: str, mkdocs: str = MKDOCS_YML) -> dict[str, Any]:
    text = {
        "story": story(body=f"## What happened\n\nIntro paragraph.\n\n{body}\n\nOutro.\n"),
        "lesson": lesson().replace("Restore them regularly.\n", f"Restore them regularly.\n\n{body}\n\nOutro.\n"),
        "page": f"---\ntitle: Culture\n---\n\n# Culture\n\nWe tell failures.\n\n{body}\n\nOutro.\n",
    }[host]
    tree: dict[str, Any] = {"mkdocs.yml": mkdocs, "stories": {}}
    if host == "story":
        tree["stories"]["2021"] = {"first-story.md": text}
    elif host == "lesson":
        tree["stories"]["lessons"] = {"keep-backups.md": text}
    else:
        tree["stories"]["culture.md"] = text
    return tree


def _line_of(root: Path, host: str, marker: str) -> int:
    lines = (root / HOST_PATHS[host]).read_text(encoding="utf-8").split("\n")
    return next(n for n, row in enumerate(lines, 1) if marker in row)


def _check_json(root: Path) -> tuple[int, list[dict[str, Any]]]:
    result = CliRunner().invoke(handbook, ["-f", str(root / "mkdocs.yml"), "check", "--format", "json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("name, body, marker", BODY_SCRIPTS, ids=[c[0] for c in BODY_SCRIPTS])
def test_script_in_body_is_hb310_at_its_line(make_handbook, host, name, body, marker):
    root = make_handbook(_host_tree(host, body))
    code, rows = _check_json(root)
    errors = {(r["path"], r["line"], r["code"]) for r in rows if r["severity"] == "error"}
    line = _line_of(root, host, marker)
    assert code == 1
    assert {e for e in errors if e[2] == "HB310"} == {(HOST_PATHS[host], line, "HB310")}
    # Nothing else is wrong but on that line (an entity-encoded script URL is a dangling link too: HB208).
    assert {e[:2] for e in errors} == {(HOST_PATHS[host], line)} and {e[2] for e in errors} <= {"HB310", "HB208"}
    # The core check says the same, and no HB310 when the handbook allows scripts.
    _, problems = check(root / "stories", root)
    assert {(d.path, d.line, d.code) for d in problems if d.severity == "error"} == errors
    _, allowed = check(root / "stories", root, allow_scripts=True)
    assert {(d.path, d.line, d.code) for d in allowed if d.severity == "error" or d.code == "HB310"} == errors - {(HOST_PATHS[host], line, "HB310")}


def _code_forms(body: str) -> str:
    """The same Markdown as code: in backtick and tilde fences, indented, and as inline code."""
    indented = "\n".join("    " + row for row in body.split("\n"))
    inline = "".join(f"Inline `{row}` code.\n\n" for row in body.split("\n") if row.strip())
    return f"```\n{body}\n```\n\n~~~html\n{body}\n~~~\n\n````markdown\n```\n{body}\n```\n````\n\nParagraph.\n\n{indented}\n\n{inline}"


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("name, body, marker", BODY_SCRIPTS, ids=[c[0] for c in BODY_SCRIPTS])
def test_script_in_code_is_text_not_an_error(make_handbook, host, name, body, marker):
    root = make_handbook(_host_tree(host, _code_forms(body)))
    code, rows = _check_json(root)
    assert [r for r in rows if r["severity"] == "error" or r["code"] == "HB310"] == []
    assert code == 0


def test_script_in_code_builds_and_shows_as_text(make_handbook):
    body = "\n\n".join(_code_forms(b) for _, b, _ in BODY_SCRIPTS)
    root = make_handbook(_host_tree("story", body))
    site = build_site(root, "internal")
    root_node = dom((site / "2021" / "first-story" / "index.html").read_text(encoding="utf-8"))
    assert script_problems(root_node, inline_scripts(root_node)) == []
    codes = [c.raw_text() for c in article(root_node).find_all("code")]
    for _, b, _ in BODY_SCRIPTS:
        assert b + "\n" in codes  # the fenced block, whole
        for row in b.split("\n"):
            if row.strip():
                assert row in codes  # inline code


ALLOW = MKDOCS_YML + "      allow_scripts: true\n"


def test_allow_scripts_builds_the_script(make_handbook):
    """`allow_scripts: true` is the staff's own choice: the build keeps the script."""
    body = "<script>window.handbookScript = 1</script>\n\n[x](javascript:void(0))\n\nA paragraph.\n{ onclick=void(0) }"
    root = make_handbook(_host_tree("story", body, ALLOW))
    _, problems = check(root / "stories", root, allow_scripts=True)
    assert [d for d in problems if d.severity == "error"] == []
    art = article(dom((build_site(root, "internal") / "2021" / "first-story" / "index.html").read_text(encoding="utf-8")))
    assert [s.raw_text() for s in art.find_all("script")] == ["window.handbookScript = 1"]
    assert art.find("p", onclick="void(0)").text() == "A paragraph."
    assert [a.attrs["href"] for a in art.find_all("a") if a.text() == "x"] == ["javascript:void(0)"]


def test_without_allow_scripts_the_build_refuses(make_handbook):
    from mkdocs.exceptions import Abort, PluginError

    root = make_handbook(_host_tree("story", "<script>window.handbookScript = 1</script>"))
    with pytest.raises((PluginError, Abort)):
        build_site(root, "internal")
    assert not (root / "site" / "internal" / "2021" / "first-story" / "index.html").exists()


def test_cli_check_honours_allow_scripts(make_handbook):
    root = make_handbook(_host_tree("story", "<script>window.handbookScript = 1</script>", ALLOW))
    code, rows = _check_json(root)
    assert [r for r in rows if r["code"] == "HB310"] == []
    assert code == 0


# Script Markdown makes that the body's tokenizer does not see: `check` misses it, the build's last guard refuses it.
MISSED = [
    ("md-in-html-link", '<div markdown="1">\n[x](javascript:alert(1))\n</div>', "javascript"),
    ("md-in-html-attr-list", '<div markdown="1">\nA paragraph.\n{ onclick=alert(1) }\n</div>', "onclick"),
    ("md-link-tab-entity", "[x](java&#9;script:alert(1))", "java&#9;script"),
]


@pytest.mark.parametrize("name, body, marker", MISSED, ids=[c[0] for c in MISSED])
def test_script_check_misses_is_refused_by_the_build(make_handbook, name, body, marker):
    from mkdocs.exceptions import Abort, PluginError

    root = make_handbook(_host_tree("story", body))
    with pytest.raises((PluginError, Abort)):
        build_site(root, "internal")
    assert not (root / "site" / "internal" / "2021" / "first-story" / "index.html").exists()


@pytest.mark.parametrize("name, body, marker", MISSED, ids=[c[0] for c in MISSED])
def test_script_check_misses_is_hb310(make_handbook, name, body, marker):
    root = make_handbook(_host_tree("story", body))
    code, rows = _check_json(root)
    assert {(r["path"], r["line"], r["code"]) for r in rows if r["severity"] == "error"} == {
        (HOST_PATHS["story"], _line_of(root, "story", marker), "HB310")}


# --- 3. in the browser -------------------------------------------------------------

@pytest.fixture(scope="module")
def served(hostile) -> Iterator[dict[str, str]]:
    with serve_sites({variant: hostile[variant] for variant in VARIANTS}) as urls:
        yield urls


@pytest.fixture
def tab(browser) -> Iterator[tuple[Any, list[str]]]:
    """A page that records every dialog (alert, confirm, prompt) it opens, and any page error."""
    context = browser.new_context()
    # Nothing leaves the machine (Material asks Google for its fonts).
    context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/])"), lambda route: route.abort())
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
    yield pg, dialogs
    context.close()


# Every element gets the events that run inline handlers: hover, focus, click (links kept from navigating).
PROVOKE = """() => {
  window.addEventListener('click', e => e.preventDefault(), true);
  window.addEventListener('submit', e => e.preventDefault(), true);
  const types = ['mouseover', 'mouseenter', 'pointerover', 'click', 'focus', 'focusin', 'toggle', 'load', 'error', 'animationstart'];
  const all = Array.from(document.querySelectorAll('*'));
  for (const el of all) {
    for (const type of types) { try { el.dispatchEvent(new Event(type, {bubbles: true})); } catch (e) {} }
    if (typeof el.focus === 'function') { try { el.focus(); } catch (e) {} }
  }
  return all.length;
}"""

AUDIT = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith('on')) found.push(`<${el.tagName} ${a.name}="${a.value}">`);
    }
    for (const name of ['href', 'src', 'action', 'formaction', 'xlink:href']) {
      const v = (el.getAttribute(name) || '').replace(/[\\x00-\\x20]/g, '').toLowerCase();
      if (v.startsWith('javascript:') || v.startsWith('data:text/html')) found.push(`<${el.tagName} ${name}="${v}">`);
    }
    if (el.tagName === 'SCRIPT' && el.textContent.includes('alert(')) found.push('<script> with the payload');
  }
  return found;
}"""


def _visit(pg, url: str, dialogs: list[str], texts: list[str] = ()) -> None:
    pg.goto(url)
    # Real pointer and keyboard: hover and focus what shows a payload, and tab through the page.
    # (forced: Material's fixed header may lie over an element; the events below reach every element anyway)
    for text in texts:
        target = pg.locator("article").get_by_text(text, exact=False)
        for k in range(min(target.count(), 2)):
            target.nth(k).hover(force=True)
    for _ in range(5):
        pg.keyboard.press("Tab")
    count = pg.evaluate(PROVOKE)
    assert count > 50, url  # the page was really there
    pg.wait_for_timeout(50)
    assert _audit(pg) == [], url
    assert dialogs == [], url


BROWSER_PAGES = ["", "culture/", "edges/", f"years/{YEAR}/", "awards/", "lessons/", "tags/", "stats/", "teams/platform/"]


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("variant", VARIANTS)
def test_browser_listing_pages_run_no_payload(served, tab, variant):
    pg, dialogs = tab
    for location in BROWSER_PAGES + ([f"tags/tag-{i}/" for i in IDX] if variant == "public" else []):
        _visit(pg, served[variant] + location, dialogs, ["alert(1)"] if location in (f"years/{YEAR}/", "awards/") else [])
    title = pg.title()
    assert "Hostile Handbook" in title


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("variant", VARIANTS)
def test_browser_story_and_lesson_pages_run_no_payload(served, tab, variant):
    pg, dialogs = tab
    # Each payload's story page (the internal one has the 'Internal only' box); lesson pages,
    # the same in both variants but for their story lists, once.
    locations = [f"{YEAR}/pub-{i}/" for i in IDX] + ([f"lessons/lesson-{i}/" for i in IDX] if variant == "public" else [])
    for location in locations:
        i = int(location.rstrip("/").rsplit("-", 1)[1])
        _visit(pg, served[variant] + location, dialogs, ["alert(1)"])
        # The payload is the page's title, as text, in the tab's title and the page's heading.
        assert pg.title() == f"{N(PAYLOADS[i])} - Hostile Handbook"
        assert pg.locator("article h1").evaluate("h => h.firstChild.textContent") == N(PAYLOADS[i])


@pytest.fixture(scope="module")
def sample_served(tmp_path_factory) -> Iterator[dict[str, str]]:
    """The repo's sample handbook built in both variants and served."""
    import shutil

    from conftest import REPO

    root = tmp_path_factory.mktemp("sample") / "hb"
    for name in ("stories", "overrides", "placeholder"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    sites = {variant: build_site(root, variant, root / "site" / variant) for variant in VARIANTS}
    with serve_sites(sites) as urls:
        yield {**urls, **{f"{v}-dir": str(sites[v]) for v in VARIANTS}}


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("variant", VARIANTS)
def test_browser_sample_site_runs_no_script_on_any_page_type(sample_served, tab, variant):
    """One page of every kind the sample's site has (home, story, lesson, listings, stats, culture...): no dialog, no handler."""
    pg, dialogs = tab
    site = Path(sample_served[f"{variant}-dir"])
    kinds: dict[str, str] = {}
    for index in sorted(site.rglob("index.html")):
        location = index.parent.relative_to(site).as_posix()
        kind = "home" if location == "." else re.sub(r"/page/\d+$", "/page", location.split("/", 1)[0] if "/" in location else location)
        kinds.setdefault(kind, "" if location == "." else location + "/")
    assert len(kinds) >= 8, kinds  # home, years, lessons, tags, stats, awards, culture, ...
    for location in kinds.values():
        _visit(pg, sample_served[variant] + location, dialogs)


# Pagefind's UI writes one no-op script URL of its own: its search form's action.
AUDIT_ALLOWED = {("FORM", "action", "javascript:void(0);")}
INERT = str.maketrans({"<": "\u2039", ">": "\u203a", "&": "\uff06"})  # how facet values lose HTML (render/search.py)


def _audit(pg) -> list[str]:
    found = pg.evaluate(AUDIT)
    return [f for f in found if not any(f == f'<{t} {a}="{v}">' for t, a, v in AUDIT_ALLOWED)]


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("variant", VARIANTS)
def test_browser_search_results_run_no_payload(hostile, served, tab, variant):
    """The search UI renders titles, summaries and facets in the reader's browser: as text."""
    pg, dialogs = tab
    pg.goto(served[variant])
    pg.locator("input.md-search__input").click()
    if (hostile[variant] / "pagefind").is_dir():
        _pagefind_search(pg, dialogs, variant)
    else:
        _material_search(pg, dialogs)


def _pagefind_search(pg, dialogs: list[str], variant: str) -> None:
    box = pg.locator(".pagefind-ui__search-input")
    box.wait_for()
    for word in ("summary", "lesson", "payload", "alert", "why"):
        if not box.is_visible():  # the events below clicked the dialog's overlay, which closes it
            pg.locator("input.md-search__input").click()
            box.wait_for(state="visible")
        box.fill(word)
        pg.wait_for_function(
            "w => { const m = document.querySelector('.pagefind-ui__message');"
            " return m && m.textContent.includes('for ' + w) && document.querySelector('.pagefind-ui__result-title')"
            " && !document.querySelector('.pagefind-ui__results .pagefind-ui__loading'); }", arg=word)
        results = pg.locator(".pagefind-ui__result")
        for k in range(min(results.count(), 5)):
            results.nth(k).hover()
        titles = pg.locator(".pagefind-ui__result-title").all_inner_texts()
        assert any("alert(1)" in t for t in titles) or word == "why", (word, titles)
        pg.evaluate(PROVOKE.replace("document.querySelectorAll('*')", "document.querySelectorAll('.hb-pagefind *')"))
        pg.wait_for_timeout(50)
        assert _audit(pg) == [], word
        assert dialogs == [], word
    # Every lesson is a facet value, whole, its HTML characters swapped for lookalikes.
    values = pg.locator("input.pagefind-ui__filter-checkbox[name=lesson]").evaluate_all("els => els.map(e => e.value)")
    assert sorted(values) == sorted(N(p).translate(INERT) for p in PAYLOADS)


def _material_search(pg, dialogs: list[str]) -> None:
    box = pg.locator("input.md-search__input")
    pg.wait_for_function(
        "() => { const m = document.querySelector('.md-search-result__meta');"
        " return m && /type to start/i.test(m.textContent); }"
    )
    for word in ("summary", "lesson", "payload", "why"):
        box.fill(word[:-1])
        box.press(word[-1])
        pg.wait_for_function(
            "() => { const m = document.querySelector('.md-search-result__meta');"
            " return m && /matching document/i.test(m.textContent); }"
        )
        items = pg.locator(".md-search-result__item")
        assert items.count() > 0, word
        assert "alert(1)" in pg.locator(".md-search-result").inner_text(), word
        for k in range(min(items.count(), 5)):
            items.nth(k).hover()
        pg.evaluate(PROVOKE.replace("document.querySelectorAll('*')", "document.querySelectorAll('.md-search-result *')"))
        pg.wait_for_timeout(50)
        assert _audit(pg) == [], word
        assert dialogs == [], word


def test_a_title_taken_from_a_heading_cannot_close_the_title_element(make_handbook):
    """A team page is titled by its heading, the team's name from teams.yml: escaped in <title>."""
    from conftest import build_site

    name = "</title><img src=x onerror=alert(1)>"
    root = make_handbook({"stories": {
        "teams.yml": yaml.safe_dump({"platform": {"name": name, "description": "Runs the platform."}}),
        "2021": {"first-story.md": story(extra="teams: [platform]\n")},
    }})
    html = (build_site(root, "internal") / "teams" / "platform" / "index.html").read_text(encoding="utf-8")
    title = html[html.index("<title>") : html.index("</title>") + len("</title>")]
    assert "<img" not in title and "&lt;/title&gt;&lt;img" in title
    assert "<img src=x" not in html


def test_the_home_page_is_titled_by_the_site_name_alone(make_handbook):
    """Material titles the home page with the site's name: its heading does not become a meta title."""
    from conftest import build_site

    root = make_handbook({"stories": {"index.md": "# Welcome to the handbook\n\nRead on.\n"}})
    html = (build_site(root, "internal") / "index.html").read_text(encoding="utf-8")
    assert "<title>Test Handbook</title>" in html
