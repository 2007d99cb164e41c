"""Reading time and "last updated" on story pages: reading time counted from the words a
variant shows (a public page's only from public text), the date from git's last commit of
the story's file, absent where git knows none."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import build_site, story
from test_readers import article, text_of
from variant_support import clear

from handbook_gen.core import reading
from handbook_gen.render import history

GIT = shutil.which("git")


def words(n: int, word: str = "word") -> str:
    return " ".join([word] * n)


def test_reading_minutes_round_at_220_words_a_minute_and_are_at_least_one():
    assert reading.WORDS_PER_MINUTE == 220
    assert reading.minutes([""]) == 1
    assert reading.minutes([words(329)]) == 1
    assert reading.minutes([words(330)]) == 2  # 1.5 minutes round up
    assert reading.minutes([words(1100)]) == 5
    assert reading.minutes([words(600), None, words(500)]) == 5  # every text counts


def test_link_targets_tags_and_attribute_lists_are_not_words():
    text = ('See [the runbook](https://example.com/a/very/long/path/with/many/parts "and a title") '
            '<span class="hb-chip">now</span> {: .note } done')
    assert reading.words([text]) == 5  # See the runbook now done


def page_time(site: Path, url: str) -> str:
    found = text_of(article(site, url))
    start = found.index("Reading time ")
    return found[start : found.index(" read", start) + len(" read")]


def test_story_pages_show_reading_time_from_the_variants_own_text(make_handbook):
    body = (f"## What happened\n\n{words(440, 'public')}\n\n"
            f"<!-- internal -->\n{words(880, 'secret')}\n<!-- /internal -->\n")
    root = make_handbook({"stories": {"2021": {"first-story.md": story(extra="visibility: public\n", body=body)}}})
    clear(root, "first-story")
    assert page_time(build_site(root, "internal"), "2021/first-story/") == "Reading time 6 min read"
    # The public page holds 440 words and a heading: two minutes, never the internal section's six.
    assert page_time(build_site(root, "public"), "2021/first-story/") == "Reading time 2 min read"


def git(root: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


@needs_git
def test_last_updated_is_the_date_of_the_last_commit_touching_the_story(make_handbook):
    root = make_handbook({"stories": {"2021": {"second.md": story("A second story"), "third.md": story("A third story")}}})
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first", date="2022-01-02T10:00:00+00:00")
    (root / "stories" / "2021" / "first-story.md").write_text(story(body="## What happened\n\nEdited later.\n"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "edit", date="2023-06-07T10:00:00+00:00")
    (root / "stories" / "2021" / "third.md").write_text(story("A third story", body="## What happened\n\nNot committed.\n"), encoding="utf-8")
    (root / "stories" / "2021" / "fourth.md").write_text(story("An untracked story"), encoding="utf-8")
    os.utime(root / "stories" / "2021" / "second.md", (time.time(), time.time()))  # a file's mtime counts for nothing
    site = build_site(root, "internal")
    shown = {sid: text_of(article(site, f"2021/{sid}/")) for sid in ("first-story", "second", "third", "fourth")}
    assert "Last updated 2023-06-07" in shown["first-story"]
    assert "Last updated 2022-01-02" in shown["second"]
    assert "Last updated 2022-01-02" in shown["third"]  # edited, not committed: its last commit's date
    assert "Last updated" not in shown["fourth"]  # untracked


def test_no_last_updated_outside_a_repository(make_handbook):
    root = make_handbook()
    assert history.last_updated(root / "stories", ["2021/first-story.md"]) == {}
    assert "Last updated" not in text_of(article(build_site(root, "internal"), "2021/first-story/"))


def test_no_last_updated_without_git(make_handbook, monkeypatch):
    root = make_handbook()
    monkeypatch.setenv("PATH", str(root / "nowhere"))
    assert history.last_updated(root / "stories", ["2021/first-story.md"]) == {}


@needs_git
def test_one_git_run_stops_once_every_file_is_found(make_handbook):
    root = make_handbook()
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "old", date="2020-01-01T00:00:00+00:00")
    for i in range(3):
        (root / "stories" / "index.md").write_text(f"# Home {i}\n", encoding="utf-8")
        git(root, "commit", "-q", "-am", f"home {i}", date=f"2024-0{i + 1}-01T00:00:00+00:00")
    assert history.last_updated(root / "stories", ["2021/first-story.md", "index.md", "missing.md"]) == {
        "2021/first-story.md": dt.date(2020, 1, 1), "index.md": dt.date(2024, 3, 1)}
