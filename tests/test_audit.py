"""`handbook audit` and core.audit.scan: leaks planted by hand into each kind of file of a
built public site are found, named by file and by what leaked; a clean site raises no alarm."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MKDOCS_YML, REPO, build_site, lesson, story, write_tree
from variant_support import clear

from handbook_gen.cli import handbook
from handbook_gen.core.audit import scan
from handbook_gen.core.validation import check

AUTHORS = """\
ada:
  name: Ada Lovelace
  team: platform
  public: true
bob:
  name: Roberta Quillfeather
  team: data
"""

# A tiny but real PNG (1x1), made unique by a text chunk: used only by the internal story.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a2d6a6b10000000049454e44ae426082"
)
INTERNAL_PNG = PNG[:-12] + b"\x00\x00\x00\x0ctEXtComment\x00ledgerx" + PNG[-12:]

INTERNAL_TITLE = "The ledger replica fell behind"
INTERNAL_SUMMARY = "Replication to the ledger replica stalled for six hours during the quarter close."
INTERNAL_BODY = "The replica kept applying a single enormous transaction while the primary moved on without it."
INTERNAL_IMPACT = "Finance closed the quarter two days late with manual reconciliation"
SECTION = "The customer was Northwind Traders and the host was db-ledger-07."
MAPPING = "INC-90210 escalated to the vendor"
FOLLOW_UP = "Rotate the vendor escalation contacts"
PRIVATE_SUMMARY = "Checkout broke for Northwind Traders because the cache key dropped the region."
LESSON_TITLE = "Watch replication lag closely"
LESSON_SECTION = "The restore drill results sit in the finance vault for the auditors."
PAGE_BODY = "The on-call rota lives in the vault and the pager number is never shared outside."


def audit_tree() -> dict:
    return {
        "mkdocs.yml": MKDOCS_YML,
        "stories": {
            "index.md": "---\ntitle: Home\n---\n\n# Home\n\nWelcome to our handbook of failures.\n",
            "culture.md": "---\ntitle: Culture\n---\n\n# Culture\n\nWe tell our failures openly.\n",
            "runbook.md": f"---\ntitle: Staff runbook\nvisibility: internal\n---\n\n# Staff runbook\n\n{PAGE_BODY}\n",
            "authors.yml": AUTHORS,
            "lessons": {
                "keep-backups.md": lesson().replace("Restore them regularly.", f"Restore them regularly.\n\n<!-- internal -->\n{LESSON_SECTION}\n<!-- /internal -->"),
                "watch-replication.md": lesson(LESSON_TITLE, "Replication lag is an outage in waiting.", extra="visibility: internal\n"),
            },
            "2021": {
                "cache-key-dropped-the-region.md": story(
                    "Cache key dropped the region",
                    summary=PRIVATE_SUMMARY,
                    authors="[ada, bob]",
                    extra=f"""\
