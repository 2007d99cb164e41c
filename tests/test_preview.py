"""`serve` renders again only what changed, and keeps search whole."""

from __future__ import annotations

import json
import os
import time

from conftest import REPO
from mkdocs.commands.build import build
from mkdocs.config import load_config

from handbook_gen.plugin.plugin import force_variant


def _serve_build(root, site):
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
    build(config, serve_url="http://127.0.0.1:8000/", dirty=True)
    return config


def test_a_dirty_preview_renders_only_changed_pages_and_keeps_search_whole(tmp_path):
    import shutil

    root = tmp_path / "hb"
    for name in ("stories", "overrides", "placeholder"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    site = tmp_path / "site"
    force_variant("internal")
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
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
        force_variant(None)
        os.environ.pop("HANDBOOK_VARIANT", None)
