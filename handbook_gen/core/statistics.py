"""Figures drawn from a variant's stories: the statistics page, the culture highlights, the follow-ups.

Counts only where a variant may show them: both views hold every follow-up's status, and
only the internal view has follow-up titles (the page that lists them is internal).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from . import layout
from .listings import KINDS_, SEVERITIES_, TEAMS, YEARS, Listing, namer
from .schema import minutes
from .variants import LessonView, StoryView, Variant, View

RECENT_YEARS = 3  # the statistics page's recurring lessons: those taught again in this many years
FOLLOW_UP_STATES = (("done", "Done"), ("open", "Open"), ("wontfix", "Won't fix"))


def duration_text(total: int) -> str:
    """Write minutes as the shortest duration: 90 -> 1h30m, 2880 -> 2d."""
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    text = (f"{days}d" if days else "") + (f"{hours}h" if hours else "") + (f"{mins}m" if mins else "")
    return text or "0m"


def highlights(stories: Sequence[StoryView], taught: Mapping[str, Sequence[StoryView]], lessons: Mapping[str, LessonView]) -> dict[str, Any]:
    """What the culture page shows of the stories: counts, awards, the newest, the most taught lessons."""
    return {
        "count": len(stories),
        "teams": len({t for s in stories for t in s.teams}),
        "lessons_taught": sum(1 for v in taught.values() if v),
        "awards": [s for s in stories if s.award][:3],
        "recent": stories[:5],
        "top_lessons": sorted(((lessons[lid], len(v)) for lid, v in taught.items() if v), key=lambda x: (-x[1], x[0].title))[:5],
    }


def since(today: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (28 February for a 29th with no leap year then)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def recurring(view: View, taught: Mapping[str, Sequence[StoryView]], today: dt.date, years: int = RECENT_YEARS) -> list[tuple[str, int, str]]:
    """The lessons taught by two stories or more in the last `years` years up to `today`, most first."""
    start = since(today, years)
    counts = {lid: sum(1 for s in v if start < s.date <= today) for lid, v in taught.items()}
    rows = [(view.lessons[lid].title, n, f"{layout.LESSONS_DIR}/{lid}.md") for lid, n in counts.items() if n > 1]
    return sorted(rows, key=lambda r: (-r[1], r[0]))[:10]


def on_this_day(stories: Sequence[StoryView], today: dt.date) -> list[StoryView]:
    """The stories told on today's month and day in earlier years, newest first."""
    return [s for s in stories if (s.date.month, s.date.day) == (today.month, today.day) and s.date.year < today.year]


def stats(view: View, stories: Sequence[StoryView], taught: Mapping[str, Sequence[StoryView]], today: dt.date) -> dict[str, Any]:
    """The statistics page: stories per year, kind, severity and team, timing, follow-up counts, lessons."""
    years = Counter(s.date.year for s in stories)
    span = range(min(years), max(years) + 1) if years else range(0)

    def chart(listing: Listing) -> list[tuple[str, int, str]]:
        shown = namer(listing, view)
        return [(shown(k), len(v), listing.page(k)) for k, v in listing.group(list(stories))]

    timing = []
    for name, field in (("Time to detect", "time_to_detect"), ("Time to resolve", "time_to_resolve")):
        values = sorted(minutes(v) for s in stories if (v := getattr(s, field)))
        if values:
            timing.append((name, len(values), duration_text(values[(len(values) - 1) // 2]), duration_text(values[-1])))
    states = Counter(f.status for s in stories for f in s.follow_ups)
    return {
        "total": len(stories),
        "timing": timing,
        # Counts only: fine in both variants, whose views hold every follow-up's status.
        "follow_ups": [(name, states[status]) for status, name in FOLLOW_UP_STATES if states[status]],
        "follow_ups_page": layout.FOLLOW_UPS if view.variant is Variant.INTERNAL else None,
        "charts": [
            ("Stories per year", [(str(y), years.get(y, 0), YEARS.page(str(y)) if y in years else None) for y in span]),
            ("By kind", chart(KINDS_)),
            ("By severity", chart(SEVERITIES_)),
            ("By team", sorted(chart(TEAMS), key=lambda r: (-r[1], r[0]))[:12]),
            ("Most taught lessons", sorted(((view.lessons[l].title, len(v), f"{layout.LESSONS_DIR}/{l}.md") for l, v in taught.items() if v), key=lambda r: (-r[1], r[0]))[:10]),
            (f"Lessons taught again in the last {RECENT_YEARS} years", recurring(view, taught, today)),
        ],
    }


def follow_ups(stories: Sequence[StoryView], today: dt.date) -> dict[str, Any]:
    """Every open follow-up with its story: by due date (undated last, then oldest story first),
    each marked overdue when due before today; and the count of each state."""
    items = [(s, f) for s in stories for f in s.follow_ups if f.status == "open"]
    items.sort(key=lambda i: (i[1].due is None, i[1].due or today, i[0].date, i[0].id))  # stable: a story's own order kept
    states = Counter(f.status for s in stories for f in s.follow_ups)
    return {
        "items": [(s, f, f.due is not None and f.due < today) for s, f in items],
        "stories": len({s.id for s, _ in items}),
        "overdue": sum(1 for _, f in items if f.due is not None and f.due < today),
        "open": states["open"], "done": states["done"], "wontfix": states["wontfix"],
    }
