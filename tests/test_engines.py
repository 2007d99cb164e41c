"""No engine publishes the raw tree: engines without the plugin, `export`, `index` and `migrate`.

Zensical (its authors' successor to Material, which runs no MkDocs plugin of ours) and ProperDocs
are real installs from the package index; every site here is really built and read back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MKDOCS_YML, REPO

from handbook_gen.core import placeholder
from handbook_gen.core.loading import load

BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env={**ENV, **env}, capture_output=True, text=True, timeout=600)


def handbook(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "handbook_gen", *args], cwd, **env)


def site_text(site: Path) -> str:
    """Every text file of a built site, as one string."""
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(site.rglob("*")) if p.is_file()
                     and p.suffix in (".html", ".xml", ".json", ".js", ".txt", ""))


def copy_sample(root: Path) -> Path:
    for name in ("stories", "overrides", "placeholder"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def titles(root: Path) -> tuple[set[str], set[str]]:
    """The titles of the stories on the public site, and of every other story."""
    hb, _ = load(root / "stories", root)
    public = {s.meta.title for s in hb.stories.values() if s.publication.public}
    return public, {s.meta.title for s in hb.stories.values()} - public


def test_the_placeholder_of_the_sample_is_the_one_the_package_writes():
    """The sample's docs_dir holds exactly the page `handbook init` and `migrate` write, and nothing else."""
    folder = REPO / placeholder.PLACEHOLDER_DIR
    assert sorted(p.name for p in folder.iterdir()) == [placeholder.PAGE]
    assert (folder / placeholder.PAGE).read_text(encoding="utf-8") == placeholder.TEXT


