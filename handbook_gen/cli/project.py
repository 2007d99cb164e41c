"""Find a handbook from its mkdocs.yml without loading MkDocs."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..core import placeholder
from ..core.diagnostics import Diagnostic
from ..core.loading import Handbook
from ..core.validation import check
from .failure import Failed


class _LenientLoader(yaml.SafeLoader):
    """Read mkdocs.yml for its docs_dir: unknown tags such as !ENV become plain values."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_LenientLoader.add_multi_constructor("", _any_tag)


@dataclass
class Project:
    """A handbook on disk: its config file, root and content folder."""

    config_file: Path
    root: Path
    docs_dir: Path  # the content folder: the plugin's content_dir (MkDocs' docs_dir holds only a placeholder)
    options: dict[str, Any] = field(default_factory=dict)  # the handbook plugin's, as written
    engine_docs: Path | None = None  # MkDocs' docs_dir: the placeholder an engine without the plugin builds

    def require_fail_closed(self, shown: str | Path) -> None:
        """Stop with what to change when an engine without the plugin could publish the content."""
        assert self.engine_docs is not None
        why = placeholder.problem(self.engine_docs, self.docs_dir)
        if why:
            raise Failed(f"{shown}: {why}")

    def check(self, today: dt.date | None = None) -> tuple[Handbook, list[Diagnostic]]:
        """Validate the handbook's content, as the plugin will."""
        return check(self.docs_dir, self.root, today, allow_scripts=self.options.get("allow_scripts") is True)


CONFIG_NAME = "mkdocs.yml"


def find(config_file: str | None = None, *, check_layout: bool = True) -> Project:
    """Locate the handbook, or stop with a clear message.

    config_file is the -f FILE given, if any (a folder stands for its mkdocs.yml); without one, the handbook is the nearest
    folder holding mkdocs.yml, from the current folder up.
    """
    if config_file is None:
        nearest = nearest_config(Path.cwd())
        if nearest is None:
            raise Failed(
                f"no {CONFIG_NAME} in {Path.cwd()} or any folder above it: run handbook inside a handbook, or pass -f FILE"
            )
        path = nearest
        shown = str(nearest)
    else:
        path = Path(config_file)
        if path.is_dir():  # the handbook's folder: its mkdocs.yml
            path = path / CONFIG_NAME
            if not path.is_file():
                raise Failed(f"no {CONFIG_NAME} in the folder {config_file}: pass the handbook's folder or its {CONFIG_NAME}")
        shown = str(path)
        if not path.is_file():
            raise Failed(f"no {config_file} here: run handbook in the folder that holds {CONFIG_NAME}, or pass -f FILE")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LenientLoader) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise Failed(f"{shown}: cannot read it: {exc}") from None
    except OSError as exc:
        raise Failed(f"{shown}: cannot read it: {exc.strerror or exc}") from None
    if not isinstance(data, dict):
        raise Failed(f"{shown}: expected a mapping of settings")
    root = path.absolute().parent
    options = _plugin_options(data.get("plugins"))
    docs = Path(os.path.normpath(root / str(data.get("docs_dir", "docs"))))
    content = Path(os.path.normpath(root / str(options.get("content_dir") or placeholder.CONTENT_DIR)))
    project = Project(path.absolute(), root, content, options, docs)
    if check_layout:
        project.require_fail_closed(shown)
    return project


def nearest_config(start: Path) -> Path | None:
    """Return the mkdocs.yml of start or of the nearest folder above it that holds one."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _plugin_options(plugins: Any) -> dict[str, Any]:
    items = plugins.items() if isinstance(plugins, dict) else ((p, None) if isinstance(p, str) else next(iter(p.items()), (None, None)) for p in plugins or [] if isinstance(p, str | dict))
    for name, options in items:
        if name == "handbook":
            return options if isinstance(options, dict) else {}
    return {}
