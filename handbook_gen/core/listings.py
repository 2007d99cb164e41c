"""The listings of stories (by year, team, tag, kind, severity): one table for every reader.

The renderer, the navigation, the statistics page and the layout's reserved folders all
read LISTINGS; none of them spells a listing out again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .schema import KINDS, SEVERITIES


@dataclass(frozen=True)
class Listing:
    """One way of grouping stories, and how its pages are named."""

    folder: str  # the site folder of its pages: years/2021.md, years/index.md
    title: str  # of its index page
    nav: str  # its label in the navigation
    noun: str  # one group's title: "Team: platform"
    keys: Callable[[Any], Iterable[str]]  # the groups a story (any view of one) belongs to
    field: str  # the story field its groups are named from (a group's id is a value of it)
    order: Sequence[str] | None = None  # a fixed order of groups; else sorted
    newest_first: bool = False  # groups sorted in reverse (years)
    labelled: bool = False  # group names are ids shown as labels ("near-miss" -> "Near-miss")
    by_year: bool = False  # a group's page sorts its stories under a heading per year (teams)

    @property
    def index(self) -> str:
        return f"{self.folder}/index.md"

    def page(self, key: str, number: int = 1) -> str:
        """The source path of one page of a group: years/2021.md first, then years/2021/page/2.md, ..."""
        if number < 1:
            raise ValueError(f"page numbers start at 1, not {number}")
        return f"{self.folder}/{key}.md" if number == 1 else f"{self.folder}/{key}/page/{number}.md"

    def group(self, stories: Iterable[Any]) -> list[tuple[str, list[Any]]]:
        """Group stories (kept in their order) under each key, groups in the listing's order."""
        buckets: dict[str, list[Any]] = {}
        for s in stories:
            for k in self.keys(s):
                buckets.setdefault(k, []).append(s)
        if self.order is not None:
            names = [k for k in self.order if k in buckets]
        else:
            names = sorted(buckets, reverse=self.newest_first)
        return [(k, buckets[k]) for k in names]


YEARS = Listing("years", "Stories by year", "By year", "Year", lambda s: [str(s.date.year)], "date", newest_first=True)
TEAMS = Listing("teams", "Stories by team", "By team", "Team", lambda s: s.teams, "teams", by_year=True)
TAGS = Listing("tags", "Stories by tag", "By tag", "Tag", lambda s: s.tags, "tags")
KINDS_ = Listing("kinds", "Stories by kind", "By kind", "Kind", lambda s: [s.kind], "kind", order=KINDS, labelled=True)
SEVERITIES_ = Listing("severities", "Stories by severity", "By severity", "Severity", lambda s: [s.severity] if s.severity else [], "severity", order=SEVERITIES, labelled=True)

LISTINGS: tuple[Listing, ...] = (YEARS, TEAMS, TAGS, KINDS_, SEVERITIES_)


T = TypeVar("T")


def paginate(items: Sequence[T], size: int) -> list[list[T]]:
    """Cut items, kept in their order, into pages of at most size: one empty page for no items."""
    if size < 1:
        raise ValueError(f"a page holds at least one item, not {size}")
    return [list(items[i : i + size]) for i in range(0, len(items), size)] or [[]]


def window(number: int, count: int, reach: int = 2) -> list[int | None]:
    """The page numbers a pager shows on page number of count: the first, the last and those
    within reach of number, None where numbers are left out (so a pager stays short)."""
    shown = sorted({1, count, *range(max(1, number - reach), min(count, number + reach) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


def label(value: str) -> str:
    """Turn an id such as 'near-miss' into a label such as 'Near-miss'."""
    return value.replace("-", " ").capitalize() if value not in KINDS else value.capitalize()


def namer(listing: Listing, view: Any) -> Callable[[str], str]:
    """How a group is named: a team by its name in teams.yml, an id of a fixed set as a label, else its key."""
    if listing is TEAMS:
        return lambda k: team.name if (team := view.teams.get(k)) else k
    return label if listing.labelled else str


def describer(listing: Listing, view: Any) -> Callable[[str], str]:
    """A group's description: a tag's from tags.yml, a team's from teams.yml, else none."""
    if listing is TAGS:
        return lambda k: view.tags.get(k, "")
    if listing is TEAMS:
        return lambda k: (team.description or "") if (team := view.teams.get(k)) else ""
    return lambda k: ""
