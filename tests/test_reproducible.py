"""Two builds of one checkout are byte-identical; the content is validated once per build."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from conftest import REPO, build_site

from handbook_gen.core import validation


def _copy_sample(root: Path) -> Path:
    for name in ("stories", "overrides", "placeholder"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


# Pagefind (1.x) writes its filter and meta files in hash-map order, which changes from run
# to run, and names them (and lists them in its entry file) by the hash of those bytes.
# Everything else must be identical; those are compared by how much they hold instead.
_PAGEFIND_ORDERED = ("pagefind/filter/", "pagefind/pagefind-entry.json", "pagefind/pagefind.")


def _files(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and not p.relative_to(site).as_posix().startswith(_PAGEFIND_ORDERED)
    }


def _pagefind_filters(site: Path) -> list[int]:
    ordered = [*(site / "pagefind" / "filter").glob("*.pf_filter"), *(site / "pagefind").glob("pagefind.*.pf_meta")]
    return sorted(len(gzip.decompress(p.read_bytes())) for p in ordered)


def test_two_builds_of_one_checkout_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = _copy_sample(tmp_path / "hb")
    for variant in ("internal", "public"):
        first_site = build_site(root, variant, tmp_path / f"{variant}-1")
        validation._LAST.clear()  # the second build loads everything again
        second_site = build_site(root, variant, tmp_path / f"{variant}-2")
        first, second = _files(first_site), _files(second_site)
        assert _pagefind_filters(first_site) == _pagefind_filters(second_site) != []
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
