"""The `handbook` MkDocs plugin: a thin adapter over handbook_gen.core and render."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from ..core import audit, layout, placeholder
from ..core.diagnostics import Diagnostic, Severity, has_errors, render
from ..core.loading import Handbook, inside_docs
from ..core.validation import check
from ..core.variants import Variant, View, select
from ..render import Renderer, site
from ..search import pagefind
from . import guards
from .preview import Preview
from .search import Search
from .search import choose as choose_search
from .sharing import Sharing

log = get_plugin_logger("handbook")

THEME_DIR = site.THEME_DIR
STYLESHEET = "assets/handbook/handbook.css"

# Extensions and plugins that pull other files into a page: a public page could then carry
# any file in the working folder (a secrets file, an internal story), which neither the
# clearance nor the audit would see. The public variant refuses them.
_INCLUDERS = ("pymdownx.snippets", "markdown_include.include", "mdx_include", "include-markdown", "macros", "mkdocs-include-markdown-plugin")

_EXTENSIONS = ("attr_list", "md_in_html", "admonition", "tables", "toc", "pymdownx.emoji")


class HandbookConfig(Config):
    variant = c.Choice(tuple(v.value for v in Variant), default=Variant.INTERNAL.value)
    """Which site to build: `internal` (everything, for staff) or `public` (cleared stories only)."""
    content_dir = c.Type(str, default=placeholder.CONTENT_DIR)
    """The content folder, beside mkdocs.yml: only the plugin reads it (docs_dir holds a placeholder page)."""
    audit = c.Type(bool, default=True)
    """Scan the built public site for leaks and fail the build on any."""
    feed_limit = c.Type(int, default=20)
    """How many of the newest stories the feed holds."""
    public_files = c.ListOfItems(c.Type(str), default=[])
    """Files in the content folder the public site always gets, though no page links them (CNAME, robots.txt)."""
    allow_scripts = c.Type(bool, default=False)
    """Let bodies hold raw `<script>`, event handlers and `javascript:` links (off: they are errors)."""
    search_engine = c.Optional(c.Choice(("pagefind", "material")))
    """`pagefind` (facets; a reader fetches only the index chunks a query needs) or `material`; unset: Pagefind where installed."""
    share_images = c.Type(bool, default=True)
    """Draw a 1200x630 link-preview image for each story, lesson and the culture page (off: shared links show no image)."""
    page_size = c.Type(int, default=50)
    """How many stories one page of a listing group holds (years/2021.md, then years/2021/page/2.md, ...)."""


class HandbookPlugin(BasePlugin[HandbookConfig]):
    """Build a failure-stories handbook with MkDocs and Material."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        self.handbook: Handbook | None = None
        self.view: View | None = None
        self.renderer: Renderer | None = None
        self.table = site.Table()  # every page of the build, made once in on_files
        self.broken: list[Diagnostic] = []  # content errors a preview shows instead of the content
        self.shown: set[str] = set()  # the pages of the last build without errors (a preview shows errors there)
        self.preview: Preview | None = None
        self.search: Search | None = None
        self.sharing: Sharing | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember whether this is a preview, which shows drafts, or a `mkdocs gh-deploy`."""
        self.serving = command == "serve"
        self.gh_deploy = command == "gh-deploy"
        # A dirty preview renders again only the pages whose Markdown changed.
        self.preview = Preview() if self.serving and dirty else None

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Refuse to let `mkdocs gh-deploy` publish the internal site (it pushes whatever it built)."""
        if getattr(self, "gh_deploy", False) and Variant(self.config.variant) is Variant.INTERNAL:
            raise PluginError(
                "mkdocs gh-deploy would publish the internal site: run `handbook deploy`, "
                "which publishes only the audited public site"
            )

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Validate all content, choose the variant and wire in templates and styles."""
        variant = Variant(self.config.variant)
        if variant is Variant.PUBLIC:
            includers = [n for n in _INCLUDERS if n in config.markdown_extensions or n in config.plugins]
            if includers:
                raise PluginError(
                    f"'{includers[0]}' includes other files into pages, which the public site cannot vouch for "
                    "(its clearance and audit see only the story): remove it from mkdocs.yml for the public build"
                )
        root = Path(config.config_file_path or ".").absolute().parent
        config.docs_dir = _content_dir(config, root, self.config.content_dir)
        hb, problems = check(config.docs_dir, root, allow_scripts=self.config.allow_scripts)
        # Only the build knows the theme it uses: no content file may take the place of one of its files.
        theme = layout.theme_files(config.theme.dirs)
        problems = sorted({*problems, *layout.taken(hb.assets, theme, directory_urls=config.use_directory_urls, folder=hb.rel(""))})
        broken = has_errors(problems)
        for d in problems:
            # A preview with errors holds its warnings back: one may only follow from a file that did
            # not load (a lesson its broken story teaches looks untaught); they come back with the fix.
            if d.severity is Severity.WARNING and not (broken and self.serving):
                log.warning(d.text())
        self.broken = []
        if broken:
            errors = [d for d in problems if d.severity is Severity.ERROR]
            summary = f"{len(errors)} error{'s' if len(errors) != 1 else ''} in the content"
            if not self.serving:
                raise PluginError(f"{summary}; nothing was built:\n" + render(errors))
            # A preview shows the errors in the browser instead of the content, and comes
            # back by itself on the save that fixes them.
            log.error(f"{summary}; the preview shows them until they are fixed:\n" + render(errors))
            self.broken = errors
            hb = Handbook(root=root, docs_dir=Path(config.docs_dir))
        # Drafts appear only in the internal preview, never in a public one.
        drafts = self.serving and variant is Variant.INTERNAL
        # Files the configuration itself uses are published even though no page links them.
        extra = site.used_files(config.extra_css, config.extra_javascript, config.theme.get("logo"), config.theme.get("favicon"))
        extra |= set(self.config.public_files)
        self.handbook = hb
        self.view = select(hb, variant, drafts=drafts, extra_assets=extra)
        dirs = config.theme.dirs
        dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        if self.config.page_size < 1:
            raise PluginError(f"page_size must be 1 or more, not {self.config.page_size}")
        self.renderer = Renderer(self.view, template_dirs=list(dirs), page_size=self.config.page_size,
                                 similar=self.preview.similar if self.preview is not None else None)
        if self.preview is not None:
            self.preview.keep_compiled(self.renderer.env, config.theme)
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        for ext in _EXTENSIONS:
            if ext not in config.markdown_extensions:
                config.markdown_extensions.append(ext)
        config.mdx_configs.setdefault("pymdownx.emoji", {}).setdefault("emoji_index", _twemoji_index())
        config.mdx_configs["pymdownx.emoji"].setdefault("emoji_generator", _twemoji_generator())
        config.extra["handbook_variant"] = variant.value
        self.search = Search(choose_search(self.config.search_engine, self.serving))
        self.search.configure(config)  # see search.py
        # Stories are reached through listings and search, never the nav: that is by design.
        config.validation.nav.omitted_files = logging.DEBUG
        if self.broken:
            config.nav = [{"Content errors": "index.md"}]
        elif config.nav is None:
            config.nav = site.nav(self.view, self.renderer)
        else:
            config.nav = site.prune_nav(config.nav, self.view.excluded)
        return config

    @event_priority(-50)  # after other plugins added their files, so none of ours is missed
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Drop everything the variant leaves out; add the generated pages."""
        assert self.view is not None and self.renderer is not None and self.handbook is not None
        docs_dir = config.docs_dir
        known = set(self.handbook.sources) | set(self.handbook.assets)
        pages = files.documentation_pages()
        inside = inside_docs(docs_dir)
        for file in list(files):
            source = file.abs_src_path if not file.generated_by else None
            # MkDocs walks the folder itself and follows links (round a loop, or out of the
            # folder): only what the handbook's own walk read may go in.
            if file.src_uri in self.view.excluded or (
                source and source.startswith(docs_dir) and (file.src_uri not in known or not inside(source))
            ):
                files.remove(file)
        # A file MkDocs' own excludes skipped (e.g. a folder named templates/) is still
        # content: nothing that belongs to the variant may be lost.
        if self.broken:
            # Every address the preview showed, and every page of the content folder, shows the errors:
            # a page left as it was would pass for the edited one.
            page = guards.error_page(self.broken)
            shown = {"index.md", *self.shown, *(f.src_uri for f in pages)}
            self.table = site.Table({src: site.Entry(src, site.Kind.PAGE, src, page, {}) for src in sorted(shown)})
        else:
            self.table = site.build(
                self.handbook, self.view, self.renderer, site_name=config.site_name, site_url=config.site_url or "",
                feed_limit=self.config.feed_limit, directory_urls=config.use_directory_urls,
                memo=self.preview.rendered if self.preview is not None else None,
            )
            self.shown = set(self.table.pages)
        for src, entry in self.table.pages.items():
            found = files.get_file_from_path(src)
            if found is None:
                if entry.kind in (site.Kind.STORY, site.Kind.LESSON) or src in self.view.pages:
                    found = File(src, docs_dir, config.site_dir, config.use_directory_urls)
                else:
                    found = File.generated(config, src, content=entry.markdown)
                files.append(found)
            # Set explicitly, or MkDocs recomputes it from exclude_docs/draft_docs after this event.
            found.inclusion = InclusionLevel.INCLUDED
        for src, content in self.table.files.items():
            files.append(File.generated(config, src, content=content))
        self.sharing = Sharing(self.view, self.handbook, config, images=self.config.share_images)
        self.sharing.add_images(files, config)  # link-preview images: see sharing.py
        # Material's search keeps its last index once a process has made a dirty build (its
        # plugin lives as long as the process) and merges it into the next one, meant for a
        # one-page reload: an index of another build, maybe of the other variant. Never here:
        # each build indexes its own pages (and the preview puts back the pages it skipped).
        for plugin in config.plugins.values():
            if hasattr(plugin, "search_index_prev"):
                plugin.search_index_prev = None
        if self.preview is not None:
            salt = json.dumps([self.view.variant, config.nav, dict(config.extra), config.site_url], sort_keys=True, default=str)
            self.preview.mark(files, self._markdown_of, salt)
        return files

    def _markdown_of(self, src: str) -> str | None:
        """The Markdown the table made for a page; None for a hand-written page, always rendered again."""
        entry = self.table.pages.get(src)
        return None if entry is None or entry.kind is site.Kind.PAGE else entry.markdown

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Serve each page the Markdown of the page table: variant-filtered, rendered once."""
        entry = self.table.pages.get(page.file.src_uri)
        if entry is None:
            return markdown
        # Front-matter stays out of the theme's reach: only what the variant shows goes in.
        page.meta = dict(entry.meta) if entry.kind is not site.Kind.GENERATED else page.meta
        return entry.markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Guard the rendered page (see guards.py); mark it for search."""
        html = guards.content(html, page, self.view.variant if self.view else None, allow_scripts=self.config.allow_scripts)
        if self.search is not None and self.view is not None:  # listings out of search; Pagefind's marks
            html = self.search.page(html, page, self.view, *self.table.kind_of(page.file.src_uri))
        return html

    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        """Give the page its description and sharing meta (Open Graph, Twitter card)."""
        if self.sharing is not None:
            self.sharing.page_meta(page)
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Keep the internal banner on every internal page, even under a theme override."""
        if self.search is not None:  # Pagefind's body, title, summary and facets: see search.py
            output = self.search.wrap(output, page)
        return guards.banner(output, self.view.variant if self.view else None)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        """The same for pages rendered straight from templates, such as 404.html."""
        return guards.banner(output_content, self.view.variant if self.view else None) if template_name.endswith(".html") else output_content

    @event_priority(-100)  # after the search plugin wrote its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Complete a preview's search index, index the site; in the public variant, audit every written file for leaks."""
        assert self.view is not None and self.handbook is not None
        if self.preview is not None:
            self.preview.finish(config.site_dir)
        shipped = self.search.index(config.site_dir) if self.search is not None else []  # Pagefind, before the audit
        try:
            self._audit(config, shipped)
        finally:
            pagefind.release()  # Pagefind's reference files, in a temp folder no worker's exit removes

    def _audit(self, config: MkDocsConfig, shipped: list[str]) -> None:
        """Audit every written file of the public site for leaks; empty the site on any."""
        assert self.view is not None and self.handbook is not None
        if self.view.variant is Variant.PUBLIC and self.config.audit and not self.broken:
            themes = [d for d in config.theme.dirs if d != config.theme.custom_dir] + shipped
            leaks = audit.scan(config.site_dir, self.handbook, self.view, theme_dirs=themes)
            if leaks:
                # Nothing of a leaking site may stay behind for a deploy step to pick up.
                emptied = _remove_site(config.site_dir)
                raise PluginError(
                    f"the public site in {config.site_dir} leaks internal content; do not publish it "
                    + ("(the site folder was emptied):\n" if emptied else "(the site folder could NOT be emptied: delete it):\n")
                    + "\n".join(leak.text() for leak in leaks)
                )
            log.info("audit of the public site found no leak")

def _content_dir(config: MkDocsConfig, root: Path, content_dir: str) -> str:
    """The content folder the plugin reads instead of docs_dir, once the layout is known to fail closed."""
    content = Path(os.path.normpath(root / content_dir))
    why = placeholder.problem(Path(config.docs_dir), content)
    if why:
        raise PluginError(why)
    if not content.is_dir():
        raise PluginError(f"the content folder '{content_dir}' (the handbook plugin's content_dir) does not exist in {root}")
    site_dir = Path(os.path.normpath(Path(config.site_dir).absolute()))
    if site_dir == content or site_dir.is_relative_to(content):
        raise PluginError(f"site_dir '{config.site_dir}' is inside the content folder '{content_dir}': build the site elsewhere")
    return str(content)


def _twemoji_index() -> Any:
    from material.extensions.emoji import twemoji

    return twemoji


def _twemoji_generator() -> Any:
    from material.extensions.emoji import to_svg

    return to_svg


def _remove_site(site_dir: str) -> bool:
    """Delete a built site folder and everything in it; say whether it is gone."""
    import shutil

    shutil.rmtree(site_dir, ignore_errors=True)
    return not Path(site_dir).exists()