visibility: public
public_summary: Checkout broke in one region because a cache key left out the region.
follow_ups: [{{title: {FOLLOW_UP}, status: done}}]
internal: {{ticket: {MAPPING}}}
""",
                    body=f"## What happened\n\nA cache key change left out the region, so one region saw another's prices.\n\n"
                         f"<!-- internal -->\n{SECTION}\n<!-- /internal -->\n\nWe added the region back and a test for it.\n",
                ),
                "ledger-replica-fell-behind.md": story(
                    INTERNAL_TITLE,
                    date="2021-06-07",
                    summary=INTERNAL_SUMMARY,
                    authors="[bob]",
                    lessons="[watch-replication]",
                    extra=f"impact: {INTERNAL_IMPACT}\n",
                    body=f"## What happened\n\n{INTERNAL_BODY}\n\n![lag](ledger-lag.png)\n",
                ),
                "ledger-lag.png": INTERNAL_PNG,
            },
        },
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("audit") / "hb"
    write_tree(root, audit_tree())
    clear(root, "cache-key-dropped-the-region")
    return root, build_site(root, "public")


@pytest.fixture
def site(built: tuple[Path, Path], tmp_path: Path) -> Path:
    """A fresh copy of the clean public site to plant leaks in."""
    return Path(shutil.copytree(built[1], tmp_path / "public"))


def _scan(root: Path, site: Path):
    hb, problems = check(root / "stories", root)
    return scan(site, hb)


def _audit_cli(root: Path, site: Path):
    return CliRunner().invoke(handbook, ["-f", str(root / "mkdocs.yml"), "audit", str(site)])


def _insert_html(path: Path, snippet: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert "</article>" in text
    path.write_text(text.replace("</article>", f"{snippet}</article>", 1), encoding="utf-8")


def test_clean_site_passes(built):
    root, public = built
    assert _scan(root, public) == []
    result = _audit_cli(root, public)
    assert result.exit_code == 0, result.output
    assert "no leaks" in result.output


def _plant_html(site: Path, text: str) -> str:
    _insert_html(site / "2021" / "cache-key-dropped-the-region" / "index.html", f"<p>{text}</p>")
    return "2021/cache-key-dropped-the-region/index.html"


def _plant_search(site: Path, text: str) -> str:
    path = site / "search" / "search_index.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    index["docs"].append({"location": "stats/#x", "title": "Stats", "text": f"<p>{text}</p>"})
    path.write_text(json.dumps(index), encoding="utf-8")  # ensure_ascii: non-ASCII escaped as in MkDocs
    return "search/search_index.json"


def _plant_sitemap_gz(site: Path, text: str) -> str:
    path = site / "sitemap.xml.gz"
    xml = gzip.decompress(path.read_bytes()).decode()
    path.write_bytes(gzip.compress(xml.replace("</urlset>", f"<url><loc>{text}</loc></url></urlset>").encode()))
    return "sitemap.xml.gz"


def _plant_js(site: Path, text: str) -> str:
    bundle = next((site / "assets" / "javascripts").glob("bundle.*.min.js"))
    with bundle.open("a", encoding="utf-8") as handle:
        handle.write(f'\nconsole.log({json.dumps(text)});\n')
    return bundle.relative_to(site).as_posix()


def _plant_feed(site: Path, text: str) -> str:
    path = site / "feed.xml"
    path.write_text(path.read_text().replace("</channel>", f"<item><title>{text}</title></item></channel>"), encoding="utf-8")
    return "feed.xml"


def _plant_404(site: Path, text: str) -> str:
    _insert_html(site / "404.html", f"<p>{text}</p>")
    return "404.html"


PLANTERS = {
    "html": _plant_html,
    "search-index": _plant_search,
    "sitemap-gz": _plant_sitemap_gz,
    "js": _plant_js,
    "feed": _plant_feed,
    "404": _plant_404,
}

LEAKS = {
    "internal title": (INTERNAL_TITLE, "title of internal story 'ledger-replica-fell-behind'"),
    "internal summary": (INTERNAL_SUMMARY, "summary of internal story 'ledger-replica-fell-behind'"),
    "internal body": (INTERNAL_BODY, "body of internal story 'ledger-replica-fell-behind'"),
    "internal impact": (INTERNAL_IMPACT, "impact of internal story 'ledger-replica-fell-behind'"),
    "internal section": (SECTION, "internal section of story 'cache-key-dropped-the-region'"),
    "internal mapping": (MAPPING, "'internal' value of story 'cache-key-dropped-the-region'"),
    "follow-up title": (FOLLOW_UP, "follow-up title of story 'cache-key-dropped-the-region'"),
    "private summary": (PRIVATE_SUMMARY, "internal summary of story 'cache-key-dropped-the-region'"),
    "lesson internal section": (LESSON_SECTION, "internal section of lesson 'keep-backups'"),
    "internal lesson": (LESSON_TITLE, "title of internal lesson 'watch-replication'"),
    "internal page": (PAGE_BODY, "body of internal page 'runbook.md'"),
    "private author": ("Roberta Quillfeather", "name of non-public author 'bob'"),
}


@pytest.mark.parametrize("kind", PLANTERS)
def test_leak_found_in_each_kind_of_file(built, site, kind):
    root, _ = built
    text, what = LEAKS["internal title"]
    rel = PLANTERS[kind](site, text)
    result = _audit_cli(root, site)
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if ": leak: " in line]
    assert lines == [f"{Path(site, rel).as_posix()}: leak: {what}: '{text.lower()}'"]
    assert "1 leak in 1 of" in result.output


def test_each_kind_of_leak_is_named(built, site):
    root, _ = built
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html"))
    assert len(pages) >= len(LEAKS)
    planted = {}
    for (text, what), rel in zip(LEAKS.values(), pages, strict=False):
        _insert_html(site / rel, f"<p>{text.replace(chr(39), '&#39;')}</p>")
        planted[rel] = what
    found: dict[str, list[str]] = {}
    for leak in _scan(root, site):
        found.setdefault(leak.file, []).append(leak.what)
    assert set(found) == set(planted)
    for rel, what in planted.items():
        assert any(w.startswith(what) for w in found[rel]), (rel, what, found[rel])


def test_leak_reformatted_by_markup_is_found(built, site):
    root, _ = built
    # Words split by tags, entities and line breaks, as Markdown rendering would.
    rel = _plant_html(site, "The <em>ledger</em>\n  replica&nbsp;fell <strong>behind</strong>")
    assert [leak.file for leak in _scan(root, site)] == [rel]


def test_internal_story_url_is_found(built, site):
    root, _ = built
    rel = _plant_html(site, '<a href="/2021/ledger-replica-fell-behind/">more</a>')
    leaks = _scan(root, site)
    assert [(leak.file, leak.what) for leak in leaks] == [(rel, "id of left-out 'ledger-replica-fell-behind'")]
    rel2 = _plant_sitemap_gz(site, "https://handbook.example.com/2021/ledger-replica-fell-behind/")
    assert {leak.file for leak in _scan(root, site)} == {rel, rel2}


def test_data_file_copied_in_is_found(built, site):
    root, _ = built
    shutil.copy(root / "stories" / "authors.yml", site / "authors.yml")
    (site / "assets").mkdir(exist_ok=True)
    shutil.copy(root / "stories" / "authors.yml", site / "assets" / "tags.yml")
    leaks = _scan(root, site)
    assert ("authors.yml", "data file authors.yml copied into the site") in [(leak.file, leak.what) for leak in leaks]
    assert "assets/tags.yml" in {leak.file for leak in leaks}
    # The private author's name inside it is a leak of its own.
    assert any(leak.file == "authors.yml" and "non-public author 'bob'" in leak.what for leak in leaks)
    result = _audit_cli(root, site)
    assert result.exit_code == 1 and f"{site.as_posix()}/authors.yml: leak:" in result.stdout


def test_internal_asset_copied_in_is_found(built, site):
    root, _ = built
    assert not (site / "2021" / "ledger-lag.png").exists()
    target = site / "assets" / "images" / "renamed.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "stories" / "2021" / "ledger-lag.png", target)
    leaks = _scan(root, site)
    assert [(leak.file, leak.what) for leak in leaks] == [
        ("assets/images/renamed.png", "copy of asset '2021/ledger-lag.png', which no public page uses")]
    gz = site / "2021" / "lag.png.gz"
    gz.write_bytes(gzip.compress((root / "stories" / "2021" / "ledger-lag.png").read_bytes()))
    assert "2021/lag.png.gz" in {leak.file for leak in _scan(root, site)}


def test_leaks_in_several_files_are_all_listed(built, site):
    root, _ = built
    rels = {planter(site, LEAKS["private author"][0]) for planter in PLANTERS.values()}
    result = _audit_cli(root, site)
    assert result.exit_code == 1
    for rel in rels:
        assert f"{Path(site, rel).as_posix()}: leak: name of non-public author 'bob'" in result.stdout
    assert f"{len(rels)} leaks in {len(rels)} of" in result.output


def test_sample_handbook_raises_no_false_alarm(tmp_path):
    """The sample handbook of this repository builds a public site the audit finds clean."""
    root = tmp_path / "sample"
    root.mkdir()
    for name in ("stories", "overrides"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    public = build_site(root, "public", tmp_path / "public")  # the build audits itself too
    result = _audit_cli(root, public)
    assert result.exit_code == 0, result.output
    assert "no leaks" in result.output
    hb, _ = check(root / "stories", root)
    assert any(s.meta.visibility == "public" for s in hb.stories.values())
    assert (public / "search" / "search_index.json").is_file()
