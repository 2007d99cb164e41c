"""Pydantic models of the handbook's content: story, lesson, author, page."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from .diagnostics import Diagnostic, error
from .frontmatter import Document

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"

MAX_ID = 80
MAX_TITLE = 120
MAX_SUMMARY = 400
MAX_LINE = 300
MAX_TEXT = 2000
MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_DURATION_DAYS = 3650  # ten years
FREE_FORM_ITEMS = 500  # values, keys and lists in all, in a free-form mapping such as `internal`
FREE_FORM_DEPTH = 8

# Control characters (C0, DEL, C1); a multi-line text may hold line breaks and tabs.
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTI_LINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _refuse_control(value: str, pattern: re.Pattern[str], one_line: bool) -> str:
    found = pattern.search(value)
    if found is None:
        return value
    char = found.group()
    if one_line and char in "\n\t":
        what = "a line break" if char == "\n" else "a tab"
        raise PydanticCustomError("one_line", "one line of text, found {what} at character {at}", {"what": what, "at": found.start() + 1})
    raise PydanticCustomError(
        "control_character", "text without control characters, found U+{code} at character {at}",
        {"code": f"{ord(char):04X}", "at": found.start() + 1},
    )


def one_line(value: str) -> str:
    """Refuse control characters, line breaks and tabs in a one-line text."""
    return _refuse_control(value, _CONTROL_ONE_LINE, True)


def multi_line(value: str) -> str:
    """Refuse control characters other than line breaks and tabs in a text."""
    return _refuse_control(value, _CONTROL_MULTI_LINE, False)


def free_form(value: Any) -> Any:
    """Bound a free-form mapping: at most FREE_FORM_ITEMS values, FREE_FORM_DEPTH levels, texts of MAX_TEXT characters without control characters."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    items = 0
    while stack:
        v, depth = stack.pop()
        items += 1
        if items > FREE_FORM_ITEMS:
            raise PydanticCustomError("free_form", "is too big: it may hold at most {n} values in all", {"n": FREE_FORM_ITEMS})
        if isinstance(v, dict | list):
            if depth > FREE_FORM_DEPTH:
                raise PydanticCustomError("free_form", "is nested too deeply: at most {n} levels", {"n": FREE_FORM_DEPTH})
            children = [x for kv in v.items() for x in kv] if isinstance(v, dict) else v
            stack.extend((x, depth + 1) for x in children)
        elif isinstance(v, str):
            if len(v) > MAX_TEXT:
                raise PydanticCustomError("free_form", "holds a text of {found} characters: at most {n}", {"n": MAX_TEXT, "found": len(v)})
            multi_line(v)
    return value


@dataclass(frozen=True)
class Words:
    """Marks a text as words someone reads (not an id, a date or a choice): the audit and the
    quote checks look for it where it must not be.

    audit: fewer words than this are too common to look for in a built site; quote: in a
    public page's source (HB308), where short titles are ordinary phrases ("The outage")."""

    audit: int = 3
    quote: int | None = 3  # None: a shared name (an award's), not looked for in pages' sources


NAME_WORDS = Words(1, 1)
TITLE_WORDS = Words(1, 3)
PROSE_WORDS = Words(3, 3)
SHARED_NAME_WORDS = Words(3, None)


class Show(StrEnum):
    """How a field shows on the public site."""

    AS_IS = "shown as written"
    INSTEAD_OF = "shown in place of another field when set"
    PUBLIC_TARGETS = "ids: only those of public entries are shown"
    PUBLIC_NAMES = "author ids: shown as the names of public authors, others without a name"
    COUNTS = "only how many, by status"
    WHEN = "shown only when a flag of the entry is true"
    NEVER = "never shown"


