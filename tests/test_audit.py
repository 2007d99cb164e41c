"""`handbook audit` and core.audit.scan: leaks planted by hand into each kind of file of a
built public site are found, named by file and by what leaked; a clean site raises no alarm."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MKDOCS_YML, PLACEHOLDER, REPO, base_tree, build_site, lesson, story, write_tree
from mkdocs.exceptions import Abort
from variant_support import clear

from handbook_gen.cli import handbook
from handbook_gen.core.audit import needles, scan
from handbook_gen.core.validation import check
from handbook_gen.core.variants import Variant, select
from handbook_gen.core.words import normalise

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
        "placeholder": {"index.md": PLACEHOLDER},
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
    "internal title": (INTERNAL_TITLE, "field 'title' of internal story 'ledger-replica-fell-behind'"),
    "internal summary": (INTERNAL_SUMMARY, "field 'summary' of internal story 'ledger-replica-fell-behind'"),
    "internal body": (INTERNAL_BODY, "body of internal story 'ledger-replica-fell-behind'"),
    "internal impact": (INTERNAL_IMPACT, "field 'impact' of internal story 'ledger-replica-fell-behind'"),
    "internal section": (SECTION, "internal section of story 'cache-key-dropped-the-region'"),
    "internal mapping": (MAPPING, "field 'internal' of story 'cache-key-dropped-the-region' (never shown)"),
    "follow-up title": (FOLLOW_UP, "field 'follow_ups.title' of story 'cache-key-dropped-the-region' (only how many, by 'status')"),
    "private summary": (PRIVATE_SUMMARY, "field 'summary' of story 'cache-key-dropped-the-region' ('public_summary' is shown in its place)"),
    "lesson internal section": (LESSON_SECTION, "internal section of lesson 'keep-backups'"),
    "internal lesson": (LESSON_TITLE, "field 'title' of internal lesson 'watch-replication'"),
    "internal page": (PAGE_BODY, "body of internal page 'runbook.md'"),
    "private author": ("Roberta Quillfeather", "field 'name' of non-public author 'bob'"),
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
    # One page per kind of leak: a small site (empty listings are not generated) gets copies.
    for i in range(len(LEAKS) - len(pages)):
        copy = site / f"zz-copy-{i}" / "index.html"
        copy.parent.mkdir()
        copy.write_bytes((site / pages[0]).read_bytes())
        pages.append(copy.relative_to(site).as_posix())
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
        assert f"{Path(site, rel).as_posix()}: leak: field 'name' of non-public author 'bob'" in result.stdout
    assert f"{len(rels)} leaks in {len(rels)} of" in result.output


def test_sample_handbook_raises_no_false_alarm(tmp_path):
    """The sample handbook of this repository builds a public site the audit finds clean."""
    root = tmp_path / "sample"
    root.mkdir()
    for name in ("stories", "overrides", "placeholder"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    public = build_site(root, "public", tmp_path / "public")  # the build audits itself too
    result = _audit_cli(root, public)
    assert result.exit_code == 0, result.output
    assert "no leaks" in result.output
    hb, _ = check(root / "stories", root)
    assert any(s.meta.visibility == "public" for s in hb.stories.values())
    assert (public / "search" / "search_index.json").is_file()


# --- Only cleared public stories excuse a needle: public lessons and pages never do. ---

PAGER_BODY = "Every pager on the rota rang at once for a whole hour."  # an internal story's sentence a cleared story quotes
QUOTING_MKDOCS_YML = MKDOCS_YML + "      audit: false\n"  # the build publishes; the test audits


def _with_body(text: str, body: str) -> str:
    return text.replace("Restore them regularly.", body)


def quoting_tree(mkdocs_yml: str = QUOTING_MKDOCS_YML) -> dict:
    """Public lessons and a public page quoting internal text that `check` lets through (a
    follow-up title, an internal section, an internal story's body, an 'internal' value),
    each also quoting a sentence a cleared public story publishes too."""
    also = f"\n\n{PAGER_BODY}\n"
    return {
        "mkdocs.yml": mkdocs_yml,
        "placeholder": {"index.md": PLACEHOLDER},
        "stories": {
            "index.md": "---\ntitle: Home\n---\n\n# Home\n\nWelcome to our handbook of failures.\n",
            "culture.md": "---\ntitle: Culture\n---\n\n# Culture\n\nWe tell our failures openly.\n",
            "notes.md": f"---\ntitle: Notes\nvisibility: public\n---\n\n# Notes\n\nThe ticket is closed.{also}",
            "authors.yml": AUTHORS,
            "lessons": {
                "keep-backups.md": lesson(),
                "quote-follow-up.md": _with_body(lesson("Quote a follow-up", "Follow-ups travel."), f"We did it.{also}"),
                "quote-section.md": _with_body(lesson("Quote a section", "Sections travel."), f"{SECTION}{also}"),
                "quote-body.md": _with_body(lesson("Quote a body", "Bodies travel."), f"{INTERNAL_BODY}{also}"),
            },
            "2021": {
                "cache-key-dropped-the-region.md": story(
                    "Cache key dropped the region",
                    authors="[ada]",
                    lessons="[keep-backups, quote-follow-up, quote-section, quote-body]",
                    extra=f"""\
visibility: public
follow_ups: [{{title: {FOLLOW_UP}, status: done}}]
internal: {{ticket: {MAPPING}}}
""",
                    body=f"## What happened\n\nA cache key change left out the region. {PAGER_BODY}\n\n"
                         f"<!-- internal -->\n{SECTION}\n<!-- /internal -->\n",
                ),
                "ledger-replica-fell-behind.md": story(
                    INTERNAL_TITLE, date="2021-06-07", summary=INTERNAL_SUMMARY, authors="[bob]", body=f"## What happened\n\n{INTERNAL_BODY}\n",
                ),
                "pager-storm-at-midnight.md": story("The pager storm at midnight", date="2021-07-01", body=f"## What happened\n\n{PAGER_BODY}\n"),
            },
        },
    }


@pytest.fixture(scope="module")
def quoting_built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("quoting") / "hb"
    write_tree(root, quoting_tree())
    clear(root, "cache-key-dropped-the-region")
    site = build_site(root, "public")
    # A follow-up title and an 'internal' value quoted in a source are refused by check (HB308,
    # see test_check_refuses_quoted_follow_ups_and_internal_values): put in the built pages, as
    # a build check did not stop would publish them.
    _insert_html(site / "notes" / "index.html", f"<p>The ticket said {MAPPING}.</p>")
    _insert_html(site / "lessons" / "quote-follow-up" / "index.html", f"<p>We did it: {FOLLOW_UP}.</p>")
    return root, site


FOLLOW_UP_LEAK = "field 'follow_ups.title' of story 'cache-key-dropped-the-region' (only how many, by 'status'): 'rotate the vendor escalation contacts'"
SECTION_LEAK = ("internal section of story 'cache-key-dropped-the-region': "
                "'the customer was northwind traders and the host was db ledger 07'")
BODY_LEAK = ("body of internal story 'ledger-replica-fell-behind': "  # the words shown stop at 80 characters
             "'the replica kept applying a single enormous transaction while the primary moved '")
MAPPING_LEAK = "field 'internal' of story 'cache-key-dropped-the-region' (never shown): 'inc 90210 escalated to the vendor'"


def test_public_lessons_and_pages_quoting_internal_content_are_leaks(quoting_built):
    root, public = quoting_built
    hb, problems = check(root / "stories", root)
    assert [d for d in problems if d.severity.name == "ERROR"] == []  # check lets these through: the audit must not
    assert SECTION in (public / "lessons" / "quote-section" / "index.html").read_text(encoding="utf-8")
    leaks = {(leak.file, leak.what) for leak in scan(public, hb)}
    assert sorted(leak for leak in leaks if leak[0].endswith(".html")) == [
        ("lessons/quote-body/index.html", BODY_LEAK),
        ("lessons/quote-follow-up/index.html", FOLLOW_UP_LEAK),
        ("lessons/quote-section/index.html", SECTION_LEAK),
        ("notes/index.html", MAPPING_LEAK),
    ]
    # The search index holds those built from sources too, whichever search the build made (Material's, Pagefind's).
    search = {leak for leak in leaks if not leak[0].endswith(".html")}
    assert {what for _, what in search} == {BODY_LEAK, SECTION_LEAK}
    assert all(file.startswith(("search/", "pagefind/")) for file, _ in search), search
    result = _audit_cli(root, public)
    assert result.exit_code == 1
    assert f"{(public / 'notes' / 'index.html').as_posix()}: leak: {MAPPING_LEAK}" in result.stdout
    assert f"{len(leaks)} leaks in {len({file for file, _ in leaks})} of" in result.output


TITLE_LEAK = f"field 'title' of internal story 'ledger-replica-fell-behind': '{INTERNAL_TITLE.lower()}'"
SUMMARY_LEAK = "field 'summary' of internal story 'ledger-replica-fell-behind': 'replication to the ledger replica stalled for six hours during the quarter close'"
AUTHOR_LEAK = "field 'name' of non-public author 'bob': 'roberta quillfeather'"
QUOTES = {  # lesson id: what its body quotes, what the audit reports
    "quote-follow-up": (f"Remember when {INTERNAL_TITLE.lower()}.", TITLE_LEAK),
    "quote-section": (f"As the write-up said: {INTERNAL_SUMMARY}", SUMMARY_LEAK),
    "quote-body": ("Ask Roberta Quillfeather how the drill went.", AUTHOR_LEAK),
}


@pytest.fixture
def quoting_sources(quoting_built, tmp_path: Path) -> tuple[Path, Path]:
    """The public lessons' sources now quote an internal story's title and summary and a
    private author's name, and so do their built pages (as a build `check` did not stop
    would publish them): before, the lessons' own words excused the quotes."""
    root = Path(shutil.copytree(quoting_built[0], tmp_path / "hb", ignore=shutil.ignore_patterns("site")))
    site = Path(shutil.copytree(quoting_built[1], tmp_path / "public"))
    for lid, (quote, _) in QUOTES.items():
        source = root / "stories" / "lessons" / f"{lid}.md"
        source.write_text(source.read_text(encoding="utf-8") + f"\n{quote}\n", encoding="utf-8")
        _insert_html(site / "lessons" / lid / "index.html", f"<p>{quote}</p>")
    return root, site


