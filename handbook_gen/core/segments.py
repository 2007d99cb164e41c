"""A Markdown body parsed once into segments: prose, code, HTML, comments and internal sections.

The tokenizer is markdown-it-py (CommonMark, with line maps), so what Markdown renders as
code is code and nothing else is. Links, lint, internal markers, the clearance digest and
the audit all read these segments; none of them scans the raw text on its own.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from . import active_content, comments
from .diagnostics import Diagnostic, error, has_errors, warning

OPEN = "<!-- internal -->"
CLOSE = "<!-- /internal -->"

_MD = MarkdownIt("commonmark", {"html": True}).enable("table")
# Keep every link, whatever its scheme, so a `javascript:` link is seen and reported
# rather than turned into text here and into a live link by the site's Markdown.
_MD.validateLink = lambda url: True  # type: ignore[method-assign]
# Inline parsing is done here, piece by piece (see _parse_inline).
_MD.core.ruler.disable("inline")
# Some inline rules (emphasis joining, link labels) take time growing with the square of a
# paragraph's length; a paragraph longer than this is read in pieces of about this size,
# so any body parses in time linear in its length. Real paragraphs are far shorter.
_PIECE = 2000
# A piece with more of any one markup character than this is markup, not prose: Markdown's
# inline rules take quadratic time on it, so it is kept as plain text (and reported).
_DENSE = 100
# The attribute md_in_html reads: the block's content is Markdown.
_MARKDOWN_INSIDE = re.compile(r"""\bmarkdown\s*=\s*["']?(?:1|block|span)\b""", re.IGNORECASE)
_MARKUP = "[]*_<`!&\\"


# Given a segment and its source text, return (start, end, replacement) edits of that text.
Editor = Callable[["Segment", str], list[tuple[int, int, str]]]


class Kind(StrEnum):
    PROSE = "prose"
    CODE = "code"
    HTML = "html"
    COMMENT = "comment"
    DEFINITION = "definition"  # a link reference definition: `[label]: target`


@dataclass(frozen=True)
class Segment:
    """A run of body lines (0-based, end exclusive) of one kind.

    For prose, `text` is the source lines with code spans and inline HTML blanked out,
    so columns still match the file.
    """

    kind: Kind
    start: int
    end: int
    text: str
    offset: int = 0  # where the text starts in the body (prose and HTML: the text is the source)


@dataclass(frozen=True)
class Section:
    """An internal section: 0-based body lines of its two markers."""

    start: int
    end: int


@dataclass(frozen=True)
class Link:
    """A link or image target written in the body, outside code."""

    line: int  # 0-based body line
    target: str
    image: bool


@dataclass
class Body:
    """A parsed body: its segments, internal sections and the problems found while parsing."""

    text: str
    first_line: int  # file line of body line 0
    segments: list[Segment] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    # Script found in raw HTML, attribute lists or link targets: (0-based line, what).
    active: list[tuple[int, str]] = field(default_factory=list)
    # Character ranges of HTML comments outside code, in body offsets.
    comments: list[tuple[int, int]] = field(default_factory=list)
    # Link reference definitions: label (lower case, spaces collapsed) -> target.
    references: dict[str, str] = field(default_factory=dict)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def in_section(self, line: int) -> bool:
        """Tell whether a body line is inside an internal section (markers included)."""
        return any(s.start <= line <= s.end for s in self.sections)

    def prose(self) -> Iterator[tuple[int, str]]:
        """Yield (0-based line, text) of every prose line outside code and HTML."""
        for seg in self.segments:
            if seg.kind is Kind.PROSE:
                for i, row in enumerate(seg.text.split("\n")):
                    yield seg.start + i, row

    def public_text(self, edit: Editor | None = None) -> str:
        """Return the body as the public variant shows it: no internal sections, no comments.

        `edit` may change prose and raw HTML, never code.
        """
        self._refuse_malformed()
        lines = self.lines
        offsets = _offsets(lines)
        cuts: list[tuple[int, int]] = []
        for sec in self.sections:
            a, b = offsets[sec.start], offsets[sec.end + 1]
            if sec.end + 1 == len(lines):  # the body's last line: its newline is the one before
                a, b = max(a - 1, 0), len(self.text)
            cuts.append((a, b))
        cuts += [c for c in self.comments if not any(a <= c[0] < b for a, b in cuts)]
        edits = [(a, b, "") for a, b in cuts]
        if edit is not None:
            for seg in self.segments:
                if seg.kind in (Kind.PROSE, Kind.HTML, Kind.DEFINITION):
                    source = self.text[seg.offset : seg.offset + len(seg.text)]
                    edits += [(seg.offset + a, seg.offset + b, new) for a, b, new in edit(seg, source)]
        parts: list[str] = []
        cursor = 0
        for a, b, new in sorted(edits, key=lambda e: (e[0], -e[1])):
            if a < cursor:
                continue  # inside a cut or an earlier edit
            parts.append(self.text[cursor:a])
            parts.append(new)
            cursor = b
        parts.append(self.text[cursor:])
        return "".join(parts)

    def boxed(self) -> str:
        """Return the body with every internal section in an 'Internal only' box."""
        self._refuse_malformed()
        lines = self.lines
        out: list[str] = []
        cursor = 0
        for sec in self.sections:
            out.extend(lines[cursor : sec.start])
            out += ['<div class="hb-internal" markdown="1">', '<p class="hb-internal__label">Internal only</p>', ""]
            out += [*lines[sec.start + 1 : sec.end], "", "</div>"]
            cursor = sec.end + 1
        out.extend(lines[cursor:])
        return "\n".join(out)

    def internal_texts(self) -> list[str]:
        """Return the text of each internal section."""
        lines = self.lines
        return ["\n".join(lines[s.start + 1 : s.end]) for s in self.sections]

    def public_links(self) -> list[Link]:
        """Return the links the public text keeps (none from internal sections)."""
        return [link for link in self.links if not self.in_section(link.line)]

    def _refuse_malformed(self) -> None:
        if has_errors(self.problems):
            # Never render a body whose sections cannot be told apart; validation reports why.
            raise ValueError("body has malformed internal markers")