@pytest.mark.parametrize("variant", [None, "public"])
def test_zensical_without_the_plugin_publishes_nothing_of_the_sample(tmp_path, variant):
    root = copy_sample(tmp_path / "hb")
    env = {"HANDBOOK_VARIANT": variant} if variant else {}
    done = run([str(BIN / "zensical"), "build", "-f", "mkdocs.yml"], root, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    text = site_text(root / "site")
    public, others = titles(root)
    assert public and others
    assert [t for t in public | others if t in text] == []
    assert "This handbook is built with" in text  # what it did publish: the placeholder
    assert sorted(p.name for p in (root / "site").rglob("*.html")) == ["404.html", "index.html"]


@pytest.mark.parametrize("variant", [None, "public"])
def test_zensical_publishes_nothing_of_a_new_handbook(tmp_path, variant):
    target = tmp_path / "new"
    assert handbook("init", str(target), cwd=tmp_path).returncode == 0
    story = next((target / "stories").glob("*/first-story.md")).read_text(encoding="utf-8")
    title = next(line.split(":", 1)[1].strip() for line in story.splitlines() if line.startswith("title:"))
    env = {"HANDBOOK_VARIANT": variant} if variant else {}
    done = run([str(BIN / "zensical"), "build", "-f", "mkdocs.yml"], target, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    text = site_text(target / "site")
    assert title not in text and "This handbook is built with" in text


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, Path]:
    """The sample's public variant, exported once."""
    base = tmp_path_factory.mktemp("export")
    root = copy_sample(base / "hb")
    done = handbook("export", "--variant", "public", str(base / "out"), cwd=root)
    assert done.returncode == 0, done.stderr
    return root, base / "out"


ENGINES = {
    "mkdocs": lambda out, site: [str(BIN / "mkdocs"), "build", "-q", "-f", "mkdocs.yml", "-d", str(site)],
    "properdocs": lambda out, site: [str(BIN / "properdocs"), "build", "-q", "-f", "mkdocs.yml", "-d", str(site)],
    "zensical": lambda out, site: [str(BIN / "zensical"), "build", "-f", "mkdocs.yml"],
}


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_the_public_export_builds_under_every_engine_and_passes_the_audit(exported, tmp_path, engine):
    root, out = exported
    tree = Path(shutil.copytree(out, tmp_path / "out"))
    site = tmp_path / "site" if engine != "zensical" else tree / "site"
    done = run(ENGINES[engine](tree, site), tree)
    assert done.returncode == 0, done.stdout + done.stderr
    text = site_text(site)
    public, others = titles(root)
    assert sorted(t for t in public if t not in text.replace("&#x27;", "'").replace("&#39;", "'")) == []  # every public story is there
    assert [t for t in others if t in text] == []
    audit = handbook("audit", str(site), cwd=root)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "no leaks in" in audit.stderr
    index = handbook("index", str(site), cwd=tmp_path)
    assert index.returncode == 0, index.stderr
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    assert handbook("audit", str(site), cwd=root).returncode == 0  # the index holds nothing internal either


def test_the_export_holds_no_file_of_a_left_out_story(exported):
    root, out = exported
    hb, _ = load(root / "stories", root)
    hidden = {s.src for s in hb.stories.values() if not s.publication.public}
    written = {p.relative_to(out / "docs").as_posix() for p in (out / "docs").rglob("*") if p.is_file()}
    assert hidden and not hidden & written
    assert not {"authors.yml", "tags.yml", "teams.yml"} & written
    assert "handbook" not in (out / "mkdocs.yml").read_text(encoding="utf-8").split("plugins:", 1)[1]


def test_export_refuses_a_folder_that_holds_anything(make_handbook, tmp_path):
    root = make_handbook()
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine", encoding="utf-8")
    done = handbook("export", "--variant", "public", str(tmp_path / "busy"), cwd=root)
    assert done.returncode == 1
    assert "is not empty" in done.stderr and (tmp_path / "busy" / "keep.txt").read_text(encoding="utf-8") == "mine"


OLD_LAYOUT = MKDOCS_YML.replace("docs_dir: placeholder\n", "docs_dir: stories\n")


def test_the_old_layout_is_refused_with_the_way_out(make_handbook):
    root = make_handbook({"mkdocs.yml": OLD_LAYOUT})
    shutil.rmtree(root / "placeholder")
    done = handbook("check", cwd=root)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "would publish every story" in done.stderr and "handbook migrate" in done.stderr
    build = run([str(BIN / "mkdocs"), "build", "-q"], root)
    assert build.returncode != 0 and "handbook migrate" in build.stdout + build.stderr
    assert not (root / "site" / "2021").exists()


def test_migrate_moves_an_old_handbook_over_and_it_builds(make_handbook):
    root = make_handbook({"mkdocs.yml": OLD_LAYOUT})
    shutil.rmtree(root / "placeholder")
    done = handbook("migrate", cwd=root)
    assert done.returncode == 0, done.stderr
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    assert config == OLD_LAYOUT.replace("docs_dir: stories\n", "docs_dir: placeholder\n")
    assert (root / "placeholder" / "index.md").read_text(encoding="utf-8") == placeholder.TEXT
    assert handbook("check", cwd=root).returncode == 0
    assert handbook("migrate", cwd=root).stdout.endswith("nothing to do\n")
    assert handbook("build", "--variant", "public", cwd=root).returncode == 0
    assert (root / "site" / "public" / "2021").is_dir() or (root / "site" / "public" / "index.html").is_file()


def test_migrate_keeps_a_content_folder_of_another_name():
    before = "site_name: X\ndocs_dir: docs  # the content\nplugins:\n  - search\n  - handbook\n"
    after = placeholder.migrate(before, "docs")
    assert after == "site_name: X\ndocs_dir: placeholder\nplugins:\n  - search\n  - handbook:\n      content_dir: docs\n"
    with_options = "docs_dir: notes\nplugins:\n  - handbook:\n      variant: public\n"
    assert placeholder.migrate(with_options, "notes") == "docs_dir: placeholder\nplugins:\n  - handbook:\n      content_dir: notes\n      variant: public\n"


def test_a_docs_dir_with_anything_but_its_page_is_refused(make_handbook):
    root = make_handbook({"placeholder": {"2021": {"secret.md": "# A story put where every engine publishes it\n"}}})
    done = handbook("check", cwd=root)
    assert done.returncode == 1 and "may hold only its index.md" in done.stderr
