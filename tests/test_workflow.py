"""The scaffold's CI workflow (what `handbook init` writes to .github/workflows/handbook.yml):
pull requests checked, both sites published from main each to its own destination, one deploy
at a time, no expression inside a shell line, pinned actions, least permissions; and its deploy
steps' shell run as written against local remotes. zizmor and actionlint audit it in
tests/test_install.py."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MKDOCS_YML, write_tree

from handbook_gen.cli import address
from handbook_gen.cli.deploy import RECORD

WORKFLOW = Path(__file__).resolve().parent.parent / "handbook_gen" / "scaffold" / "dot-github" / "workflows" / "handbook.yml"
DEPLOYS = ("deploy", "deploy-internal")


@pytest.fixture(scope="module")
def flow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job["steps"]


def step(job: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [s for s in job["steps"] if s.get("name") == name]
    return found


def test_pull_requests_are_checked_and_main_publishes_both_sites(flow):
    jobs = flow["jobs"]
    assert set(jobs) == {"check", "internal-unset", *DEPLOYS}
    assert flow[True] == {"pull_request": None, "push": {"branches": ["main"]}}  # YAML 1.1 reads `on` as True
    assert jobs["check"]["if"] == "github.event_name == 'pull_request'"
    assert step(jobs["check"], "Build")["run"] == "handbook build"  # both variants, for reviewers
    main = "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert jobs["deploy"]["if"] == main and step(jobs["deploy"], "Deploy")["run"] == "handbook deploy"
    internal = jobs["deploy-internal"]
    assert internal["if"] == f"{main} && vars.HANDBOOK_INTERNAL_REMOTE != ''"  # skipped until a destination is named
    assert 'handbook deploy --variant internal --remote internal --branch "${INTERNAL_BRANCH:-gh-pages}"' in step(internal, "Deploy")["run"]
    unset = jobs["internal-unset"]  # ... and then says so
    assert unset["if"] == f"{main} && vars.HANDBOOK_INTERNAL_REMOTE == ''"
    assert step(unset, "Say where the internal site goes")["run"].startswith('echo "::notice ')


def test_deploys_run_one_at_a_time_and_see_the_whole_history(flow):
    groups = []
    for name in DEPLOYS:
        job = flow["jobs"][name]
        assert job["concurrency"]["cancel-in-progress"] is False  # a deploy is never cut off half way
        groups.append(job["concurrency"]["group"])
        checkout = steps(job)[[s.get("uses", "").startswith("actions/checkout@") for s in steps(job)].index(True)]
        assert checkout["with"]["fetch-depth"] == 0  # deploy asks git whether HEAD descends from the published commit
    assert len(set(groups)) == len(groups) and all("${{" not in g for g in groups)


def test_every_expression_reaches_the_shell_through_env(flow):
    for job in flow["jobs"].values():
        for s in steps(job):
            assert "${{" not in s.get("run", ""), s["name"]
    # The addresses reach the tool under the name it reads (the scaffold's mkdocs.yml).
    jobs = flow["jobs"]
    assert step(jobs["check"], "Build")["env"] == {address.VARIABLE: "${{ vars.HANDBOOK_SITE_URL }}"}
    assert step(jobs["deploy"], "Deploy")["env"][address.VARIABLE] == "${{ vars.HANDBOOK_SITE_URL }}"
    assert step(jobs["deploy-internal"], "Deploy")["env"][address.VARIABLE] == "${{ vars.HANDBOOK_INTERNAL_SITE_URL }}"


def test_actions_are_pinned_to_a_full_commit_with_their_version(flow):
    pins: dict[str, set[str]] = {}
    lines = [line.strip() for line in WORKFLOW.read_text(encoding="utf-8").splitlines() if line.strip().startswith(("uses:", "- uses:"))]
    assert lines
    for line in lines:
        found = re.fullmatch(r"(?:- )?uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)", line)
        assert found, line
        pins.setdefault(found[1], set()).add(found[2] + " " + found[3])
    assert all(len(p) == 1 for p in pins.values()), pins  # one version of each action throughout
    assert set(pins) == {"actions/checkout", "actions/setup-python", "actions/cache", "actions/upload-artifact"}


def test_each_job_has_only_the_permissions_it_needs(flow):
    assert flow["permissions"] == {}
    jobs = flow["jobs"]
    assert jobs["check"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"contents": "write"}  # pushes gh-pages
    assert jobs["deploy-internal"]["permissions"] == {"contents": "read"}  # pushes elsewhere, with its deploy key
    assert jobs["internal-unset"]["permissions"] == {}
    for job in jobs.values():
        for s in steps(job):
            if s.get("uses", "").startswith("actions/checkout@"):
                assert s["with"]["persist-credentials"] is False  # no token left in .git/config
    # The public deploy's token is in its Deploy step's environment only, read by git's credential helper.
    deploy = step(jobs["deploy"], "Deploy")["env"]
    assert deploy["GH_TOKEN"] == "${{ github.token }}" and deploy["GIT_CONFIG_KEY_0"] == "credential.https://github.com.helper"


# --- the deploy steps' shell, run as written --------------------------------------------------


def run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a step's shell as GitHub's runner does (bash -e), with the venv's `handbook` on PATH."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PATH": path, "CI": "true", **env})


@pytest.fixture
def handbook_repo(make_handbook, tmp_path, monkeypatch):
    for key, value in {"GIT_AUTHOR_NAME": "Tess Ter", "GIT_AUTHOR_EMAIL": "tess@example.com", "GIT_COMMITTER_NAME": "Tess Ter",
                       "GIT_COMMITTER_EMAIL": "tess@example.com", "GIT_CONFIG_GLOBAL": os.devnull,
                       "GIT_CONFIG_NOSYSTEM": "1", "GIT_CEILING_DIRECTORIES": str(tmp_path)}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv(address.VARIABLE, raising=False)
    root = make_handbook({"mkdocs.yml": MKDOCS_YML.replace(f"site_url: {address.PLACEHOLDER}",
                                                           f"site_url: !ENV [{address.VARIABLE}, {address.PLACEHOLDER}]")})
    write_tree(root, {".gitignore": "site/\n"})
    git = ["git", "-C", str(root)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "The handbook"], check=True)
    for bare in ("origin.git", "staff.git"):
        subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / bare)], check=True)
    subprocess.run([*git, "remote", "add", "origin", str(tmp_path / "origin.git")], check=True)
    return root


def published(bare: Path, branch: str = "gh-pages") -> dict[str, Any]:
    shown = subprocess.run(["git", "--git-dir", str(bare), "show", f"{branch}:{RECORD}"], capture_output=True, text=True, check=True)
    return json.loads(shown.stdout)


def step_env(s: dict[str, Any], **values: str) -> dict[str, str]:
    """A step's environment with each `${{ ... }}` replaced by the value given for its last name part."""
    env = {}
    for key, value in s.get("env", {}).items():
        found = re.fullmatch(r"\$\{\{ [\w.]*?(\w+) \}\}", str(value))
        env[key] = values.get(found[1], "") if found else str(value)
    return env


