"""Scan a built public site for anything the public variant must never contain (SPEC 5).

Three parts, one noun each: needles (what must not appear, from the parsed entries and the
projection), reading (the files of a built site: size caps, gzip, unescaping HTML and
scripts) and matching (the word index and its windows)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..loading import Handbook
from ..variants import Variant, View, select
from .matching import Matcher, ids_in
from .needles import Needle, needles
from .reading import MAX_FILE_BYTES, file_texts, pristine, read

__all__ = ["MAX_FILE_BYTES", "Leak", "Needle", "needles", "scan"]


@dataclass(frozen=True)
class Leak:
    """One leak: the site file and what leaked into it."""

    file: str
    what: str

    def text(self) -> str:
        return f"{self.file}: {self.what}"


def scan(site_dir: Path | str, hb: Handbook, public: View | None = None, theme_dirs: Iterable[Path | str] = ()) -> list[Leak]:
    """Scan every file of a built public site; return each leak with its file.

    theme_dirs: folders of installed themes (never a handbook's own custom_dir); a file
    byte-identical to theirs is not searched for text. A file bigger than MAX_FILE_BYTES
    (once decompressed) is not read: it is a leak of its own."""
    site = Path(site_dir)
    themes = [Path(d) for d in theme_dirs]
    public = public or select(hb, Variant.PUBLIC)
    text_needles, asset_digests, private_ids = needles(hb, public)

    matcher = Matcher(text_needles)
    leaks: list[Leak] = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        name = path.name.removesuffix(".gz")
        if name in ("authors.yml", "tags.yml"):
            leaks.append(Leak(rel, f"data file {name} copied into the site"))
        content = read(path, MAX_FILE_BYTES)  # the cap read here, where a test may lower it
        leaked_asset = next((asset_digests[d] for d in content.digests if d in asset_digests), None)
        if leaked_asset:
            leaks.append(Leak(rel, f"copy of asset '{leaked_asset}', which no public page uses"))
            continue
        if content.too_large:
            leaks.append(Leak(rel, content.too_large))
            continue
        if content.data is None or pristine(rel, content.data, themes):
            continue
        texts = file_texts(path, content.data)
        del content  # the file's bytes are not needed any more: a long file is held once less
        seen: set[str] = set()
        ids: set[str] = set()
        def unseen(n: Needle, seen: set[str] = seen) -> bool:  # one leak of each kind a file
            return n.what not in seen

        for text in texts or []:
            for n in matcher.find(text, unseen):
                seen.add(n.what)
                leaks.append(Leak(rel, f"{n.what}: '{n.text.strip()[:80]}'"))
            ids |= ids_in(text, private_ids)
        for sid in sorted(ids):
            leaks.append(Leak(rel, f"id of left-out '{sid}'"))
    return leaks

