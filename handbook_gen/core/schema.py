"""Pydantic models of the handbook's content: story, lesson, author, page."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
)

from .diagnostics import Diagnostic, error
from .frontmatter import Document

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=400)]

Visibility = Literal["internal", "public"]
Kind = Literal["incident", "near-miss", "project", "process", "decision", "other"]
Severity = Literal["minor", "major", "critical"]
Status = Literal["published", "draft"]
FollowUpStatus = Literal["open", "done", "wontfix"]

KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
SEVERITIES: tuple[str, ...] = Severity.__args__  # type: ignore[attr-defined]


def _plain_date(value: Any) -> Any:
    """Accept a YAML date or a `YYYY-MM-DD` string; nothing else (no timestamps)."""
    if isinstance(value, dt.datetime):
        raise ValueError("a date without a time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()) if len(value.strip()) == 10 else _bad(value)
        except ValueError:
            raise ValueError("a real date written YYYY-MM-DD") from None
    raise ValueError("a date written YYYY-MM-DD")


def _bad(value: str) -> Any:
    raise ValueError("a date written YYYY-MM-DD")


PlainDate = Annotated[dt.date, BeforeValidator(_plain_date)]

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")


def _duration(value: Any) -> Any:
    """Accept a duration such as `45m`, `3h30m` or `2d`; keep it as written."""
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not text or not _DURATION.fullmatch(text):
        raise ValueError("a duration such as 45m, 3h30m or 2d")
    return text


def minutes(duration: str) -> int:
    """Return a duration such as `3h30m` in minutes."""
    match = _DURATION.fullmatch(duration)
    days, hours, mins = (int(g or 0) for g in match.groups()) if match else (0, 0, 0)
    return (days * 24 + hours) * 60 + mins


Duration = Annotated[str, BeforeValidator(_duration)]


def _moment(value: Any) -> Any:
    """Accept a time or date as text; YAML's own dates are written back out."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        # YAML reads 14:05 as a number (base 60): only quotes keep it a time.
        raise ValueError("text such as '14:05' - put a time in quotes, YAML reads 14:05 as a number")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FollowUp(_Model):
    """An action taken or planned after the story."""

    title: Text
    status: FollowUpStatus = "open"


class Award(_Model):
    """An award the story won, e.g. Biggest Mistake of the Year."""

    year: StrictInt
    title: Text


class TimelineEntry(_Model):
    """A moment of the incident: when, and what happened."""

    at: Annotated[str, BeforeValidator(_moment), StringConstraints(strip_whitespace=True, min_length=1)]
    event: Text


class Clearance(_Model):
    """Who cleared the story for the public site, when, and for what content."""

    by: Id
    date: PlainDate
    digest: Text


class Story(_Model):
    """The front-matter of a failure story."""

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=120)]
    date: PlainDate
    summary: Summary
    authors: Annotated[list[Id], Field(min_length=1)]
    lessons: Annotated[list[Id], Field(min_length=1)]
    visibility: Visibility = "internal"
    status: Status = "published"
    public_summary: Summary | None = None
    kind: Kind = "incident"
    severity: Severity | None = None
    teams: list[Id] = []
    tags: list[Id] = []
    impact: Text | None = None
    five_whys: Annotated[list[Text], Field(min_length=1, max_length=7)] | None = None
    contributing_factors: list[Text] = []
    follow_ups: list[FollowUp] = []
    award: Award | None = None
    related: list[Id] = []
    clearance: Clearance | None = None
    internal: dict[Any, Any] | None = None
    timeline: list[TimelineEntry] = []
    lucky: list[Text] = []
    detection: Text | None = None
    time_to_detect: Duration | None = None
    time_to_resolve: Duration | None = None


# Fields added after clearances were first recorded: they enter a story's clearance digest
# only when set, so adding them to the schema voided no existing clearance.
LATER_PUBLIC_FIELDS = ("timeline", "lucky", "detection", "time_to_detect", "time_to_resolve")


class Lesson(_Model):
    """The front-matter of a lesson."""

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=120)]
    summary: Text
    visibility: Visibility = "public"
    related: list[Id] = []


class Author(_Model):
    """An entry of authors.yml."""

    name: Text
    team: Id | None = None
    public: StrictBool = False


class Team(_Model):
    """An entry of teams.yml."""

    name: Text
    description: Text | None = None


