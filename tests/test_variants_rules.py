"""Focused variant rules (SPEC 5 and 7): clearance and staleness, nav pruning, drafts in
builds and previews, clean site folders, and choosing the variant from mkdocs.yml."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MKDOCS_YML, build_site, lesson, story
from mkdocs.exceptions import Abort
from variant_support import clear, free_port, search_text, site_files, token_hits

from handbook_gen.cli import handbook
from handbook_gen.core.links import unlink

PUBLIC_STORY = story(
    "Zqpcleared rollout title",
    summary="Zqpclearedsummary - a rollout that went wrong and what it taught.",
    extra="""\
visibility: public
follow_ups: [{title: Zqxfollowup add a canary stage, status: open}]
internal: {ticket: Zqxticket-1}
""",
    body="## What happened\n\nZqpclearedbody the rollout reached every region.\n\n"
         "<!-- internal -->\nZqxsection staff-only details.\n<!-- /internal -->\n",
)
INTERNAL_STORY = story("Zqxinternal story title", date="2021-04-04", summary="Zqxinternalsummary - an internal story for staff.",
                       body="## What happened\n\nZqxinternalbody.\n")
DRAFT_STORY = story("Zqxdraft story title", date="2021-05-05", summary="Zqxdraftsummary - a story that is not finished yet.",
                    extra="visibility: public\nstatus: draft\n", body="## What happened\n\nZqxdraftbody.\n")

TREE = {"stories": {"2021": {
    "cleared-story.md": PUBLIC_STORY,
    "internal-story.md": INTERNAL_STORY,
    "draft-story.md": DRAFT_STORY,
}}}
PUBLIC_URL = "2021/cleared-story/"
STORY_FILE = ("stories", "2021", "cleared-story.md")


@contextmanager
def handbook_log() -> Iterator[list[str]]:
    """Collect what the handbook plugin logs during a build."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(f"{record.levelname}: {record.getMessage()}")

    logger = logging.getLogger("mkdocs.plugins.handbook")
    handler = Collect(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


def _edit(root: Path, old: str, new: str) -> None:
    path = root.joinpath(*STORY_FILE)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _public_has_story(root: Path) -> bool:
    public = build_site(root, "public")
    present = (public / PUBLIC_URL / "index.html").is_file()
    assert present == ("zqpclearedbody" in search_text(public, PUBLIC_URL))
    return present


@pytest.fixture
def cleared(make_handbook) -> Path:
    root = make_handbook(TREE)
    clear(root, "cleared-story", "draft-story")
    return root


# --- clearance and staleness --------------------------------------------------------


def test_uncleared_public_story_stays_out_with_a_warning(make_handbook):
    root = make_handbook(TREE)
    with handbook_log() as log:
        assert not _public_has_story(root)
    assert any("WARNING" in r and "'cleared-story' is not cleared" in r for r in log), log
    clear(root, "cleared-story")
    assert _public_has_story(root)


def test_story_edited_after_clearance_drops_out_until_cleared_again(cleared):
    with handbook_log() as log:
        assert _public_has_story(cleared)
    assert not [r for r in log if "cleared-story" in r]

    _edit(cleared, "Zqpclearedbody the rollout", "Zqpclearedbody the unreviewed Zqxnewtext rollout")
    with handbook_log() as log:
        assert not _public_has_story(cleared)
    warnings = [r for r in log if r.startswith("WARNING") and "cleared-story" in r]
    assert warnings and "changed after its clearance" in warnings[0], log
    assert not token_hits(cleared / "site" / "public", {"new text": "Zqxnewtext", "title": "Zqpcleared"})
    # The internal site shows the edit, and says why the story is not public.
    internal = build_site(cleared, "internal")
    assert "Zqxnewtext" in (internal / PUBLIC_URL / "index.html").read_text()
    assert "edited since clearance" in (internal / PUBLIC_URL / "index.html").read_text()

    clear(cleared, "cleared-story")
    with handbook_log() as log:
        assert _public_has_story(cleared)
    assert not [r for r in log if "cleared-story" in r]
    assert "Zqxnewtext".lower() in search_text(cleared / "site" / "public", PUBLIC_URL)


@pytest.mark.parametrize("old, new", [
    ("Zqxsection staff-only details.", "Zqxsection staff-only details, now with the customer's name."),
    ("Zqxsection staff-only details.\n<!-- /internal -->\n", "Zqxsection staff-only details.\n<!-- /internal -->\n"
                                                               "\n<!-- internal -->\nA second internal section.\n<!-- /internal -->\n"),
    ("internal: {ticket: Zqxticket-1}", "internal: {ticket: Zqxticket-2, customer: {name: Someone}}"),
    ("follow_ups: [{title: Zqxfollowup add a canary stage, status: open}]",
     "follow_ups: [{title: Zqxfollowup add a canary stage to every region, status: open}]"),
])
def test_internal_only_edits_keep_the_clearance(cleared, old, new):
    _edit(cleared, old, new)
    with handbook_log() as log:
        assert _public_has_story(cleared)  # the build audits itself: a false alarm would fail it
    assert not [r for r in log if "cleared-story" in r]
    result = CliRunner().invoke(handbook, ["-f", str(cleared / "mkdocs.yml"), "audit", str(cleared / "site" / "public")])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("old, new", [
    ("Zqpclearedsummary - a rollout", "Zqpclearedsummary - a bigger rollout"),
    ("title: Zqpcleared rollout title", "title: Zqpcleared rollout title, renamed"),
    ("status: open}]", "status: done}]"),  # follow-up counts are public
    ("visibility: public\n", "visibility: public\nseverity: major\n"),
    ("every region.", "every region.\n\n<!-- internal -->\n<!-- /internal -->\nA new public paragraph."),
])
def test_public_edits_make_the_story_stale(cleared, old, new):
    _edit(cleared, old, new)
    assert not _public_has_story(cleared)


def test_cleared_story_made_internal_or_draft_leaves_the_public_site(cleared):
    _edit(cleared, "visibility: public\n", "visibility: public\nstatus: draft\n")
    assert not _public_has_story(cleared)
    _edit(cleared, "visibility: public\nstatus: draft\n", "visibility: internal\n")
    assert not _public_has_story(cleared)


def test_bad_internal_markers_in_a_lesson_fail_cleanly(make_handbook):
    """Lessons get internal sections too: a broken marker is a content error, never a crash."""
    root = make_handbook({"stories": {"lessons": {"keep-backups.md": lesson() + "\n<!-- internal -->\nZqx unclosed.\n"}}})
    result = CliRunner().invoke(handbook, ["-f", str(root / "mkdocs.yml"), "check"])
    assert result.exit_code == 1
    assert "stories/lessons/keep-backups.md:8:1: error: HB304 unclosed '<!-- internal -->'" in result.output
    for variant in ("public", "internal"):
        with pytest.raises(Abort):
            build_site(root, variant)


def test_markdown_file_with_another_extension_is_refused(make_handbook):
    """MkDocs renders .markdown files as pages: one would bypass validation and variant filtering."""
    root = make_handbook({"stories": {"2021": {
        "secret.markdown": INTERNAL_STORY + "\n<!-- internal -->\nZqxsection.\n<!-- /internal -->\n",
        "cleared-story.md": PUBLIC_STORY.replace("Zqpclearedbody", "See [it](secret.markdown). Zqpclearedbody"),
    }}})
    result = CliRunner().invoke(handbook, ["-f", str(root / "mkdocs.yml"), "check"])
    assert result.exit_code == 1
    assert "stories/2021/secret.markdown:1:1: error:" in result.output and "secret.md" in result.output
    with pytest.raises(Abort):
        build_site(root, "public")


# --- nav -------------------------------------------------------------------------------


def test_user_nav_listing_an_internal_story_is_pruned(make_handbook):
    config = MKDOCS_YML + """\
nav:
  - Home: index.md
  - Incidents:
      - Zqxnavtitle of the internal one: 2021/internal-story.md
      - The public one: 2021/cleared-story.md
  - Zqxnavsection only internal:
      - Zqxnavtitle two: 2021/internal-story.md
      - Zqxnavdraft: 2021/draft-story.md
  - 2021/internal-story.md
"""
    root = make_handbook(TREE | {"mkdocs.yml": config})
    clear(root, "cleared-story")
    public = build_site(root, "public")
    tokens = {"nav title": "Zqxnavtitle", "nav section": "Zqxnavsection", "draft nav": "Zqxnavdraft",
              "story title": "Zqxinternal story title", "story id": "internal-story", "draft title": "Zqxdraft"}
    hits = token_hits(public, tokens)
    assert not hits, "\n".join(hits)
    # Material prunes the nav to the current section: look at a page of that section.
    page = (public / PUBLIC_URL / "index.html").read_text()
    assert "The public one" in page and "Incidents" in page
    internal = build_site(root, "internal")
    page = (internal / "2021" / "internal-story" / "index.html").read_text()
    assert "Zqxnavtitle of the internal one" in page
    assert "Zqxnavsection only internal" in (internal / "index.html").read_text()
    # Drafts are not built, so they are not in the internal nav either.
    assert not token_hits(internal, {"draft nav": "Zqxnavdraft", "draft": "Zqxdraft"})


# --- links to left-out pages ---------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("See [the outage](other.md).", "See the outage."),
    ("See [the outage](other.md#what-happened 'T').", "See the outage."),
    ("See [the outage](../2021/other.md).", "See the outage."),
    ("See [the outage](/2021/other.md).", "See the outage."),
    ("See [the outage](../other/).", "See the outage."),
    ("See [the outage](/2021/other/).", "See the outage."),
    ("See [the outage][o].\n\n[o]: other.md \"Title\"\n", "See the outage.\n\n\n"),
    ("See [o][].\n\n[O]: other.md\n", "See o.\n\n\n"),
    ("See [o].\n\n[o]: <other.md>\n", "See o.\n\n\n"),
    ('See <a href="other.md">it</a>.', 'See <a href="#">it</a>.'),
    ("![chart](chart.png) here", " here"),
    # Links to kept pages are untouched.
    ("See [that](kept.md), [this](../kept/), [x][k].\n\n[k]: kept.md\n", "See [that](kept.md), [this](../kept/), [x][k].\n\n[k]: kept.md\n"),
    ("[ ] a task and [x] another, [o] unknown.", "[ ] a task and [x] another, [o] unknown."),
])
def test_links_to_left_out_pages_become_plain_text(text, expected):
    assert unlink(text, "2021/this.md", {"2021/other.md", "2021/chart.png"}) == expected


