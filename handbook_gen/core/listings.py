"""The listings of stories (by year, team, tag, kind, severity): one table for every reader.

The renderer, the navigation, the statistics page and the layout's reserved folders all
read LISTINGS; none of them spells a listing out again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .schema import KINDS, SEVERITIES


@dataclass(frozen=True)
class Listing:
    """One way of grouping stories, and how its pages are named."""

    folder: str  # the site folder of its pages: years/2021.md, years/index.md
    title: str  # of its index page
    nav: str  # its label in the navigation
    noun: str  # one group's title: "Team: platform"
    keys: Callable[[Any], Iterable[str]]  # the groups a story (any view of one) belongs to
    order: Sequence[str] | None = None  # a fixed order of groups; else sorted
    newest_first: bool = False  # groups sorted in reverse (years)
    labelled: bool = False  # group names are ids shown as labels ("near-miss" -> "Near-miss")

    @property
    def index(self) -> str:
        return f"{self.folder}/index.md"

    def page(self, key: str) -> str:
        """The source path of one group's page."""
        return f"{self.folder}/{key}.md"

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


YEARS = Listing("years", "Stories by year", "By year", "Year", lambda s: [str(s.date.year)], newest_first=True)
TEAMS = Listing("teams", "Stories by team", "By team", "Team", lambda s: s.teams)
TAGS = Listing("tags", "Stories by tag", "By tag", "Tag", lambda s: s.tags)
KINDS_ = Listing("kinds", "Stories by kind", "By kind", "Kind", lambda s: [s.kind], order=KINDS, labelled=True)
SEVERITIES_ = Listing("severities", "Stories by severity", "By severity", "Severity", lambda s: [s.severity] if s.severity else [], order=SEVERITIES, labelled=True)

LISTINGS: tuple[Listing, ...] = (YEARS, TEAMS, TAGS, KINDS_, SEVERITIES_)
