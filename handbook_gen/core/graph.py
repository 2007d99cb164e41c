"""The story <-> lesson graph: who taught what, related stories, orphan lessons."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
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
    seen: set[tuple[str, str]] = set()  # (lesson, story id): a story named twice, or a lesson listed twice, counts once
    for story in stories:
        for lid in story.lessons:
            if lid in out and (lid, story.id) not in seen:
                seen.add((lid, story.id))
                out[lid].append(story)
    for items in out.values():
        items.sort(key=lambda s: (s.date, s.id), reverse=True)
    return out


def reach(stories: list) -> Reach:  # type: ignore[type-arg]
    """Summarise the stories that taught a lesson."""
    teams = {t for s in stories for t in s.teams}
    years = [s.date.year for s in stories]
    return Reach(len(stories), len(teams), min(years, default=None), max(years, default=None))


def over_time(stories: Iterable) -> list[tuple[int, int]]:  # type: ignore[type-arg]
    """Count a lesson's stories per year, oldest year first: [(2019, 2), (2023, 1)]."""
    return sorted(Counter(s.date.year for s in stories).items())


def remembered(years: Sequence[tuple[int, int]]) -> str:
    """Say when a lesson was taught, e.g. 'First taught in 2019 (2 stories), taught again in 2023 and 2025.'"""
    if not years:
        return ""

    def when(year: int, n: int) -> str:
        return f"{year} ({n} stories)" if n > 1 else str(year)

    first, again = when(*years[0]), [when(*y) for y in years[1:]]
    if not again:
        return f"Taught in {first}."
    listed = again[0] if len(again) == 1 else ", ".join(again[:-1]) + " and " + again[-1]
    return f"First taught in {first}, taught again in {listed}."


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