# --- drafts, previews and plain mkdocs -----------------------------------------------------


def _mkdocs_build(root: Path, site: Path, env: dict[str, str] | None = None) -> Path:
    environment = {k: v for k, v in os.environ.items() if k != "HANDBOOK_VARIANT"} | (env or {})
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml"), "-d", str(site)],
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return site


def _is_public(site: Path) -> bool:
    internal = (site / "2021" / "internal-story" / "index.html").is_file()
    banner = "hb-banner" in (site / "index.html").read_text()
    assert internal == banner
    return not internal


def test_plain_mkdocs_build_chooses_the_variant_and_leaves_drafts_out(cleared, tmp_path):
    default = _mkdocs_build(cleared, tmp_path / "default")
    public_env = _mkdocs_build(cleared, tmp_path / "env-public", {"HANDBOOK_VARIANT": "public"})
    internal_env = _mkdocs_build(cleared, tmp_path / "env-internal", {"HANDBOOK_VARIANT": "internal"})
    assert not _is_public(default) and not _is_public(internal_env)
    assert _is_public(public_env)
    assert (public_env / PUBLIC_URL / "index.html").is_file()
    for site in (default, public_env, internal_env):
        assert not (site / "2021" / "draft-story").exists()
        assert not token_hits(site, {"draft title": "Zqxdraft", "draft summary": "Zqxdraftsummary", "draft body": "Zqxdraftbody"})
    assert not token_hits(public_env, {"internal": "Zqxinternal", "section": "Zqxsection", "ticket": "Zqxticket", "follow-up": "Zqxfollowup"})

    config = cleared / "mkdocs.yml"
    config.write_text(config.read_text().replace("variant: !ENV [HANDBOOK_VARIANT, internal]", "variant: public"))
    literal = _mkdocs_build(cleared, tmp_path / "literal-public")
    assert _is_public(literal)


