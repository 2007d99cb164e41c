"""The renderer: every page of one variant (stories, lessons, listings, awards...) as Markdown, from Jinja templates."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import os
import posixpath
from collections.abc import Iterable
from typing import Any

import jinja2
from markupsafe import Markup

from ..core import graph, layout, similarity, statistics
from ..core.lint import PLACEHOLDERS, RULES
from ..core.listings import LISTINGS, TEAMS, YEARS, Listing, describer, label, namer, paginate, window
from ..core.schema import Story
from ..core.variants import StoryView, Variant, View
from .escape import html_escape, md_escape, md_tree, relative_link

DEFAULT_HOME = "# Welcome\n\nStories of things that went wrong, told without blame, and the lessons they taught us.\n"


def build_date() -> dt.date:
    """Today, or the day SOURCE_DATE_EPOCH names: a build made again later shows the same dates."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


class Renderer:
    """Render every page of one variant of a handbook."""

    def __init__(self, view: View, today: dt.date | None = None, template_dirs: Iterable[str] = (), page_size: int = 50,
                 similar: similarity.Kept | None = None) -> None:
        """similar: a preview's kept word statistics (similarity.Kept); a build passes none and computes them all."""
        if page_size < 1:
            raise ValueError(f"page_size must be 1 or more, not {page_size}")
        self.view = view
        self.page_size = page_size
        self.today = today or build_date()
        # A theme folder's handbook/<name> (a handbook's overrides/) wins over the package's.
        loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader([posixpath.join(d, "handbook") for d in template_dirs])]
        loaders.append(jinja2.PackageLoader("handbook_gen.render", "templates"))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            # Every value a template prints is escaped for Markdown unless it is Markup already
            # (rendered Markdown such as a body, a link target, a macro's output).
            autoescape=True,
            finalize=md_escape,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.filters["md"] = md_escape
        self.env.filters["label"] = label
        self.env.filters["tree"] = md_tree
        self.env.filters["attr"] = html_escape
        self.stories = list(view.stories.values())  # newest first
        self.taught = graph.taught_by(self.stories, view.lessons)
        named = graph.related(view.stories)
        # Suggestions from this variant's own stories only: a public page never points at an internal one.
        self.similar = similarity.suggest(view.stories, named, kept=similar)
        self.related = {sid: named[sid] + self.similar[sid] for sid in named}  # all a story page links
        # The home page: the handbook's own (index.md, or a README.md MkDocs serves as one), else generated.
        self.home_src = next((src for src in (layout.INDEX, layout.README) if src in view.pages), layout.INDEX)

    # Pages -----------------------------------------------------------------

    def story(self, story_id: str, updated: dt.date | None = None) -> str:
        """Render a story page; updated: the date of the last commit of its file, if git knows it."""
        s = self.view.stories[story_id]
        related = [self.view.stories[r] for r in self.related[s.id]]
        similar = set(self.similar[s.id])
        return self._render(
            "story.md.j2", s.src, s=s, updated=updated, related=[r for r in related if r.id not in similar], similar=[r for r in related if r.id in similar],
        )

    def lesson(self, lesson_id: str) -> str:
        """Render a lesson page with every story that taught it."""
        l = self.view.lessons[lesson_id]
        stories = self.taught[lesson_id]
        years = graph.over_time(stories)
        return self._render(
            "lesson.md.j2", l.src, l=l, stories=stories, reach=graph.reach(stories).sentence(), years=years, remembered=graph.remembered(years),
        )

    def culture(self, body: str, src: str = layout.CULTURE_PAGE) -> str:
        """Append highlights drawn from the stories to the culture page."""
        return body.rstrip() + "\n\n" + self._render("culture_highlights.md.j2", src, **statistics.highlights(self.stories, self.taught, self.view.lessons))

    def home(self, body: str) -> str:
        """Append a short "Start here" block to the home page: culture, hall of fame, latest stories."""
        awards = [s for s in self.stories if s.award]
        # "On this day" is the internal home page's: the public one stays as the stories' own pages show them.
        on_this_day = statistics.on_this_day(self.stories, self.today) if self.view.variant is Variant.INTERNAL else []
        return body.rstrip() + "\n\n" + self._render(
            "start_here.md.j2", self.home_src, culture=layout.CULTURE_PAGE, awards=len(awards), recent=self.stories[:3], on_this_day=on_this_day,
        )

    def propose(self, authors: dict[str, Any], teams: dict[str, Any] | None, folder: str, taken: Iterable[str]) -> str:
        """Render the "Tell a story" form: the story's fields, bounds and hints from its schema, the handbook's own lists."""
        # How `handbook new` spells a title's letters in its id; imported here, late: the CLI imports the renderer.
        from ..cli.new import _SPELLED

        used = {t for s in self.stories for t in s.teams} | {a.team for a in authors.values() if a.team}
        return self._render(
            "propose.md.j2", layout.PROPOSE, f=story_form(), folder=folder, taken=sorted(taken),
            spelled=json.dumps({chr(k): v for k, v in _SPELLED.items()}, ensure_ascii=False), placeholders=PLACEHOLDERS,
            rules=json.dumps([(pattern.pattern, advice) for pattern, advice in RULES]),  # blame language, as check warns of it
            whys=[PLACEHOLDERS["why_1"], PLACEHOLDERS["why_2"]],  # as `handbook new` writes them
            authors_list=sorted(((k, a.name) for k, a in authors.items()), key=lambda p: p[1].lower()),
            lessons_list=sorted(((k, l.title) for k, l in self.view.lessons.items()), key=lambda p: p[1].lower()),
            teams_list=sorted((k, t.name) for k, t in teams.items()) if teams is not None else [(t, t) for t in sorted(used)],
        )

    def nav(self) -> list[dict[str, Any]]:
        """The navigation entries of the generated sections, each only when it has something to show."""
        nav: list[dict[str, Any]] = []
        if any(s.award for s in self.stories):
            nav.append({"Awards": layout.AWARDS})
        if self.view.lessons:
            nav.append({"Lessons": layout.LESSONS_INDEX})
        listings = [{listing.nav: listing.index} for listing in LISTINGS if listing.group(self.stories)]
        if listings:
            nav.append({"Stories": listings})
        if self.view.authors:
            nav.append({"Authors": layout.AUTHORS_INDEX})
        if self.stories:
            nav.append({"Statistics": layout.STATS})
        if self.view.variant is Variant.INTERNAL:
            nav.append({"Follow-ups": layout.FOLLOW_UPS})
        return nav

    def generated(self) -> dict[str, str]:
        """Render every generated page: src -> Markdown."""
        out: dict[str, str] = {}
        out[layout.LESSONS_INDEX] = self._render(
            "lessons_index.md.j2", layout.LESSONS_INDEX,
            items=[(l, graph.reach(self.taught[l.id]).sentence()) for l in sorted(self.view.lessons.values(), key=lambda l: l.title.lower())],
        )
        for listing in LISTINGS:
            groups = listing.group(self.stories)
            if not groups:  # an empty listing has no index: nothing to show, nothing to link
                continue
            describe, shown = describer(listing, self.view), namer(listing, self.view)
            out[listing.index] = self._render(
                "group_index.md.j2", listing.index, title=listing.title, folder=listing.folder,
                groups=groups, describe=describe, labelled=listing.labelled, shown=shown,
            )
            for k, stories in groups:
                out.update(self._group_pages(listing, k, stories, describe(k), shown(k)))
        out[layout.AWARDS] = self._render("awards.md.j2", layout.AWARDS, stories=[s for s in self.stories if s.award])
        out[layout.STATS] = self._render("stats.md.j2", layout.STATS, **statistics.stats(self.view, self.stories, self.taught, self.today))
        if self.home_src not in self.view.pages:
            out[self.home_src] = self.home(DEFAULT_HOME)
        if self.view.variant is Variant.INTERNAL:
            # Follow-up titles are internal: the public variant gets no such page, only counts.
            out[layout.FOLLOW_UPS] = self._render("follow_ups.md.j2", layout.FOLLOW_UPS, **statistics.follow_ups(self.stories, self.today))
        if self.view.authors:
            authors = [(a, self._team(a.team)) for a in self.view.authors.values()]
            out[layout.AUTHORS_INDEX] = self._render("authors_index.md.j2", layout.AUTHORS_INDEX, authors=authors)
            for author, team in authors:
                stories = [self.view.stories[sid] for sid in author.stories]
                out[author.src] = self._render("author.md.j2", author.src, author=author, stories=stories, team=team, index=layout.AUTHORS_INDEX)
        return out

    def _group_pages(self, listing: Listing, key: str, stories: list[StoryView], description: str, name: str) -> dict[str, str]:
        """The pages of one group: at most page_size stories each, linked to one another."""
        title = f"Stories from {key}" if listing is YEARS else f"{listing.noun}: {name}"
        chunks = paginate(stories, self.page_size)
        count = len(chunks)
        out: dict[str, str] = {}
        for number, chunk in enumerate(chunks, 1):
            if listing.by_year:
                sections = [(str(year), list(group)) for year, group in itertools.groupby(chunk, key=lambda s: s.date.year)]
            else:
                sections = [("", chunk)]
            pager = [(n, listing.page(key, n) if n else None) for n in window(number, count)] if count > 1 else []
            out[listing.page(key, number)] = self._render(
                "group.md.j2", listing.page(key, number), title=title, description=description, stories=chunk,
                index=listing.index, total=len(stories), number=number, pages=count, sections=sections, pager=pager,
                previous=listing.page(key, number - 1) if number > 1 else None,
                next=listing.page(key, number + 1) if number < count else None,
            )
        return out

    # Helpers ---------------------------------------------------------------

    def _team(self, team: str | None) -> tuple[str, str | None] | None:
        """An author's team: its name (teams.yml's, else its id) and its listing page when the variant has one."""
        if team is None:
            return None
        page = TEAMS.page(team) if any(team in s.teams for s in self.stories) else None
        return namer(TEAMS, self.view)(team), page

    def _render(self, template: str, src: str, **context: object) -> str:
        here = posixpath.dirname(src)

        def link(target: str) -> Markup:
            return relative_link(target, here or ".")

        return self.env.get_template(template).render(
            link=link, view=self.view, lessons=self.view.lessons, internal=self.view.variant is Variant.INTERNAL,
            propose=layout.PROPOSE if self.view.variant is Variant.INTERNAL else None,  # the form: internal only
            **context
        )


@functools.cache
def story_form() -> dict[str, dict[str, Any]]:
    """Read what the story form says of each field from the story's schema: required, bounds, choices, default, description."""
    schema = Story.model_json_schema()
    out: dict[str, dict[str, Any]] = {}
    for name, prop in schema["properties"].items():
        shape = next((p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"), prop)  # `X | None`: X's bounds
        out[name] = {
            "required": name in schema.get("required", ()),
            "min": shape.get("minLength", shape.get("minItems")),
            "max": shape.get("maxLength", shape.get("maxItems")),
            "item_max": shape.get("items", {}).get("maxLength"),
            "choices": shape.get("enum", []),
            "default": prop.get("default"),
            "description": prop.get("description", ""),
        }
    return out
