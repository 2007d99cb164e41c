"""`handbook export`: write one variant as a plain docs tree that any engine builds without the plugin.

The tree holds the variant's pages exactly as the plugin serves them (the same page table),
the files its pages link, the plugin's theme files under overrides/, and an mkdocs.yml with
no handbook plugin: MkDocs, ProperDocs and Zensical build it unchanged, and nothing left out
of the variant is in it to publish.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import click
import yaml

from ..core import walk
from ..core.diagnostics import Severity, has_errors, render
from ..core.variants import Variant, select
from ..render import Renderer, site
from .failure import Failed
from .project import find

DOCS = "docs"
OVERRIDES = "overrides"
# Extensions the plugin adds to every build: the pages it writes use them.
EXTENSIONS = ("attr_list", "md_in_html", "admonition", "tables", "toc")
_PYTHON_NAME = "tag:yaml.org,2002:python/name:"
STYLESHEET = "assets/handbook/handbook.css"
# Settings that name the handbook's own folders or the plugin: the export gives its own.
_DROPPED = {"docs_dir", "site_dir", "plugins", "nav", "edit_uri", "edit_uri_template", "watch", "hooks", "exclude_docs", "draft_docs", "not_in_nav"}


@click.command("export")
@click.option("--variant", type=click.Choice([v.value for v in Variant]), required=True, help="Which site to write.")
@click.argument("directory", type=click.Path(file_okay=False))
@click.pass_obj
def command(config_file: str | None, variant: str, directory: str) -> None:
    """Write a variant as a plain docs tree (Markdown, files, mkdocs.yml) that builds with no plugin."""
    project = find(config_file)
    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        raise Failed(f"{directory} is not empty: export writes into a new or empty folder")
    hb, problems = project.check()
    if has_errors(problems):
        errors = [d for d in problems if d.severity is Severity.ERROR]
        raise Failed(f"{len(errors)} error{'s' if len(errors) != 1 else ''} in the content; nothing was exported:\n" + render(errors))
    config = read_config(project.config_file)
    written = config.get("theme")
    theme: dict[str, Any] = written if isinstance(written, dict) else {"name": written or "material"}
    options = project.options
    used = site.used_files(config.get("extra_css") or [], config.get("extra_javascript") or [], theme.get("logo"), theme.get("favicon"))
    view = select(hb, variant, extra_assets=used | set(options.get("public_files") or []))
    custom = project.root / str(theme["custom_dir"]) if theme.get("custom_dir") else None
    renderer = Renderer(view, template_dirs=[str(custom)] if custom else [], page_size=int(options.get("page_size") or 50))
    site_url = str(config.get("site_url") or "")
    table = site.build(hb, view, renderer, site_name=str(config.get("site_name") or ""), site_url=site_url,
                       feed_limit=int(options.get("feed_limit") or 20), directory_urls=config.get("use_directory_urls", True) is not False)

    docs = target / DOCS
    for src, entry in table.pages.items():
        _write(docs / src, _with_meta(entry.meta, entry.markdown))
    for src, content in table.files.items():
        _write(docs / src, content)
    for src in sorted(view.assets):
        (docs / src).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project.docs_dir / src, docs / src)
    # The plugin's theme files first, then the handbook's own overrides over them (as in a build).
    shutil.copytree(site.THEME_DIR, target / OVERRIDES, ignore=shutil.ignore_patterns("__pycache__"))
    if custom is not None and custom.is_dir():
        shutil.copytree(custom, target / OVERRIDES, dirs_exist_ok=True)
    nav = site.prune_nav(config["nav"], view.excluded) if config.get("nav") else site.nav(view, renderer)
    _write(target / "mkdocs.yml", _exported_config(config, theme, nav, view.variant))
    click.echo(f"wrote the {variant} site's docs tree to {directory}: {len(table.pages)} pages, {len(view.assets)} files")
    click.echo(f"build it with any engine (cd {directory} && mkdocs build), then run handbook index and handbook audit on the site")


class _Tagged:
    """A YAML value with a tag the export keeps as written (`!!python/name:...`)."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag, self.value = tag, value


class _Loader(yaml.SafeLoader):
    """mkdocs.yml as data: `!ENV` is resolved as MkDocs would; any other tag is kept."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        items = loader.construct_sequence(node)  # type: ignore[arg-type]
        names, default = items[:-1], items[-1] if len(items) > 1 else None
    for name in names:
        if str(name) in os.environ:
            return yaml.safe_load(os.environ[str(name)])
    return default


def _other(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return _Tagged(node.tag, loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return _Tagged(node.tag, loader.construct_sequence(node))
    return _Tagged(node.tag, loader.construct_mapping(node))  # type: ignore[arg-type]


_Loader.add_constructor("!ENV", _env)
_Loader.add_multi_constructor("!", _other)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _other)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Tagged, lambda dumper, data: (
    dumper.represent_scalar(data.tag, data.value) if not isinstance(data.value, list | dict) else
    dumper.represent_sequence(data.tag, data.value) if isinstance(data.value, list) else dumper.represent_mapping(data.tag, data.value)
))


def read_config(path: Path) -> dict[str, Any]:
    """Read mkdocs.yml as data, with `!ENV` resolved and other tags kept for writing back."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    if not isinstance(data, dict):
        raise Failed(f"{path.name}: expected a mapping of settings")
    return data


def _exported_config(config: dict[str, Any], theme: dict[str, Any], nav: Any, variant: Variant) -> str:
    out = {k: v for k, v in config.items() if k not in _DROPPED}
    out["docs_dir"] = DOCS
    out["theme"] = {**theme, "custom_dir": OVERRIDES}
    out["nav"] = nav
    out["edit_uri"] = ""  # the exported files are not the sources: no "edit this page" links
    css = list(config.get("extra_css") or [])
    out["extra_css"] = css + ([STYLESHEET] if STYLESHEET not in css else [])
    # The plugin's theme reads the variant (its "Internal" banner) and the search engine from extra.
    out["extra"] = {**(config.get("extra") or {}), "handbook_variant": variant.value, "handbook_search": "pagefind"}
    extensions: list[Any] = list(config.get("markdown_extensions") or [])
    names = {e if isinstance(e, str) else next(iter(e)) for e in extensions if isinstance(e, str | dict)}
    extensions += [e for e in EXTENSIONS if e not in names]
    if "pymdownx.emoji" not in names:
        extensions.append({"pymdownx.emoji": {"emoji_index": _Tagged(_PYTHON_NAME + "material.extensions.emoji.twemoji", ""),
                                              "emoji_generator": _Tagged(_PYTHON_NAME + "material.extensions.emoji.to_svg", "")}})
    out["markdown_extensions"] = extensions
    plugins = config.get("plugins") or []
    kept = [p for p in (plugins.items() if isinstance(plugins, dict) else plugins)
            if (p if isinstance(p, str) else next(iter(p)) if isinstance(p, dict) else p[0]) != "handbook"]
    out["plugins"] = [p if not isinstance(p, tuple) else {p[0]: p[1]} for p in kept]
    head = "# Written by `handbook export`: the handbook's pages with no handbook plugin needed.\n"
    return head + yaml.dump(out, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def _with_meta(meta: dict[str, Any], markdown: str) -> str:
    if not meta:
        return markdown
    plain = walk.map_strings(meta, str)  # Markup -> str: already escaped for the theme
    return "---\n" + yaml.safe_dump(plain, sort_keys=False, allow_unicode=True) + "---\n\n" + markdown


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