def test_public_lessons_quoting_titles_summaries_and_names_are_leaks(quoting_sources):
    root, site = quoting_sources
    hb, problems = check(root / "stories", root)
    assert {(d.code, d.path) for d in problems if d.severity.name == "ERROR"} == {
        ("HB308", f"stories/lessons/{lid}.md") for lid in QUOTES}  # check refuses them too
    found = {(leak.file, leak.what) for leak in scan(site, hb)}
    for lid, (_, what) in QUOTES.items():
        assert (f"lessons/{lid}/index.html", what) in found
    assert {what for file, what in found if file.startswith("lessons/")} == {
        TITLE_LEAK, SUMMARY_LEAK, AUTHOR_LEAK, BODY_LEAK, FOLLOW_UP_LEAK, SECTION_LEAK}
    assert sorted(file for file, what in found if what in (TITLE_LEAK, SUMMARY_LEAK, AUTHOR_LEAK)) == [
        "lessons/quote-body/index.html", "lessons/quote-follow-up/index.html", "lessons/quote-section/index.html"]


def test_only_cleared_public_stories_excuse_a_needle(quoting_sources):
    root, _ = quoting_sources
    hb, _ = check(root / "stories", root)
    found = {n.text: n.what for n in needles(hb, select(hb, Variant.PUBLIC))[0]}
    # Quoted by public lessons and a public page: still needles.
    assert found[f" {INTERNAL_TITLE.lower()} "] == "field 'title' of internal story 'ledger-replica-fell-behind'"
    assert found[" roberta quillfeather "] == "field 'name' of non-public author 'bob'"
    assert found[normalise(INTERNAL_SUMMARY)] == "field 'summary' of internal story 'ledger-replica-fell-behind'"
    assert found[normalise(FOLLOW_UP)] == "field 'follow_ups.title' of story 'cache-key-dropped-the-region' (only how many, by 'status')"
    assert found[normalise(MAPPING)] == "field 'internal' of story 'cache-key-dropped-the-region' (never shown)"
    # Published by the cleared public story: excused, wherever else it appears.
    assert normalise(PAGER_BODY) not in found
    assert found[" the pager storm at midnight "] == "field 'title' of internal story 'pager-storm-at-midnight'"