@dataclass(frozen=True)
class Public:
    """Said once, on a field: whether and how the public site shows it (projection.py reads it).

    target: the field shown in place of (INSTEAD_OF), the field counted by (COUNTS), or the
    flag (WHEN). later: added after clearances were first recorded, so it enters a story's
    clearance digest only when set and adding it voided no clearance."""

    show: Show
    target: str = ""
    later: bool = False

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict[str, Any]:
        out = dict(handler(schema))
        out["x-public"] = self.describe()
        return out

    def describe(self) -> str:
        """Say in words how the public site shows the field."""
        if self.show is Show.INSTEAD_OF:
            return f"shown in place of '{self.target}' when set"
        if self.show is Show.COUNTS:
            return f"only how many, by '{self.target}'"
        if self.show is Show.WHEN:
            return f"shown only when '{self.target}' is true"
        return self.show.value


AS_IS = Public(Show.AS_IS)
LATER = Public(Show.AS_IS, later=True)
NEVER = Public(Show.NEVER)
PUBLIC_TARGETS = Public(Show.PUBLIC_TARGETS)


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=MAX_ID), AfterValidator(one_line)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=MAX_TITLE), AfterValidator(one_line), TITLE_WORDS]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LINE), AfterValidator(one_line), TITLE_WORDS]  # a follow-up's or a page's title
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE), AfterValidator(one_line), NAME_WORDS]
Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LINE), AfterValidator(one_line), PROSE_WORDS]
AwardTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LINE), AfterValidator(one_line), SHARED_NAME_WORDS]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=MAX_SUMMARY), AfterValidator(multi_line), PROSE_WORDS]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SUMMARY), AfterValidator(multi_line), PROSE_WORDS]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT), AfterValidator(multi_line), PROSE_WORDS]
Setting = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LINE), AfterValidator(one_line)]  # a theme's key (template, icon): no words
Digest = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LINE), AfterValidator(one_line), NAME_WORDS]
FreeForm = Annotated[dict[Any, Any], AfterValidator(free_form)]
# A story file's path in the content folder (`2021/old-name.md`), or an id in the story's own folder.
FORMER_PATTERN = r"^(?:[a-z0-9]+(?:[-_][a-z0-9]+)*/)*[a-z0-9]+(?:-[a-z0-9]+)*(?:\.md)?$"
FormerAddress = Annotated[str, StringConstraints(strip_whitespace=True, pattern=FORMER_PATTERN, max_length=MAX_LINE), AfterValidator(one_line)]

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

# A few digits per unit: never a number big enough to overflow anything downstream.
_DURATION = re.compile(r"(?:(\d{1,7})d)?(?:(\d{1,7})h)?(?:(\d{1,7})m)?")


def _duration(value: Any) -> Any:
    """Accept a duration such as `45m`, `3h30m` or `2d`, of at most ten years; keep it as written."""
    text = value.strip() if isinstance(value, str) and len(value) <= 40 else ""
    if not text or not _DURATION.fullmatch(text) or minutes(text) > MAX_DURATION_DAYS * 24 * 60:
        raise ValueError(f"a duration such as 45m, 3h30m or 2d, of at most {MAX_DURATION_DAYS // 365} years")
    return text


def minutes(duration: str) -> int:
    """Return a duration such as `3h30m` in minutes."""
    match = _DURATION.fullmatch(duration)
    days, hours, mins = (int(g or 0) for g in match.groups()) if match else (0, 0, 0)
    return (days * 24 + hours) * 60 + mins


Duration = Annotated[str, BeforeValidator(_duration), StringConstraints(max_length=24), AfterValidator(one_line)]


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


# A time, a date or a short label ("day 2, 14:05 UTC"): one line, room for a time zone and a note.
Moment = Annotated[str, BeforeValidator(_moment), StringConstraints(strip_whitespace=True, min_length=1, max_length=80), AfterValidator(one_line)]
Year = Annotated[StrictInt, Field(ge=MIN_YEAR, le=MAX_YEAR)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _ticket_url(value: str) -> str:
    """Accept an absolute http(s) address with a host, and nothing else."""
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not rest.split("/", 1)[0].strip() or any(c.isspace() for c in value):
        raise PydanticCustomError("value_error", "{error}", {"error": "an address starting with http:// or https://"})
    return value


# A ticket's address: the audit looks for it on the public site (quote None: not a phrase of a page's source).
TicketUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=MAX_LINE), AfterValidator(one_line),
                      AfterValidator(_ticket_url), Words(1, None)]


