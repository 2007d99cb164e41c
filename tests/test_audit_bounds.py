"""core.audit.scan on hostile site files: what it reads stays bounded (gzip bombs, huge files,
JSON nested deeper than any parser recurses, character references too long for int()) and
every pattern it runs is linear, so a planted file can neither exhaust the audit nor hide a
leak from it. Handbooks are written to tmp_path and checked; site files are written by hand."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
from conftest import REPO, base_tree, story, write_tree

from handbook_gen.core import audit, walk
from handbook_gen.core.audit import Leak, scan
from handbook_gen.core.validation import check

INTERNAL_TITLE = "The ledger replica fell behind"
TITLE_LEAK = f"field 'title' of internal story 'ledger-replica-fell-behind': '{INTERNAL_TITLE.lower()}'"
ID_LEAK = "id of left-out 'ledger-replica-fell-behind'"
CYRILLIC_NAME = "Роберта Перовская"
CYRILLIC_LEAK = "field 'name' of non-public author 'roberta': 'роберта перовская'"
TOO_LARGE_GZ = "too large to audit once decompressed: not published"
TOO_LARGE = "too large to audit: not published"
MB = 1 << 20
# An internal story's image, too big to be read whole under a 1 MB cap (and no UTF-8).
BIG_PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * (5 * 1024)
INTERNAL_GZ = gzip.compress(b"date,rows\n2021-06-07,981234\n", mtime=0)


@pytest.fixture
def hb(tmp_path: Path):
    """A checked handbook with an internal story, its assets and a private author named in Cyrillic."""
    root = tmp_path / "hb"
    tree = base_tree()
    tree["stories"]["authors.yml"] += f"roberta:\n  name: {CYRILLIC_NAME}\n  team: data\n"
    tree["stories"]["2021"].update({
        "ledger-replica-fell-behind.md": story(INTERNAL_TITLE, authors="[roberta]", body="## What happened\n\n![lag](ledger-replica-fell-behind/lag.png)\n"),
        "ledger-replica-fell-behind": {"lag.png": BIG_PNG, "rows.csv.gz": INTERNAL_GZ},
    })
    write_tree(root, tree)
    handbook, problems = check(root / "stories", root)
    assert [p for p in problems if p.severity.name == "ERROR"] == []
    assert {"ledger-replica-fell-behind/lag.png", "ledger-replica-fell-behind/rows.csv.gz"} <= {a.removeprefix("2021/") for a in handbook.assets}
    return handbook


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    return folder


def _found(site: Path, hb) -> list[tuple[str, str]]:
    return [(leak.file, leak.what) for leak in scan(site, hb)]


def _write_gzip(path: Path, chunk: bytes, total: int, members: int = 1) -> None:
    """Write a gzip file inflating to `total` bytes of `chunk` repeated, compressed as a
    stream (the test never holds the inflated data), in `members` gzip members."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for _ in range(members):
            packer = zlib.compressobj(6, zlib.DEFLATED, 31)
            left = total // members
            while left > 0:
                piece = chunk[:left] if left < len(chunk) else chunk
                out.write(packer.compress(piece))
                left -= len(piece)
            out.write(packer.flush())


def _peak_while(fn):  # type: ignore[no-untyped-def]
    """Run fn; return its result and the peak of Python memory allocated meanwhile, in bytes."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = fn()
        return result, tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


# --- gzip bombs and huge files: never inflated or read whole ---


@pytest.mark.parametrize(("chunk", "total", "members"), [
    (bytes(MB), 200 * MB, 1),  # 200 MB of zeros in a 200 KB file
    ((INTERNAL_TITLE + ". ").encode() * 1000, audit.MAX_FILE_BYTES + MB, 1),  # a leak, repeated past the cap
    (b"<url>x</url>\n" * 1000, audit.MAX_FILE_BYTES + MB, 40),  # 40 members, each under the cap
])
def test_gzip_bomb_is_reported_not_inflated(hb, site, chunk, total, members):
    bomb = site / "sitemap.xml.gz"
    _write_gzip(bomb, chunk, total, members)
    assert bomb.stat().st_size < total // 100
    leaks, peak = _peak_while(lambda: _found(site, hb))
    assert leaks == [("sitemap.xml.gz", TOO_LARGE_GZ)]
    assert peak < 300 * MB, f"peak {peak / MB:.0f} MB"


def test_gzip_bomb_peak_resident_memory_in_a_fresh_process(hb, site, tmp_path):
    """The same 200 MB bomb, measured as the audit's process sees it (resident set, not just
    Python objects): scanning adds less than 300 MB to the peak."""
    _write_gzip(site / "assets" / "data.json.gz", bytes(MB), 200 * MB)
    (tmp_path / "empty").mkdir()
    script = f"""
