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
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
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


def _spanned(rule: Callable[[StateInline, bool], bool], made: str, opener: int) -> Callable[[StateInline, bool], bool]:
    """Wrap a markdown-it inline rule so each token of type `made` it makes says where it is
    written: meta["span"] = (start, end, text start, text end) in the parsed text (a link's
    text between `[` or `![` and `]`; none for inline HTML)."""

    def spanned(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent and len(state.tokens) > count:
            text_end = state.md.helpers.parseLinkLabel(state, start + opener - 1, True) if opener else -1
            token = next(t for t in state.tokens[count:] if t.type == made)  # after any pending text
            token.meta["span"] = (start, state.pos, start + opener, text_end) if opener else (start, state.pos)
        return True

    return spanned


for _rule, _made, _opener in (("link", "link_open", 1), ("image", "image", 2), ("html_inline", "html_inline", 0)):
    _MD.inline.ruler.at(_rule, _spanned(next(r.fn for r in _MD.inline.ruler.__rules__ if r.name == _rule), _made, _opener))
# Some inline rules (emphasis joining, link labels) take time growing with the square of a
# paragraph's length; a paragraph longer than this is read in pieces of about this size,
# so any body parses in time linear in its length. Real paragraphs are far shorter.
_PIECE = 2000
# A piece with more of any one markup character than this is markup, not prose: Markdown's
# inline rules take quadratic time on it, so it is kept as plain text (and reported).
_DENSE = 100
# A line that opens a code fence (up to three spaces, then three backticks or tildes or more).
_FENCE = re.compile(r" {0,3}(?:`{3,}|~{3,})")
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
    links: tuple[Link, ...] = ()  # the links written in it (a definition: the one it defines)


@dataclass(frozen=True)
class Section:
    """An internal section: 0-based body lines of its two markers."""

    start: int
    end: int


@dataclass(frozen=True)
class Link:
    """A link or image target written in the body, outside code, with where it is written.

    span: body offsets of what unlinking replaces: a Markdown link or image as a whole
    (`[text](target)`, `[text][label]`), a reference definition's line, or the URL in an HTML
    attribute. text: body offsets of a Markdown link's text, which stays when it is unlinked.
    None where the source could not be placed (unlinking then drops the whole segment)."""

    line: int  # 0-based body line
    target: str
    image: bool
    span: tuple[int, int] | None = None
    text: tuple[int, int] | None = None


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

    def public_text(self, edit: Editor | None = None, rounds: int = 4) -> str:
        """Return the body as the public variant shows it: no internal sections, no comments.

        `edit` may change prose and raw HTML, never code. Text it changed is read again and
        edited again (at most `rounds` times): what an edit joins (a `[` before an unlinked
        link with a `](...)` after it) may be a link of its own. Text that then reads as
        malformed is never shown: it is empty.
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
                if seg.kind in (Kind.PROSE, Kind.HTML, Kind.DEFINITION, Kind.COMMENT):  # a comment's block: what follows it
                    source = self.text[seg.offset : seg.offset + len(seg.text)]
                    edits += [(seg.offset + a, seg.offset + b, new) for a, b, new in edit(seg, source)]
        parts: list[str] = []
        cursor = 0
        edited = False
        for i, (a, b, new) in sorted(enumerate(edits), key=lambda e: (e[1][0], -e[1][1])):
            if a < cursor:
                continue  # inside a cut or an earlier edit
            parts.append(self.text[cursor:a])
            parts.append(new)
            cursor = b
            edited = edited or i >= len(cuts)
        parts.append(self.text[cursor:])
        text = "".join(parts)
        if not edited or rounds <= 1:
            return text
        again = parse(text)
        return "" if has_errors(again.problems) else again.public_text(edit, rounds - 1)

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
            html_lines.update(range(start, end))
            spans = _comments_in(body, offsets[start], offsets[start] + len(raw), text, offsets)
            found = _scan_html(body, raw, start, offsets[start])
            if kind is Kind.HTML and end - start > 2 and _MARKDOWN_INSIDE.search(lines[start]):
                # md_in_html renders the lines inside such a block as Markdown: read them as such.
                inner = parse("\n".join(lines[start + 1 : end - 1]), path, first_line + start + 1)
                moved = [_moved(link, start + 1, offsets[start + 1]) for link in inner.links]
                body.links += moved
                found += moved
                body.active += [(start + 1 + line, what) for line, what in inner.active]
            elif kind is Kind.COMMENT:
                found += _after_comment(body, raw, spans, start, offsets[start], path)
            else:
                _fence_in_html(body, lines, start, end, path)
            body.segments.append(Segment(kind, start, end, raw, offsets[start], tuple(found)))
        elif token.type == "inline" and token.map:
            row.append(token)  # table cells of one row share their line: read them together
    if row:
        _inline(body, row, offsets)
    if body.references:
        _definitions(body, tokens, lines, offsets)
    body.comments.sort()
    _find_sections(body, lines, code_lines, html_lines, path)
    return body


def _fence_in_html(body: Body, lines: list[str], start: int, end: int, path: str) -> None:
    """A fence inside a raw HTML block is an error: CommonMark keeps it in the block, as HTML,
    while the renderer's fences (superfences) take it as code, so the two disagree on where
    code starts and ends, and on whether the markers after it are markers."""
    for i in range(start + 1, end):
        if _FENCE.match(lines[i]):
            body.problems.append(error(
                "HB304", path, body.first_line + i,
                "a code fence inside an HTML block: Markdown readers disagree on where this code ends, and so on whether the "
                "internal markers after it are markers - leave a blank line between the HTML and the fence",
            ))
            return


# Stands in for each character of a comment when what is around it is read as Markdown: it
# keeps offsets, and neither Markdown nor HTML gives it a meaning (no space, no markup).
_INERT = "\u200b"


def _after_comment(body: Body, raw: str, spans: list[tuple[int, int]], line: int, offset: int, path: str) -> list[Link]:
    """Read what a block that opens with a comment holds besides its comments as Python-Markdown
    does: as Markdown (CommonMark keeps it in the HTML block). Return its links."""
    chars = list(raw)
    for a, b in spans:
        chars[a:b] = [c if c == "\n" else _INERT for c in raw[a:b]]
    rest = "".join(chars)
    if not rest.replace(_INERT, "").strip():
        return []
    inner = parse(rest, path, body.first_line + line)  # no comment left in it: read once, never again
    moved = [_moved(link, line, offset) for link in inner.links]
    body.links += moved
    body.active += [a for a in ((line + at, what) for at, what in inner.active) if a not in body.active]
    return moved


def _inline(body: Body, tokens: list[Token], offsets: list[int]) -> None:
    """Record a prose segment with code spans and inline HTML blanked, and its links."""
    assert tokens[0].map is not None
    start, end = tokens[0].map
    begin, finish = offsets[start], offsets[end] - 1
    source = body.text[begin:finish]
    blanked = list(source)
    code = list(source)  # the source with only code spans blanked: the HTML a browser may see
    links: list[Link] = []
    cursor = 0
    line = start
    placed = any(c.type in _PLACED for token in tokens for c in token.children or [])
    places = _placers(tokens, body.text, offsets) if placed else [None] * len(tokens)
    for token, place in zip(tokens, places, strict=True):
        for child in token.children or []:
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
                span = child.meta.get("span")
                # Where the parser read it (after an escaped `\<`, which is text), else the next place it is written.
                at = place(span[0]) - begin if span and place else source.find(child.content, cursor)
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
                        found = _scan_html(body, child.content, here, begin + at, active=False)  # read with its paragraph, below
                        body.segments.append(Segment(Kind.HTML, here, here + 1 + child.content.count("\n"), child.content, begin + at, tuple(found)))
                    cursor = b
            elif child.type in ("link_open", "image"):
                target = str(child.attrs.get("href" if child.type == "link_open" else "src", ""))
                link = Link(line, target, child.type == "image", *_placed(child.meta.get("span"), place))
                body.links.append(link)
                links.append(link)
                problem = active_content.url_problem(html.unescape(unquote(target)), "a link" if child.type == "link_open" else "an image")
                if problem:
                    body.active.append((line, problem))
    prose = "".join(blanked)
    body.segments.append(Segment(Kind.PROSE, start, end, prose, begin, tuple(links)))
    _scan_paragraph(body, "".join(code), start)
    for i, row in enumerate(prose.split("\n")):
        for what in active_content.in_attribute_list(row):
            body.active.append((start + i, what))


# Inline tokens whose place in the body is wanted: the others' is never worked out.
_PLACED = frozenset({"link_open", "image", "html_inline"})
# Turns an offset in an inline token's content into one in the body; None if it cannot.
Placer = Callable[[int], int] | None


def _placers(tokens: list[Token], text: str, offsets: list[int]) -> list[Placer]:
    """Place each inline token's content in the body. Its lines are the source lines of its
    map with their block markup (indentation, `>`, list markers, `#`) cut, or, for the cells
    of a table row, parts of the row's one line, in order."""
    out: list[Placer] = []
    cursors: dict[int, int] = {}  # line -> where the next cell may start
    for token in tokens:
        assert token.map is not None
        starts: list[tuple[int, int]] = []  # (content offset, body offset) of each content line
        at_content = 0
        for k, part in enumerate(token.content.split("\n")):
            i = token.map[0] + k
            if i + 1 >= len(offsets):
                starts = []
                break
            row = text[offsets[i] : offsets[i + 1] - 1]
            col = len(row.rstrip()) - len(part.rstrip())  # what the block's markup cut from the line's start
            if col < cursors.get(i, 0) or row[col : col + len(part)] != part:
                col = row.find(part, cursors.get(i, 0))
            if col < 0:
                starts = []
                break
            cursors[i] = col + len(part)
            starts.append((at_content, offsets[i] + col))
            at_content += len(part) + 1
        out.append(_placer(starts) if starts else None)
    return out


def _placer(starts: list[tuple[int, int]]) -> Callable[[int], int]:
    lines = [c for c, _ in starts]

    def place(at: int) -> int:
        content, body = starts[bisect_right(lines, at) - 1]
        return body + at - content

    return place


def _placed(span: Any, place: Placer) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """The body spans of a link and of its text, from the content offsets the parser gave."""
    if span is None or place is None:
        return None, None
    start, end, text_start, text_end = span
    return (place(start), place(end)), (place(text_start), place(text_end))


def _moved(link: Link, lines: int, offset: int) -> Link:
    """A link of a part of the body parsed on its own, placed in the whole body."""

    def move(span: tuple[int, int] | None) -> tuple[int, int] | None:
        return (span[0] + offset, span[1] + offset) if span else None

    return Link(link.line + lines, link.target, link.image, move(link.span), move(link.text))


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
            part = piece.strip("\n") if end < len(content) else piece
            shift, first = start + len(piece) - len(piece.lstrip("\n")) if end < len(content) else start, len(children)
            _MD.inline.parse(part, _MD, env, children)
            for token in children[first:] if shift else ():  # spans in offsets of the whole content
                if "span" in token.meta:
                    token.meta["span"] = tuple(x + shift for x in token.meta["span"])
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
            # The target a line defines, read by the same parser (a title alone on a line defines none).
            env: dict[str, Any] = {}
            _MD.parse(row.lstrip(" >"), env)
            defined = [Link(i, ref.get("href", ""), False, (offsets[i], offsets[i] + len(row))) for ref in env.get("references", {}).values()]
            body.segments.append(Segment(Kind.DEFINITION, i, i + 1, row, offsets[i], tuple(defined[:1])))


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


def _comments_in(body: Body, begin: int, end: int, text: str, offsets: list[int]) -> list[tuple[int, int]]:
    """Record every comment of an HTML block (found as a browser finds them: comments.spans)
    and check near-miss markers in it; return their spans in the block."""
    found = comments.spans(text[begin:end])
    for start, stop in found:
        at, stop = begin + start, begin + stop
        comment = text[at:stop]
        line = bisect_right(offsets, at) - 1
        row_end = text.find("\n", at)
        whole_line = text[offsets[line] : len(text) if row_end == -1 else row_end].strip()
        if comment.strip() not in (OPEN, CLOSE) or whole_line != comment.strip():
            _near_miss(body, comment, line)
            body.comments.append((at, stop))
    return found


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


# Attributes that hold a URL a browser fetches or follows (srcset: a list of them).
_URL_ATTRIBUTES = frozenset({"src", "href", "srcset", "poster", "data"})
_MAY_HOLD_URL = re.compile(r"src|href|poster|data", re.IGNORECASE)
# A start tag's name, then each attribute as the HTML tokenizer reads one: a name up to
# space, `/`, `>` or `=` (its first character may be `=`), then maybe `=` and a value.
_TAG_NAME = re.compile(r"<[^\s/>]+")
_ATTRIBUTE = re.compile(r"""[\s/]*([^\s/>][^\s/>=]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]*))?""")
_CANDIDATE = re.compile(r"[^\s,][^\s]*")  # a srcset candidate's URL (descriptors and commas skipped below)


def _refs(raw: str) -> list[tuple[int, int, int, str, bool]]:
    """The URLs of the elements of an HTML fragment, as a browser parses it: (0-based line,
    start, end, target, image). A value is placed in its start tag only where the text there reads as
    the parser's value; one that cannot be placed has the span (-1, -1)."""
    if not _MAY_HOLD_URL.search(raw):
        return []  # no attribute that could hold one: no parse
    out: list[tuple[int, int, int, str, bool]] = []
    for node in active_content.walk(active_content.parse(raw)):
        attrs = getattr(node, "attrs", None) or {}
        wanted = {k: v for k, v in attrs.items() if k in _URL_ATTRIBUTES and v}
        if not wanted or node.origin_offset is None:
            continue
        spans = _attribute_spans(raw, node.origin_offset)
        for name, value in wanted.items():
            a, b = spans.get(name, (-1, -1))
            if a < 0 or html.unescape(raw[a:b]) != value:
                a, b = -1, -1  # written in a way not read here: never edited in place
            pieces = _candidates(raw, a, b) if name == "srcset" and a >= 0 else [(a, b)]
            for u, v in pieces:
                target = html.unescape(raw[u:v]) if u >= 0 else (value.split()[0] if name == "srcset" else value)
                line = raw.count("\n", 0, u) if u >= 0 else (node.origin_line or 1) - 1
                out.append((line, u, v, target, name != "href"))
    return out


def _attribute_spans(raw: str, at: int) -> dict[str, tuple[int, int]]:
    """The span of each attribute's value (quotes cut) in the start tag at `at`; the first of a name wins."""
    spans: dict[str, tuple[int, int]] = {}
    name = _TAG_NAME.match(raw, at)
    k = name.end() if name else len(raw)
    while k < len(raw) and raw[k] != ">" and (m := _ATTRIBUTE.match(raw, k)) and m.end() > k:
        k = m.end()
        a, b = m.span(2)
        if m.group(2) and m.group(2)[0] in "\"'":
            a, b = a + 1, b - 1
        spans.setdefault(m.group(1).lower(), (a, b) if m.group(2) is not None else (b, b))
    return spans


def _candidates(raw: str, a: int, b: int) -> list[tuple[int, int]]:
    """The spans of the URLs of a srcset value (`a.png 1x, b.png 2x`): each candidate's first
    word, a comma at its end cut off; what follows it up to a comma is its descriptor."""
    out: list[tuple[int, int]] = []
    k = a
    while (m := _CANDIDATE.search(raw, k, b)) is not None:
        u, v = m.span()
        if raw[v - 1] == ",":
            v = u + len(raw[u:v].rstrip(","))
            k = m.end()
        else:
            comma = raw.find(",", v, b)
            k = b if comma < 0 else comma + 1
        out.append((u, v))
    return out


def _scan_html(body: Body, raw: str, line: int, offset: int, active: bool = True) -> list[Link]:
    """Record the links of raw HTML written in the body (at a body line and offset) and, if
    `active`, what the allowlist refuses in it; return the links."""
    if active:
        for at, what in active_content.in_html(raw):
            body.active.append((line + at - 1, what))
    found = [
        Link(line + at, target, image, (offset + a, offset + b) if a >= 0 else None)
        for at, a, b, target, image in _refs(raw)
    ]
    body.links += found
    return found


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
