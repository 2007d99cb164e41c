"""Check time of hostile bodies against a normal body of the same size, as ratios of one run.

    .venv/bin/python benchmarks/pathological.py [--size 1000000]

Each body is one story of about SIZE characters; `check` must take about as long on any of
them as on ordinary prose (linear time): a ratio far above 1 means a quadratic path.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

HEAD = "---\ntitle: A long story\ndate: 2021-03-04\nsummary: A story of unusual length, to time the checks.\nauthors: [ada]\nlessons: [keep-backups]\n---\n\n"
UNITS = {
    "ordinary prose": "We changed the config and it broke in a way we had not foreseen. " * 12 + "\n\n",
    "unclosed comments": "<!--",
    "comment openers in text": "a <!-- b ",
    "link openers": "[a](",
    "nested brackets": "[a",
    "image openers": "![",
    "emphasis marks": "*a_",
    "backticks": "`a``b",
    "tags": "<a ",
    "braces": "{a ",
    "quote marks": ">",
    "references": "[a]: ",
    # Raw HTML, read by the browser-grade parser: tags, foreign content, quotes, comment openers.
    "inline tags": "<span>a</span> ",
    "unclosed inline tags": "<span>a ",
    "svg drawings": '<svg><path d="M0 0"/></svg> ',
    "comment openers in attributes": '<a title="<!--">a</a> ',
    "html block lines": "<div>\n",
    "attribute lists": "x{ .a } ",
}


def body(unit: str, size: int) -> str:
    return unit * (size // len(unit))


def time_check(root: Path, text: str) -> float:
    from handbook_gen.core import validation

    (root / "stories" / "2021" / "long.md").write_text(HEAD + text, encoding="utf-8")
    validation._LAST.clear()
    start = time.perf_counter()
    validation.check(root / "stories", root)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "stories" / "2021").mkdir(parents=True)
        (root / "stories" / "lessons").mkdir()
        (root / "stories" / "authors.yml").write_text("ada:\n  name: Ada\n", encoding="utf-8")
        (root / "stories" / "lessons" / "keep-backups.md").write_text("---\ntitle: Keep backups\nsummary: Restore them.\n---\n\nBody.\n", encoding="utf-8")
        base = time_check(root, body(UNITS["ordinary prose"], args.size))
        print(f"{'body of ' + format(args.size, ','):28} {'check s':>8} {'/ ordinary':>10}")
        print(f"{'ordinary prose':28} {base:8.2f} {1.0:10.2f}")
        for name, unit in UNITS.items():
            if name == "ordinary prose":
                continue
            seconds = time_check(root, body(unit, args.size))
            print(f"{name:28} {seconds:8.2f} {seconds / base:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
