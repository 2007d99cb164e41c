"""handbook_gen.core stays framework-free: importing all of it loads no MkDocs, click or Jinja."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

PROBE = """
import importlib, json, pkgutil, sys
import handbook_gen.core as core
names = sorted(m.name for m in pkgutil.iter_modules(core.__path__))
for m in pkgutil.walk_packages(core.__path__, "handbook_gen.core."):  # a package's modules too (audit/)
    importlib.import_module(m.name)
loaded = sorted(k for k in sys.modules if k.split(".")[0] in ("click", "jinja2") or k.split(".")[0].startswith("mkdocs"))
print(json.dumps({"modules": names, "forbidden": loaded}))
"""


def test_core_imports_no_framework():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # Every module of the core was imported (the probe really walked the package).
    core = REPO / "handbook_gen" / "core"
    expected = {p.stem for p in core.glob("*.py") if p.stem != "__init__"} | {p.parent.name for p in core.glob("*/__init__.py")}
    assert set(report["modules"]) == expected
    assert {"validation", "frontmatter", "schema", "variants", "audit"} <= expected
    assert report["forbidden"] == []
