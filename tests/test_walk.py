"""core/walk.py: the one walker of parsed values, and layout.url, the one rule for a page's address."""

from __future__ import annotations

import pytest
from markupsafe import Markup
from mkdocs.structure.files import File

from handbook_gen.core import layout, walk
from handbook_gen.render import site


def test_strings_in_order_with_keys_numbers_and_cycles():
    value: dict = {"a": ["x", 1, 2.5, True, None, ("y", {"k": "z"})], "b": "w"}
    assert list(walk.strings(value)) == ["x", "y", "z", "w"]
    assert list(walk.strings(value, numbers=True)) == ["x", "1", "2.5", "y", "z", "w"]
    assert list(walk.strings(value, keys=True)) == ["a", "x", "y", "k", "z", "b", "w"]
    cyclic: list = ["c"]
    cyclic.append(cyclic)  # a YAML alias of its own parent: walked once
    assert list(walk.strings(cyclic)) == ["c"]
    deep: list = ["bottom"]
    for _ in range(50_000):  # deeper than any recursion goes
        deep = [deep]
    assert list(walk.strings(deep)) == ["bottom"]


def test_map_strings_copies_and_maps_every_text():
    value = {"t": "<b>", "l": ["&", {"n": 3, "s": "'"}], "f": False}
    mapped = walk.map_strings(value, lambda s: s.upper() + "!")
    assert mapped == {"t": "<B>!", "l": ["&!", {"n": 3, "s": "'!"}], "f": False}
    assert value["t"] == "<b>"  # the original is left as it was
    plain = walk.map_strings({"m": [Markup("&amp;")]}, str)
    assert type(plain["m"][0]) is str


SOURCES = ["index.md", "README.md", "a.md", "a/index.md", "a/README.md", "2021/the-story.md", "a/b/c.md", "xindex.md", "a/xreadme.md"]


@pytest.mark.parametrize("directory_urls", [True, False])
@pytest.mark.parametrize("src", SOURCES)
def test_page_address_is_mkdocs_own(src, directory_urls):
    # MkDocs writes README.md as its folder's index page: the address says so too.
    file = File(src, "/docs", "/site", directory_urls)
    assert layout.url(src, directory_urls) == file.url.removeprefix("./")
    assert layout.site_path(src, directory_urls) == file.dest_uri
    assert site.url is layout.url
