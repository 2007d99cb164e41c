"""A preview that keeps up: files, checks and pages are made again only when what they read changed."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import lesson, story, write_tree
from mkdocs.commands.build import build

from handbook_gen.cli import configure
from handbook_gen.core import loading
from handbook_gen.core.validation import check
from handbook_gen.core.variants import select
from handbook_gen.render import Renderer, site

PUBLIC_STORY = story(
    "Told in public", date="2022-05-06",
    extra="visibility: public\ninternal:\n  host: zqxsecrethost\n",
    body="## What happened\n\nA public text.\n\n<!-- internal -->\nzqxinternalsection on the box.\n<!-- /internal -->\n",
)


def _fresh_load(docs: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A load with an empty cache, as a new process makes it."""
    with monkeypatch.context() as m:
        m.setattr(loading, "_FILES", loading._Files())
        return loading.load(docs, root)


def test_the_loading_cache_gives_what_a_fresh_load_gives_after_edits_adds_and_deletions(make_handbook, monkeypatch):
    root = make_handbook({"stories": {"2021": {"second.md": story("Second")}, "lessons": {"spare.md": lesson("Spare")}}})
    docs = root / "stories"
    hb, problems = loading.load(docs, root)
    first = hb.stories["first-story"]

    def same_as_fresh() -> Any:
        got = loading.load(docs, root)
        assert got == _fresh_load(docs, root, monkeypatch)
        return got

    # Nothing changed: every file's reading is reused as it was.
    hb2, _ = same_as_fresh()
    assert hb2.stories["first-story"].meta is first.meta and hb2.stories["first-story"].parsed is first.parsed
    # An edit is read again; the other files are not.
    (docs / "2021" / "second.md").write_text(story("Second, retold"), encoding="utf-8")
    hb3, _ = same_as_fresh()
    assert hb3.stories["second"].meta.title == "Second, retold"
    assert hb3.stories["first-story"].meta is first.meta
    # Added, deleted, broken, then fixed again.
    write_tree(docs, {"2022": {"third.md": story("Third", date="2022-01-02")}})
    (docs / "lessons" / "spare.md").unlink()
    (docs / "2021" / "first-story.md").write_text(story().replace("title:", "titel:"), encoding="utf-8")
    hb4, p4 = same_as_fresh()
    assert "third" in hb4.stories and "spare" not in hb4.lessons and "first-story" not in hb4.stories
    assert any("titel" in d.message for d in p4)
    (docs / "2021" / "first-story.md").write_text(story(), encoding="utf-8")
    hb5, p5 = same_as_fresh()
    assert hb5.stories["first-story"].meta.title == first.meta.title and not any("titel" in d.message for d in p5)
    # Only the files present are kept.
    assert set(loading._FILES.files) == set(hb5.sources)


def test_the_same_content_read_from_another_root_names_its_own_paths(make_handbook, tmp_path):
    root = make_handbook({"stories": {"2021": {"bad.md": story().replace("date:", "dait:")}}})
    loading.load(root / "stories", root)
    _, problems = loading.load(root / "stories", tmp_path)  # same files, paths relative to another folder
    assert {d.path for d in problems if "dait" in d.message} == {"hb/stories/2021/bad.md"}


def test_a_check_reuses_the_lint_of_unchanged_files_and_lints_an_edit_again(make_handbook):
    root = make_handbook({"stories": {"2021": {"second.md": story("Second", body="Bob was careless.\n")}}})
    docs = root / "stories"
    _, before = check(docs, root, today=dt.date(2026, 1, 1))
    assert any(d.code == "HB401" and d.path.endswith("second.md") for d in before)
    (docs / "2021" / "second.md").write_text(story("Second", body="The check was missing.\n"), encoding="utf-8")
    _, after = check(docs, root, today=dt.date(2026, 1, 1))
    assert not any(d.code == "HB401" for d in after)
    (docs / "2021" / "first-story.md").write_text(story(body="Someone should have known better.\n"), encoding="utf-8")
    _, again = check(docs, root, today=dt.date(2026, 1, 1))
    assert [d.path for d in again if d.code == "HB401"] == ["stories/2021/first-story.md"]


def _table(root: Path, variant: str, memo: site.Memo | None) -> dict[str, str]:
    hb, problems = check(root / "stories", root)
    assert not [d for d in problems if d.severity.value == "error"]
    view = select(hb, variant)
    table = site.build(hb, view, Renderer(view, page_size=2), site_name="T", site_url="", feed_limit=5, memo=memo)
    return {src: e.markdown for src, e in table.pages.items()}


def test_a_memo_of_rendered_pages_gives_each_variant_what_a_build_without_it_gives(make_handbook):
    from handbook_gen.core.clearance import digest, with_clearance

    root = make_handbook({"stories": {"2022": {"told.md": PUBLIC_STORY}}})
    path = root / "stories" / "2022" / "told.md"
    hb, _ = loading.load(root / "stories", root)
    entry = hb.stories["told"]
    path.write_text(with_clearance(hb.sources[entry.src], "ada", entry.meta.date, digest(entry)), encoding="utf-8")
    memo = site.Memo()
    internal = _table(root, "internal", memo)
    assert "zqxinternalsection" in internal["2022/told.md"]
    for variant in ("public", "internal", "public"):  # one memo, variants in turn: never the other's page
        assert _table(root, variant, memo) == _table(root, variant, None)
    public = _table(root, "public", memo)
    assert "zqxinternalsection" not in public["2022/told.md"] and "zqxsecrethost" not in public["2022/told.md"]