class FollowUp(_Model):
    """An action taken or planned after the story."""

    title: Annotated[Label, NEVER] = Field(description="What is to be done.", examples=["Stagger cache expiry"])
    status: Annotated[FollowUpStatus, AS_IS] = Field("open", description="open (default), done or wontfix.", examples=["done"])
    owner: Annotated[Id | None, NEVER] = Field(None, description="Who sees it done: an author id of authors.yml.", examples=["kmensah"])
    due: Annotated[PlainDate | None, NEVER] = Field(None, description="When it is due, YYYY-MM-DD; the follow-ups page marks it overdue after that.",
                                                    examples=["2024-07-01"])
    link: Annotated[TicketUrl | None, NEVER] = Field(None, description="The ticket's address (http or https).", examples=["https://tickets.example.com/INC-1234"])


class Award(_Model):
    """An award the story won, e.g. Biggest Mistake of the Year."""

    year: Annotated[Year, AS_IS] = Field(description=f"The year of the award, {MIN_YEAR}-{MAX_YEAR}.", examples=[2024])
    # Every winner of an award shares its name: a page may name the award.
    title: Annotated[AwardTitle, AS_IS] = Field(description="The award's name.", examples=["Biggest Mistake of the Year"])


class TimelineEntry(_Model):
    """A moment of the incident: when, and what happened."""

    at: Annotated[Moment, AS_IS] = Field(description="When, as text: quote times.", examples=["10:32"])
    event: Annotated[Text, AS_IS] = Field(description="What happened then.", examples=["The cache is flushed."])


class Clearance(_Model):
    """Who cleared the story for the public site, when, and for what content."""

    by: Annotated[Id, NEVER] = Field(description="The author id of who cleared it.", examples=["kmensah"])
    date: Annotated[PlainDate, NEVER] = Field(description="When it was cleared.", examples=["2024-06-01"])
    digest: Annotated[Digest, NEVER] = Field(description="The digest of the public content cleared.", examples=["sha256:..."])


