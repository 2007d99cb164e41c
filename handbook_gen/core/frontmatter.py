"""Split a Markdown file into front-matter and body; parse the YAML with line numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import frontmatter as _frontmatter
import yaml

from .diagnostics import Diagnostic, error

KeyPath = tuple[str | int, ...]

_HANDLER = _frontmatter.YAMLHandler()
MAX_DEPTH = 400  # levels of nested lists and mappings front-matter may hold
MAX_NUMBER = 30  # characters of a number: a longer one would only overflow what reads it


@dataclass
class Document:
    """A Markdown source: its data, body, and where each key sits in the file."""

    path: str
    data: dict[str, Any]
    body: str
    body_line: int  # file line of the body's first line
    lines: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    has_front_matter: bool = False

    def where(self, key: KeyPath) -> tuple[int, int]:
        """Return (line, col) of a key path, falling back to its nearest parent."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return (1, 1)


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that keeps YAML plain data: no anchors, aliases or tags."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        try:
            return yaml.constructor.SafeConstructor.construct_yaml_timestamp(self, node)
        except ValueError as exc:  # an impossible date such as 2023-02-30
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not a real date ({exc})", node.start_mark
            ) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        if len(node.value) > MAX_NUMBER:  # int() of thousands of digits raises, or takes long
            raise yaml.constructor.ConstructorError(
                None, None, f"a number of {len(node.value)} characters is too long (at most {MAX_NUMBER})", node.start_mark
            )
        return yaml.constructor.SafeConstructor.construct_yaml_int(self, node)


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)


class _FastStrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same on libyaml (inside PyYAML's wheels): several times faster, same marks for valid YAML."""

    construct_yaml_timestamp = _StrictLoader.construct_yaml_timestamp
    construct_yaml_int = _StrictLoader.construct_yaml_int


_FastStrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _FastStrictLoader.construct_yaml_timestamp)
_FastStrictLoader.add_constructor("tag:yaml.org,2002:int", _FastStrictLoader.construct_yaml_int)


def parse(path: str, text: str) -> tuple[Document, list[Diagnostic]]:
    """Parse a Markdown source into a Document, reporting every front-matter problem."""
    # Any line end (CRLF, and a lone CR as old editors write it) is one: Markdown reads them so.
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not _HANDLER.detect(text):
        return Document(path, {}, text, 1), []
    lines_of_text = text.split("\n")
    # The closing boundary is the first later line the handler's own pattern matches.
    close = next(
        (i for i in range(1, len(lines_of_text)) if _HANDLER.FM_BOUNDARY.fullmatch(lines_of_text[i])),
        None,
    )
    if close is None:
        return Document(path, {}, text, 1), [
            error("HB003", path, 1, "front-matter starts with '---' but is never closed by a '---' line")
        ]
    raw = "\n".join(lines_of_text[1:close])
    body_line = close + 2
    rest = lines_of_text[close + 1 :]
    while rest and not rest[0].strip():
        rest.pop(0)
        body_line += 1
    body = "\n".join(rest)
    data, lines, problems = parse_yaml(path, raw, first_line=2)
    doc = Document(path, {}, body, body_line, lines, has_front_matter=True)
    if problems:
        return doc, problems
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return doc, [
            error("HB004", path, 2, f"front-matter must be a mapping of fields, found {_kind(data)}")
        ]
    doc.data = data
    return doc, []


def parse_yaml(
    path: str, raw: str, first_line: int = 1
) -> tuple[Any, dict[KeyPath, tuple[int, int]], list[Diagnostic]]:
    """Parse plain-data YAML; return data, a key-path -> (line, col) map and problems."""
    data, lines, problems = _parse_yaml(path, raw, first_line, _FastStrictLoader)
    if problems and problems[0].code == "HB001":
        # Broken YAML: the pure-Python parser says where and why more precisely.
        return _parse_yaml(path, raw, first_line, _StrictLoader)
    return data, lines, problems


