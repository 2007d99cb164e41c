"""Render story, lesson and listing pages from a variant view, with Jinja templates."""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import itertools
import posixpath
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from ..core import graph, layout
from ..core.listings import KINDS_, LISTINGS, SEVERITIES_, TAGS, TEAMS, YEARS, Listing, paginate, window
from ..core.schema import KINDS, minutes
from ..core.variants import StoryView, Variant, View

# Characters Markdown reads as syntax inside a line get a backslash; `<`, `>`, `&` and
# quotes become HTML entities.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|+!-])")
# Syntax of extensions that have no backslash escape (attribute lists, emoji, marks) is
# written as character references, which every Markdown extension leaves alone.
_BRACES = str.maketrans({c: f"&#{ord(c)};" for c in "{}:~^="})
# Control characters as references: Python-Markdown uses STX and ETX (\x02, \x03) to mark what it
# set aside, so a raw one in a value would be read as its marker. (Content refuses them; this is for any other value.)
_BRACES.update({c: f"&#{c};" for c in (*range(0x01, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F)})
# A value that starts a line with `12. ` would start an ordered list there.
_ORDERED = re.compile(r"^(\d+)\.(?= )")


def md_escape(text: object) -> Markup:
    """Escape a value for one line of Markdown or an HTML attribute: it renders as the same text, and nothing else."""
    if isinstance(text, Markup):
        return text
    return _md_escaped(str(text))


@lru_cache(maxsize=1 << 16)
def _md_escaped(text: str) -> Markup:
    # Cached: listing pages print the same titles, teams and tags again and again.
    flat = " ".join(text.split())  # a value is one line: no new block can start in it
    flat = _ORDERED.sub(r"\1\\.", _MD_SPECIAL.sub(r"\\\1", flat))
    return Markup(html.escape(flat, quote=True).translate(_BRACES))


@lru_cache(maxsize=1 << 16)
def _relative_link(target: str, here: str) -> Markup:
    # Cached: every listing page links the same stories from the same few folders.
    return Markup(quote(posixpath.relpath(target, here)))


def html_escape(text: object) -> Markup:
    """Escape a value for HTML text or an attribute, where Markdown is not read (`page.meta`, raw HTML)."""
    return Markup(html.escape(" ".join(str(text).split()), quote=True).translate(_BRACES))


def md_tree(value: object, depth: int = 0) -> Markup:
    """Render a value of any shape (an `internal` mapping) as nested Markdown lists."""
    pad = "    " * depth
    if depth >= _TREE_DEPTH and isinstance(value, dict | list | tuple) and value:
        return Markup(f"{pad}- " + md_escape(_flat(value)))
    if not isinstance(value, dict | list | tuple):
        return md_escape(_scalar(value))
    keyed = isinstance(value, dict)
    items: Iterable[tuple[object, object]] = value.items() if isinstance(value, dict) else ((None, v) for v in value)
    lines: list[Markup] = []
    for key, v in items:
        # Every part is Markup, so nothing already escaped is escaped twice (a key too).
        head = Markup(f"{pad}- **") + md_escape(key) + Markup("**") if keyed else Markup(f"{pad}-")
        if isinstance(v, dict | list | tuple) and v:
            # An item holding only a nested list needs text of its own: a bare `-` under
            # another item would read as a heading's underline. A zero-width space is that text.
            lines.append(head + (Markup(":") if keyed else Markup(" &#8203;")))
            lines.append(md_tree(v, depth + 1))
        else:
            lines.append(head + Markup(": " if keyed else " ") + md_escape(_scalar(v)))
    return Markup("\n").join(lines)


_TREE_DEPTH = 8  # deeper values are written on one line: nested lists that deep help nobody


def _flat(value: object) -> str:
    """Write a deeply nested value on one line, without recursion: `a > b: 1; a > c: 2`."""
    out: list[str] = []
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        prefix, v = stack.pop()
        if isinstance(v, dict):
            stack.extend((f"{prefix} > {k}" if prefix else str(k), x) for k, x in reversed(list(v.items())))
        elif isinstance(v, list | tuple):
            stack.extend((prefix, x) for x in reversed(v))
        else:
            out.append(f"{prefix}: {_scalar(v)}" if prefix else _scalar(v))
    return "; ".join(out)


def _duration_text(total: int) -> str:
    """Write minutes as the shortest duration: 90 -> 1h30m, 2880 -> 2d."""
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    text = (f"{days}d" if days else "") + (f"{hours}h" if hours else "") + (f"{mins}m" if mins else "")
    return text or "0m"


def _scalar(value: object) -> str:
    if value is None or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def label(value: str) -> str:
    """Turn an id such as 'near-miss' into a label such as 'Near-miss'."""
    return value.replace("-", " ").capitalize() if value not in KINDS else value.capitalize()


DEFAULT_HOME = "# Welcome\n\nStories of things that went wrong, told without blame, and the lessons they taught us.\n"
FOLLOW_UP_STATES = (("done", "Done"), ("open", "Open"), ("wontfix", "Won't fix"))


class Renderer:
    """Render every page of one variant of a handbook."""

    def __init__(self, view: View, today: dt.date | None = None, template_dirs: Iterable[str] = (), page_size: int = 50) -> None:
        if page_size < 1:
            raise ValueError(f"page_size must be 1 or more, not {page_size}")
        self.view = view
        self.page_size = page_size
        self.today = today or dt.date.today()
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
        self.related = graph.related(view.stories)
        # The home page: the handbook's own (index.md, or a README.md MkDocs serves as one), else generated.
        self.home_src = next((src for src in (layout.INDEX, layout.README) if src in view.pages), layout.INDEX)

    # Pages -----------------------------------------------------------------

    def story(self, story_id: str) -> str:
        """Render a story page."""
        s = self.view.stories[story_id]
        return self._render("story.md.j2", s.src, s=s, related=[self.view.stories[r] for r in self.related[s.id]])

    def lesson(self, lesson_id: str) -> str:
        """Render a lesson page with every story that taught it."""
        l = self.view.lessons[lesson_id]
        stories = self.taught[lesson_id]
        return self._render("lesson.md.j2", l.src, l=l, stories=stories, reach=graph.reach(stories).sentence())

    def culture(self, body: str, src: str = layout.CULTURE_PAGE) -> str:
        """Append highlights drawn from the stories to the culture page."""
        return body.rstrip() + "\n\n" + self._render("culture_highlights.md.j2", src, **self._highlights())

    def home(self, body: str) -> str:
        """Append a short "Start here" block to the home page: culture, hall of fame, latest stories."""
        awards = [s for s in self.stories if s.award]
        return body.rstrip() + "\n\n" + self._render(
            "start_here.md.j2", self.home_src, culture=layout.CULTURE_PAGE, awards=len(awards), recent=self.stories[:3],
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
            describe, shown = self._describer(listing.folder), self._namer(listing)
            out[listing.index] = self._render(
                "group_index.md.j2", listing.index, title=listing.title, folder=listing.folder,
                groups=groups, describe=describe, labelled=listing.labelled, shown=shown,
            )
            for k, stories in groups:
                out.update(self._group_pages(listing, k, stories, describe(k), shown(k)))
        out[layout.AWARDS] = self._render("awards.md.j2", layout.AWARDS, stories=[s for s in self.stories if s.award])
        out[layout.STATS] = self._render("stats.md.j2", layout.STATS, **self._stats())
        if self.home_src not in self.view.pages:
            out[self.home_src] = self.home(DEFAULT_HOME)
        if self.view.variant is Variant.INTERNAL:
            # Follow-up titles are internal: the public variant gets no such page, only counts.
            out[layout.FOLLOW_UPS] = self._render("follow_ups.md.j2", layout.FOLLOW_UPS, **self._follow_ups())
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

    def feed(self, site_url: str, urls: dict[str, str], title: str, limit: int = 20) -> str:
        """Render an RSS 2.0 feed of the newest stories (dates in RFC 822, whatever the locale)."""
        base = site_url.rstrip("/") + "/" if site_url else ""
        rss = ET.Element("rss", version="2.0")
        channel = ET.SubElement(rss, "channel")
        ET.SubElement(channel, "title").text = title
        ET.SubElement(channel, "link").text = base
        ET.SubElement(channel, "description").text = f"New stories in {title}"
        for s in self.stories[:limit]:
            item = ET.SubElement(channel, "item")
            ET.SubElement(item, "title").text = s.title
            ET.SubElement(item, "link").text = base + urls.get(s.id, "")
            ET.SubElement(item, "guid", isPermaLink="false").text = s.id
            when = dt.datetime.combine(s.date, dt.time(12), tzinfo=dt.UTC)
            ET.SubElement(item, "pubDate").text = email.utils.format_datetime(when)
            # RSS readers show a description as HTML: the summary is text, so it is escaped as such.
            ET.SubElement(item, "description").text = html.escape(s.summary, quote=False)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"

    # Helpers ---------------------------------------------------------------

    def _render(self, template: str, src: str, **context: object) -> str:
        here = posixpath.dirname(src)

        def link(target: str) -> Markup:
            return _relative_link(target, here or ".")

        return self.env.get_template(template).render(
            link=link, view=self.view, lessons=self.view.lessons, internal=self.view.variant == "internal", **context
        )

    def _describer(self, folder: str) -> Callable[[str], str]:
        if folder == TAGS.folder:
            return lambda k: self.view.tags.get(k, "")
        if folder == TEAMS.folder:  # teams.yml's description, where it gives one
            return lambda k: (team.description or "") if (team := self.view.teams.get(k)) else ""
        return lambda k: ""

    def _namer(self, listing: Listing) -> Callable[[str], str]:
        """How a group is named: a team by its name in teams.yml, an id of a fixed set as a label, else its key."""
        if listing is TEAMS:
            return lambda k: team.name if (team := self.view.teams.get(k)) else k
        return label if listing.labelled else str

    def _highlights(self) -> dict[str, object]:
        stories = self.stories
        return {
            "count": len(stories),
            "teams": len({t for s in stories for t in s.teams}),
            "lessons_taught": sum(1 for v in self.taught.values() if v),
            "awards": [s for s in stories if s.award][:3],
            "recent": stories[:5],
            "top_lessons": sorted(
                ((self.view.lessons[lid], len(v)) for lid, v in self.taught.items() if v), key=lambda x: (-x[1], x[0].title)
            )[:5],
        }

    def _stats(self) -> dict[str, object]:
        years = Counter(s.date.year for s in self.stories)
        span = range(min(years), max(years) + 1) if years else range(0)

        def chart(listing: Listing) -> list[tuple[str, int, str]]:
            shown = self._namer(listing)
            return [(shown(k), len(v), listing.page(k)) for k, v in listing.group(self.stories)]

        timing = []
        for name, field in (("Time to detect", "time_to_detect"), ("Time to resolve", "time_to_resolve")):
            values = sorted(minutes(v) for s in self.stories if (v := getattr(s, field)))
            if values:
                timing.append((name, len(values), _duration_text(values[(len(values) - 1) // 2]), _duration_text(values[-1])))
        states = Counter(f.status for s in self.stories for f in s.follow_ups)
        return {
            "total": len(self.stories),
            "timing": timing,
            # Counts only: fine in both variants, whose views hold every follow-up's status.
            "follow_ups": [(name, states[status]) for status, name in FOLLOW_UP_STATES if states[status]],
            "follow_ups_page": layout.FOLLOW_UPS if self.view.variant is Variant.INTERNAL else None,
            "charts": [
                ("Stories per year", [(str(y), years.get(y, 0), YEARS.page(str(y)) if y in years else None) for y in span]),
                ("By kind", chart(KINDS_)),
                ("By severity", chart(SEVERITIES_)),
                ("By team", sorted(chart(TEAMS), key=lambda r: (-r[1], r[0]))[:12]),
                ("Most taught lessons", sorted(((self.view.lessons[l].title, len(v), f"{layout.LESSONS_DIR}/{l}.md") for l, v in self.taught.items() if v), key=lambda r: (-r[1], r[0]))[:10]),
            ],
        }

    def _follow_ups(self) -> dict[str, object]:
        """Every open follow-up, by story, oldest story first."""
        oldest_first = sorted(self.stories, key=lambda s: (s.date, s.id))
        items = [(s, [f for f in s.follow_ups if f.status == "open"]) for s in oldest_first]
        items = [(s, open_) for s, open_ in items if open_]
        states = Counter(f.status for s in self.stories for f in s.follow_ups)
        return {"items": items, "open": states["open"], "done": states["done"], "wontfix": states["wontfix"]}
