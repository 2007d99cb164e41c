"""Pagefind: find its binary, run it over a written site, and keep a copy of the files it ships as is.

Framework-free: a failure is a `PagefindError` with a plain sentence, which the plugin turns
into a PluginError and the CLI into its own error.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ..core import layout

BUNDLE = layout.PAGEFIND  # the index's folder in the site
_TIMEOUT_S = 600
# What Pagefind writes that is the same for every site (its scripts, styles and WebAssembly).
_STATIC = ("pagefind.js", "pagefind-worker.js", "pagefind-highlight.js")


class PagefindError(Exception):
    """Pagefind is missing or could not index a site (the message says which, in one sentence)."""


def binary() -> Path | None:
    """The Pagefind binary (from the `pagefind[bin]` package, or PAGEFIND_BINARY_PATH), if any."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    try:
        found = get_executable()
    except (OSError, RuntimeError):  # pagefind_bin installed for another platform, or broken
        return None
    return found if found is not None and found.is_file() else None


def run(site: Path) -> None:
    """Run Pagefind over one built site: it writes the index into site/pagefind/."""
    found = binary()
    if found is None:
        raise PagefindError("Pagefind is not installed: pip install 'pagefind[bin]', or set search_engine: material")
    bundle = site / BUNDLE
    if bundle.exists():  # an index of an earlier build could name pages that are gone
        shutil.rmtree(bundle)
    cmd = [str(found), "--site", str(site), "--output-subdir", BUNDLE, "--silent"]
    try:
        # Run in an empty folder: Pagefind reads a pagefind.yml from where it runs.
        with tempfile.TemporaryDirectory(prefix="handbook-pagefind-run-") as cwd:
            done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=_TIMEOUT_S, stdin=subprocess.DEVNULL, env=_env())
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PagefindError(f"Pagefind could not index {site}: {exc}") from exc
    if done.returncode != 0 or not (bundle / "pagefind-entry.json").is_file():
        raise PagefindError(f"Pagefind could not index {site} (exit {done.returncode}):\n{(done.stderr or done.stdout).strip()[-2000:]}")


_reference: Path | None = None


def reference() -> Path:
    """A folder holding Pagefind's static files as it writes them for any site (at pagefind/...).

    The audit skips a site file byte-identical to a theme's: Pagefind's scripts and
    WebAssembly hold no handbook content, but any common word. Made once per process, until release()."""
    global _reference
    if _reference is not None and (_reference / BUNDLE / "pagefind.js").is_file():
        return _reference
    folder = Path(tempfile.mkdtemp(prefix="handbook-pagefind-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    (folder / "index.html").write_text('<html lang="en"><body><main data-pagefind-body><p>handbook</p></main></body></html>\n', encoding="utf-8")
    run(folder)
    for path in sorted((folder / BUNDLE).rglob("*")):
        if path.is_file() and not _static(path.name):
            path.unlink()
    (folder / "index.html").unlink()
    _reference = folder
    return folder


def release() -> None:
    """Remove the reference folder now: a build's worker process ends without running atexit."""
    global _reference
    if _reference is not None:
        shutil.rmtree(_reference, ignore_errors=True)
        _reference = None


def shipped_dirs() -> list[str]:
    """[reference()] where Pagefind runs, else nothing (for auditing a site built earlier)."""
    if binary() is None:
        return []
    try:
        return [str(reference())]
    except PagefindError:
        return []


def _static(name: str) -> bool:
    return name in _STATIC or (name.startswith("pagefind-") and name.endswith((".js", ".css"))) or (
        name.startswith("wasm.") and name.endswith(".pagefind")
    )


def _env() -> dict[str, Any]:
    # Pagefind reads its options from PAGEFIND_* variables too: only the binary's path is kept.
    return {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_") or k == "PAGEFIND_BINARY_PATH"}
