"""A handbook filtered to one variant, with everything the variant must not show removed.

Templates render only these views, never the raw entries: what a public view does not
hold cannot reach a public page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from . import layout, projection, reading
from .links import resolve, unlinker
from .model import Handbook, Status, StoryEntry
from .schema import Team
from .segments import Body


class Variant(StrEnum):
    INTERNAL = "internal"
    PUBLIC = "public"


@dataclass(frozen=True)
class Person:
    """An author as a variant may show them: named, or described without a name."""

    label: str
    named: bool
    team: str | None = None
    page: str | None = None  # the src of their author page: only a named author has one


@dataclass(frozen=True)
class FollowUpView:
    title: str | None  # None in the public variant: only counts are public
    status: str
    # Internal variant only, like the title:
    owner: Person | None = None
    due: dt.date | None = None
    link: str | None = None


@dataclass
class StoryView:
    """A story as one variant shows it."""

    id: str
    src: str
    title: str
    date: dt.date
    summary: str
    authors: list[Person]
    lessons: list[str]
    kind: str
    severity: str | None
    teams: list[str]
    tags: list[str]
    impact: str | None
    five_whys: list[str]
    contributing_factors: list[str]
    follow_ups: list[FollowUpView]
    award: dict[str, Any] | None
    related: list[str]
    body: str
    draft: bool = False
    timeline: list[tuple[str, str]] = field(default_factory=list)  # (at, event)
    lucky: list[str] = field(default_factory=list)
    detection: str | None = None
    time_to_detect: str | None = None
    time_to_resolve: str | None = None
    reading_minutes: int = 1  # from the words this variant shows of the story
    # Internal variant only:
    internal: dict[str, Any] | None = None
    public_summary: str | None = None
    visibility: str = "internal"
    clearance: str | None = None
    withdrawn: str | None = None  # why it was withdrawn from the public site


@dataclass
class LessonView:
    id: str
    src: str
    title: str
    summary: str
    related: list[str]
    body: str


@dataclass
class AuthorView:
    """A named author as one variant shows them, with the stories they told in it (newest first)."""

    id: str
    src: str
    name: str
    team: str | None
    stories: list[str]


@dataclass
class PageView:
    src: str
    title: str | None
    body: str


@dataclass
class View:
    """Everything one variant of the site may show."""

    variant: Variant
    stories: dict[str, StoryView] = field(default_factory=dict)  # newest first
    lessons: dict[str, LessonView] = field(default_factory=dict)
    pages: dict[str, PageView] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)  # teams.yml's entries, for the teams' listing pages
    authors: dict[str, AuthorView] = field(default_factory=dict)  # named authors of the variant's stories, by name
    assets: set[str] = field(default_factory=set)
    excluded: set[str] = field(default_factory=set)  # every content or data src left out


def select(hb: Handbook, variant: Variant | str, *, drafts: bool = False, extra_assets: set[str] | None = None) -> View:
    """Filter a valid handbook to a variant; drafts are kept only when asked (preview)."""
    variant = Variant(variant)
    public = variant is Variant.PUBLIC
    view = View(variant)
    reading.COUNTED.turn()

    stories = [s for s in hb.stories.values() if _story_in(s, public, drafts)]
    stories.sort(key=lambda s: (s.meta.date, s.id), reverse=True)
    lessons = {lid: l for lid, l in hb.lessons.items() if not public or l.meta.visibility == "public"}
    pages = {src: p for src, p in hb.pages.items() if not public or p.meta.visibility == "public"}
    kept_srcs = {s.src for s in stories} | {l.src for l in lessons.values()} | set(pages)
    all_srcs = {s.src for s in hb.stories.values()} | {l.src for l in hb.lessons.values()} | set(hb.pages) | set(hb.sources)
    view.excluded = (all_srcs - kept_srcs) | {"authors.yml", "tags.yml"}
    story_ids = {s.id for s in stories}
    if public:
        # An asset next to a left-out story is internal even if a public page links to it.
        left_out = [s.src for s in hb.stories.values() if s.id not in story_ids]
        view.excluded |= {a for a in hb.assets if any(belongs_to(a, src) for src in left_out)}

    def body_of(src: str, body: Body) -> str:
        if not public:
            return body.boxed()
        return body.public_text(unlinker(src, view.excluded))

    for s in stories:
        view.stories[s.id] = _story_view(hb, s, public, story_ids, set(lessons), body_of(s.src, s.parsed))
    for lid, l in lessons.items():
        shown = projection.split(l.meta).public if public else dict(l.meta)
        view.lessons[lid] = LessonView(
            lid, l.src, shown["title"], shown["summary"], [r for r in shown.get("related", []) if r in lessons], body_of(l.src, l.parsed)
        )
    for src, p in pages.items():
        view.pages[src] = PageView(src, (projection.split(p.meta).public if public else dict(p.meta)).get("title"), body_of(src, p.parsed))

    view.authors = _authors(hb, view.stories, public)
    used_tags = {t for s in view.stories.values() for t in s.tags}
    view.tags = {t: d for t, d in (hb.tags or {}).items() if not public or t in used_tags}
    used_teams = {t for s in view.stories.values() for t in s.teams}
    view.teams = {t: team for t, team in (hb.teams or {}).items() if not public or t in used_teams}

    if public:
        bodies = [(s.src, s.parsed) for s in stories] + [(l.src, l.parsed) for l in lessons.values()]
        bodies += [(src, p.parsed) for src, p in pages.items()]
        linked = {r for src, body in bodies for link in body.public_links() if (r := resolve(link.target, src))}
        view.assets = {a for a in hb.assets if a not in view.excluded and (a in linked or a in (extra_assets or set()))}
    else:
        view.assets = set(hb.assets)
    view.excluded |= set(hb.assets) - view.assets
    return view


def belongs_to(asset: str, story_src: str) -> bool:
    """Tell whether an asset sits next to a story: in a folder named after it, or named after it.

    For `2021/outage.md`: `2021/outage/diagram.png`, `2021/outage.png` and
    `2021/outage-diagram.png` belong to it; `2021/diagram.png` is shared by the folder.
    """
    stem = story_src[: -len(".md")]
    return asset.startswith(stem + "/") or asset.startswith(stem + ".") or asset.startswith(stem + "-")


def _story_in(s: StoryEntry, public: bool, drafts: bool) -> bool:
    if public:
        return s.publication.public
    return drafts or not s.is_draft


def _story_view(hb: Handbook, s: StoryEntry, public: bool, story_ids: set[str], lesson_ids: set[str], body: str) -> StoryView:
    m = s.meta
    # The public variant reads the story's projection: a field the schema never shows is not in it.
    data = projection.split(m).public if public else dict(m)
    follow_ups = ([FollowUpView(None, status) for status in data["follow_ups"]] if public else
                  [FollowUpView(f.title, f.status, _person(hb, f.owner, False) if f.owner else None, f.due, f.link) for f in m.follow_ups])
    award = data.get("award")
    view = StoryView(
        id=s.id,
        src=s.src,
        title=data["title"],
        date=data["date"],
        summary=data["summary"],
        authors=[_person(hb, a, public) for a in data["authors"]],
        lessons=[l for l in data["lessons"] if l in lesson_ids],
        kind=data["kind"],
        severity=data.get("severity"),
        teams=list(data.get("teams", [])),
        tags=list(data.get("tags", [])),
        impact=data.get("impact"),
        five_whys=list(data.get("five_whys") or []),
        contributing_factors=list(data.get("contributing_factors", [])),
        follow_ups=follow_ups,
        award=(award if isinstance(award, dict) else award.model_dump()) if award else None,
        related=[r for r in data.get("related", []) if r in story_ids],
        body=body,
        draft=s.is_draft,
        visibility=m.visibility,
        timeline=[(t["at"], t["event"]) if isinstance(t, dict) else (t.at, t.event) for t in data.get("timeline", [])],
        lucky=list(data.get("lucky", [])),
        detection=data.get("detection"),
        time_to_detect=data.get("time_to_detect"),
        time_to_resolve=data.get("time_to_resolve"),
    )
    # The reading time counts only what this variant's page shows: a public page's, only public text.
    shown = [view.body, view.impact, view.detection, *view.five_whys, *view.contributing_factors, *view.lucky]
    view.reading_minutes = reading.minutes(shown + [event for _, event in view.timeline])
    if not public:
        view.internal = m.internal
        view.public_summary = m.public_summary
        status = s.publication.status
        if status is Status.NOT_CLEARED:
            view.clearance = "not cleared: left out of the public site"
        elif status is Status.STALE:
            view.clearance = "edited since clearance: left out of the public site until cleared again"
        elif status is Status.WITHDRAWN:
            view.withdrawn = m.withdrawn
            view.clearance = "withdrawn: its public address says it is no longer available"
        elif m.clearance is not None and status is not Status.INTERNAL:
            view.clearance = f"cleared by {_person(hb, m.clearance.by, False).label} on {m.clearance.date.isoformat()}"
    return view


def _person(hb: Handbook, author_id: str, public: bool) -> Person:
    author = hb.authors.get(author_id)
    if author is None:
        return Person(author_id, False)
    name = projection.public_name(author) if public else author.name
    if name is not None:
        return Person(name, True, author.team, layout.author_page(author_id))
    if author.team:
        return Person(f"a member of the {author.team.replace('-', ' ')} team", False, author.team)
    return Person("a colleague", False)


def _authors(hb: Handbook, stories: dict[str, StoryView], public: bool) -> dict[str, AuthorView]:
    """The authors a variant names, each with the stories they told in it (newest first), sorted by
    name: the public variant's are the named authors of its stories; the internal one's, all of authors.yml."""
    found: dict[str, AuthorView] = {}
    if not public:
        for aid, author in hb.authors.items():
            found[aid] = AuthorView(aid, layout.author_page(aid), author.name, author.team, [])
    for sid, s in stories.items():
        for aid, person in zip(hb.stories[sid].meta.authors, s.authors, strict=True):
            if person.page is not None:  # only a named author has a page: the variant's own name for them
                found.setdefault(aid, AuthorView(aid, person.page, person.label, person.team, [])).stories.append(sid)
    return {a.id: a for a in sorted(found.values(), key=lambda a: (a.name.casefold(), a.id))}
