"""The shared corpus of real post-mortems: valid, and every story built and searchable."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from conftest import CORPUS, REPO, build_site
from variant_support import pagefind_records

from handbook_gen.core.diagnostics import Severity
from handbook_gen.core.frontmatter import parse
from handbook_gen.core.validation import check

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")


@pytest.fixture(scope="module")
def corpus_handbook(tmp_path_factory):
    """The corpus stories under this repo's mkdocs.yml and overrides/."""
    root = tmp_path_factory.mktemp("corpus") / "hb"
    shutil.copytree(CORPUS, root / "stories", symlinks=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", root / "overrides")
    shutil.copytree(REPO / "placeholder", root / "placeholder")
    return root


def story_files(root):
    stories = root / "stories"
    return sorted(
        p for p in stories.rglob("*.md")
        if p.parent != stories and p.relative_to(stories).parts[0] != "lessons"
    )


def test_corpus_has_no_errors(corpus_handbook):
    hb, problems = check(corpus_handbook / "stories", corpus_handbook, today=dt.date.today())
    errors = [d.text() for d in problems if d.severity is Severity.ERROR]
    assert errors == []
    assert len(hb.stories) == len(story_files(corpus_handbook)) > 0


def test_corpus_builds_one_page_per_story_all_searchable(corpus_handbook):
    files = story_files(corpus_handbook)
    site = build_site(corpus_handbook, "internal")
    stories_dir = corpus_handbook / "stories"
    pages = [site / p.relative_to(stories_dir).with_suffix("") / "index.html" for p in files]
    missing = [p for p in pages if not p.is_file()]
    assert missing == []
    assert len(pages) == len(files)

    records = pagefind_records(site)  # the site's search index
    indexed = {record["meta"]["title"] for record in records.values()}
    located = {url.lstrip("/") for url in records}
    absent = []
    for path in files:
        doc, problems = parse(path.name, path.read_text(encoding="utf-8"))
        assert problems == []
        title = doc.data["title"]
        url = path.relative_to(stories_dir).with_suffix("").as_posix() + "/"
        if title not in indexed or url not in located:
            absent.append((url, title))
    assert absent == []