def test_check_refuses_quoted_follow_ups_and_internal_values(tmp_path):
    tree = quoting_tree()
    tree["stories"]["notes.md"] = tree["stories"]["notes.md"].replace("The ticket is closed.", f"The ticket said {MAPPING}.")
    tree["stories"]["lessons"]["quote-follow-up.md"] = _with_body(lesson("Quote a follow-up", "Follow-ups travel."), f"We did it: {FOLLOW_UP}.")
    write_tree(tmp_path / "hb", tree)
    _, problems = check(tmp_path / "hb" / "stories", tmp_path / "hb")
    assert sorted((d.code, d.path) for d in problems if d.severity.name == "ERROR") == [
        ("HB308", "stories/lessons/quote-follow-up.md"), ("HB308", "stories/notes.md")]


def test_public_build_refuses_a_lesson_quoting_internal_content(tmp_path, caplog):
    root = tmp_path / "hb"
    write_tree(root, quoting_tree(MKDOCS_YML))
    clear(root, "cache-key-dropped-the-region")
    with pytest.raises(Abort):  # MkDocs logs the plugin's error, then aborts
        build_site(root, "public")
    message = "\n".join(r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert "leaks internal content; do not publish it" in message
    for line in (f"lessons/quote-section/index.html: {SECTION_LEAK}", f"lessons/quote-body/index.html: {BODY_LEAK}"):
        assert line in message.splitlines(), line
    assert normalise(PAGER_BODY).strip() not in message


# --- Text in any script: Unicode words, case folding, NFKC, CJK characters as words. ---

SCRIPTS_STORY = "multilingual-outage"
SCRIPT_PUBLIC = {
    "cyrillic": "Сервис оплаты был недоступен сорок минут.",
    "greek": "Η υπηρεσία πληρωμών έπεσε για σαράντα λεπτά.",
    "chinese": "支付服务中断了四十分钟。",
    "japanese": "決済サービスが四十分間止まった。",
    "korean": "결제 서비스가 사십 분 동안 멈췄다.",
    "arabic": "توقفت خدمة الدفع لمدة أربعين دقيقة.",
}
SCRIPT_INTERNAL = {
    "cyrillic": "Клиентом был банк Северный Ветер из Самары.",
    "greek": "Ο πελάτης ήταν η Τράπεζα Βόρειος Άνεμος στη Θεσσαλονίκη.",
    "chinese": "客户是北风银行，服务器在上海机房。",
    "japanese": "顧客はノースウィンド商事で、サーバーは東京にあった。",
    "korean": "고객은 북풍 은행이었고 서버는 부산에 있었다.",
    "arabic": "كان العميل بنك الريح الشمالية في الرياض.",
}
# The needle each internal section makes, as the audit reports it (normalised by hand).
SCRIPT_NEEDLE = {
    "cyrillic": "клиентом был банк северный ветер из самары",
    "greek": "ο πελάτησ ήταν η τράπεζα βόρειοσ άνεμοσ στη θεσσαλονίκη",
    "chinese": "客 户 是 北 风 银 行 服 务 器 在 上 海 机 房",
    "japanese": "顧 客 は ノ ー ス ウ ィ ン ド 商 事 で サ ー バ ー は 東 京 に あ っ た",
    "korean": "고 객 은 북 풍 은 행 이 었 고 서 버 는 부 산 에 있 었 다",
    "arabic": "كان العميل بنك الريح الشمالية في الرياض",
}


@pytest.fixture(scope="module")
def scripts_built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A cleared public story with a public paragraph and an internal section in each script."""
    root = tmp_path_factory.mktemp("scripts") / "hb"
    body = "## What happened\n\n" + "".join(
        f"{SCRIPT_PUBLIC[k]}\n\n<!-- internal -->\n{SCRIPT_INTERNAL[k]}\n<!-- /internal -->\n\n" for k in SCRIPT_PUBLIC
    )
    tree = audit_tree()
    tree["stories"]["2021"] = {f"{SCRIPTS_STORY}.md": story("Payments went down", authors="[ada]", extra="visibility: public\n", body=body)}
    del tree["stories"]["runbook.md"]
    write_tree(root, tree)
    clear(root, SCRIPTS_STORY)
    return root, build_site(root, "public")


def test_public_text_in_every_script_is_no_leak(scripts_built):
    root, public = scripts_built
    page = (public / "2021" / SCRIPTS_STORY / "index.html").read_text(encoding="utf-8")
    assert all(text in page for text in SCRIPT_PUBLIC.values())
    assert not any(text in page for text in SCRIPT_INTERNAL.values())
    assert _scan(root, public) == []


def _halfwidth_katakana(text: str) -> str:
    return text.replace("ノースウィンド", "ﾉｰｽｳｨﾝﾄﾞ").replace("サーバー", "ｻｰﾊﾞｰ")


ARABIC_WITH_HARAKAT = "كَانَ الْعَمِيلُ بَنْكَ الرِّيحِ الشَّمَالِيَّةِ فِي الرِّيَاضِ."  # the Arabic section, vowels marked


SCRIPT_PLANTS = {
    "cyrillic": lambda t: t,
    "cyrillic upper case": str.upper,
    "greek": lambda t: t,
    "greek upper case": str.upper,
    "chinese": lambda t: t,
    "chinese split by markup": lambda t: t.replace("北风", "<em>北</em>\n风").replace("，", " "),
    "japanese": lambda t: t,
    "japanese half-width katakana": _halfwidth_katakana,
    "korean": lambda t: t,
    "korean without spaces": lambda t: t.replace(" ", ""),
    "arabic": lambda t: t,
    "arabic with harakat": lambda t: ARABIC_WITH_HARAKAT,
}


@pytest.mark.parametrize("case", SCRIPT_PLANTS)
def test_internal_section_in_any_script_is_found(scripts_built, site_of_scripts, case):
    root, _ = scripts_built
    script = case.split()[0]
    planted = SCRIPT_PLANTS[case](SCRIPT_INTERNAL[script])
    assert planted != SCRIPT_INTERNAL[script] or case == script
    rel = f"2021/{SCRIPTS_STORY}/index.html"
    _insert_html(site_of_scripts / rel, f"<p>{planted}</p>")
    assert [(leak.file, leak.what) for leak in _scan(root, site_of_scripts)] == [
        (rel, f"internal section of story '{SCRIPTS_STORY}': '{SCRIPT_NEEDLE[script][:80]}'")
    ]


@pytest.mark.parametrize("script", ["cyrillic", "chinese", "arabic"])
def test_internal_section_in_any_script_is_found_in_the_escaped_search_index(scripts_built, site_of_scripts, script):
    root, _ = scripts_built
    rel = _plant_search(site_of_scripts, SCRIPT_INTERNAL[script])  # json.dumps escapes every non-ASCII character
    assert SCRIPT_INTERNAL[script] not in (site_of_scripts / rel).read_text(encoding="utf-8")
    assert [(leak.file, leak.what) for leak in _scan(root, site_of_scripts)] == [
        (rel, f"internal section of story '{SCRIPTS_STORY}': '{SCRIPT_NEEDLE[script][:80]}'")
    ]


@pytest.fixture
def site_of_scripts(scripts_built, tmp_path: Path) -> Path:
    return Path(shutil.copytree(scripts_built[1], tmp_path / "public"))


@pytest.mark.parametrize(("text", "words"), [
    ("The <em>ledger</em> replica_fell-behind!", " the em ledger em replica fell behind "),
    ("Ａｂｃ\u3000ＤＥＦ ﬁle", " abc def file "),  # NFKC: full-width letters, ideographic space, ligature
    ("ΣΊΣΥΦΟΣ σίσυφος Straße İstanbul", " σίσυφοσ σίσυφοσ strasse istanbul "),  # case folding
    ("Привет, мир!", " привет мир "),
    ("数据库，副本。", " 数 据 库 副 本 "),  # CJK: each character a word
    ("ﾃﾞｰﾀは東京", " デ ー タ は 東 京 "),
    ("고객은 북풍", " 고 객 은 북 풍 "),
    ("สวัสดีครับ", " ส ว ส ด ค ร บ "),  # Thai: each letter a word, marks dropped
    ("بَنْك بنك", " بنك بنك "),  # Arabic: harakat dropped
    ("नमस्ते", " नमसत "),  # Devanagari: the word stays whole
    ("٣٤٥ ५", " 345 5 "),  # decimal digits of any script
    ("", "  "),
])
def test_normalise_is_unicode_aware(text, words):
    assert normalise(text) == words


def test_cjk_author_name_of_two_characters_is_a_needle(tmp_path):
    root = tmp_path / "hb"
    tree = base_tree()
    tree["stories"]["authors.yml"] = AUTHORS + "wang:\n  name: 王伟\n  team: data\nli:\n  name: Li\n  team: data\n"
    write_tree(root, tree)
    hb, problems = check(root / "stories", root)
    assert problems == []
    found = {n.what: n.text for n in needles(hb, select(hb, Variant.PUBLIC))[0]}
    assert found["field 'name' of non-public author 'wang'"] == " 王 伟 "
    assert found["field 'name' of non-public author 'bob'"] == " roberta quillfeather "
    assert "field 'name' of non-public author 'li'" not in found  # two Latin letters: too common to search for
