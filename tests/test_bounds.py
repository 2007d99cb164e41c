"""Every value the schema accepts is bounded, and text holds no control characters."""

from __future__ import annotations

import datetime as dt
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
import pytest
from conftest import lesson, story
from pydantic import AfterValidator, BaseModel, StringConstraints
from pydantic.fields import FieldInfo

from handbook_gen.core import schema
from handbook_gen.core.validation import check

MODELS = (schema.Story, schema.Lesson, schema.Page, schema.Author, schema.Team)


def _unbounded(annotation: Any, metadata: tuple[Any, ...], where: str) -> list[str]:
    """Name every part of a type that has no bound (recursively, through nested models)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        args = get_args(annotation)
        return _unbounded(args[0], metadata + tuple(annotation.__metadata__), where)
    if origin in (Union, types.UnionType):
        return [p for a in get_args(annotation) if a is not type(None) for p in _unbounded(a, metadata, where)]
    if origin is Literal or annotation in (bool, dt.date, type(None)):
        return []
    # A Field(...) inside Annotated keeps its constraints in its own metadata.
    metadata = tuple(x for m in metadata for x in ((m, *m.metadata) if isinstance(m, FieldInfo) else (m,)))
    validators = {m.func for m in metadata if isinstance(m, AfterValidator)}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [p for name, info in annotation.model_fields.items()
                for p in _unbounded(info.annotation, tuple(info.metadata), f"{annotation.__name__}.{name}")]
    if annotation is str:
        longest = [m.max_length for m in metadata if isinstance(m, StringConstraints | annotated_types.MaxLen) and m.max_length]
        problems = [] if longest else [f"{where}: text without max_length"]
        return problems + ([] if validators & {schema.one_line, schema.multi_line} else [f"{where}: text without a control-character check"])
    if annotation is int:
        ge = any(isinstance(m, annotated_types.Ge) for m in metadata)
        le = any(isinstance(m, annotated_types.Le) for m in metadata)
        return [] if ge and le else [f"{where}: number without a range"]
    if origin is list:
        most = any(isinstance(m, annotated_types.MaxLen) for m in metadata)
        return ([] if most else [f"{where}: list without max_length"]) + _unbounded(get_args(annotation)[0], (), f"{where}[]")
    if origin is dict:
        return [] if schema.free_form in validators else [f"{where}: mapping without a bound"]
    return [f"{where}: unknown type {annotation!r}"]


def test_every_field_of_every_model_is_bounded():
    problems = [p for model in MODELS for name, info in model.model_fields.items()
                for p in _unbounded(info.annotation, tuple(info.metadata), f"{model.__name__}.{name}")]
    assert problems == []


def test_the_walk_finds_an_unbounded_field():
    assert _unbounded(str, (), "x") == ["x: text without max_length", "x: text without a control-character check"]
    assert _unbounded(list[schema.Id], (), "y") == ["y: list without max_length"]


def _run(make_handbook, text, where="2021/first-story.md"):
    folder, name = where.split("/")
    root = make_handbook({"stories": {folder: {name: text}}})
    _, problems = check(root / "stories", root, today=dt.date(2026, 11, 28))
    return [d for d in problems if d.severity.value == "error"]


@pytest.mark.parametrize("extra", [
    'impact: "a\\x07b"', 'detection: "found \\x1b[31m red"', 'lucky: ["ok", "bad \\x7f one"]', 'five_whys: ["why \\x85 not"]',
    'contributing_factors: ["\\x00"]', 'timeline: [{at: "10:32", event: "b\\x08"}]', 'follow_ups: [{title: "x\\x0cy"}]',
    'award: {year: 2024, title: "a\\x9bb"}', 'public_summary: "A long enough public summary \\x01 here."', 'internal: {a: "x\\x07"}',
])
def test_a_control_character_in_a_text_field_is_an_error_with_line_and_column(make_handbook, extra):
    errors = _run(make_handbook, story(extra=f"tags: []\n{extra}\n"))
    assert [(d.code, d.line) for d in errors] == [("HB103", 8)]
    assert "control character" in errors[0].message and errors[0].col >= 1


def test_a_control_character_in_the_title_is_an_error_at_its_key(make_handbook):
    text = '---\ntitle: "Bell \\a rings"\ndate: 2021-03-04\nsummary: Something failed in an instructive way here.\nauthors: [ada]\nlessons: [keep-backups]\n---\n\nBody.\n'
    errors = _run(make_handbook, text)
    assert [(d.code, d.line, d.col) for d in errors] == [("HB103", 2, 1)]
    assert errors[0].message == "'title' holds a control character (U+0007) at character 6 - remove it"


def test_a_line_break_in_a_title_is_an_error(make_handbook):
    errors = _run(make_handbook, story(title='"Two\\nlines"'))
    assert [d.code for d in errors] == ["HB103"] and "one line" in errors[0].message


@pytest.mark.parametrize(("where", "text"), [
    ("lessons/keep-backups.md", lesson(summary='"Backups \\x07 only count once restored."')),
    ("x/authors.yml", None),
])
def test_lessons_and_authors_refuse_control_characters(make_handbook, where, text):
    if text is None:
        root = make_handbook({"stories": {"authors.yml": 'ada:\n  name: "Ada \\x07 Lovelace"\n  public: true\n'}})
        _, problems = check(root / "stories", root, today=dt.date(2026, 11, 28))
        errors = [d for d in problems if d.code == "HB103"]
        assert [(d.path, d.line, d.col) for d in errors] == [("stories/authors.yml", 2, 3)]
    else:
        errors = _run(make_handbook, text, where)
        assert [(d.code, d.line) for d in errors] == [("HB103", 3)]


@pytest.mark.parametrize("value", ["9" * 5000 + "m", "9" * 5000, "3651d", "99999999h", "1d" * 3])
def test_a_duration_out_of_bounds_is_a_check_error_not_a_crash(make_handbook, value):
    errors = _run(make_handbook, story(extra=f"time_to_detect: {value}\n"))
    assert [(d.code, d.line) for d in errors] in ([("HB103", 7)], [("HB001", 7)])


def test_the_longest_duration_allowed_is_ten_years(make_handbook):
    assert _run(make_handbook, story(extra="time_to_resolve: 3650d\ntime_to_detect: 2d23h59m\n")) == []


@pytest.mark.parametrize(("extra", "message"), [
    ("title: " + "t" * 121, "'title' is too long: at most 120 characters, found 121"),
    ("award: {year: 1899, title: Oldest}", "'award.year' must be at least 1900, found 1899"),
    ("tags: [" + ", ".join(f"t{i}" for i in range(21)) + "]", "'tags' allows at most 20 entries, found 21"),
    ("related: [" + "a" * 81 + "]", "'related[0]' is too long: at most 80 characters, found 81"),
    ("internal: {a: " + "[" * 9 + "]" * 9 + "}", "'internal' is nested too deeply: at most 8 levels"),
    ("impact: " + "w " * 1100, "'impact' is too long: at most 2000 characters, found 2199"),
])
def test_values_past_their_bounds_are_plain_errors(make_handbook, extra, message):
    errors = _run(make_handbook, story(extra=extra + "\n") if not extra.startswith("title") else story(title="t" * 121))
    assert message in [d.message for d in errors]  # other checks may add their own (an unknown id)


def test_a_build_with_a_5000_digit_duration_fails_cleanly(make_handbook, caplog):
    from conftest import build_site
    from mkdocs.exceptions import Abort

    root = make_handbook({"stories": {"2021": {"first-story.md": story(extra="time_to_resolve: " + "9" * 5000 + "m\n")}}})
    with pytest.raises(Abort):  # MkDocs logs the plugin's error, then aborts: never an overflow
        build_site(root)
    assert "time_to_resolve" in caplog.text and "Traceback" not in caplog.text


def test_feed_xml_stays_valid_xml_whatever_the_text(make_handbook):
    import xml.etree.ElementTree as ET

    from conftest import build_site

    # Characters XML 1.0 allows but that need care: ampersands, angle brackets, a right-to-left mark, an emoji joiner.
    odd = "Fix &amp; <b>rollback</b> \u200f\u05e9\u05dc\u05d5\u05dd \U0001f468\u200d\U0001f4bb"
    root = make_handbook({"stories": {"2021": {"first-story.md": story(title=f'"{odd}"', extra=f'impact: "{odd}"\n')}}})
    site = build_site(root)
    titles = [i.findtext("title") for i in ET.fromstring((site / "feed.xml").read_bytes()).iter("item")]
    assert odd in titles


def test_a_tag_description_is_bounded_and_plain_text(make_handbook):
    from handbook_gen.core.validation import check as check_handbook

    root = make_handbook({"stories": {"tags.yml": f"dns: {'x' * 400}\nci: \"a\\x07bell\"\n"}})
    _, problems = check_handbook(root / "stories", root)
    found = [(d.path, d.line, d.code) for d in problems if d.severity == "error"]
    assert found == [("stories/tags.yml", 1, "HB103"), ("stories/tags.yml", 2, "HB103")]
