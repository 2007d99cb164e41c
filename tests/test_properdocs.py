"""The sample builds under ProperDocs, the maintained MkDocs 1.x fork, with the plugin unchanged.

Material for MkDocs ends its life in May 2027 and MkDocs 2 drops plugins: this is the path after.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import REPO

pytest.importorskip("properdocs")


@pytest.mark.parametrize("variant", ["internal", "public"])
def test_sample_builds_under_properdocs(tmp_path, variant):
    for name in ("stories", "overrides", "placeholder"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "HANDBOOK_VARIANT": variant}
    done = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "-f", "mkdocs.yml", "-d", "out"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    site = tmp_path / "out"
    story = (site / "2021" / "shipped-someone-elses-installer" / "index.html").read_text(encoding="utf-8")
    assert "Hall of fame" in (site / "awards" / "index.html").read_text(encoding="utf-8")
    assert (site / "years" / "2021" / "index.html").is_file() and (site / "feed.xml").is_file()
    assert ('data-handbook-variant="internal"' in story) == (variant == "internal")
    if variant == "public":
        assert "audit of the public site found no leak" in done.stderr
        assert not (site / "2022" / "cache-stampede-after-a-flush").exists()  # an internal story
