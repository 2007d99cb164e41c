"""Real builds: nothing that belongs to a variant is lost, whatever MkDocs' own excludes say."""

from __future__ import annotations

import json

from conftest import MKDOCS_YML, build_site, story


def _locations(site):
    """The pages the site's search finds: those Pagefind indexes (or Material's index lists, without Pagefind)."""
    material = {doc["location"] for doc in json.loads((site / "search" / "search_index.json").read_text())["docs"]}
    pagefind = {page.parent.relative_to(site).as_posix() + "/" for page in site.rglob("index.html")
                if "data-pagefind-body" in page.read_text(encoding="utf-8")}
    return material | pagefind


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


def test_asset_next_to_an_internal_story_stays_internal_even_when_linked(make_handbook):
    from variant_support import clear

    public_story = story(
        "A public story with pictures",
        extra="visibility: public\n",
        body="![shared](shared.svg)\n\n![borrowed](first-story-diagram.svg)\n\n![own](pictures/own.svg)\n",
    )
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>{}</text></svg>'
    root = make_handbook({"stories": {"2021": {
        "pictures.md": public_story,
        "shared.svg": svg.format("shared picture"),
        "first-story-diagram.svg": svg.format("Zqxdiagram of the internal story"),
        "pictures": {"own.svg": svg.format("own picture")},
    }}})
    clear(root, "pictures")
    public = build_site(root, "public")
    assert (public / "2021" / "shared.svg").is_file() and (public / "2021" / "pictures" / "own.svg").is_file()
    assert not (public / "2021" / "first-story-diagram.svg").exists()
    page = (public / "2021" / "pictures" / "index.html").read_text()
    assert "first-story-diagram" not in page and "shared.svg" in page
    internal = build_site(root, "internal")
    assert (internal / "2021" / "first-story-diagram.svg").is_file()


def test_logo_kept_in_the_content_folder_is_published(make_handbook):
    config = MKDOCS_YML.replace("  name: material\n", "  name: material\n  logo: images/logo.svg\n")
    root = make_handbook({"mkdocs.yml": config, "stories": {"images": {
        "logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"></svg>', "unused.svg": "<svg/>",
    }}})
    public = build_site(root, "public")
    assert (public / "images" / "logo.svg").is_file()
    assert not (public / "images" / "unused.svg").exists()


def test_sample_handbook_renders_without_markdown_leftovers(tmp_path):
    """Every generated page of the repo's sample renders: no raw link syntax left in any HTML."""
    import re
    import shutil

    from conftest import REPO

    for name in ("stories", "overrides", "placeholder"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    site = build_site(tmp_path, "internal")
    pages = list(site.rglob("index.html"))
    assert len(pages) > 60
    leftovers = [p.relative_to(site).as_posix() for p in pages if re.search(r"\]\([^)\s]+\)|\*\*\w", p.read_text(encoding="utf-8"))]
    assert leftovers == []


def test_sample_builds_strict_and_quiet(tmp_path):
    """`mkdocs build --strict` of the sample passes in both variants, without listing every story."""
    import os
    import shutil
    import subprocess
    import sys

    from conftest import REPO

    for name in ("stories", "overrides", "placeholder"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    for variant in ("internal", "public"):
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "HANDBOOK_VARIANT": variant}
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / variant)],
                                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "not included in the \"nav\"" not in result.stderr
        assert "WARNING" not in result.stderr


def test_tiny_handbook_builds_both_variants(make_handbook):
    root = make_handbook()
    internal = build_site(root, "internal")
    assert (internal / "2021" / "first-story" / "index.html").is_file()
    assert "Internal" in (internal / "index.html").read_text()
    public = build_site(root, "public")
    # The only story is internal (the default), so it is not in the public site.
    assert not (public / "2021" / "first-story").exists()
    assert "first-story" not in (public / "search" / "search_index.json").read_text()


def test_replacing_a_linked_image_after_clearance_needs_a_new_clearance(make_handbook):
    from variant_support import clear

    from handbook_gen.core.validation import check

    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>{}</text></svg>'
    root = make_handbook({"stories": {"2021": {
        "pictures.md": story("A public story with a picture", extra="visibility: public\n", body="![chart](chart.svg)\n"),
        "chart.svg": svg.format("the cleared chart"),
    }}})
    clear(root, "pictures")
    _, problems = check(root / "stories", root)
    assert not [d for d in problems if "pictures" in d.message]
    (root / "stories" / "2021" / "chart.svg").write_text(svg.format("a different, unreviewed chart"))
    _, problems = check(root / "stories", root)
    assert [d.code for d in problems if "'pictures'" in d.message] == ["HB306"]
    public = build_site(root, "public")
    assert not (public / "2021" / "pictures").exists() and not (public / "2021" / "chart.svg").exists()


def test_public_files_option_publishes_unlinked_site_files(make_handbook):
    config = MKDOCS_YML.replace("      variant:", "      public_files: [CNAME]\n      variant:")
    root = make_handbook({"mkdocs.yml": config, "stories": {"CNAME": "handbook.example.com\n", "notes.txt": "unlinked"}})
    public = build_site(root, "public")
    assert (public / "CNAME").read_text() == "handbook.example.com\n"
    assert not (public / "notes.txt").exists()