def _parse_yaml(
    path: str, raw: str, first_line: int, loader_class: type
) -> tuple[Any, dict[KeyPath, tuple[int, int]], list[Diagnostic]]:
    offset = first_line - 1
    problems: list[Diagnostic] = []
    try:
        depth = 0
        for event in yaml.parse(raw, Loader=loader_class):
            mark = event.start_mark
            where = (mark.line + 1 + offset, mark.column + 1) if mark else (first_line, 1)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    # Checked on the flat event stream, before anything recursive sees it.
                    return None, {}, [error("HB001", path, where[0], f"broken YAML: front-matter is nested too deeply to be plain data (more than {MAX_DEPTH} levels)", col=where[1])]
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.AliasEvent):
                problems.append(error("HB002", path, *where[:1], f"YAML alias '*{event.anchor}' is not allowed: front-matter is plain data, write the value out", col=where[1]))
            elif anchor := getattr(event, "anchor", None):
                problems.append(error("HB002", path, where[0], f"YAML anchor '&{anchor}' is not allowed: front-matter is plain data", col=where[1]))
            elif (tag := getattr(event, "tag", None)) and not _implicit_tag(event):
                problems.append(error("HB002", path, where[0], f"YAML tag '{_short_tag(tag)}' is not allowed: front-matter is plain data", col=where[1]))
        if problems:
            return None, {}, problems
        loader = loader_class(raw)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, {}, []
            lines: dict[KeyPath, tuple[int, int]] = {}
            _walk(node, (), lines, path, offset, problems)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        # Report where the problem starts: an unclosed quote, key or flow collection
        # is reported at its opening, not where the parser gave up (often the last line).
        starts = exc.context_mark and str(exc.context or "").startswith(_STARTS_AT_CONTEXT)
        mark = (exc.context_mark if starts else None) or exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark else first_line
        col = mark.column + 1 if mark else 1
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        return None, {}, [error("HB001", path, line, f"broken YAML: {what}{_hint(what)}", col=col)]
    except yaml.reader.ReaderError as exc:  # a control character: point at it, on one line
        before = raw[: exc.position]
        line, col = before.count("\n") + first_line, exc.position - (before.rfind("\n") + 1) + 1
        char = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        return None, {}, [error("HB001", path, line, f"broken YAML: unacceptable character {char}: {exc.reason}", col=col)]
    except yaml.YAMLError as exc:
        return None, {}, [error("HB001", path, first_line, f"broken YAML: {' '.join(str(exc).split())}")]
    except RecursionError:
        return None, {}, [error("HB001", path, first_line, "broken YAML: front-matter is nested too deeply to be plain data")]
    return data, lines, problems


# What usually causes a parser's complaint, said in the words of someone writing a story.
_HINTS = (
    ("'\\t'", "indent with spaces: YAML does not allow tabs"),
    ("mapping values are not allowed here", "a value holding ': ' needs quotes, such as title: \"Fix: restart\""),
    ("could not find expected ':'", "each line needs 'field: value' (or quotes around a value that wraps)"),
    ("found unexpected end of stream", "a quote or bracket is opened and never closed"),
    ("did not find expected key", "check the indentation: fields of one list item line up"),
    ("found character '@'", "a value starting with @ or ` needs quotes"),
    ("found character '`'", "a value starting with @ or ` needs quotes"),
)


def _hint(what: str) -> str:
    for needle, hint in _HINTS:
        if needle in what:
            return f" - {hint}"
    return ""


_STARTS_AT_CONTEXT = ("while scanning", "while parsing a flow", "while parsing a tag")


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _implicit_tag(event: Any) -> bool:
    # Scalars carry (plain_implicit, quoted_implicit); collections a single flag.
    implicit = getattr(event, "implicit", True)
    if isinstance(implicit, tuple):
        return any(implicit)
    return bool(implicit)


def _walk(
    node: yaml.Node,
    key: KeyPath,
    lines: dict[KeyPath, tuple[int, int]],
    path: str,
    offset: int,
    problems: list[Diagnostic],
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            name = str(k.value)
            at = (k.start_mark.line + 1 + offset, k.start_mark.column + 1)
            if name in seen:
                problems.append(error("HB005", path, at[0], f"duplicate key '{'.'.join(map(str, key + (name,)))}': each field may appear once", col=at[1]))
            seen.add(name)
            lines[key + (name,)] = at
            _walk(v, key + (name,), lines, path, offset, problems)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[key + (i,)] = (item.start_mark.line + 1 + offset, item.start_mark.column + 1)
            _walk(item, key + (i,), lines, path, offset, problems)


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), type(value).__name__
    )
