"""Two builds of one checkout are byte-identical; the content is validated once per build."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REPO, build_site

from handbook_gen.core import validation


def _copy_sample(root: Path) -> Path:
    for name in ("stories", "overrides"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_two_builds_of_one_checkout_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = _copy_sample(tmp_path / "hb")
    for variant in ("internal", "public"):
        first = _files(build_site(root, variant, tmp_path / f"{variant}-1"))
        validation._LAST.clear()  # the second build loads everything again
        second = _files(build_site(root, variant, tmp_path / f"{variant}-2"))
        assert sorted(first) == sorted(second)
        differing = [name for name in first if first[name] != second[name]]
        assert differing == [], f"{variant}: {differing[:5]}"
        assert "sitemap.xml.gz" in first and "feed.xml" in first and "search/search_index.json" in first


def test_unchanged_content_is_validated_once(tmp_path, monkeypatch):
    root = _copy_sample(tmp_path / "hb")
    loads = []
    real = validation._check
    monkeypatch.setattr(validation, "_check", lambda *a: loads.append(a) or real(*a))
    validation._LAST.clear()
    hb1, problems1 = validation.check(root / "stories", root)
    hb2, problems2 = validation.check(root / "stories", root)
    assert len(loads) == 1 and hb2 is hb1 and problems2 == problems1
    # An edit of the same size within the same clock tick is still seen.
    story = next((root / "stories").glob("20*/*.md"))
    text = story.read_text(encoding="utf-8")
    story.write_text(text.replace("a", "b", 1), encoding="utf-8")
    validation.check(root / "stories", root)
    assert len(loads) == 2
