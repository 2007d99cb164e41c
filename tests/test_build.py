"""Real builds: nothing that belongs to a variant is lost, whatever MkDocs' own excludes say."""

from __future__ import annotations

import json

from conftest import MKDOCS_YML, build_site, story


def _locations(site):
    return {doc["location"] for doc in json.loads((site / "search" / "search_index.json").read_text())["docs"]}


def test_story_in_a_folder_mkdocs_excludes_by_default_is_built(make_handbook):
    # MkDocs' default exclude_docs drops any templates/ folder; a story there is still content.
    root = make_handbook({"stories": {"templates": {"kept-story.md": story("Kept despite the folder name")}}})
    site = build_site(root)
    assert (site / "templates" / "kept-story" / "index.html").is_file()
    assert "templates/kept-story/" in _locations(site)


def test_user_excludes_and_drafts_cannot_drop_a_story(make_handbook):
    config = MKDOCS_YML + "exclude_docs: |\n  2021/first-story.md\ndraft_docs: |\n  2021/other.md\n"
    root = make_handbook({"mkdocs.yml": config, "stories": {"2021": {"other.md": story("Another story to keep")}}})
    site = build_site(root)
    assert {"2021/first-story/", "2021/other/"} <= _locations(site)