def test_the_deploy_steps_publish_each_site_where_their_settings_say(flow, handbook_repo, tmp_path):
    jobs = flow["jobs"]
    public, internal = step(jobs["deploy"], "Deploy"), step(jobs["deploy-internal"], "Deploy")
    # With no address set (an unset variable arrives empty), the public deploy says what to set, and publishes nothing.
    unset = run_step(public["run"], handbook_repo, step_env(public, token="t0ken"))
    assert unset.returncode == 1
    assert unset.stderr.splitlines()[-1] == (f"the site's address is the placeholder {address.PLACEHOLDER}: set site_url in mkdocs.yml "
                                             f"(or {address.VARIABLE}) to the address the site is served at: nothing was published")
    done = run_step(public["run"], handbook_repo, step_env(public, token="t0ken", HANDBOOK_SITE_URL="https://failures.acme.dev/"))
    assert done.returncode == 0, done.stderr
    assert published(tmp_path / "origin.git")["variant"] == "public"
    settings = {"HANDBOOK_INTERNAL_REMOTE": str(tmp_path / "staff.git"), "HANDBOOK_INTERNAL_SITE_URL": "https://failures.staff.acme.dev/"}
    staff = run_step(internal["run"], handbook_repo, step_env(internal, **settings))
    assert staff.returncode == 0, staff.stderr
    record = published(tmp_path / "staff.git")  # the branch defaults to gh-pages
    head = subprocess.run(["git", "-C", str(handbook_repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert record["variant"] == "internal" and record["commit"] == head
    # Pointed at the public site's repository by mistake, the internal deploy refuses.
    subprocess.run(["git", "-C", str(handbook_repo), "remote", "remove", "internal"], check=True)  # a runner starts afresh
    mistaken = run_step(internal["run"], handbook_repo, step_env(internal, **{**settings, "HANDBOOK_INTERNAL_REMOTE": str(tmp_path / "origin.git")}))
    assert mistaken.returncode == 1
    assert mistaken.stderr.splitlines()[-1] == (
        "the internal site may not go to branch 'gh-pages' of remote 'internal', where the public site is published by default: "
        "name its own destination (-d DIR, --remote REMOTE or --branch BRANCH): nothing was published")


def test_an_empty_address_variable_leaves_mkdocs_yml_in_charge(handbook_repo, tmp_path, monkeypatch):
    """CI hands an unset repository variable over as an empty one: the address in mkdocs.yml still counts."""
    config = handbook_repo / "mkdocs.yml"
    config.write_text(config.read_text().replace(address.PLACEHOLDER, "https://failures.acme.dev/"))
    built = run_step("handbook build --variant public", handbook_repo, {address.VARIABLE: ""})
    assert built.returncode == 0, built.stderr
    assert "https://failures.acme.dev/" in (handbook_repo / "site" / "public" / "sitemap.xml").read_text(encoding="utf-8")
