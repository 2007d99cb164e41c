"""The command line is a client of the core, render and search modules, never of the MkDocs plugin's internals."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from conftest import REPO

CLI = REPO / "handbook_gen" / "cli"

PROBE = """
import importlib, json, pkgutil, sys
import handbook_gen.cli as cli
names = sorted(m.name for m in pkgutil.iter_modules(cli.__path__))
for name in names:
    importlib.import_module("handbook_gen.cli." + name)
print(json.dumps({"modules": names, "plugin": sorted(k for k in sys.modules if k.startswith("handbook_gen.plugin"))}))
"""


def test_importing_the_cli_loads_nothing_of_the_plugin():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report["modules"]) == {p.stem for p in CLI.glob("*.py") if p.stem != "__init__"}
    assert report["plugin"] == []


def _imported(tree: ast.AST, package: str) -> set[str]:
    """Every module a file imports, anywhere in it (in functions too), as an absolute name."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            found |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return found


def test_no_cli_command_imports_the_plugin_even_when_it_runs():
    # Commands import MkDocs and friends inside their functions, which importing the package never runs.
    users = {
        path.name: sorted(m for m in _imported(ast.parse(path.read_text(encoding="utf-8")), "handbook_gen.cli") if m.startswith("handbook_gen.plugin"))
        for path in sorted(CLI.glob("*.py"))
    }
    assert {name: modules for name, modules in users.items() if modules} == {}
    # The walk resolves relative imports: it sees the command line's own imports of the core.
    assert "handbook_gen.core.diagnostics" in _imported(ast.parse((CLI / "build.py").read_text(encoding="utf-8")), "handbook_gen.cli")
