"""Measure check, build and audit at two handbook sizes, reported as ratios of one run.

    .venv/bin/python benchmarks/run.py [--small 100] [--large 400]

Stories are synthesised from this repo's sample stories (ids and titles made unique,
half of them public and cleared). Absolute seconds depend on the machine; the ratios
(large/small per story, public/internal, audit share) are what to compare across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
REPO = Path(__file__).resolve().parent.parent


def make_handbook(root: Path, n: int) -> None:
    """Copy the sample handbook and grow it to n stories."""
    from handbook_gen.core.clearance import digest, with_clearance
    from handbook_gen.core.loading import load

    shutil.copytree(REPO / "stories", root / "stories")
    shutil.copytree(REPO / "overrides", root / "overrides")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    samples = sorted((root / "stories").glob("20*/*.md"))
    texts = [p.read_text(encoding="utf-8") for p in samples]
    for p in samples:
        p.unlink()
    for i in range(n):
        text = texts[i % len(texts)]
        text = text.replace("title: ", f"title: Copy {i} of ", 1).replace("related:", "related_unused:", 1)
        text = "\n".join(line for line in text.split("\n") if not line.startswith(("related_unused:", "clearance:", "  by:", "  date: 2026", "  digest:")))
        text = text.replace("visibility: internal", "visibility: public") if i % 2 == 0 else text.replace("visibility: public", "visibility: internal")
        text = text.replace("status: draft\n", "")
        folder = root / "stories" / str(2015 + i % 10)
        folder.mkdir(exist_ok=True)
        (folder / f"story-{i:05d}.md").write_text(text, encoding="utf-8")
    hb, _ = load(root / "stories", root)
    for s in hb.stories.values():
        if s.meta.visibility == "public":
            path = root / "stories" / s.src
            path.write_text(with_clearance(hb.sources[s.src], "mrivera", s.meta.date, digest(s)), encoding="utf-8")


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def build(root: Path, variant: str, audit: bool = True) -> Path:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from handbook_gen.plugin.plugin import force_variant

    site = root / "site" / variant
    force_variant(variant)
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
    config.plugins["handbook"].config["audit"] = audit
    mkdocs_build(config)
    force_variant(None)
    return site


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(n: int) -> dict[str, float]:
    from handbook_gen.core import audit
    from handbook_gen.core.validation import check

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_handbook(root, n)
        t_check, (hb, problems) = timed(check, root / "stories", root)
        assert not [d for d in problems if d.severity == "error"], problems[:3]
        t_internal, site_internal = timed(build, root, "internal")
        t_public, site_public = timed(build, root, "public", False)
        from handbook_gen.plugin.plugin import installed_theme_dirs

        t_audit, leaks = timed(audit.scan, site_public, hb, None, installed_theme_dirs())
        assert not leaks, leaks[:3]
        return {
            "stories": n,
            "check_s": t_check,
            "internal_build_s": t_internal,
            "public_build_s": t_public,
            "audit_s": t_audit,
            "internal_site_bytes": size(site_internal),
            "public_site_bytes": size(site_public),
            "search_index_bytes": (site_internal / "search" / "search_index.json").stat().st_size,
        }


def main() -> int:
    import logging

    logging.basicConfig(level=logging.ERROR)
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=400)
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    small, large = measure(args.small), measure(args.large)
    scale = large["stories"] / small["stories"]
    ratios = {
        "check time per story, large/small": (large["check_s"] / large["stories"]) / (small["check_s"] / small["stories"]),
        "internal build time per story, large/small": (large["internal_build_s"] / large["stories"]) / (small["internal_build_s"] / small["stories"]),
        "internal site bytes per story, large/small": (large["internal_site_bytes"] / large["stories"]) / (small["internal_site_bytes"] / small["stories"]),
        "public/internal build time (large)": large["public_build_s"] / large["internal_build_s"],
        "audit/public build time (large)": large["audit_s"] / large["public_build_s"],
        "check/internal build time (large)": large["check_s"] / large["internal_build_s"],
    }
    for row in (small, large):
        print(f"{row['stories']:>5} stories: check {row['check_s']:.2f}s, internal build {row['internal_build_s']:.2f}s, "
              f"public build {row['public_build_s']:.2f}s, audit {row['audit_s']:.2f}s, "
              f"internal site {row['internal_site_bytes'] / 1e6:.1f} MB, public site {row['public_site_bytes'] / 1e6:.1f} MB")
    print(f"ratios (x{scale:g} stories; 1.0 per story = linear):")
    for name, value in ratios.items():
        print(f"  {name}: {value:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"small": small, "large": large, "ratios": ratios}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
