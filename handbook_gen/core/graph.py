"""The story <-> lesson graph: who taught what, related stories, orphan lessons."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reach:
    """How widely a lesson was taught: stories, teams, first and last year."""

    stories: int
    teams: int
    first_year: int | None
    last_year: int | None

    def sentence(self) -> str:
        """Describe the reach, e.g. 'taught by 5 stories across 3 teams, 2019-2024'."""
        if not self.stories:
            return "not yet taught by any story"
        out = f"taught by {self.stories} stor{'y' if self.stories == 1 else 'ies'}"
        if self.teams:
            out += f" across {self.teams} team{'' if self.teams == 1 else 's'}"
        if self.first_year == self.last_year:
            return f"{out}, {self.first_year}"
        return f"{out}, {self.first_year}-{self.last_year}"


def taught_by(stories: Iterable, lesson_ids: Iterable[str]) -> dict[str, list]:  # type: ignore[type-arg]
    """Map each lesson id to the stories that taught it, newest first."""
    out: dict[str, list] = {lid: [] for lid in lesson_ids}  # type: ignore[type-arg]
    for story in stories:
        for lid in story.lessons:
            if lid in out and story not in out[lid]:
                out[lid].append(story)
    for items in out.values():
        items.sort(key=lambda s: (s.date, s.id), reverse=True)
    return out


def reach(stories: list) -> Reach:  # type: ignore[type-arg]
    """Summarise the stories that taught a lesson."""
    teams = {t for s in stories for t in s.teams}
    years = [s.date.year for s in stories]
    return Reach(len(stories), len(teams), min(years, default=None), max(years, default=None))


def related(stories: Mapping[str, Any]) -> dict[str, list[str]]:
    """Map each story id to its related stories, declared in either direction."""
    out: dict[str, list[str]] = {sid: [] for sid in stories}
    for sid, story in stories.items():
        for other in story.related:
            if other in out and other != sid:
                if other not in out[sid]:
                    out[sid].append(other)
                if sid not in out[other]:
                    out[other].append(sid)
    return out


def orphans(lesson_ids: Iterable[str], stories: Iterable) -> list[str]:  # type: ignore[type-arg]
    """List lessons that no story teaches."""
    taught = {lid for s in stories for lid in s.lessons}
    return [lid for lid in lesson_ids if lid not in taught]