class Story(_Model):
    """The front-matter of a failure story."""

    title: Annotated[Title, AS_IS] = Field(
        description=f"What happened, in a few words (3-{MAX_TITLE} characters).", examples=["The day the cache forgot everything"])
    date: Annotated[PlainDate, AS_IS] = Field(description="When it happened, YYYY-MM-DD; not in the future.", examples=["2024-05-02"])
    summary: Annotated[Summary, AS_IS] = Field(
        description=f"One or two sentences (20-{MAX_SUMMARY} characters) for listings, search results and page descriptions.",
        examples=["A cache flush during peak traffic sent every request to the database at once."])
    authors: Annotated[Annotated[list[Id], Field(min_length=1, max_length=20)], Public(Show.PUBLIC_NAMES)] = Field(
        description="Who tells the story: ids from authors.yml (never who is to blame).", examples=[["kmensah"]])
    lessons: Annotated[Annotated[list[Id], Field(min_length=1, max_length=20)], PUBLIC_TARGETS] = Field(description="What the story taught: ids of lessons/<id>.md.", examples=[["say-it-early"]])
    visibility: Annotated[Visibility, AS_IS] = Field(
        "internal", description="internal (default) or public; a public story also needs `handbook clear`.", examples=["internal"])
    status: Annotated[Status, NEVER] = Field(
        "published", description="published (default) or draft: a draft shows only in the preview.", examples=["published"])
    public_summary: Annotated[Summary | None, Public(Show.INSTEAD_OF, "summary")] = Field(
        None, description="Replaces the summary on the public site.", examples=["A cache flush sent all traffic to the database."])
    kind: Annotated[Kind, AS_IS] = Field(
        "incident", description="incident (default), near-miss, project, process, decision or other.", examples=["incident"])
    severity: Annotated[Severity | None, AS_IS] = Field(None, description="minor, major or critical.", examples=["major"])
    teams: Annotated[Annotated[list[Id], Field(max_length=20)], AS_IS] = Field([], description="Team ids (from teams.yml when it exists).", examples=[["platform"]])
    tags: Annotated[Annotated[list[Id], Field(max_length=20)], AS_IS] = Field([], description="Tags (from tags.yml when it exists).", examples=[["caching"]])
    impact: Annotated[Text | None, AS_IS] = Field(None, description="What users or the business felt.", examples=["Pages timed out for twenty minutes."])
    five_whys: Annotated[Annotated[list[Text], Field(min_length=1, max_length=7)] | None, AS_IS] = Field(
        None, description="1-7 steps from the symptom to the cause.", examples=[["Pages timed out.", "Every request missed the cache at once."]])
    contributing_factors: Annotated[Annotated[list[Text], Field(max_length=30)], AS_IS] = Field(
        [], description="What made the failure possible.", examples=[["The runbook said 'flush the cache'."]])
    follow_ups: Annotated[Annotated[list[FollowUp], Field(max_length=50)], Public(Show.COUNTS, "status")] = Field(
        [], description="Actions after the story; the public site shows only counts.", examples=[[{"title": "Stagger cache expiry", "status": "done"}]])
    award: Annotated[Award | None, AS_IS] = Field(
        None, description="An award the story won; the year is not before the date.", examples=[{"year": 2024, "title": "Biggest Mistake of the Year"}])
    related: Annotated[Annotated[list[Id], Field(max_length=30)], PUBLIC_TARGETS] = Field(
        [], description="Ids of related stories; the public site links only public ones.", examples=[["feature-flag-flipped-for-everyone"]])
    clearance: Annotated[Clearance | None, NEVER] = Field(
        None, description="Written by `handbook clear`: who cleared the public content, when, and its digest. Never shown.",
        examples=[{"by": "kmensah", "date": "2024-06-01", "digest": "sha256:..."}])
    internal: Annotated[FreeForm | None, NEVER] = Field(
        None, description=f"Anything for staff only (tickets, customers, hostnames); never on the public site. At most {FREE_FORM_ITEMS} values.",
        examples=[{"ticket": "INC-1234"}])
    timeline: Annotated[Annotated[list[TimelineEntry], Field(max_length=200)], LATER] = Field(
        [], description="What happened when, in order; quote times.", examples=[[{"at": "10:32", "event": "The cache is flushed."}]])
    lucky: Annotated[Annotated[list[Text], Field(max_length=30)], LATER] = Field([], description="Where we got lucky.", examples=[["It happened on a Wednesday morning."]])
    detection: Annotated[Text | None, LATER] = Field(None, description="How the problem was found.", examples=["A support ticket about slow pages."])
    time_to_detect: Annotated[Duration | None, LATER] = Field(
        None, description="From the start to detection: 45m, 3h30m, 2d (at most ten years).", examples=["25m"])
    time_to_resolve: Annotated[Duration | None, LATER] = Field(
        None, description="From the start to resolution: 45m, 3h30m, 2d (at most ten years).", examples=["1h10m"])
    withdrawn: Annotated[ShortText | None, NEVER] = Field(
        None, description="Why a story that was public is withdrawn on purpose: it leaves the public site, and its address says it is no longer available.",
        examples=["The customer asked us not to tell it."])
    formerly: Annotated[Annotated[list[FormerAddress], Field(max_length=20)], NEVER] = Field(
        [], description="The story's former file paths in the content folder (2021/old-name.md), or former ids in its folder: each old address redirects to the story.",
        examples=[["2021/old-name.md"]])


class Lesson(_Model):
    """The front-matter of a lesson."""

    title: Annotated[Title, AS_IS] = Field(description=f"The lesson, in a few words (3-{MAX_TITLE} characters).", examples=["Say it early"])
    summary: Annotated[ShortText, AS_IS] = Field(description=f"One or two sentences (at most {MAX_SUMMARY} characters).",
                                                 examples=["Bad news told early costs less than bad news found late."])
    visibility: Annotated[Visibility, AS_IS] = Field("public", description="public (default) or internal.", examples=["public"])
    related: Annotated[Annotated[list[Id], Field(max_length=30)], PUBLIC_TARGETS] = Field([], description="Ids of related lessons; the public site links only public ones.",
                                                         examples=[["blameless-reviews"]])


