"""Adopting the handbook: teams.yml, `handbook init` (CI, pre-commit, editor files), the
repository's pre-commit hook, and finding the handbook from any folder inside it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, build_site, story

from handbook_gen.cli import init as init_module
from handbook_gen.core.schema import Team
from handbook_gen.core.validation import check

HANDBOOK_BIN = Path(sys.executable).parent / "handbook"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
TEAMS_YML = """\
platform:
  name: Platform
  description: Runs the shared infrastructure.
data:
  name: Data
"""



def files_under(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under folder (folders as None), by relative path."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def teams_story(teams: str) -> dict:
    return {"stories": {"teams.yml": TEAMS_YML, "2021": {"first-story.md": story(extra=teams)}}}


# --- teams.yml -------------------------------------------------------------------------


def test_unknown_team_is_an_error_at_its_list_item_with_a_suggestion(make_handbook, cli):
    root = make_handbook(teams_story("teams:\n  - platform\n  - platfrom\n  - zzz\n"))
    result = cli(root, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "stories/2021/first-story.md:9:5: error: HB207 'teams': unknown team 'platfrom' - did you mean 'platform'?",
        "stories/2021/first-story.md:10:5: error: HB207 'teams': unknown team 'zzz' (add it to teams.yml)",
    ]
    rows = json.loads(cli(root, "check", "--format", "json").stdout)
    assert [(r["line"], r["col"], r["code"]) for r in rows] == [(9, 5, "HB207"), (10, 5, "HB207")]


def test_known_teams_load_as_team_entries(make_handbook):
    root = make_handbook(teams_story("teams: [platform, data]\n"))
    hb, problems = check(root / "stories", root)
    assert problems == []
    assert hb.teams == {"platform": Team(name="Platform", description="Runs the shared infrastructure."), "data": Team(name="Data")}


def test_without_teams_yml_any_team_goes(make_handbook, cli):
    root = make_handbook({"stories": {"2021": {"first-story.md": story(extra="teams: [anything-at-all]\n")}}})
    hb, _ = check(root / "stories", root)
    assert hb.teams is None
    result = cli(root, "check", "--strict")
    assert result.exit_code == 0, result.output


def test_teams_yml_entries_are_checked(make_handbook, cli):
    bad = TEAMS_YML + "  colour: blue\nBad_Team:\n  name: Bad\nweb: Web people\nops:\n  description: no name\n"
    root = make_handbook({"stories": {"teams.yml": bad}})
    result = cli(root, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "stories/teams.yml:6:3: error: HB102 unknown field 'data.colour' (valid fields: name, description)",
        "stories/teams.yml:7:1: error: HB104 team id 'Bad_Team' must be lowercase kebab-case",
        "stories/teams.yml:9:1: error: HB103 'web' must be a mapping of keys to values, found 'Web people'",
        "stories/teams.yml:10:1: error: HB101 missing required field 'ops.name'",
    ]


def test_teams_yml_is_in_no_site_and_team_listings_still_work(make_handbook):
    root = make_handbook(teams_story("teams: [platform]\n"))
    internal = build_site(root, "internal")
    assert (internal / "teams" / "platform" / "index.html").is_file()
    assert "first-story" in (internal / "teams" / "platform" / "index.html").read_text(encoding="utf-8")
    public = build_site(root, "public")
    for site in (internal, public):
        assert not [p for p in site.rglob("*.yml")], site


def test_new_with_an_unknown_team_writes_nothing(make_handbook, cli):
    root = make_handbook({"stories": {"teams.yml": TEAMS_YML}})
    before = files_under(root)
    result = cli(root, "new", "Disk full again", "--author", "ada", "--lesson", "keep-backups", "--date", "2022-01-02", "--team", "platfrom")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "stories/2022/disk-full-again.md:9:9: error: HB207 'teams': unknown team 'platfrom' - did you mean 'platform'?",
        "no story was written",
    ]
    assert files_under(root) == before


# --- handbook init ---------------------------------------------------------------------

STEPS = [
    "Check out", "Set up Python", "Install", "Check", "Publication report", "Cache preview images", "Build", "Audit",
    "Upload the internal site", "Upload the public site",
]


def test_init_in_the_current_folder_says_to_serve_without_a_cd(cli, tmp_path):
    here = tmp_path / "here"
    here.mkdir()
    result = cli(here, "init", ".")
    assert result.exit_code == 0, result.output
    assert result.stdout == "created a handbook in .: handbook serve\n"


def test_init_writes_the_files_a_team_adopts(cli, tmp_path):
    result = cli(tmp_path, "init", "fresh")
    assert result.exit_code == 0, result.output
    assert result.stdout == "created a handbook in fresh: cd fresh && handbook serve\n"
    target = tmp_path / "fresh"
    for name in (".gitignore", "requirements.txt", "README.md", ".github/workflows/handbook.yml", ".pre-commit-config.yaml",
                 ".vscode/settings.json", ".vscode/story.schema.json", "stories/tags.yml", "stories/teams.yml"):
        assert (target / name).is_file(), name
    assert {"site/", ".venv/"} <= set((target / ".gitignore").read_text(encoding="utf-8").splitlines())
    # No scaffold name reaches the handbook: dot-NAME files are written as .NAME, templates rendered.
    written = [p.relative_to(target).as_posix() for p in target.rglob("*")]
    assert not [n for n in written if "dot-" in n or n.endswith(".j2")], written
    text = "".join(p.read_text(encoding="utf-8") for p in target.rglob("*") if p.is_file())
    assert "{{" not in text.replace("${{", "")

    # One line pins this installation (each way of installing: test_init_pins_what_it_was_installed_from).
    requirements = (target / "requirements.txt").read_text(encoding="utf-8")
    pins = [line for line in requirements.splitlines() if line and not line.startswith("#")]
    assert pins == [init_module.pin().requirement]

    schema = cli(tmp_path, "schema").stdout
    assert (target / ".vscode" / "story.schema.json").read_text(encoding="utf-8") == schema
    settings = json.loads((target / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == {"./.vscode/story.schema.json": ["stories/**/*.md"]}
    assert "does not check the front-matter" in (target / "README.md").read_text(encoding="utf-8").replace("\n", " ")

    config = yaml.safe_load((target / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [repo] = config["repos"]
    [hook] = repo["hooks"]
    assert repo["repo"] == "local"
    assert (hook["entry"], hook["pass_filenames"]) == ("handbook check", False)
    assert re.search(hook["files"], "stories/2021/a.md") and re.search(hook["files"], "mkdocs.yml")
    # pre-commit installs the hook's own copy of the same pin: no environment on PATH needed.
    assert (hook["language"], hook["additional_dependencies"]) == ("python", pins)


COMMIT = "0123456789abcdef0123456789abcdef01234567"
SHA256 = "ab" * 32


@pytest.mark.parametrize(("record", "requirement", "says"), [
    (None, "handbook-gen==7.1.2", "package index"),
    ({"url": "https://git.example.com/tools/handbook-gen.git", "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"}},
     f"handbook-gen @ git+https://git.example.com/tools/handbook-gen.git@{COMMIT}", "at this commit"),
    ({"url": "file:///srv/clones/handbook-gen", "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
     f"handbook-gen @ git+file://localhost/srv/clones/handbook-gen@{COMMIT}", "CI and every writer must reach it"),
    ({"url": "https://files.example.com/handbook_gen-7.1.2-py3-none-any.whl", "archive_info": {"hashes": {"sha256": SHA256}}},
     f"handbook-gen @ https://files.example.com/handbook_gen-7.1.2-py3-none-any.whl#sha256={SHA256}", "CI downloads the same one"),
    ({"url": "file:///tmp/dist/handbook_gen-7.1.2-py3-none-any.whl", "archive_info": {"hash": f"sha256={SHA256}"}},
     f"handbook-gen @ file:///tmp/dist/handbook_gen-7.1.2-py3-none-any.whl#sha256={SHA256}", "CI must reach it too"),
    ({"url": "file:///home/me/handbook-gen", "dir_info": {"editable": True}},
     "handbook-gen @ file:///home/me/handbook-gen", "REPLACE THE LINE BELOW: handbook init ran from an editable install"),
    ({"url": "file:///home/me/handbook-gen", "dir_info": {}},
     "handbook-gen @ file:///home/me/handbook-gen", "REPLACE THE LINE BELOW: handbook init ran from an install"),
], ids=["index", "git-https", "git-local", "wheel-https", "wheel-local", "editable-folder", "folder"])
def test_init_pins_what_it_was_installed_from(cli, tmp_path, monkeypatch, record, requirement, says):
    from packaging.requirements import Requirement

    # An installation's own record, found before this venv's: what importlib.metadata reads.
    record_dir = tmp_path / "site" / "handbook_gen-7.1.2.dist-info"
    record_dir.mkdir(parents=True)
    (record_dir / "METADATA").write_text("Metadata-Version: 2.1\nName: handbook-gen\nVersion: 7.1.2\n", encoding="utf-8")
    (record_dir / "INSTALLER").write_text("pip\n", encoding="utf-8")
    if record is not None:
        (record_dir / "direct_url.json").write_text(json.dumps(record), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert cli(tmp_path, "init", "fresh").exit_code == 0
    text = (tmp_path / "fresh" / "requirements.txt").read_text(encoding="utf-8")
    pins = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert pins == [requirement]
    assert says in " ".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))
    assert Requirement(requirement).name == "handbook-gen"  # pip reads it (PEP 508)
    config = yaml.safe_load((tmp_path / "fresh" / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert config["repos"][0]["hooks"][0]["additional_dependencies"] == [requirement]


def test_init_pins_a_local_wheel_pip_recorded_no_hash_for_by_its_own_hash(cli, tmp_path, monkeypatch):
    import hashlib

    wheel = tmp_path / "dist" / "handbook_gen-7.1.2-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"a wheel's bytes")
    record_dir = tmp_path / "site" / "handbook_gen-7.1.2.dist-info"
    record_dir.mkdir(parents=True)
    (record_dir / "METADATA").write_text("Metadata-Version: 2.1\nName: handbook-gen\nVersion: 7.1.2\n", encoding="utf-8")
    (record_dir / "INSTALLER").write_text("pip\n", encoding="utf-8")
    # What pip writes for `pip install ./dist/handbook_gen-...whl`: no hash.
    (record_dir / "direct_url.json").write_text(json.dumps({"url": wheel.as_uri(), "archive_info": {}}), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert cli(tmp_path, "init", "fresh").exit_code == 0
    text = (tmp_path / "fresh" / "requirements.txt").read_text(encoding="utf-8")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert text.splitlines()[-1] == f"handbook-gen @ {wheel.as_uri()}#sha256={digest}"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize(("origin", "address"), [
    ("https://kim:s3cret-token@git.example.com/tools/handbook-gen.git", "https://git.example.com/tools/handbook-gen.git"),
    ("git@git.example.com:tools/handbook-gen.git", "ssh://git@git.example.com/tools/handbook-gen.git"),
], ids=["https-with-a-token", "scp-like"])
def test_init_from_an_editable_checkout_suggests_its_commit_without_secrets(cli, tmp_path, monkeypatch, origin, address):
    checkout = tmp_path / "handbook-gen"
    who = ["-c", "user.name=K", "-c", "user.email=k@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    subprocess.run(["git", *who, "-C", str(checkout), "commit", "-q", "--allow-empty", "-m", "one"], check=True)
    subprocess.run(["git", "-C", str(checkout), "remote", "add", "origin", origin], check=True)
    head = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    record_dir = tmp_path / "site" / "handbook_gen-7.1.2.dist-info"
    record_dir.mkdir(parents=True)
    (record_dir / "METADATA").write_text("Metadata-Version: 2.1\nName: handbook-gen\nVersion: 7.1.2\n", encoding="utf-8")
    (record_dir / "INSTALLER").write_text("pip\n", encoding="utf-8")
    (record_dir / "direct_url.json").write_text(json.dumps({"url": checkout.as_uri(), "dir_info": {"editable": True}}), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert cli(tmp_path, "init", "fresh").exit_code == 0
    text = (tmp_path / "fresh" / "requirements.txt").read_text(encoding="utf-8")
    assert f"#   handbook-gen @ git+{address}@{head}\n" in text
    assert "s3cret" not in text and "kim" not in text


def test_init_site_url_placeholder_reads_the_environment(cli, tmp_path, monkeypatch):
    from mkdocs.config import load_config

    assert cli(tmp_path, "init", "fresh").exit_code == 0
    config_file = str(tmp_path / "fresh" / "mkdocs.yml")
    text = (tmp_path / "fresh" / "mkdocs.yml").read_text(encoding="utf-8")
    assert 'site_url: !ENV [HANDBOOK_SITE_URL, "https://handbook.example.com/"]' in text
    assert "--variant internal" in text and "--variant public" in text  # the comment says how for both
    monkeypatch.delenv("HANDBOOK_SITE_URL", raising=False)
    assert load_config(config_file)["site_url"] == "https://handbook.example.com/"
    monkeypatch.setenv("HANDBOOK_SITE_URL", "https://staff.example.org/handbook/")
    assert load_config(config_file)["site_url"] == "https://staff.example.org/handbook/"


def test_init_workflow_parses_and_runs_the_named_steps(cli, tmp_path):
    assert cli(tmp_path, "init", "fresh").exit_code == 0
    workflow = yaml.safe_load((tmp_path / "fresh" / ".github" / "workflows" / "handbook.yml").read_text(encoding="utf-8"))
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in on and on["push"] == {"branches": ["main"]}
    check_job, deploy_job = workflow["jobs"]["check"], workflow["jobs"]["deploy"]
    assert "pull_request" in check_job["if"]
    steps = check_job["steps"]
    assert [s["name"] for s in steps] == STEPS
    runs = {s["name"]: s.get("run") for s in steps}
    assert runs["Install"] == "pip install -r requirements.txt"
    assert runs["Check"] == "handbook check --format github"
    assert runs["Publication report"] == 'handbook diff "origin/$BASE_REF" --format markdown >> "$GITHUB_STEP_SUMMARY"'
    assert runs["Build"] == "handbook build"
    assert runs["Audit"] == "handbook audit site/public"
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert sorted(s["with"]["path"] for s in uploads) == ["site/internal", "site/public"]
    assert "push" in deploy_job["if"] and "refs/heads/main" in deploy_job["if"]
    assert deploy_job["steps"][-1]["run"] == "handbook deploy"
    assert [s["name"] for s in deploy_job["steps"]] == ["Check out", "Set up Python", "Install", "Cache preview images", "Deploy"]
    # Both jobs keep the preview images where the build caches them, so unchanged stories are not drawn again.
    from handbook_gen.render import social

    for job in (check_job, deploy_job):
        cache = next(s for s in job["steps"] if s["name"] == "Cache preview images")
        assert cache["uses"].startswith("actions/cache@") and "hashFiles('stories/**')" in cache["with"]["key"]
        assert Path(cache["with"]["path"]) in social.CACHE.parents


def test_init_scaffold_checks_clean_builds_and_passes_the_audit(cli, tmp_path):
    assert cli(tmp_path, "init", "fresh").exit_code == 0
    target = tmp_path / "fresh"
    result = cli(target, "check", "--strict")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "1 story, 1 lesson, 2 pages: 0 errors, 0 warnings\n"
    build = subprocess.run([str(HANDBOOK_BIN), "build"], cwd=target, env=ENV, capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    assert (target / "site" / "internal" / "teams" / "engineering" / "index.html").is_file()
    assert (target / "site" / "internal" / "tags" / "learning" / "index.html").is_file()
    assert not list((target / "site").rglob("*.yml"))
    audit = subprocess.run([str(HANDBOOK_BIN), "audit", "site/public"], cwd=target, env=ENV, capture_output=True, text=True, timeout=120)
    assert audit.returncode == 0, audit.stdout + audit.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_init_in_a_new_git_repository(cli, tmp_path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    git_before = files_under(repo / ".git")
    result = cli(tmp_path, "init", "repo")
    assert result.exit_code == 0, result.output
    assert (repo / "mkdocs.yml").is_file() and (repo / ".github" / "workflows" / "handbook.yml").is_file()
    assert files_under(repo / ".git") == git_before
    ignored = subprocess.run(["git", "check-ignore", "site/internal/index.html", ".venv/bin/python", "stories/index.md"],
                             cwd=repo, capture_output=True, text=True)
    assert ignored.stdout.splitlines() == ["site/internal/index.html", ".venv/bin/python"]
    # `handbook init .` from inside the repository works the same way.
    other = tmp_path / "other"
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    assert cli(other, "init", ".").exit_code == 0
    assert (other / "stories" / "teams.yml").is_file()


@pytest.mark.parametrize("contents", [
    {"notes.txt": "mine\n"},
    {".env": "SECRET=1\n"},
    {".git": {"HEAD": "ref: refs/heads/main\n"}, "README.md": "# mine\n"},
    {"stories": {}},
], ids=["a-file", "a-hidden-file", "a-git-repository-with-files", "an-empty-sub-folder"])
def test_init_refuses_a_folder_with_anything_but_git_and_writes_nothing(cli, tmp_path, contents):
    from conftest import write_tree

    target = tmp_path / "busy"
    write_tree(target, contents)
    before = files_under(target)
    result = cli(tmp_path, "init", "busy")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: busy is not empty: handbook init only writes into a new or empty folder, or one holding only a new git repository\n"
    )
    assert files_under(target) == before


def test_init_refuses_a_file(cli, tmp_path):
    (tmp_path / "taken").write_text("mine\n", encoding="utf-8")
    result = cli(tmp_path, "init", "taken")
    assert result.exit_code == 1
    assert result.stderr == "Error: taken is not a folder: handbook init writes into a new or empty folder\n"
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "mine\n"


def test_init_that_cannot_finish_leaves_nothing_behind(cli, tmp_path, monkeypatch):
    opened = []

    def failing_open(path, mode="r", *args, **kwargs):
        if len(opened) == 5:
            raise OSError(28, "No space left on device", str(path))
        opened.append(path)
        return open(path, mode, *args, **kwargs)

    monkeypatch.setattr(init_module, "open", failing_open, raising=False)
    result = cli(tmp_path, "init", "new/handbook")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("No space left on device - nothing was written\n")
    assert list(tmp_path.iterdir()) == []


def test_scaffold_holds_no_dot_files_that_a_wheel_would_drop():
    # setuptools leaves names starting with a dot out of package data: init renames dot-NAME.
    names = [p.relative_to(init_module.SCAFFOLD).as_posix() for p in init_module.SCAFFOLD.rglob("*") if "__pycache__" not in p.parts]
    assert [n for n in names if any(part.startswith(".") for part in n.split("/"))] == []
    assert {"dot-gitignore", "dot-github/workflows/handbook.yml", "dot-vscode/settings.json"} <= set(names)


# --- the repository's pre-commit hook --------------------------------------------------


def test_repository_declares_the_handbook_check_pre_commit_hook():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = hooks
    assert hook["id"] == "handbook-check"
    assert (hook["entry"], hook["language"], hook["pass_filenames"]) == ("handbook check", "python", False)
    assert re.search(hook["files"], "stories/2021/a.md") and not re.search(hook["files"], "handbook_gen/cli/check.py")
    # The same files as the hook init writes: a change to mkdocs.yml is checked too.
    import datetime as dt
    from pathlib import PurePosixPath

    scaffolded = yaml.safe_load(init_module.scaffold_files(dt.date(2026, 1, 1))[PurePosixPath(".pre-commit-config.yaml")])
    assert hook["files"] == scaffolded["repos"][0]["hooks"][0]["files"]
    # The entry is the console script this package installs.
    import tomllib

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert hook["entry"].split()[0] in scripts


# --- finding the handbook --------------------------------------------------------------

TYPO = {"stories": {"2021": {"typo.md": story("Typo story", extra="lesons: [keep-backups]\n")}}}
TYPO_LINE = "stories/2021/typo.md:7:1: error: HB102 unknown field 'lesons' - did you mean 'lessons'?"


def test_config_file_option_after_the_subcommand(make_handbook, cli, tmp_path):
    root = make_handbook(TYPO)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    after = cli(elsewhere, "check", "-f", str(root / "mkdocs.yml"))
    assert after.exit_code == 1
    assert after.stdout.splitlines() == [TYPO_LINE]
    assert cli(elsewhere, "check", "--config-file", str(root / "mkdocs.yml")).stdout.splitlines() == [TYPO_LINE]
    # The one after the subcommand wins over one before it.
    clean = make_handbook(name="clean")
    both = cli(elsewhere, "-f", str(root / "mkdocs.yml"), "check", "-f", str(clean / "mkdocs.yml"))
    assert both.exit_code == 0, both.output
    # Any file name, relative to the current folder.
    shutil.copyfile(root / "mkdocs.yml", root / "other.yml")
    (root / "mkdocs.yml").unlink()
    other = cli(root, "check", "-f", "other.yml")
    assert other.exit_code == 1 and other.stdout.splitlines() == [TYPO_LINE]
    built = cli(clean, "build", "--variant", "internal", "-f", "mkdocs.yml", "-d", str(tmp_path / "out"))
    assert built.exit_code == 0, built.output
    assert (tmp_path / "out" / "index.html").is_file()


def test_commands_without_a_handbook_take_no_config_file(cli, tmp_path):
    assert cli(tmp_path, "schema", "-f", "mkdocs.yml").exit_code == 2
    assert cli(tmp_path, "init", "x", "-f", "mkdocs.yml").exit_code == 2
    assert not (tmp_path / "x").exists()


def test_handbook_found_from_a_sub_folder(make_handbook, cli):
    root = make_handbook(TYPO)
    result = cli(root / "stories" / "2021", "check")
    assert result.exit_code == 1
    # Paths stay relative to the folder holding mkdocs.yml.
    assert result.stdout.splitlines() == [TYPO_LINE]
    clean = make_handbook(name="clean")
    new = cli(clean / "stories" / "lessons", "new", "Disk full again", "--author", "ada", "--lesson", "keep-backups", "--date", "2022-01-02")
    assert new.exit_code == 0, new.output
    assert new.stdout == "stories/2022/disk-full-again.md\n"
    assert (clean / "stories" / "2022" / "disk-full-again.md").is_file()
    assert not (clean / "stories" / "lessons" / "stories").exists()


def test_handbook_found_from_a_sub_folder_in_a_subprocess(make_handbook):
    root = make_handbook(TYPO)
    result = subprocess.run([str(HANDBOOK_BIN), "check", "--format", "json"], cwd=root / "stories" / "2021", env=ENV,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert [(r["path"], r["line"], r["code"]) for r in json.loads(result.stdout)] == [("stories/2021/typo.md", 7, "HB102")]


def test_the_nearest_handbook_wins(make_handbook, cli):
    make_handbook(TYPO, name="outer")
    inner = make_handbook(name="outer/inner")
    result = cli(inner / "stories" / "2021", "check")
    assert result.exit_code == 0, result.output
    assert result.stderr == "1 story, 1 lesson, 2 pages: 0 errors, 0 warnings\n"


def test_no_handbook_in_any_folder_above(cli, tmp_path):
    deep = tmp_path / "nowhere" / "deep"
    deep.mkdir(parents=True)
    if any((p / "mkdocs.yml").is_file() for p in deep.parents):
        pytest.skip("a folder above the test's holds a mkdocs.yml")
    result = cli(deep, "check")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: no mkdocs.yml in {Path.cwd()} or any folder above it: run handbook inside a handbook, or pass -f FILE\n"


def test_an_explicit_config_file_is_never_searched_for(make_handbook, cli):
    root = make_handbook()
    result = cli(root / "stories" / "2021", "check", "-f", "mkdocs.yml")
    assert result.exit_code == 1
    assert result.stderr == "Error: no mkdocs.yml here: run handbook in the folder that holds mkdocs.yml, or pass -f FILE\n"