def _offsets(lines: list[str]) -> list[int]:
    offsets = [0]
    for row in lines:
        offsets.append(offsets[-1] + len(row) + 1)
    return offsets


def parse(text: str, path: str = "", first_line: int = 1) -> Body:
    """Parse a body into segments; report unclosed, nested, stray and near-miss markers."""
    body = Body(text, first_line)
    lines = text.split("\n")
    offsets = _offsets(lines)
    code_lines: set[int] = set()
    html_lines: set[int] = set()
    row: list[Token] = []
    env: dict[str, Any] = {}
    tokens = _MD.parse(text, env)
    for token in tokens:
        if token.type == "inline":
            token.children, dense = _parse_inline(token.content, env)
            if dense and token.map:
                body.problems.append(warning(
                    "HB010", path, first_line + token.map[0],
                    f"this paragraph holds more than {_DENSE} of one markup character in {_PIECE} characters: it is not read "
                    "for links, code or HTML, so images it shows are not published - split it or write it as a code block",
                ))
    body.references = {" ".join(k.lower().split()): v.get("href", "") for k, v in env.get("references", {}).items()}
    for token in tokens:
        if row and not (token.type == "inline" and token.map == row[0].map):
            _inline(body, row, offsets)
            row = []
        if token.type in ("fence", "code_block") and token.map:
            body.segments.append(Segment(Kind.CODE, token.map[0], token.map[1], token.content, offsets[token.map[0]]))
            if token.type == "fence" and _unclosed(token, lines) and {OPEN, CLOSE} & {row.strip() for row in lines[token.map[0] : token.map[1]]}:
                body.problems.append(error(
                    "HB304", path, first_line + token.map[0],
                    f"the code fence '{token.markup}' opened here is never closed, so the internal markers after it are read as code "
                    f"- close it with a line '{token.markup}'",
                ))
            code_lines.update(range(token.map[0] + (token.type == "fence"), token.map[1] - (token.type == "fence")))
        elif token.type == "html_block" and token.map:
            start, end = token.map
            raw = "\n".join(lines[start:end])
            kind = Kind.COMMENT if raw.lstrip().startswith("<!--") else Kind.HTML
            body.segments.append(Segment(kind, start, end, raw, offsets[start]))
            html_lines.update(range(start, end))
            _comments_in(body, offsets[start], offsets[start] + len(raw), text, offsets)
            _scan_html(body, raw, start)
            if kind is Kind.HTML and end - start > 2 and _MARKDOWN_INSIDE.search(lines[start]):
                # md_in_html renders the lines inside such a block as Markdown: read them as such.
                inner = parse("\n".join(lines[start + 1 : end - 1]), path, first_line + start + 1)
                body.links += [Link(start + 1 + link.line, link.target, link.image) for link in inner.links]
                body.active += [(start + 1 + line, what) for line, what in inner.active]
        elif token.type == "inline" and token.map:
            row.append(token)  # table cells of one row share their line: read them together
    if row:
        _inline(body, row, offsets)
    if body.references:
        _definitions(body, tokens, lines, offsets)
    body.comments.sort()
    _find_sections(body, lines, code_lines, html_lines, path)
    return body


