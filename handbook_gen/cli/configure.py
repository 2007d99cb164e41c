"""Load mkdocs.yml for one variant: the variant goes in as the handbook plugin's own option.

The option is passed to MkDocs' config loading as an override of the `plugins` setting (the
file's own list, with `variant` set on the handbook entry), so each load carries its variant
and nothing is left behind in the process for another build to pick up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.variants import Variant

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

PLUGIN = "handbook"


def options(config_file: str, variant: Variant | str) -> dict[str, Any]:
    """The load_config keyword arguments that build `variant` (none when the handbook plugin is not enabled)."""
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    value = Variant(variant).value
    with open(config_file, "rb") as fd:
        plugins = yaml_load(fd, get_yaml_loader()).get("plugins")
    if isinstance(plugins, dict):
        if PLUGIN not in plugins:
            return {}
        return {"plugins": {**plugins, PLUGIN: {**(plugins[PLUGIN] or {}), "variant": value}}}
    if not isinstance(plugins, list):
        return {}
    patched: list[Any] = []
    found = False
    for item in plugins:
        if item == PLUGIN:
            item, found = {PLUGIN: {"variant": value}}, True
        elif isinstance(item, dict) and PLUGIN in item:
            item, found = {PLUGIN: {**(item[PLUGIN] or {}), "variant": value}}, True
        patched.append(item)
    return {"plugins": patched} if found else {}


def load(config_file: str, variant: Variant | str, **kwargs: Any) -> MkDocsConfig:
    """MkDocs' configuration from `config_file`, building `variant` whatever the file says."""
    from mkdocs.config import load_config

    return load_config(config_file, **kwargs, **options(config_file, variant))
