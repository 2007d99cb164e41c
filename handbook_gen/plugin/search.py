"""The site's search: Pagefind (a static, chunked index with facets) or Material's own.

Pagefind indexes the written site after the build (before the public audit, which reads its
index too); a reader's browser then fetches only the index chunks a query needs. Material's
search downloads one index of the whole site instead: it is the fallback where the `pagefind`
package is not installed, or with `search_engine: material`.
"""

from __future__ import annotations

import atexit
import html as html_lib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

from ..core import layout
from ..core.variants import View
from ..render import search as markup

PAGEFIND = "pagefind"
MATERIAL = "material"
BUNDLE = layout.PAGEFIND  # the index's folder in the site
_TIMEOUT_S = 600
# What Pagefind writes that is the same for every site (its scripts, styles and WebAssembly).
_STATIC = ("pagefind.js", "pagefind-worker.js", "pagefind-highlight.js")


def pagefind_binary() -> Path | None:
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


def choose(option: str | None, serving: bool) -> str:
    """The engine a build uses: the one asked for, else Pagefind where it is installed.

    A preview (`serve`) uses Material's unless Pagefind is asked for by name: Material's
    index is rebuilt with the page, Pagefind would index the whole site at every edit."""
    if option == PAGEFIND:
        if pagefind_binary() is None:
            raise PluginError("search_engine: pagefind, but Pagefind is not installed: pip install 'pagefind[bin]'")
        return PAGEFIND
    if option == MATERIAL or serving:
        return MATERIAL
    return PAGEFIND if pagefind_binary() is not None else MATERIAL


class Search:
    """Wires one build's search: the theme's switch, the marks on pages, the index after the build."""

    def __init__(self, engine: str) -> None:
        self.engine = engine
        self.fields: dict[str, str] = {}  # src -> hidden fields, from page() to wrap()
        self.material_index = engine == MATERIAL

    def configure(self, config: MkDocsConfig) -> None:
        # theme/main.html loads the Pagefind UI (and keeps Material's index from downloading) on this.
        config.extra["handbook_search"] = self.engine
        # Material's index serves only where Pagefind cannot: a site opened from files, which
        # Material's search reads only with its offline plugin. Otherwise no page goes into it.
        self.material_index = self.engine == MATERIAL or any(
            name in config.plugins for name in ("offline", "material/offline"))

    def page(self, html: str, page: Page, view: View, kind: str, key: str) -> str:
        """On a page's content HTML: keep generated listings out of every index; note the fields
        Pagefind reads of every other page (see wrap)."""
        src = page.file.src_uri
        html = markup.disarm(html)
        if markup.is_listing(src) or kind == "former" or not self.material_index:
            page.meta["search"] = {"exclude": True}  # Material's search
        if markup.is_listing(src) or kind == "former":  # a listing, or a story's old address
            return html  # and no data-pagefind-body: Pagefind skips it
        if self.engine != PAGEFIND:
            return html
        if kind == "story":
            s = view.stories[key]
            self.fields[src] = markup.fields(title=s.title, summary=s.summary, filters=markup.story_filters(s, view.lessons))
        elif kind == "lesson":
            l = view.lessons[key]
            self.fields[src] = markup.fields(title=l.title, summary=l.summary)
        else:
            # A hand-written page (the plugin escaped its meta title for the theme: the view's is raw).
            written = view.pages.get(key) if kind == "page" else None
            title = written.title if written is not None and written.title else html_lib.unescape(str(page.title or ""))
            self.fields[src] = markup.fields(title=title)
        return html

    def wrap(self, output: str, page: Page) -> str:
        """On the written page: its content becomes Pagefind's body. Done here, not on the
        content, which Material's search parses: a wrapper before the title would give every
        page an empty first result there."""
        hidden = self.fields.pop(page.file.src_uri, None)
        content = page.content or ""
        if hidden is None or not content or content not in output:
            return output
        return output.replace(content, markup.wrap(content, hidden), 1)

    def index(self, site_dir: str) -> list[str]:
        """Index the written site with Pagefind; return folders of files it ships unchanged (for the audit)."""
        if self.engine != PAGEFIND:
            return []
        run_pagefind(Path(site_dir))
        return [str(reference())]


def run_pagefind(site: Path) -> None:
    """Run Pagefind over one built site: it writes the index into site/pagefind/."""
    binary = pagefind_binary()
    if binary is None:
        raise PluginError("Pagefind is not installed: pip install 'pagefind[bin]', or set search_engine: material")
    bundle = site / BUNDLE
    if bundle.exists():  # an index of an earlier build could name pages that are gone
        shutil.rmtree(bundle)
    cmd = [str(binary), "--site", str(site), "--output-subdir", BUNDLE, "--silent"]
    try:
        # Run in an empty folder: Pagefind reads a pagefind.yml from where it runs.
        with tempfile.TemporaryDirectory(prefix="handbook-pagefind-run-") as cwd:
            done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=_TIMEOUT_S, stdin=subprocess.DEVNULL, env=_env())
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PluginError(f"Pagefind could not index {site}: {exc}") from exc
    if done.returncode != 0 or not (bundle / "pagefind-entry.json").is_file():
        raise PluginError(f"Pagefind could not index {site} (exit {done.returncode}):\n{(done.stderr or done.stdout).strip()[-2000:]}")


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
    run_pagefind(folder)
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
    if pagefind_binary() is None:
        return []
    try:
        return [str(reference())]
    except PluginError:
        return []


def _static(name: str) -> bool:
    return name in _STATIC or (name.startswith("pagefind-") and name.endswith((".js", ".css"))) or (
        name.startswith("wasm.") and name.endswith(".pagefind")
    )


def _env() -> dict[str, Any]:
    # Pagefind reads its options from PAGEFIND_* variables too: only the binary's path is kept.
    return {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_") or k == "PAGEFIND_BINARY_PATH"}