def _inline(body: Body, tokens: list[Token], offsets: list[int]) -> None:
    """Record a prose segment with code spans and inline HTML blanked, and its links."""
    assert tokens[0].map is not None
    start, end = tokens[0].map
    begin, finish = offsets[start], offsets[end] - 1
    source = body.text[begin:finish]
    blanked = list(source)
    code = list(source)  # the source with only code spans blanked: the HTML a browser may see
    cursor = 0
    line = start
    for child in (c for token in tokens for c in token.children or []):
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "code_inline":
            span = _find_code_span(source, cursor, child.markup)
            if span:
                a, b = span
                for i in range(a, b):
                    if blanked[i] != "\n":
                        blanked[i] = code[i] = " "
                line += source.count("\n", cursor, b)
                cursor = b
        elif child.type == "html_inline":
            at = source.find(child.content, cursor)
            if at != -1:
                b = at + len(child.content)
                for i in range(at, b):
                    if blanked[i] != "\n":
                        blanked[i] = " "
                here = line
                line += child.content.count("\n")
                if child.content.startswith("<!--"):
                    body.comments.append((begin + at, begin + b))
                    _near_miss(body, child.content, here)
                else:
                    _scan_html(body, child.content, here, active=False)  # read with its paragraph, below
                    body.segments.append(Segment(Kind.HTML, here, here + 1 + child.content.count("\n"), child.content, begin + at))
                cursor = b
        elif child.type in ("link_open", "image"):
            target = str(child.attrs.get("href" if child.type == "link_open" else "src", ""))
            body.links.append(Link(line, target, child.type == "image"))
            problem = active_content.url_problem(html.unescape(unquote(target)), "a link" if child.type == "link_open" else "an image")
            if problem:
                body.active.append((line, problem))
    prose = "".join(blanked)
    body.segments.append(Segment(Kind.PROSE, start, end, prose, begin))
    _scan_paragraph(body, "".join(code), start)
    for i, row in enumerate(prose.split("\n")):
        for what in active_content.in_attribute_list(row):
            body.active.append((start + i, what))


def _unclosed(token: Token, lines: list[str]) -> bool:
    """Tell whether a fence runs to the end of the body for want of a closing line."""
    assert token.map is not None
    last = lines[token.map[1] - 1].strip() if token.map[1] - 1 > token.map[0] else ""
    return not (last.startswith(token.markup) and set(last) <= {token.markup[0]})


def _parse_inline(content: str, env: dict[str, Any]) -> tuple[list[Token], bool]:
    """Parse a paragraph's inline content, in pieces when it is long (cut at line ends if it can).

    Return the tokens and whether some piece was too dense with markup to parse.
    """
    children: list[Token] = []
    dense = False
    start = 0
    while start < len(content):
        end = len(content) if len(content) - start <= _PIECE else _cut(content, start)
        piece = content[start:end]
        if children and content[start - 1 : start] == "\n":
            children.append(Token("softbreak", "br", 0))
        if any(piece.count(c) > _DENSE for c in _MARKUP):
            dense = True
            text = Token("text", "", 0)
            text.content = piece
            children.append(text)
        else:
            _MD.inline.parse(piece.strip("\n") if end < len(content) else piece, _MD, env, children)
        start = end
    return children, dense


def _cut(content: str, start: int) -> int:
    """Where a piece starting at `start` ends: after a line end near _PIECE, else after a space, else at _PIECE."""
    limit = start + _PIECE
    for mark in ("\n", " "):
        at = content.rfind(mark, start + _PIECE // 2, limit)
        if at != -1:
            return at + 1
    return limit


def _definitions(body: Body, tokens: list[Token], lines: list[str], offsets: list[int]) -> None:
    """Record the lines of link reference definitions: the non-blank lines no block token covers."""
    covered = bytearray(len(lines))
    for token in tokens:
        if token.map and token.nesting >= 0 and token.type not in ("bullet_list_open", "ordered_list_open", "list_item_open", "blockquote_open"):
            covered[token.map[0] : token.map[1]] = b"\x01" * (token.map[1] - token.map[0])
    for i, row in enumerate(lines):
        if not covered[i] and row.strip():
            body.segments.append(Segment(Kind.DEFINITION, i, i + 1, row, offsets[i]))


def _find_code_span(source: str, cursor: int, markup: str) -> tuple[int, int] | None:
    """Find the next code span opened by `markup` (a run of backticks) from cursor."""
    at = cursor
    while (opening := _backtick_run(source, at, len(markup))) is not None:
        if _backslashes_before(source, opening[0]) % 2 == 0:  # an escaped run opens nothing
            closing = _backtick_run(source, opening[1], len(markup))
            return (opening[0], closing[1]) if closing else None
        at = opening[1]
    return None


def _backtick_run(source: str, start: int, n: int) -> tuple[int, int] | None:
    """Find the next run of exactly n backticks from start: (begin, end)."""
    i = source.find("`" * n, start)
    while i != -1:
        end = i
        while end < len(source) and source[end] == "`":
            end += 1
        if end - i == n and (i == 0 or source[i - 1] != "`"):
            return i, end
        i = source.find("`" * n, end)
    return None


def _backslashes_before(source: str, i: int) -> int:
    n = 0
    while i - n - 1 >= 0 and source[i - n - 1] == "\\":
        n += 1
    return n


def _comments_in(body: Body, begin: int, end: int, text: str, offsets: list[int]) -> None:
    """Record every comment of an HTML block (found as a browser finds them: comments.spans)
    and check near-miss markers in it."""
    for start, stop in comments.spans(text[begin:end]):
        at, stop = begin + start, begin + stop
        comment = text[at:stop]
        line = bisect_right(offsets, at) - 1
        row_end = text.find("\n", at)
        whole_line = text[offsets[line] : len(text) if row_end == -1 else row_end].strip()
        if comment.strip() not in (OPEN, CLOSE) or whole_line != comment.strip():
            _near_miss(body, comment, line)
            body.comments.append((at, stop))


# CommonMark autolinks (`<https://...>`, `<name@host>`): links, checked as such, not tags.
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\x00-\x20]*>|<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*>")