@contextmanager
def _serving(root: Path, variant: str, log: Path) -> Iterator[str]:
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "handbook_gen", "-f", str(root / "mkdocs.yml"), "serve", "--variant", variant, "-a", f"127.0.0.1:{port}"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _fetch(url: str, log: Path, deadline: float) -> tuple[int, str]:
    """GET url once the server answers; (status, body)."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                pytest.fail(f"the preview at {url} never answered:\n{log.read_text()}")
            time.sleep(0.2)


def test_serve_previews_drafts_internally_only(cleared, tmp_path):
    with _serving(cleared, "internal", tmp_path / "internal.log") as internal, \
            _serving(cleared, "public", tmp_path / "public.log") as public:
        deadline = time.monotonic() + 60
        _fetch(internal, tmp_path / "internal.log", deadline)
        _fetch(public, tmp_path / "public.log", deadline)
        status, page = _fetch(internal + "2021/draft-story/", tmp_path / "internal.log", deadline)
        assert status == 200
        assert "Zqxdraft story title" in page and "Zqxdraftbody" in page and "Draft" in page
        status, page = _fetch(public + "2021/draft-story/", tmp_path / "public.log", deadline)
        assert status == 404 and "Zqxdraft" not in page
        status, page = _fetch(public + PUBLIC_URL, tmp_path / "public.log", deadline)
        assert status == 200 and "Zqpclearedbody" in page and "Zqxsection" not in page and "hb-banner" not in page
        status, index = _fetch(public + "search/search_index.json", tmp_path / "public.log", deadline)
        assert status == 200 and "Zqxdraft" not in index and "Zqxinternal" not in index


def test_internal_banner_survives_a_main_html_override(make_handbook):
    """overrides/ may override main.html for extra blocks; every internal page keeps its banner."""
    root = make_handbook(TREE | {
        "mkdocs.yml": MKDOCS_YML.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n"),
        "overrides": {"main.html": '{% extends "base.html" %}\n{% block extrahead %}<meta name="x-own-block" content="1">{% endblock %}\n'},
    })
    clear(root, "cleared-story")
    internal = build_site(root, "internal")
    pages = [rel for rel in site_files(internal) if rel.endswith(".html")]
    assert "404.html" in pages
    for rel in pages:
        html = (internal / rel).read_text(encoding="utf-8")
        assert 'x-own-block' in html, rel
        assert html.count('data-handbook-variant="internal"') == 1, rel
        assert "<strong>Internal</strong>" in html, rel
    public = build_site(root, "public")
    for rel, data in site_files(public).items():
        if rel.endswith(".html"):
            assert b"hb-banner" not in data and b"x-own-block" in data, rel


# --- the site folder -----------------------------------------------------------------------


def test_handbook_build_cleans_the_site_folder(cleared, tmp_path):
    out = tmp_path / "out"
    stale = {  # earlier sites (a home page each), with pages and files a new build has not
        out / "public" / "index.html": "<h1>Old home</h1>",
        out / "public" / "2021" / "internal-story" / "index.html": "<h1>Zqxinternal story title</h1>",
        out / "public" / "leftover.txt": "old",
        out / "internal" / "sitemap.xml": "<urlset/>",
        out / "internal" / "old-page" / "index.html": "old",
    }
    for path, text in stale.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    result = CliRunner().invoke(handbook, ["-f", str(cleared / "mkdocs.yml"), "build", "-d", str(out)])
    assert result.exit_code == 0, result.output
    for path, text in stale.items():
        assert not path.exists() or path.read_text() != text, path
    assert (out / "public" / PUBLIC_URL / "index.html").is_file()
    assert (out / "internal" / "2021" / "internal-story" / "index.html").is_file()
    assert not token_hits(out / "public", {"internal": "Zqxinternal"})

    (out / "public" / "leftover.txt").write_text("old")
    result = CliRunner().invoke(handbook, ["-f", str(cleared / "mkdocs.yml"), "build", "--variant", "public", "-d", str(out / "public")])
    assert result.exit_code == 0, result.output
    assert not (out / "public" / "leftover.txt").exists()
    assert "leftover.txt" not in site_files(out / "public")


def test_public_build_over_an_old_internal_build_fails_its_audit(cleared, tmp_path):
    """A dirty public build into a folder holding an internal site must not pass as clean."""
    from mkdocs.commands.build import build

    from handbook_gen.cli import configure

    out = build_site(cleared, "internal", tmp_path / "out")
    assert (out / "2021" / "internal-story" / "index.html").is_file()
    with handbook_log(), pytest.raises(Abort):
        build(configure.load(str(cleared / "mkdocs.yml"), "public", site_dir=str(out)), dirty=True)



def test_html_comments_and_page_sections_never_reach_the_public_site(make_handbook):
    commented = PUBLIC_STORY.replace("## What happened\n", "## What happened\n\n<!-- Zqxcomment a reviewer note -->\n")
    culture = (
        "---\ntitle: Culture\n---\n\n# Culture\n\nZqpculture we tell failures.\n\n"
        "<!-- internal -->\nZqxculturesection numbers for staff.\n<!-- /internal -->\n"
    )
    root = make_handbook({"stories": {"culture.md": culture, "2021": {"cleared-story.md": commented}}})
    clear(root, "cleared-story")
    public = build_site(root, "public")
    assert token_hits(public, {"comment": "Zqxcomment", "page section": "Zqxculturesection"}) == []
    assert "zqpculture" in search_text(public, "culture/")
    internal = build_site(root, "internal")
    culture_html = (internal / "culture" / "index.html").read_text(encoding="utf-8")
    assert "Zqxculturesection" in culture_html and "Internal only" in culture_html


def test_bad_markers_in_a_page_are_an_error(make_handbook):
    root = make_handbook({"stories": {"culture.md": "---\ntitle: Culture\n---\n\n<!-- internal -->\nnever closed\n"}})
    result = CliRunner().invoke(handbook, ["-f", str(root / "mkdocs.yml"), "check"])
    assert result.exit_code == 1
    assert "stories/culture.md:5:1: error: HB304 unclosed '<!-- internal -->'" in result.output
