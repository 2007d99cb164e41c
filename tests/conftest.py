"""Shared fixtures: handbooks written from small tree literals, real MkDocs builds."""

from __future__ import annotations

import difflib
import os
import textwrap
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
# CI=true makes a public build refuse the placeholder site_url; the tests that need it set it themselves.
os.environ.pop("CI", None)

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "postmortems" / "stories"

MKDOCS_YML = """\
site_name: Test Handbook
site_url: https://handbook.example.com/
docs_dir: placeholder
theme:
  name: material
  features: [navigation.prune]
plugins:
  - search
  - handbook:
      variant: !ENV [HANDBOOK_VARIANT, internal]
"""

PLACEHOLDER = "# Built with handbook build\n"

AUTHORS = """\
ada:
  name: Ada Lovelace
  team: platform
  public: true
bob:
  name: Bob Hidden
  team: data
"""


def story(title: str = "A story worth telling", *, date: str = "2021-03-04", lessons: str = "[keep-backups]",
          authors: str = "[ada]", extra: str = "", body: str = "## What happened\n\nThings went wrong, and we learned.\n",
          summary: str = "Something failed in an instructive way and we wrote it down.") -> str:
    """Return the text of a valid story with the given fields."""
    head = f"title: {title}\ndate: {date}\nsummary: {summary}\nauthors: {authors}\nlessons: {lessons}\n"
    return f"---\n{head}{textwrap.dedent(extra)}---\n\n{body}"


def lesson(title: str = "Keep backups", summary: str = "Backups only count once restored.", extra: str = "") -> str:
    """Return the text of a valid lesson."""
    return f"---\ntitle: {title}\nsummary: {summary}\n{extra}---\n\nRestore them regularly.\n"


def base_tree() -> dict[str, Any]:
    """A small valid handbook: one page, one lesson, one story."""
    return {
        "mkdocs.yml": MKDOCS_YML,
        "placeholder": {"index.md": PLACEHOLDER},
        "stories": {
            "index.md": "---\ntitle: Home\n---\n\n# Home\n\nWelcome.\n",
            "culture.md": "---\ntitle: Culture\n---\n\n# Culture\n\nWe tell failures.\n",
            "authors.yml": AUTHORS,
            "lessons": {"keep-backups.md": lesson()},
            "2021": {"first-story.md": story()},
        },
    }


def write_tree(root: Path, tree: dict[str, Any]) -> None:
    """Write a nested dict of names to str/bytes contents (or sub-dicts) under root."""
    root.mkdir(parents=True, exist_ok=True)
    for name, value in tree.items():
        path = root / name
        if isinstance(value, dict):
            write_tree(path, value)
        elif isinstance(value, bytes):
            path.write_bytes(value)
        elif value is not None:
            path.write_text(value, encoding="utf-8")
    if "mkdocs.yml" in tree and not (root / "placeholder").exists():
        # MkDocs' docs_dir is a placeholder folder (core/placeholder.py): a handbook always has one.
        write_tree(root, {"placeholder": {"index.md": PLACEHOLDER}})


@pytest.fixture
def make_handbook(tmp_path: Path) -> Callable[..., Path]:
    """Write a handbook from a tree literal (merged over base_tree unless base=False)."""

    def make(tree: dict[str, Any] | None = None, *, base: bool = True, name: str = "hb") -> Path:
        root = tmp_path / name
        if base:
            write_tree(root, base_tree())
        write_tree(root, tree or {})
        return root

    return make


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Run `handbook ARGS...` in-process from a folder; return click's Result."""
    from click.testing import CliRunner

    from handbook_gen.cli import handbook

    def run(cwd: Path, *args: str, input: str | None = None) -> Any:
        monkeypatch.chdir(cwd)
        return CliRunner().invoke(handbook, list(args), input=input, catch_exceptions=False)

    return run


def build_site(root: Path, variant: str = "internal", site_dir: Path | None = None) -> Path:
    """Run a real MkDocs build of one variant in-process; return the site folder."""
    from mkdocs.commands.build import build

    from handbook_gen.cli import configure

    site = site_dir or root / "site" / variant
    build(configure.load(str(root / "mkdocs.yml"), variant, site_dir=str(site)))
    return site


GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    """--update-golden: rewrite tests/golden/ from what the code makes now (review the change in git diff)."""
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files under tests/golden/ instead of comparing with them")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, dict[str, str]], None]:
    """Compare {relative path: text} exactly with the files of tests/golden/<folder>, or rewrite them (--update-golden)."""
    update = bool(request.config.getoption("--update-golden"))

    def compare(folder: str, outputs: dict[str, str]) -> None:
        root = GOLDEN / folder
        stored = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} if root.is_dir() else set()
        if update:
            for name in stored - set(outputs):
                (root / name).unlink()
            for name, text in outputs.items():
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_text(text, encoding="utf-8", newline="")
            return
        problems = [f"missing from tests/golden/{folder}: {name}" for name in sorted(set(outputs) - stored)]
        problems += [f"in tests/golden/{folder} but no longer made: {name}" for name in sorted(stored - set(outputs))]
        for name in sorted(set(outputs) & stored):
            expected = (root / name).read_bytes().decode("utf-8")  # exactly as written: no newline translation
            if expected != outputs[name]:
                diff = difflib.unified_diff(expected.splitlines(keepends=True), outputs[name].splitlines(keepends=True),
                                            f"golden/{folder}/{name}", "made now")
                problems.append("".join(diff))
        if problems:
            pytest.fail("\n".join(problems) + "\n(if the change is meant, run pytest --update-golden and review the diff)", pytrace=False)

    return compare


@pytest.fixture(scope="session", autouse=True)
def _compiled_templates_kept() -> Any:
    """Keep compiled templates and the theme's file list for every build of the run, as `handbook serve`
    keeps them across rebuilds.

    Each build makes a new theme environment and a new renderer, which compiled Material's and the
    handbook's templates again and listed Material's thousands of files (most of a small build's
    time). The caches are the preview's own (plugin/preview.py): Jinja checks each template's source
    checksum, so an edited override is compiled afresh, and a listing is made again when a folder changed.
    """
    from mkdocs.theme import Theme

    from handbook_gen.plugin.preview import Compiled, Listed
    from handbook_gen.render import Renderer

    theme_code, page_code, listings = Compiled(), Compiled(), dict[tuple[str, ...], Listed]()
    make_env, make_renderer = Theme.get_env, Renderer.__init__

    def get_env(theme: Theme) -> Any:
        env = make_env(theme)
        env.bytecode_cache = theme_code
        listed = listings.setdefault(tuple(theme.dirs), Listed())  # one per set of theme folders: a handbook's overrides
        env.list_templates = partial(listed.names, env.list_templates, theme)
        return env

    def renderer(self: Renderer, *args: Any, **kwargs: Any) -> None:
        make_renderer(self, *args, **kwargs)
        self.env.bytecode_cache = page_code

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Theme, "get_env", get_env)
        patch.setattr(Renderer, "__init__", renderer)
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that takes the browser fixture `browser`, so the fast stage (scripts/test) leaves it out."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Any:
    """Debian's Chromium, driven by Playwright, launched once for the whole run (see browsing.py)."""
    from browsing import ARGS, CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright  # a test dependency: missing it is an error, not a skip

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