@pytest.fixture
def preview(make_handbook, tmp_path):
    """A handbook and a serve-like rebuild of it: one plugin instance, dirty builds, as `handbook serve`."""
    root = make_handbook({"stories": {"2021": {"second.md": story("Second", date="2021-05-06")}}})
    site_dir = tmp_path / "site"
    config = configure.load(str(root / "mkdocs.yml"), "internal", site_dir=str(site_dir))
    config.plugins.on_startup(command="serve", dirty=True)

    def rebuild() -> Any:
        conf = configure.load(str(root / "mkdocs.yml"), "internal", site_dir=str(site_dir))
        build(conf, serve_url="http://127.0.0.1:8000/", dirty=True)
        return conf.plugins["handbook"]

    build(config, serve_url="http://127.0.0.1:8000/", dirty=True)
    try:
        yield root, site_dir, rebuild, config.plugins["handbook"]
    finally:
        config.plugins.on_startup(command="build", dirty=False)
        os.environ.pop("HANDBOOK_VARIANT", None)


def _html(site_dir: Path, page: str) -> str:
    return (site_dir / page).read_text(encoding="utf-8")


def test_a_rebuild_renders_again_only_what_an_edit_touched(preview):
    root, site_dir, rebuild, plugin = preview
    before = dict(plugin.table.pages)
    listing = "years/2021.md"
    assert "Second" in before[listing].markdown
    edited = root / "stories" / "2021" / "second.md"
    edited.write_text(story("Second", date="2021-05-06", body="A new line zqxbodyedit.\n"), encoding="utf-8")
    plugin = rebuild()
    after = plugin.table.pages
    assert "zqxbodyedit" in _html(site_dir, "2021/second/index.html")
    # The body shows on its own page only: the other story and every listing are kept as they were made.
    assert after["2021/first-story.md"].markdown is before["2021/first-story.md"].markdown
    assert after[listing].markdown is before[listing].markdown
    assert plugin.preview.compiled_theme.code and plugin.preview.compiled_pages.code  # templates compiled once
    assert plugin.preview.similar.full == 1  # similar stories: the edited one weighed again, with the kept statistics
    # A title is listed: the listings show the new one.
    edited.write_text(story("Second, renamed zqxtitle", date="2021-05-06"), encoding="utf-8")
    plugin = rebuild()
    assert "zqxtitle" in plugin.table.pages[listing].markdown
    assert "zqxtitle" in _html(site_dir, "years/2021/index.html")
    assert "zqxbodyedit" not in _html(site_dir, "2021/second/index.html")


def test_a_broken_save_shows_the_error_page_and_the_fix_shows_the_new_text(preview):
    root, site_dir, rebuild, _ = preview
    edited = root / "stories" / "2021" / "second.md"
    edited.write_text(story("Second", date="2021-05-06").replace("summary:", "sumary:"), encoding="utf-8")
    rebuild()
    heading = re.findall(r"<h1[^>]*>(.*?)</h1>", _html(site_dir, "2021/second/index.html"))[0]
    assert heading.endswith("in the content")
    assert "sumary" in _html(site_dir, "2021/first-story/index.html")  # every page shows the errors
    edited.write_text(story("Second", date="2021-05-06", body="Fixed, with zqxfixed.\n"), encoding="utf-8")
    rebuild()
    assert "zqxfixed" in _html(site_dir, "2021/second/index.html")
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", _html(site_dir, "2021/first-story/index.html"))[0] == "A story worth telling"


def test_a_file_added_to_the_theme_folder_during_a_preview_is_published(make_handbook, tmp_path):
    from conftest import MKDOCS_YML

    yml = MKDOCS_YML.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
    root = make_handbook({"mkdocs.yml": yml, "overrides": {"assets": {"first.txt": "one"}}})
    site_dir = tmp_path / "site"
    config = configure.load(str(root / "mkdocs.yml"), "internal", site_dir=str(site_dir))
    config.plugins.on_startup(command="serve", dirty=True)
    try:
        build(config, serve_url="http://127.0.0.1:8000/", dirty=True)
        assert (site_dir / "assets" / "first.txt").is_file()
        listed = config.plugins["handbook"].preview.listed
        stamp = listed.stamp
        build(configure.load(str(root / "mkdocs.yml"), "internal", site_dir=str(site_dir)), serve_url="http://127.0.0.1:8000/", dirty=True)
        assert listed.stamp is stamp  # nothing changed: the theme's files were not listed again
        write_tree(root / "overrides", {"assets": {"more": {"second.txt": "two"}}})
        build(configure.load(str(root / "mkdocs.yml"), "internal", site_dir=str(site_dir)), serve_url="http://127.0.0.1:8000/", dirty=True)
        assert (site_dir / "assets" / "more" / "second.txt").read_text(encoding="utf-8") == "two"
    finally:
        config.plugins.on_startup(command="build", dirty=False)
        os.environ.pop("HANDBOOK_VARIANT", None)


def test_a_preview_draws_again_a_cached_image_that_changed_on_disk(preview):
    from handbook_gen.plugin import sharing
    from handbook_gen.render import social

    root, site_dir, rebuild, _ = preview
    assert sharing._PROVEN  # the first build's images, proven
    image = next(path for path, _ in sharing._PROVEN.values() if path.parent == social.cache_dir(root))
    image.write_bytes(b"not the image that was drawn")  # changed behind the preview's back
    rebuild()
    assert image.read_bytes().startswith(b"\x89PNG")  # not taken as proven: checked, and drawn again
