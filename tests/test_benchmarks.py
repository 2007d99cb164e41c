"""The benchmark runs end to end at a tiny size and reports every figure."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIGURES = {
    "internal_over_blog", "check_over_build", "all_over_one", "time_large_over_small", "bytes_large_over_small",
    "bytes_per_story", "peak_rss_bytes", "serve_rebuild_over_first", "search_index_bytes",
    "pagefind_first_result_bytes", "pagefind_first_result_seconds",
}
CHROMIUM = Path("/usr/bin/chromium").exists()
pytestmark = pytest.mark.benchmark


def test_benchmark_prints_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--small", "5", "--large", "10", "--no-warmup", "--json", str(out)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(out.read_text())["figures"]
    assert set(figures) == FIGURES
    for key, figure in figures.items():
        assert figure["label"] in done.stdout, key
        if key == "pagefind_first_result_seconds" and not CHROMIUM:
            continue  # timed in the browser only; its bytes are worked out from the files
        assert math.isfinite(figure["value"]) and figure["value"] > 0, (key, figure)


def test_search_only_measures_a_readers_first_search(tmp_path: Path) -> None:
    out = tmp_path / "search.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--search-only", "12", "--json", str(out)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    measured = json.loads(out.read_text())
    assert set(measured["figures"]) == {"pagefind_first_result_bytes", "pagefind_first_result_seconds"}
    for figure in measured["figures"].values():
        assert figure["label"] in done.stdout
    pagefind = measured["large"]["pagefind"]
    assert pagefind["bytes"] > 0 and pagefind["requests"] > 0
    if CHROMIUM:
        # The reader searched the title of story 6 and found that story first.
        assert pagefind["query"].startswith("Copy 6 of ") and pagefind["first_is_story"] is True
        assert 0 < pagefind["seconds"] < 60 and 0 < pagefind["query_seconds"] <= pagefind["seconds"]
        assert pagefind["at_once"]["first_is_story"] is True
        # Pagefind's own files came, and an index chunk and a fragment for this query.
        assert any(u.endswith("pagefind.js") for u in pagefind["urls"])
        assert any(u.startswith("index/") for u in pagefind["urls"]) and any(u.startswith("fragment/") for u in pagefind["urls"])