class Page(BaseModel):
    """The front-matter of a hand-written page: MkDocs' and Material's own keys, and visibility.

    Pages fail closed: internal unless they say `visibility: public` (the home and culture
    pages are public unless they say otherwise, which loading applies). Any other key is an
    error, so a misspelt `visiblity: public` can never publish or hide a page by accident.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Text | None = None
    visibility: Visibility = "internal"
    description: Text | None = None
    template: str | None = None
    hide: list[str] | None = None
    icon: str | None = None
    status: str | None = None
    subtitle: Text | None = None
    search: dict[str, Any] | None = None
    tags: list[str] | None = None


M = TypeVar("M", bound=BaseModel)

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list, e.g. [a, b]",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
}


def validate(model: type[M], data: Any, doc: Document, *, root: tuple[str | int, ...] = ()) -> tuple[M | None, list[Diagnostic]]:
    """Validate data against a model; turn every pydantic error into a plain diagnostic."""
    if isinstance(data, dict) and any(not isinstance(k, str) for k in data):
        return None, [
            error("HB102", doc.path, doc.where(root + (str(k),))[0], f"field name {k!r} must be text, such as 'title'")
            for k in data
            if not isinstance(k, str)
        ]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = root + tuple(err["loc"])
            line, col = doc.where(loc)
            problems.append(error(_code(err["type"]), doc.path, line, _message(model, err, loc), col=col))
        return None, problems


def _code(kind: str) -> str:
    return {"missing": "HB101", "extra_forbidden": "HB102"}.get(kind, "HB103")


def _field_name(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(model: type[BaseModel], err: Any, loc: tuple[str | int, ...]) -> str:
    kind, ctx, found = err["type"], err.get("ctx", {}), err.get("input")
    name = _field_name(loc)
    if kind == "missing":
        return f"missing required field '{name}'"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        known = _fields_at(model, err["loc"][:-1])
        hint = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        suggestion = f" - did you mean '{hint[0]}'?" if hint else f" (valid fields: {', '.join(known)})"
        return f"unknown field '{name}'{suggestion}"
    if kind == "literal_error":
        choices = str(ctx.get("expected", "")).replace(" or ", ", ").replace("'", "").split(", ")
        spelled = "-".join(str(found).lower().replace("_", " ").split()) if isinstance(found, str) else ""
        hint = difflib.get_close_matches(spelled, choices, n=1, cutoff=0.6) if spelled else []
        return f"'{name}' must be one of {ctx.get('expected')}, found {_show(found)}" + (f" - did you mean '{hint[0]}'?" if hint else "")
    if kind == "string_pattern_mismatch":
        return f"'{name}' must be a lowercase kebab-case id such as 'dns-outage', found {_show(found)}"
    if kind == "string_too_short":
        return f"'{name}' is too short: at least {ctx['min_length']} characters, found {len(str(found).strip())}"
    if kind == "string_too_long":
        return f"'{name}' is too long: at most {ctx['max_length']} characters, found {len(str(found))}"
    if kind == "too_short":
        return f"'{name}' needs at least {ctx['min_length']} entr{'y' if ctx['min_length'] == 1 else 'ies'}, found {ctx.get('actual_length', 0)}"
    if kind == "too_long":
        return f"'{name}' allows at most {ctx['max_length']} entries, found {ctx.get('actual_length')}"
    if kind == "value_error":
        return f"'{name}' must be {ctx.get('error')}, found {_show(found)}"
    expected = _EXPECTED.get(kind, err.get("msg", kind).lower())
    return f"'{name}' must be {expected}, found {_show(found)}"


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """List the valid field names of the (nested) model at loc."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _inner_model(field.annotation)
    return list(getattr(current, "model_fields", {}))


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value) if not isinstance(value, (dt.date,)) else value.isoformat()


# What each story field means, and an example: for editors (`handbook schema`) and readers.
FIELD_DOCS: dict[str, tuple[str, Any]] = {
    "title": ("What happened, in a few words (3-120 characters).", "The day the cache forgot everything"),
    "date": ("When it happened, YYYY-MM-DD; not in the future.", "2024-05-02"),
    "summary": ("One or two sentences (20-400 characters) for listings, search results and page descriptions.",
                "A cache flush during peak traffic sent every request to the database at once."),
    "authors": ("Who tells the story: ids from authors.yml (never who is to blame).", ["kmensah"]),
    "lessons": ("What the story taught: ids of lessons/<id>.md.", ["say-it-early"]),
    "visibility": ("internal (default) or public; a public story also needs `handbook clear`.", "internal"),
    "status": ("published (default) or draft: a draft shows only in the preview.", "published"),
    "public_summary": ("Replaces the summary on the public site.", "A cache flush sent all traffic to the database."),
    "kind": ("incident (default), near-miss, project, process, decision or other.", "incident"),
    "severity": ("minor, major or critical.", "major"),
    "teams": ("Team ids (from teams.yml when it exists).", ["platform"]),
    "tags": ("Tags (from tags.yml when it exists).", ["caching"]),
    "impact": ("What users or the business felt.", "Pages timed out for twenty minutes."),
    "five_whys": ("1-7 steps from the symptom to the cause.", ["Pages timed out.", "Every request missed the cache at once."]),
    "contributing_factors": ("What made the failure possible.", ["The runbook said 'flush the cache'."]),
    "follow_ups": ("Actions after the story; the public site shows only counts.", [{"title": "Stagger cache expiry", "status": "done"}]),
    "award": ("An award the story won; the year is not before the date.", {"year": 2024, "title": "Biggest Mistake of the Year"}),
    "related": ("Ids of related stories; the public site links only public ones.", ["feature-flag-flipped-for-everyone"]),
    "clearance": ("Written by `handbook clear`: who cleared the public content, when, and its digest. Never shown.",
                  {"by": "kmensah", "date": "2024-06-01", "digest": "sha256:..."}),
    "internal": ("Anything for staff only (tickets, customers, hostnames); never on the public site.", {"ticket": "INC-1234"}),
    "timeline": ("What happened when, in order; quote times.", [{"at": "10:32", "event": "The cache is flushed."}]),
    "lucky": ("Where we got lucky.", ["It happened on a Wednesday morning."]),
    "detection": ("How the problem was found.", "A support ticket about slow pages."),
    "time_to_detect": ("From the start to detection: 45m, 3h30m, 2d.", "25m"),
    "time_to_resolve": ("From the start to resolution: 45m, 3h30m, 2d.", "1h10m"),
}


def story_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of story front-matter, with a description and an example per field."""
    schema = Story.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Failure story front-matter"
    for name, prop in schema.get("properties", {}).items():
        if name in FIELD_DOCS:
            description, example = FIELD_DOCS[name]
            prop["description"] = description
            prop["examples"] = [example]
    return schema
