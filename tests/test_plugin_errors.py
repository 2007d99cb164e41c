"""An invalid handbook never builds: `mkdocs build` fails listing every problem, and writes no story."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import build_site, story
from mkdocs.exceptions import Abort

# Every problem the broken handbook holds, as `path:line:col` and a piece of its message.
EXPECTED = [
    ("stories/2021/bad-author.md:5:11", "unknown author 'adaa' - did you mean 'ada'?"),
    ("stories/2021/bad-field.md:7:1", "unknown field 'lesons' - did you mean 'lessons'?"),
    ("stories/2021/bad-marker.md:11:1", "unclosed '<!-- internal -->'"),
    ("stories/2022/bad-yaml.md:3:7", "broken YAML"),
    ("stories/2022/future.md:3:1", "'date' 2999-01-01 is in the future"),
    ("stories/2022/future.md:6:11", "unknown lesson 'keep-backup' - did you mean 'keep-backups'?"),
]


def broken_tree():
    return {"stories": {
        "2021": {
            "bad-author.md": story("Bad author", authors="[adaa]"),
            "bad-field.md": story("Bad field", extra="lesons: [keep-backups]\n"),
            "bad-marker.md": story("Bad marker", body="Text.\n\n<!-- internal -->\nSecret.\n"),
            "fine.md": story("A perfectly fine story"),
        },
        "2022": {
            "bad-yaml.md": "---\ntitle: Bad yaml\ndate: [2022\nsummary: x\n---\n\nBody.\n",
            "future.md": story("From the future", date="2999-01-01", lessons="[keep-backup]"),
        },
    }}


def assert_lists_every_problem(text: str) -> None:
    for where, what in EXPECTED:
        lines = [line for line in text.splitlines() if line.startswith(where + ": error: ")]
        assert lines, f"{where} missing from:\n{text}"
        assert what in lines[0]
    assert f"{len(EXPECTED)} errors" in text


def html_files(site):
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")) if site.exists() else []


@pytest.mark.parametrize("variant", ["internal", "public"])
def test_in_process_build_fails_with_every_problem(make_handbook, tmp_path, caplog, variant):
    root = make_handbook(broken_tree())
    site = tmp_path / "site-out"
    with pytest.raises(Abort):  # MkDocs logs the plugin's BuildError, then aborts
        build_site(root, variant, site)
    errors = "\n".join(r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert_lists_every_problem(errors)
    assert "nothing was built" in errors
    assert html_files(site) == []


def test_mkdocs_build_subprocess_fails_cleanly(make_handbook):
    root = make_handbook(broken_tree())
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "HANDBOOK_VARIANT": "internal"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", "out"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    assert_lists_every_problem(output)
    # No page of any story (nor anything else) was written.
    assert html_files(root / "out") == []
    assert not (root / "out" / "2021").exists()


def test_fixing_the_problems_lets_it_build(make_handbook, tmp_path):
    """The same handbook, once fixed, builds: the failure above came from the content."""
    tree = broken_tree()
    tree["stories"]["2021"] = {"fine.md": story("A perfectly fine story")}
    tree["stories"]["2022"] = {"future.md": story("From the past", date="2022-01-01")}
    root = make_handbook(tree)
    site = build_site(root, "internal", tmp_path / "ok")
    assert (site / "2021" / "fine" / "index.html").is_file()
    assert (site / "2022" / "future" / "index.html").is_file()


def test_public_build_refuses_extensions_that_include_other_files(make_handbook, tmp_path, caplog):
    root = make_handbook({"secrets.env": "TOKEN=zqxsecrettoken\n"})
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "markdown_extensions:\n  - pymdownx.snippets\n", encoding="utf-8")
    with pytest.raises(Abort):
        build_site(root, "public", tmp_path / "public")
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("'pymdownx.snippets' includes other files into pages" in e for e in errors), errors
    assert html_files(tmp_path / "public") == []
    assert (build_site(root, "internal", tmp_path / "internal") / "index.html").is_file()


def _with_options(root, options: str) -> None:
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("      variant: !ENV", options + "      variant: !ENV"), encoding="utf-8")


def test_script_in_a_body_stops_the_build_unless_allowed(make_handbook, tmp_path, caplog):
    root = make_handbook({"stories": {"2021": {"first-story.md": story(body="Fine.\n\n<b onmouseover=alert(1)>hover</b>\n")}}})
    with pytest.raises(Abort):
        build_site(root, "internal", tmp_path / "internal")
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("stories/2021/first-story.md:11:1: error: HB310 event-handler attribute 'onmouseover' on <b> would run script" in e for e in errors), errors
    _with_options(root, "      allow_scripts: true\n")
    site = build_site(root, "internal", tmp_path / "allowed")
    assert '<b onmouseover=alert(1)>hover</b>' in (site / "2021" / "first-story" / "index.html").read_text(encoding="utf-8")


EXTENSION = """
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor

class Inject(Postprocessor):
    def run(self, text):
        return text + '<b onclick="alert(1)">injected</b>'

class InjectExtension(Extension):
    def extendMarkdown(self, md):
        md.postprocessors.register(Inject(md), "inject", 0)

def makeExtension(**kwargs):
    return InjectExtension(**kwargs)
"""


def test_rendered_page_that_would_run_script_fails_the_build(make_handbook, tmp_path, caplog, monkeypatch):
    # Script that no body holds, made by an extension: the guard on every rendered page stops it.
    (tmp_path / "ext").mkdir()
    (tmp_path / "ext" / "zqx_inject.py").write_text(EXTENSION, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "ext"))
    root = make_handbook()
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "markdown_extensions:\n  - zqx_inject\n", encoding="utf-8")
    with pytest.raises(Abort):
        build_site(root, "public", tmp_path / "public")
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("the rendered page would run script (event-handler attribute 'onclick' on <b>)" in e for e in errors), errors
    assert html_files(tmp_path / "public") == []


def test_preview_error_page_shows_each_error_as_its_own_text():
    # The error page is a template escaped as every page template is: a path or message
    # holding Markdown, emoji or attribute-list syntax renders as the same text.
    from html import unescape

    import markdown

    from handbook_gen.core.diagnostics import Diagnostic, Severity
    from handbook_gen.plugin import guards
    from handbook_gen.plugin.plugin import _EXTENSIONS, _twemoji_generator, _twemoji_index

    errors = [
        Diagnostic(":smile:/a_b*.md", 3, 1, Severity.ERROR, "HB101", "unknown *author* <b>x</b> {: .x } 1. [l](u)"),
        Diagnostic("c.md", 1, 2, Severity.ERROR, "HB102", "12. starts a list"),
    ]
    text = guards.error_page(errors)
    emoji = {"pymdownx.emoji": {"emoji_index": _twemoji_index(), "emoji_generator": _twemoji_generator()}}
    html = markdown.markdown(text, extensions=list(_EXTENSIONS), extension_configs=emoji)
    assert "<h1 id=\"2-errors-in-the-content\">2 errors in the content</h1>" in html
    items = [unescape(item) for item in re.findall(r"<li>(.*?)</li>", html)]
    assert items == [
        "<strong>:smile:/a_b*.md:3:1</strong> unknown *author* <b>x</b> {: .x } 1. [l](u)",
        "<strong>c.md:1:2</strong> 12. starts a list",
    ], items
    assert guards.error_page(errors[:1]).startswith("# 1 error in the content\n")
