"""The benchmark runs end to end at a tiny size and reports every figure."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIGURES = {
    "internal_over_blog", "check_over_build", "all_over_one", "time_large_over_small", "bytes_large_over_small",
    "bytes_per_story", "peak_rss_bytes", "serve_rebuild_over_first", "search_index_bytes",
    "pagefind_first_result_bytes",
}


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
        assert math.isfinite(figure["value"]) and figure["value"] > 0, (key, figure)