# What opens a tag, a comment or an end tag in HTML: a `<` then a letter, `/`, `!` or `?`.
_TAG_OPEN = re.compile(r"<[A-Za-z/!?]")


def _scan_paragraph(body: Body, markup: str, start: int) -> None:
    """Read a paragraph (code spans blanked) as a browser would if Markdown passed its `<`
    through: its inline HTML, and any tag left unfinished (Markdown may join it with what
    follows on the page). Autolinks are links, checked as such."""
    if "<" not in markup:
        return
    markup = _AUTOLINK.sub(lambda m: " " * len(m.group()), markup)
    if not _TAG_OPEN.search(markup):
        return  # HTML reads any other `<` as text
    for at, what in active_content.in_html(markup):
        body.active.append((start + at - 1, what))


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[int, str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "srcset", "poster", "data") and value:
                self.refs.append((self.getpos()[0], value.split()[0] if name == "srcset" else value, name != "href"))

    handle_startendtag = handle_starttag


def _scan_html(body: Body, raw: str, line: int, active: bool = True) -> None:
    """Record the links of raw HTML written in the body and, if `active`, what the allowlist refuses in it."""
    if active:
        for at, what in active_content.in_html(raw):
            body.active.append((line + at - 1, what))
    raw = comments.blank(raw)
    refs = _Refs()
    refs.feed(raw)
    refs.close()
    for at, target, image in refs.refs:
        body.links.append(Link(line + at - 1, target, image))


def _near_miss(body: Body, comment: str, line: int) -> None:
    inner = comment.removeprefix("<!--").removesuffix("-->")
    words = "".join(c if c.isalnum() else " " for c in inner.lower()).split()
    if "internal" not in words:
        return
    closing = "/" in inner or "end" in words
    wanted = CLOSE if closing else OPEN
    body.problems.append(error(
        "HB303", "", body.first_line + line,
        f"'{' '.join(comment.split())}' looks like an internal marker but is not one - did you mean '{wanted}' on a line of its own?",
    ))


def _find_sections(body: Body, lines: list[str], code_lines: set[int], html_lines: set[int], path: str) -> None:
    opened: int | None = None
    at = body.first_line
    for i, row in enumerate(lines):
        text = row.strip()
        if text not in (OPEN, CLOSE) or i in code_lines:
            continue
        if i not in html_lines:
            continue  # inside a paragraph or a quote: reported as a near miss
        if text == OPEN:
            if opened is not None:
                body.problems.append(error("HB301", path, at + i, f"nested '{OPEN}': the section opened on line {at + opened} is not closed yet - add '{CLOSE}' before opening another"))
            else:
                opened = i
        elif opened is None:
            body.problems.append(error("HB302", path, at + i, f"'{CLOSE}' without an opening '{OPEN}' above it"))
        else:
            body.sections.append(Section(opened, i))
            opened = None
    if opened is not None:
        body.problems.append(error("HB304", path, at + opened, f"unclosed '{OPEN}': add '{CLOSE}' on a line of its own where the internal section ends"))
    body.problems[:] = [_with_path(d, path) for d in body.problems]
    body.problems.sort()


def _with_path(d: Diagnostic, path: str) -> Diagnostic:
    return d if d.path == path else Diagnostic(path, d.line, d.col, d.severity, d.code, d.message)