import resource, sys
sys.path.insert(0, {str(REPO / 'tests')!r})
from handbook_gen.core.audit import scan
from handbook_gen.core.validation import check
from pathlib import Path
hb, _ = check(Path({str(tmp_path / 'hb' / 'stories')!r}), Path({str(tmp_path / 'hb')!r}))
scan(Path({str(tmp_path / 'empty')!r}), hb)  # imports and needles warmed up, no file read
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
leaks = scan(Path({str(site)!r}), hb)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print([(l.file, l.what) for l in leaks], before, after)
"""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300, check=True).stdout
    found, before, after = out.rsplit(" ", 2)
    assert found == str([("assets/data.json.gz", TOO_LARGE_GZ)])
    assert int(after) - int(before) < 300 * 1024, f"{(int(after) - int(before)) // 1024} MB more"  # ru_maxrss: KB


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> int:
    """A 1 MB cap, so files just under and over it stay small."""
    monkeypatch.setattr(audit, "MAX_FILE_BYTES", MB)
    return MB


def _padded(text: str, size: int) -> bytes:
    data = f"<p>{text}</p>\n".encode()
    return data + b" " * (size - len(data))


def test_files_up_to_the_cap_are_read_and_past_it_reported(hb, site, small_cap):
    (site / "at-cap.html").write_bytes(_padded(INTERNAL_TITLE, small_cap))
    (site / "over-cap.html").write_bytes(_padded(INTERNAL_TITLE, small_cap + 1))
    (site / "at-cap.xml.gz").write_bytes(gzip.compress(_padded(INTERNAL_TITLE, small_cap)))
    (site / "over-cap.xml.gz").write_bytes(gzip.compress(_padded(INTERNAL_TITLE, small_cap + 1)))
    (site / "notes").write_bytes(b"plain words " * (small_cap // 10))  # no suffix: text
    (site / "data.bin").write_bytes("données en clair ".encode() * (small_cap // 10))  # starts as UTF-8: text
    (site / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * (small_cap // 200))  # no UTF-8: binary
    assert sorted(_found(site, hb)) == [
        ("at-cap.html", TITLE_LEAK),
        ("at-cap.xml.gz", TITLE_LEAK),
        ("data.bin", TOO_LARGE),
        ("notes", TOO_LARGE),
        ("over-cap.html", TOO_LARGE),
        ("over-cap.xml.gz", TOO_LARGE_GZ),
    ]


def test_text_file_past_the_real_cap_is_reported(hb, site):
    for name in ("search/search_index.json", "feed.xml"):
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:  # sparse: MAX_FILE_BYTES + 1 bytes that take no disk
            handle.truncate(audit.MAX_FILE_BYTES + 1)
    (site / "ok.txt").write_text("nothing to see", encoding="utf-8")
    assert _found(site, hb) == [("feed.xml", TOO_LARGE), ("search/search_index.json", TOO_LARGE)]


def test_copies_of_internal_assets_are_found_past_the_cap_and_inside_gzip(hb, site, small_cap):
    assert len(BIG_PNG) > small_cap
    (site / "assets").mkdir()
    (site / "assets" / "renamed.png").write_bytes(BIG_PNG)  # hashed in chunks, never read whole
    (site / "assets" / "rows.csv.gz").write_bytes(INTERNAL_GZ)  # the .gz asset itself, byte for byte
    (site / "assets" / "lag.png.gz").write_bytes(gzip.compress(BIG_PNG[: small_cap // 2]))  # not the asset: a part of it
    assert _found(site, hb) == [
        ("assets/renamed.png", "copy of asset '2021/ledger-replica-fell-behind/lag.png', which no public page uses"),
        ("assets/rows.csv.gz", "copy of asset '2021/ledger-replica-fell-behind/rows.csv.gz', which no public page uses"),
    ]


def test_gzip_cut_short_corrupt_or_not_gzip_is_still_searched(hb, site):
    whole = gzip.compress(f"<p>{INTERNAL_TITLE}</p>".encode() + b" filler" * 20000)
    (site / "cut.xml.gz").write_bytes(whole[: len(whole) // 2])  # inflates part way, then fails
    (site / "fake.txt.gz").write_bytes(f"{INTERNAL_TITLE} in plain text".encode())  # no gzip at all
    (site / "garbage.gz").write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)))  # a gzip header, then junk
    (site / "trailing.xml.gz").write_bytes(gzip.compress(b"<urlset/>") + f" {INTERNAL_TITLE}".encode())  # text after the member
    (site / "members.xml.gz").write_bytes(gzip.compress(b"<urlset>The ledger ") + gzip.compress(b"replica fell behind</urlset>"))
    assert _found(site, hb) == [
        ("cut.xml.gz", TITLE_LEAK), ("fake.txt.gz", TITLE_LEAK), ("members.xml.gz", TITLE_LEAK), ("trailing.xml.gz", TITLE_LEAK),
    ]


# --- JSON nested deeper than the parser recurses: no traceback, still searched ---


@pytest.mark.parametrize(("text", "expected"), [
    ("[" * 5000 + "]" * 5000, []),
    ("[" * 5000 + json.dumps(INTERNAL_TITLE) + "]" * 5000, [TITLE_LEAK]),
    ('{"a":' * 2000 + json.dumps(CYRILLIC_NAME) + "}" * 2000, [CYRILLIC_LEAK]),  # \u escapes undone
    ('{"a":' * 2000 + json.dumps("https://x.example.com/2021/ledger-replica-fell-behind/").replace("/", "\\/") + "}" * 2000, [ID_LEAK]),
    ("[" * 5000 + json.dumps(INTERNAL_TITLE), [TITLE_LEAK]),  # never closed
    ("[" * 100 + json.dumps({CYRILLIC_NAME: 1}) + "]" * 100, [CYRILLIC_LEAK]),  # parsed: keys searched too
])
def test_deeply_nested_json_is_searched_without_recursion(hb, site, text, expected):
    path = site / "search" / "search_index.json"
    path.parent.mkdir()
    path.write_text(text, encoding="ascii")
    assert len(text) < 13_000  # about 10 KB
    assert _found(site, hb) == [("search/search_index.json", what) for what in expected]


def test_strings_walks_any_depth_and_cycles():
    deep: list = ["bottom"]
    for i in range(100_000):
        deep = [f"level {i}", deep] if i % 25_000 == 0 else [deep]
    assert list(walk.strings(deep)) == ["level 75000", "level 50000", "level 25000", "level 0", "bottom"]
    nested: dict = {"k": "v"}
    for _ in range(100_000):
        nested = {"a": nested}
    assert list(walk.strings(nested)) == ["v"]
    assert list(walk.strings(nested, keys=True)) == ["a"] * 100_000 + ["k", "v"]
    cycle: list = ["once"]
    cycle.append(cycle)
    shared = ["twice?"]
    assert list(walk.strings([cycle, {"x": shared, "y": shared}])) == ["once", "twice?"]


# --- Character references int() refuses: no traceback ---


@pytest.mark.parametrize(("html", "expected"), [
    ("&#" + "9" * 5000 + ";", []),
    ("&#x" + "f" * 5000 + ";", []),
    ("&#" + "0" * 5000 + "84;he ledger replica fell behind", [TITLE_LEAK]),  # leading zeros: a T
    ("The ledger replica fell behin&#x" + "0" * 5000 + "64;", [TITLE_LEAK]),  # leading zeros: a d
    (("&#" + "1" * 4400) * 200 + f"<p>{INTERNAL_TITLE}</p>", [TITLE_LEAK]),
])
def test_huge_character_references_do_not_crash(hb, site, html, expected):
    (site / "index.html").write_text(html, encoding="utf-8")
    assert _found(site, hb) == [("index.html", what) for what in expected]


# --- Patterns stay linear on hostile input ---

# CPU seconds, not wall-clock ones, so that other processes on the machine do not count: about
# 10x the slowest scan of these 1 MB files measured (a quadratic pattern takes minutes).
LINEAR_LIMIT_S = 5.0
LEAK = f'<a href="/2021/ledger-replica-fell-behind/">{INTERNAL_TITLE}</a> '

PATHOLOGICAL = {
    "tags never closed": "<" * MB,
    "tag openings": "<a" * (MB // 2),
    "hyphenated run": "a-" * (MB // 2),
    "hyphenated words": "ab-cd-" * (MB // 6),
    "hyphenated run, each piece an id start": "a.-" * (MB // 3),
    "ids before slashes": "/a" * (MB // 2),
    "one long word": "a" * MB,
    "character references": "&#" * (MB // 2),
    "numeric references": "&#1" * (MB // 3),
    "named references": "&a" * (MB // 2),
    "string escapes": "\\u" * (MB // 2),
    "escaped quotes": '"\\"' * (MB // 3),
    "escaped surrogates": "\\ud800" * (MB // 6),
    "CJK": "数据库副本" * (MB // 15),  # 3 bytes a character
}


@pytest.mark.parametrize("kind", PATHOLOGICAL)
@pytest.mark.parametrize("suffix", [".html", ".json"])
def test_pathological_file_scans_in_linear_time(hb, site, kind, suffix):
    text = PATHOLOGICAL[kind]
    assert MB - 16 <= len(text.encode()) <= MB
    # The leak comes first: a '>' after the hostile megabyte would close every tag it opens.
    (site / f"hostile{suffix}").write_text(LEAK + text, encoding="utf-8")
    start = time.process_time()
    leaks = _found(site, hb)
    elapsed = time.process_time() - start
    assert leaks == [(f"hostile{suffix}", TITLE_LEAK), (f"hostile{suffix}", ID_LEAK)]
    assert elapsed < LINEAR_LIMIT_S, f"{kind}: {elapsed:.2f}s"


def test_leak_objects_are_unchanged(hb, site):
    (site / "page.html").write_text(f"<p>{INTERNAL_TITLE}</p>", encoding="utf-8")
    assert scan(site, hb) == [Leak("page.html", TITLE_LEAK)]
