"""The site's search: Pagefind (a static, chunked index with facets) or Material's own.

Pagefind (run by handbook_gen.search.pagefind) indexes the written site after the build
(before the public audit, which reads its index too); a reader's browser then fetches only the index chunks a query needs. Material's
search downloads one index of the whole site instead: it is the fallback where the `pagefind`
package is not installed, or with `search_engine: material`.
"""

from __future__ import annotations

import html as html_lib
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

from ..core.variants import View
from ..render import search as markup
from ..search import pagefind

PAGEFIND = "pagefind"
MATERIAL = "material"


def choose(option: str | None, serving: bool) -> str:
    """The engine a build uses: the one asked for, else Pagefind where it is installed.

    A preview (`serve`) uses Material's unless Pagefind is asked for by name: Material's
    index is rebuilt with the page, Pagefind would index the whole site at every edit."""
    if option == PAGEFIND:
        if pagefind.binary() is None:
            raise PluginError("search_engine: pagefind, but Pagefind is not installed: pip install 'pagefind[bin]'")
        return PAGEFIND
    if option == MATERIAL or serving:
        return MATERIAL
    return PAGEFIND if pagefind.binary() is not None else MATERIAL


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
        html = markup.unindexed(html)
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
        try:
            pagefind.run(Path(site_dir))
            return [str(pagefind.reference())]
        except pagefind.PagefindError as exc:
            raise PluginError(str(exc)) from exc
