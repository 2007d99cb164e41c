"""The variant reaches the plugin as its own option, per load of mkdocs.yml: nothing stays in the process."""

from __future__ import annotations

import pytest
from mkdocs.config import load_config

from handbook_gen.cli import configure


def _yml(tmp_path, plugins: str):
    path = tmp_path / "mkdocs.yml"
    path.write_text(f"site_name: T\ndocs_dir: placeholder\nplugins:\n{plugins}", encoding="utf-8")
    (tmp_path / "placeholder").mkdir(exist_ok=True)
    return str(path)


@pytest.mark.parametrize("plugins", [
    "  - search\n  - handbook\n",
    "  - search\n  - handbook:\n      variant: internal\n      feed_limit: 7\n",
    "  search: {}\n  handbook:\n    variant: internal\n    feed_limit: 7\n",
])
def test_a_load_builds_the_variant_asked_whatever_the_file_says_and_keeps_the_other_options(tmp_path, plugins):
    config_file = _yml(tmp_path, plugins)
    public = configure.load(config_file, "public")
    assert public.plugins["handbook"].config.variant == "public"
    assert list(public.plugins) == ["search", "handbook"]
    if "feed_limit" in plugins:
        assert public.plugins["handbook"].config.feed_limit == 7
    # The next load, made without it, reads the file as it is: nothing was left behind.
    assert load_config(config_file).plugins["handbook"].config.variant == "internal"
    assert configure.load(config_file, "internal").plugins["handbook"].config.variant == "internal"


def test_a_file_without_the_handbook_plugin_is_left_as_it_is(tmp_path):
    config_file = _yml(tmp_path, "  - search\n")
    assert configure.options(config_file, "public") == {}
    assert "handbook" not in configure.load(config_file, "public").plugins


def test_an_unknown_variant_is_refused_before_mkdocs_loads_anything(tmp_path):
    with pytest.raises(ValueError):
        configure.options(_yml(tmp_path, "  - handbook\n"), "staging")
