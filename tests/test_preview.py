"""`serve` renders again only what changed, and keeps search whole."""

from __future__ import annotations

import json
import os
import time

from conftest import REPO
from mkdocs.commands.build import build

from handbook_gen.cli import configure


def _serve_build(root, site):
    config = configure.load(str(root / "mkdocs.yml"), "internal", site_dir=str(site))
    build(config, serve_url="http://127.0.0.1:8000/", dirty=True)
    return config


def test_a_dirty_preview_renders_only_changed_pages_and_keeps_search_whole(tmp_path):
    import shutil

    root = tmp_path / "hb"
    for name in ("stories", "overrides", "placeholder"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    site = tmp_path / "site"
    config = configure.load(str(root / "mkdocs.yml"), "internal", site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=True)  # as `mkdocs serve --dirty` does, once
    try:
        build(config, serve_url="http://127.0.0.1:8000/", dirty=True)
        index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
        before = sorted(d["location"] for d in index["docs"])
        edited = site / "2022" / "cache-stampede-after-a-flush" / "index.html"
        untouched = site / "2021" / "shipped-someone-elses-installer" / "index.html"
        stamps = {p: p.stat().st_mtime_ns for p in (edited, untouched)}
        time.sleep(0.01)
        story = root / "stories" / "2022" / "cache-stampede-after-a-flush.md"
        story.write_text(story.read_text(encoding="utf-8").replace("A merchant reported", "A merchant (zqxedit) reported"), encoding="utf-8")
        _serve_build(root, site)
        assert edited.stat().st_mtime_ns != stamps[edited]
        assert untouched.stat().st_mtime_ns == stamps[untouched]  # not rendered again
        assert "zqxedit" in edited.read_text(encoding="utf-8")
        index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
        assert sorted(d["location"] for d in index["docs"]) == before  # every page still searchable, once
        assert any("zqxedit" in d["text"] for d in index["docs"])
    finally:
        config.plugins.on_startup(command="build", dirty=False)
        os.environ.pop("HANDBOOK_VARIANT", None)


def test_a_preview_with_content_errors_shows_them_on_every_page_and_the_fix_brings_the_site_back(make_handbook, tmp_path, caplog):
    import logging
    import re

    from conftest import story

    root = make_handbook({"stories": {"2021": {"second.md": story("Second", body="See [the first](first-story.md).\n")}}})
    site = tmp_path / "site"
    pages = ["index.html", "2021/first-story/index.html", "2021/second/index.html", "lessons/keep-backups/index.html", "culture/index.html"]

    def headings() -> dict[str, str]:
        return {p: re.findall(r"<h1[^>]*>(.*?)</h1>", (site / p).read_text(encoding="utf-8"))[0] for p in pages}

    config = configure.load(str(root / "mkdocs.yml"), "internal", site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=True)
    try:
        build(config, serve_url="http://127.0.0.1:8000/", dirty=True)
        good = headings()
        assert good["2021/first-story/index.html"] == "A story worth telling"
        edited = root / "stories" / "2021" / "first-story.md"
        text = edited.read_text(encoding="utf-8")
        edited.write_text(text.replace("title:", "titel:"), encoding="utf-8")  # the typo being saved
        caplog.clear()
        with caplog.at_level(logging.INFO):
            _serve_build(root, site)
        # The page being edited, the others, generated ones: none keeps its old version.
        assert set(headings().values()) == {"2 errors in the content"}
        assert "titel" in (site / "2021/first-story/index.html").read_text(encoding="utf-8")  # the error itself
        handbook_warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "dirty" not in r.getMessage()]
        assert handbook_warnings == []  # no lesson "taught by no story": its story only failed to load
        assert any(r.levelno == logging.ERROR and "titel" in r.getMessage() for r in caplog.records)
        edited.write_text(text, encoding="utf-8")  # the save that fixes it
        _serve_build(root, site)
        assert headings() == good
    finally:
        config.plugins.on_startup(command="build", dirty=False)
