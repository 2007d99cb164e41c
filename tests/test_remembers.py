"""The handbook remembers: lessons over time, lessons that recur, "On this day"; the build date from SOURCE_DATE_EPOCH."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import build_site, lesson, story

from handbook_gen.core import graph, statistics
from handbook_gen.core.clearance import digest, with_clearance
from handbook_gen.core.loading import load
from handbook_gen.render.pages import build_date

BUILT_ON = dt.date(2025, 6, 15)
EPOCH = str(int(dt.datetime(2025, 6, 15, 12, tzinfo=dt.UTC).timestamp()))


def _s(sid: str, date: str) -> SimpleNamespace:
    return SimpleNamespace(id=sid, date=dt.date.fromisoformat(date))


def test_a_lesson_says_when_it_was_taught_again():
    years = graph.over_time([_s("a", "2019-01-01"), _s("b", "2023-02-01"), _s("c", "2023-05-01"), _s("d", "2025-01-01")])
    assert years == [(2019, 1), (2023, 2), (2025, 1)]
    assert graph.remembered(years) == "First taught in 2019, taught again in 2023 (2 stories) and 2025."
    assert graph.remembered([(2021, 3)]) == "Taught in 2021 (3 stories)."
    assert graph.remembered([]) == ""


def test_on_this_day_is_the_same_month_and_day_in_an_earlier_year_only():
    stories = [_s("now", "2025-06-15"), _s("last", "2024-06-15"), _s("near", "2024-06-14"), _s("old", "2019-06-15")]
    assert [s.id for s in statistics.on_this_day(stories, BUILT_ON)] == ["last", "old"]


def test_the_last_three_years_end_on_the_build_date_and_start_the_day_after_the_same_date_three_years_earlier():
    view = SimpleNamespace(lessons={"l": SimpleNamespace(title="L"), "m": SimpleNamespace(title="M")})
    taught = {
        "l": [_s("in", "2022-06-16"), _s("also", "2025-06-15"), _s("out", "2022-06-15"), _s("later", "2025-06-16")],
        "m": [_s("once", "2024-01-01")],  # taught once: it does not recur
    }
    assert statistics.recurring(view, taught, BUILT_ON) == [("L", 2, "lessons/l.md")]  # type: ignore[arg-type]
    assert statistics.since(dt.date(2024, 2, 29), 3) == dt.date(2021, 2, 28)


def test_the_build_date_is_the_day_source_date_epoch_names(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert build_date() == BUILT_ON
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_date() == dt.date.today()


PUBLIC = "visibility: public\n"


def _text(page: Path) -> str:
    """A built page's article as plain text, one space between words."""
    html = page.read_text(encoding="utf-8")
    article = html[html.index("<article"):html.index("</article>")]
    return " ".join(re.sub(r"<[^>]+>", " ", article).split())


@pytest.fixture(scope="module")
def handbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import base_tree, write_tree

    root = tmp_path_factory.mktemp("remembers")
    write_tree(root, base_tree())
    write_tree(root, {"stories": {
        "lessons": {"say-it-early.md": lesson("Say it early", "Raise the alarm before you are sure.")},
        "2019": {"old-june.md": story("An old June outage", date="2019-06-15", extra=PUBLIC)},
        "2023": {"winter.md": story("A winter outage", date="2023-01-10"), "autumn.md": story("An autumn outage", date="2023-09-01")},
        "2024": {"june.md": story("A June outage", date="2024-06-15", lessons="[say-it-early]")},
        "2025": {
            "spring.md": story("A spring outage", date="2025-02-01", lessons="[keep-backups, say-it-early]"),
            "after.md": story("After the build date", date="2025-08-01", lessons="[say-it-early]"),
        },
    }})
    hb, _ = load(root / "stories", root)
    entry = hb.stories["old-june"]  # public: the public home page could show it, and must not
    (root / "stories" / entry.src).write_text(with_clearance(hb.sources[entry.src], "bob", BUILT_ON, digest(entry)), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def sites(handbook: Path) -> dict[str, Path]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return {v: build_site(handbook, v) for v in ("internal", "public")}


def test_a_lesson_page_shows_its_stories_year_by_year(sites):
    text = _text(sites["internal"] / "lessons" / "keep-backups" / "index.html")
    assert "This lesson was taught by 5 stories, 2019-2025." in text  # the reach, its dash not escaped
    assert "First taught in 2019, taught again in 2021, 2023 (2 stories) and 2025." in text
    assert re.search(r"2025 A spring outage .* 2023 An autumn outage .* A winter outage .* 2021 .* 2019 An old June outage", text)


def test_the_statistics_page_lists_the_lessons_taught_again_in_the_three_years_before_the_build(sites):
    text = _text(sites["internal"] / "stats" / "index.html")
    recur = text[text.index("Lessons taught again"):]
    # keep-backups: winter, autumn, spring; say-it-early: june and spring (after the build date does not count).
    assert re.match(r"Lessons taught again in the last 3 years Keep backups 3 Say it early 2\b", recur)


def test_the_internal_home_page_shows_on_this_day_and_the_public_one_does_not(sites):
    text = _text(sites["internal"] / "index.html")
    assert "On this day 2024: A June outage 2019: An old June outage" in text
    assert "On this day" not in _text(sites["public"] / "index.html")
    assert "An old June outage" in _text(sites["public"] / "2019" / "old-june" / "index.html")