class Author(_Model):
    """An entry of authors.yml."""

    name: Annotated[Name, Public(Show.WHEN, "public")] = Field(description="The author's name; public only when `public: true`.",
                                                              examples=["Kwame Mensah"])
    team: Annotated[Id | None, AS_IS] = Field(None, description="A team id: how an author who is not public is described.", examples=["platform"])
    public: Annotated[StrictBool, AS_IS] = Field(False, description="true to show the name on the public site.", examples=[True])
    can_clear: Annotated[StrictBool, NEVER] = Field(
        False, description="true: may clear stories for the public site. Where any author has it, only they may; nobody clears their own story.",
        examples=[True])


class Team(_Model):
    """An entry of teams.yml."""

    name: Annotated[Label, AS_IS] = Field(description="The team's name.", examples=["Platform"])
    description: Annotated[ShortText | None, AS_IS] = Field(None, description="What the team does.", examples=["Runs the servers."])


class Page(BaseModel):
    """The front-matter of a hand-written page: MkDocs' and Material's own keys, and visibility.

    Pages fail closed: internal unless they say `visibility: public` (the home and culture
    pages are public unless they say otherwise, which loading applies). Any other key is an
    error, so a misspelt `visiblity: public` can never publish or hide a page by accident.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[Label | None, AS_IS] = Field(None, description="The page's title.", examples=["Our culture"])
    visibility: Annotated[Visibility, AS_IS] = Field("internal", description="internal (default) or public.", examples=["public"])
    description: Annotated[ShortText | None, AS_IS] = Field(None, description="The page's description.", examples=["How we tell failure stories."])
    template: Annotated[Setting | None, AS_IS] = None
    hide: Annotated[Annotated[list[Setting], Field(max_length=10)] | None, AS_IS] = None
    icon: Annotated[Setting | None, AS_IS] = None
    status: Annotated[Setting | None, AS_IS] = None
    subtitle: Annotated[Label | None, AS_IS] = None
    search: Annotated[FreeForm | None, AS_IS] = None
    tags: Annotated[Annotated[list[Setting], Field(max_length=30)] | None, AS_IS] = None


TagDescription = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LINE), AfterValidator(one_line), PROSE_WORDS]


_TAG = TypeAdapter(TagDescription)


def validate_tag(description: Any, doc: Document, key: str) -> list[Diagnostic]:
    """Validate one description of tags.yml: a bounded line of text."""
    try:
        _TAG.validate_python(description)
    except ValidationError as exc:
        return _diagnostics(BaseModel, exc, doc, (key,))
    return []


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
        return None, _diagnostics(model, exc, doc, root)


def _diagnostics(model: type[BaseModel], exc: ValidationError, doc: Document, root: tuple[str | int, ...]) -> list[Diagnostic]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = root + tuple(err["loc"])
        line, col = doc.where(loc)
        problems.append(error(_code(err["type"]), doc.path, line, _message(model, err, loc), col=col))
    return problems


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
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == FORMER_PATTERN:
        return f"'{name}' must be a story file's former path such as '2021/old-name.md' (or a former id), found {_show(found)}"
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
    if kind == "control_character":
        return f"'{name}' holds a control character (U+{ctx['code']}) at character {ctx['at']} - remove it"
    if kind == "one_line":
        return f"'{name}' must be one line of text, found {ctx['what']} at character {ctx['at']}"
    if kind == "free_form":
        return f"'{name}' {err['msg']}"
    if kind == "greater_than_equal":
        return f"'{name}' must be at least {ctx['ge']}, found {_show(found)}"
    if kind == "less_than_equal":
        return f"'{name}' must be at most {ctx['le']}, found {_show(found)}"
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


def story_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of story front-matter, with a description, an example and how the public site shows each field."""
    schema = Story.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Failure story front-matter"
    return schema
