"""Helpers shared by the variant, audit and browser tests: site scanning, clearing, serving."""

from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path

from click.testing import CliRunner


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site, by its site-relative path; .gz files decompressed."""
    out: dict[str, bytes] = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        out[path.relative_to(site).as_posix()] = data
    return out


def token_hits(site: Path, tokens: dict[str, str]) -> list[str]:
    """Return 'file: what (token)' for each token found in any file's path or content (case-insensitive)."""
    hits = []
    for rel, data in site_files(site).items():
        hay = data.lower()
        for what, token in tokens.items():
            needle = token.lower()
            if needle in rel.lower() or needle.encode() in hay:
                hits.append(f"{rel}: {what} ({token})")
    return hits


def search_docs(site: Path) -> list[dict]:
    """The documents of Material's search index."""
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]


def search_text(site: Path, location: str) -> str:
    """All search-index text of one page, lower-cased: its sections in Material's index, and
    its record in Pagefind's (where Pagefind serves, Material's index holds no page)."""
    docs = [d for d in search_docs(site) if d["location"].split("#", 1)[0] == location]
    parts = [f"{d['title']} {d['text']}" for d in docs]
    if (site / "pagefind").is_dir():
        record = pagefind_records(site).get("/" + location)
        if record is not None:
            parts.append(f"{record['meta'].get('title', '')} {record['content']}")
    return " ".join(parts).lower()


def clear(root: Path, *ids: str, by: str | None = None) -> None:
    """Run `handbook clear IDS --by BY` on a handbook; fail loudly if it does not work.

    Without BY, the first author who may clear every one of them (never one of its authors)."""
    from handbook_gen.cli import handbook

    if by is None:
        by = _clearer(root, ids)
    result = CliRunner().invoke(handbook, ["-f", str(root / "mkdocs.yml"), "clear", *ids, "--by", by])
    assert result.exit_code == 0, result.output
    for sid in ids:
        assert f"cleared {sid}" in result.output


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pagefind_files(bundle: Path) -> dict[str, bytes]:
    """Every file of a Pagefind bundle as its reader gets it: gzip files (no .gz suffix) decompressed."""
    out = {}
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        data = path.read_bytes()
        out[path.relative_to(bundle).as_posix()] = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    return out


def pagefind_records(site: Path) -> dict[str, dict]:
    """Pagefind's record of each indexed page of a site, by URL (a fragment is `pagefind_dcd` + JSON)."""
    records = {}
    for name, data in pagefind_files(site / "pagefind").items():
        if name.startswith("fragment/"):
            assert data.startswith(b"pagefind_dcd"), name
            record = json.loads(data[len(b"pagefind_dcd") :])
            records[record["url"]] = record
    return records


SECOND_READER = "zq-second-reader"  # a name found nowhere else: the audit looks for it, as for every name not public


def _clearer(root: Path, ids: tuple[str, ...]) -> str:
    """The first author of the handbook who may clear every story named (a second person);
    where none may (the handbook's authors wrote them all), a second reader added to authors.yml."""
    from handbook_gen.cli.project import find
    from handbook_gen.core.clearance import clearers, refusal

    project = find(str(root / "mkdocs.yml"))
    hb, _ = project.check()
    stories = [hb.stories[sid] for sid in ids if sid in hb.stories]
    for aid in clearers(hb) or sorted(hb.authors):
        if all(refusal(hb, s, aid) is None for s in stories):
            return aid
    authors = project.docs_dir / "authors.yml"
    text = authors.read_text(encoding="utf-8")
    entry = f"{SECOND_READER}:\n  name: Zq Second Reader\n" + ("  can_clear: true\n" if clearers(hb) else "")
    authors.write_text(text + ("" if text.endswith("\n") else "\n") + entry, encoding="utf-8")
    return SECOND_READER
