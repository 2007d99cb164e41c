"""Measure the handbook against itself and against a peer, as ratios taken in one run.

    .venv/bin/python benchmarks/run.py [--small 1000] [--large 4000] [--quick] [--repeat 1] [--json FILE]
    .venv/bin/python benchmarks/run.py --search-only 4000     # figures 9 and 10 alone, in minutes

Stories are synthesised from this repo's sample stories (ids and titles made unique, half
of them public and cleared). Each build starts with no cached preview image, as a build of a
fresh clone does (an unchanged story's image is cached by any later build, in a cache folder
the benchmark points HANDBOOK_CACHE_DIR at and empties before each build). Every build and check runs as a subprocess of its own, timed
wall-clock (and CPU, user+sys of the process tree, from os.wait4); peak memory is that
tree's largest resident set. The machine is noisy and shared: compare the ratios across
runs, not the seconds. Figures:

  1. internal build / Material's blog plugin building the same story texts as posts
     (both as `mkdocs build`, so both pay the same interpreter start-up)
  2. `handbook check` / `handbook build --variant internal` (both CLI subprocesses)
  3. `handbook build --variant all` / `--variant internal` (CLI; `--variant public` alone is
     timed too, to show what a serial build of both would cost)
  4. large/small, for the internal build's time and its site's bytes
  5. internal site bytes per story
  6. peak RSS of `handbook build --variant internal` at the large size
  7. `mkdocs serve` emulated in one process: rebuild after a one-line edit / first build
  8. bytes of search/search_index.json of the internal site at the large size
  9. bytes a reader downloads, once a story page is open, until Pagefind's first result shows
     for a story's title (internal site, large; Chromium against a local server, cold cache)
 10. seconds from the click on the search box to that first result (clocked in the page)

--search-only N builds N stories' internal site and measures figures 9 and 10 alone: the
blog peer makes a full run at 4,000 stories last about an hour on two cores.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
REPO = Path(__file__).resolve().parent.parent

# The figures every run prints (and writes with --json), in table order.
FIGURES: tuple[tuple[str, str], ...] = (
    ("internal_over_blog", "1  internal build / blog build"),
    ("check_over_build", "2  handbook check / internal build"),
    ("all_over_one", "3  build --variant all / one variant"),
    ("time_large_over_small", "4a internal build time, large/small"),
    ("bytes_large_over_small", "4b internal site bytes, large/small"),
    ("bytes_per_story", "5  internal site bytes per story"),
    ("peak_rss_bytes", "6  peak RSS, internal build (large)"),
    ("serve_rebuild_over_first", "7  serve: save to page served / first build"),
    ("search_index_bytes", "8  search_index.json bytes (internal, large)"),
    ("pagefind_first_result_bytes", "9  bytes to the first Pagefind result (large)"),
    ("pagefind_first_result_seconds", "10 seconds to the first Pagefind result (large)"),
)
# What --search-only measures (one size, the internal build and figures 9-10).
SEARCH_FIGURES = FIGURES[-2:]

# Extensions the handbook plugin adds to every build (handbook_gen/plugin/plugin.py), given
# to the blog peer as well so that both render the same Markdown the same way.
PLUGIN_EXTENSIONS = ("attr_list", "md_in_html", "admonition", "tables", "toc")
EMOJI_EXTENSION = """\
- pymdownx.emoji:
    emoji_index: !!python/name:material.extensions.emoji.twemoji
    emoji_generator: !!python/name:material.extensions.emoji.to_svg
"""
EDIT_MARK = "zqbenchedit"
SERVE_EDITS = 30  # saves after the first, for the memory of a long preview


# --- The synthetic handbook and its blog peer ------------------------------------------


def make_handbook(root: Path, n: int) -> None:
    """Copy the sample handbook and grow it to n stories."""
    from handbook_gen.core.clearance import digest, with_clearance
    from handbook_gen.core.loading import load

    shutil.copytree(REPO / "stories", root / "stories")
    shutil.copytree(REPO / "overrides", root / "overrides")
    shutil.copytree(REPO / "placeholder", root / "placeholder")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    samples = sorted((root / "stories").glob("20*/*.md"))
    texts = [p.read_text(encoding="utf-8") for p in samples]
    for p in samples:
        p.unlink()
    for i in range(n):
        text = texts[i % len(texts)]
        text = text.replace("title: ", f"title: Copy {i} of ", 1).replace("related:", "related_unused:", 1)
        text = "\n".join(line for line in text.split("\n") if not line.startswith(("related_unused:", "clearance:", "  by:", "  date: 2026", "  digest:")))
        text = text.replace("visibility: internal", "visibility: public") if i % 2 == 0 else text.replace("visibility: public", "visibility: internal")
        text = text.replace("status: draft\n", "")
        folder = root / "stories" / str(2015 + i % 10)
        folder.mkdir(exist_ok=True)
        (folder / f"story-{i:05d}.md").write_text(text, encoding="utf-8")
    hb, _ = load(root / "stories", root)
    for s in hb.stories.values():
        if s.meta.visibility == "public":
            path = root / "stories" / s.src
            path.write_text(with_clearance(hb.sources[s.src], "mrivera", s.meta.date, digest(s)), encoding="utf-8")


class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml with its custom tags (!ENV ...) as plain values."""


_LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return a Markdown file's front-matter and body."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    return yaml.safe_load("\n".join(lines[1:end])) or {}, "\n".join(lines[end + 1 :])


def with_excerpt_mark(body: str) -> str:
    """Put the blog's `<!-- more -->` after the body's first paragraph (no text is added)."""
    blocks = body.strip("\n").split("\n\n")
    for i, block in enumerate(blocks):
        if block.strip() and not block.lstrip().startswith(("#", "<", "!!!")):
            return "\n\n".join([*blocks[: i + 1], "<!-- more -->", *blocks[i + 1 :]]) + "\n"
    return body


def make_blog_peer(handbook: Path, blog: Path, full_excerpts: bool = False) -> int:
    """Write the handbook's story texts as posts of Material's blog plugin; return how many.

    Each post keeps the story's body and front-matter, except what the blog rejects or
    shows otherwise: `title` becomes the `# heading`, `authors` goes (the blog would need
    a .authors.yml naming them). Same theme features and Markdown extensions as the handbook.
    """
    hb_config = yaml.load((handbook / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_LenientLoader) or {}
    theme = hb_config.get("theme") or {}
    extensions: list[Any] = list(hb_config.get("markdown_extensions") or [])
    names = {e if isinstance(e, str) else next(iter(e)) for e in extensions}
    extensions += [e for e in PLUGIN_EXTENSIONS if e not in names]
    config: dict[str, Any] = {
        "site_name": "Blog peer",
        "docs_dir": "docs",
        "theme": {"name": "material", **{k: theme[k] for k in ("features", "palette") if k in theme}},
        "plugins": ["search", "blog"],
    }
    text = yaml.safe_dump(config, sort_keys=False) + yaml.safe_dump({"markdown_extensions": extensions}, sort_keys=False)
    if "pymdownx.emoji" not in names:
        text += EMOJI_EXTENSION
    blog.mkdir(parents=True)
    (blog / "mkdocs.yml").write_text(text, encoding="utf-8")
    posts = blog / "docs" / "blog" / "posts"
    posts.mkdir(parents=True)
    (blog / "docs" / "blog" / "index.md").write_text("# Blog\n", encoding="utf-8")
    count = 0
    for story in sorted((handbook / "stories").glob("*/story-*.md")):
        meta, body = split_front_matter(story.read_text(encoding="utf-8"))
        title = meta.pop("title")
        meta.pop("authors", None)
        front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
        body = body if full_excerpts else with_excerpt_mark(body)
        (posts / story.name).write_text(f"---\n{front}---\n\n# {title}\n\n{body.lstrip()}", encoding="utf-8")
        count += 1
    return count


def internal_story(root: Path) -> Path:
    """An internal story (editing it leaves every clearance valid)."""
    return next(p for p in sorted((root / "stories").glob("*/story-*.md")) if "\nvisibility: internal\n" in p.read_text(encoding="utf-8"))


def edit_one_line(story: Path, mark: str) -> None:
    """Append `mark` to the first prose line of the story's body."""
    lines = story.read_text(encoding="utf-8").split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    line = next(i for i in range(end + 1, len(lines)) if lines[i].strip() and lines[i][0].isalpha())
    lines[line] += f" {mark}"
    story.write_text("\n".join(lines), encoding="utf-8")


# --- Running and timing -----------------------------------------------------------------


class BenchmarkError(RuntimeError):
    """A measured command failed."""


@dataclass(frozen=True)
class Run:
    """One subprocess: wall seconds, CPU seconds and peak RSS of its process tree."""

    wall_s: float
    cpu_s: float
    peak_rss_bytes: int
    stdout: str


def run(cmd: list[str], cwd: Path, logs: Path, name: str, env: dict[str, str] | None = None) -> Run:
    """Run cmd to completion; time it and read its resource use with os.wait4.

    wait4's rusage covers the child and every descendant it waited for (the build's worker
    processes), so CPU is the whole tree's and the peak RSS is its largest process's.
    """
    environ = {k: v for k, v in os.environ.items() if k != "HANDBOOK_VARIANT"} | {"NO_MKDOCS_2_WARNING": "1"} | (env or {})
    out, err = logs / f"{name}.out", logs / f"{name}.err"
    with out.open("wb") as o, err.open("wb") as e:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=environ, stdin=subprocess.DEVNULL, stdout=o, stderr=e)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = "\n".join(err.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])
        raise BenchmarkError(f"`{shlex.join(cmd)}` (in {cwd}) exited {proc.returncode}:\n{tail}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, out.read_text(encoding="utf-8"))


def best(runs: Iterator[Run] | list[Run]) -> Run:
    """The fastest of repeated runs (noise only ever adds time)."""
    return min(runs, key=lambda r: r.wall_s)


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Commands:
    """The command lines measured, for a handbook in `hb` and its blog peer in `blog`."""

    hb: Path
    blog: Path

    def check(self) -> list[str]:
        return [sys.executable, "-m", "handbook_gen", "-f", "mkdocs.yml", "check"]

    def cli_build(self, variant: str) -> list[str]:
        return [sys.executable, "-m", "handbook_gen", "-f", "mkdocs.yml", "build", "--variant", variant, "-d", str(self.hb / "site" / f"cli-{variant}")]

    def mkdocs_build(self, folder: Path) -> list[str]:
        return [sys.executable, "-m", "mkdocs", "build", "-f", "mkdocs.yml", "-d", str(folder / "site" / "mkdocs")]

    def serve(self) -> list[str]:
        return [sys.executable, str(Path(__file__).resolve()), "--serve-child", str(self.hb / "mkdocs.yml"), str(internal_story(self.hb))]

    def show(self, cmd: list[str]) -> str:
        """A command line with the temporary folders and the interpreter named for the reader."""
        text = shlex.join(cmd).replace(sys.executable, "python").replace(str(Path(__file__).resolve()), "benchmarks/run.py")
        return text.replace(str(self.blog), "$BLOG").replace(str(self.hb), "$HANDBOOK")


# --- `mkdocs serve`, emulated in one process (run as a child: --serve-child) ------------


def serve_emulation(config_file: str, story: str, edits: int = SERVE_EDITS) -> dict[str, float]:
    """Build as `mkdocs serve` does, edit one line of a story, rebuild; return the timings.

    Follows mkdocs/commands/serve.py as `handbook serve` runs it (build_type="dirty"): the
    first config gets on_startup(command="serve", dirty=True), every rebuild reloads the
    config with load_config and calls build(config, serve_url=..., dirty=True) in the same
    process, so only process-wide state (module-level caches, plugin instances MkDocs keeps
    for plugins with on_startup) survives between builds. The variant is internal, as
    `handbook serve` defaults to (via HANDBOOK_VARIANT here). A rebuild is timed from the
    save to the edited page, as the server sends it, holding the new line. Then `edits`
    more saves: the resident memory after the first rebuild and after the last says
    whether a long preview grows.
    """
    import logging
    from urllib.parse import urlsplit

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.livereload import _serve_url

    logging.basicConfig(level=logging.INFO, format="%(levelname)s - %(message)s")  # as `handbook serve`
    os.environ["HANDBOOK_VARIANT"] = "internal"
    site_dir = tempfile.mkdtemp(prefix="mkdocs_")

    def get_config() -> Any:
        return load_config(config_file=config_file, site_dir=site_dir)

    try:
        wall, cpu = time.perf_counter(), time.process_time()
        config = get_config()
        config.plugins.on_startup(command="serve", dirty=True)
        host, port = config.dev_addr
        config.site_url = serve_url = _serve_url(host, port, urlsplit(config.site_url or "/").path)
        build(config, serve_url=serve_url, dirty=True)
        first_wall, first_cpu = time.perf_counter() - wall, time.process_time() - cpu
        page = Path(site_dir, Path(story).parent.name, Path(story).stem, "index.html")

        def save_and_rebuild(mark: str) -> tuple[float, float]:
            wall, cpu = time.perf_counter(), time.process_time()
            edit_one_line(Path(story), mark)
            config = get_config()
            config.site_url = serve_url
            build(config, serve_url=serve_url, dirty=True)
            if mark not in page.read_text(encoding="utf-8"):
                raise BenchmarkError("the rebuild after the edit does not show it")
            return time.perf_counter() - wall, time.process_time() - cpu

        rebuild_wall, rebuild_cpu = save_and_rebuild(EDIT_MARK)
        if EDIT_MARK not in Path(site_dir, "search", "search_index.json").read_text(encoding="utf-8"):
            raise BenchmarkError("the search index after the edit does not hold it")
        rss_first = _rss()
        times = [save_and_rebuild(f"{EDIT_MARK}{i}")[0] for i in range(edits)]
        rss_last = _rss()
        config.plugins.on_shutdown()
    finally:
        shutil.rmtree(site_dir, ignore_errors=True)
    return {"first_wall_s": first_wall, "first_cpu_s": first_cpu, "rebuild_wall_s": rebuild_wall, "rebuild_cpu_s": rebuild_cpu,
            "edits": edits, "median_rebuild_wall_s": sorted(times)[len(times) // 2] if times else rebuild_wall,
            "rss_after_first_edit_bytes": rss_first, "rss_after_edits_bytes": rss_last}


def _rss() -> int:
    """This process's resident memory now (Linux), after a collection: what it holds, not its peak."""
    import gc

    gc.collect()
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


# --- One handbook size -----------------------------------------------------------------


def measure(n: int, work: Path, repeat: int, large: bool, full_excerpts: bool) -> tuple[dict[str, Any], Commands]:
    """Build n stories every way measured; the large size also gets --variant all and serve."""
    hb, blog = work / f"handbook-{n}", work / f"blog-{n}"
    hb.mkdir()
    make_handbook(hb, n)
    posts = make_blog_peer(hb, blog, full_excerpts)
    assert posts == n, (posts, n)
    cmd = Commands(hb, blog)
    logs = work / f"logs-{n}"
    logs.mkdir()
    runs: dict[str, list[Run]] = {}
    bytes_: dict[str, int] = {}
    result: dict[str, Any] = {"stories": n}

    def measured(name: str, command: list[str], cwd: Path, env: dict[str, str] | None = None, site: Path | None = None,
                 after: Callable[[Path], None] | None = None) -> None:
        # Every build starts as from a fresh clone: no preview image cached by an earlier one.
        cache = work / f"cache-{n}"
        shutil.rmtree(cache, ignore_errors=True)
        r = run(command, cwd, logs, f"{name}-{len(runs.get(name, []))}", {"HANDBOOK_CACHE_DIR": str(cache)} | (env or {}))
        runs.setdefault(name, []).append(r)
        progress(f"  [{n} stories] {name}: {r.wall_s:.2f}s wall, {r.cpu_s:.2f}s cpu, {r.peak_rss_bytes / 2**20:.0f} MiB peak")
        if site is not None:
            bytes_[name] = size(site)
            if after:
                after(site)
            shutil.rmtree(site)

    def search_index(site: Path) -> None:
        bytes_["search_index"] = (site / "search" / "search_index.json").stat().st_size
        result["pagefind"] = pagefind_first_result(site, n // 2)

    for _ in range(repeat):
        # Interleaved, so that a slow spell of the machine hits every measure alike.
        measured("check", cmd.check(), hb)
        measured("build_internal", cmd.cli_build("internal"), hb, site=hb / "site" / "cli-internal", after=search_index)
        measured("mkdocs_internal", cmd.mkdocs_build(hb), hb, {"HANDBOOK_VARIANT": "internal"}, site=hb / "site" / "mkdocs")
        measured("mkdocs_blog", cmd.mkdocs_build(blog), blog, site=blog / "site" / "mkdocs")
        if large:
            measured("build_all", cmd.cli_build("all"), hb, site=hb / "site" / "cli-all")
            measured("build_public", cmd.cli_build("public"), hb, site=hb / "site" / "cli-public")
            shutil.copytree(hb / "stories", work / "stories-before-edit")
            try:
                measured("serve", cmd.serve(), hb)
            finally:  # the next round edits the same pristine story again
                shutil.rmtree(hb / "stories")
                shutil.move(work / "stories-before-edit", hb / "stories")

    for name, rs in runs.items():
        result[name] = asdict(best(rs)) | {"stdout": None}
    if "serve" in runs:
        # The serve figures are the child's own timings of its two builds, from its fastest run.
        serve = [(json.loads(r.stdout.strip().splitlines()[-1]), r) for r in runs["serve"]]
        timings, r = min(serve, key=lambda s: s[0]["first_wall_s"] + s[0]["rebuild_wall_s"])
        result["serve"] = asdict(r) | {"stdout": None} | timings
    result["bytes"] = bytes_
    shutil.rmtree(hb / "site", ignore_errors=True)
    return result, cmd


def warm_up(work: Path) -> None:
    """Build a tiny handbook and blog once, untimed, so no measure pays for a cold disk cache."""
    hb, blog = work / "warm-handbook", work / "warm-blog"
    hb.mkdir()
    make_handbook(hb, 10)
    make_blog_peer(hb, blog)
    cmd, logs = Commands(hb, blog), work / "logs-warm"
    logs.mkdir()
    run(cmd.check(), hb, logs, "check")
    run(cmd.cli_build("internal"), hb, logs, "build")
    run(cmd.mkdocs_build(hb), hb, logs, "mkdocs", {"HANDBOOK_VARIANT": "internal"})
    run(cmd.mkdocs_build(blog), blog, logs, "blog")
    shutil.rmtree(hb)
    shutil.rmtree(blog)


# --- Pagefind in a browser ------------------------------------------------------------


def pagefind_first_result(site: Path, i: int) -> dict[str, Any]:
    """Open story i of a built site in Chromium (cold cache, local server), give the reader a
    second on the page, then search its title from the header box; measure every byte of
    Pagefind's bundle fetched until the first result shows (ahead of the click or after it),
    the time from the click to that result and from the query typed to it (clocked in the
    page), and whether that result is the story.

    Without Chromium (or Playwright) the bytes are worked out from the files Pagefind's
    loader fetches (its UI and script, the entry, WebAssembly and metadata, every filter
    file, the largest index chunk, the 5 largest fragments): an upper bound, and no time."""
    import functools
    import html
    import http.server
    import importlib.util
    import re
    import threading

    bundle = site / "pagefind"
    if not bundle.is_dir():  # built without Pagefind (search_engine: material, or not installed)
        return {"bytes": math.nan, "seconds": math.nan, "first_is_story": None, "index_bytes": 0, "requests": 0, "how": "no Pagefind index"}
    index_bytes = size(bundle)
    title = f"Copy {i} of "
    story = next(iter(sorted(site.glob(f"*/story-{i:05d}/index.html"))))
    page_path = story.parent.relative_to(site).as_posix() + "/"
    chromium = Path("/usr/bin/chromium")
    if importlib.util.find_spec("playwright") is None or not chromium.exists():
        files = [bundle / n for n in ("pagefind-ui.js", "pagefind-ui.css", "pagefind.js", "pagefind-entry.json", "wasm.en.pagefind")]
        files += [*bundle.glob("*.pf_meta"), *(bundle / "filter").glob("*")]
        files.append(max((bundle / "index").glob("*"), key=lambda p: p.stat().st_size))
        files += sorted((bundle / "fragment").glob("*"), key=lambda p: p.stat().st_size)[-5:]
        return {"bytes": sum(p.stat().st_size for p in files), "page_bytes": None, "seconds": math.nan, "first_is_story": None,
                "index_bytes": index_bytes, "requests": len(files), "how": "computed from files", "query": title}

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    from playwright.sync_api import sync_playwright

    meta = re.search(r'data-pagefind-meta="title">([^<]*)<', story.read_text(encoding="utf-8"))
    query = html.unescape(meta.group(1)) if meta else title
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    def search_once(browser: Any, settle_ms: int) -> dict[str, Any]:
        """One reader, cold cache: settle_ms on the page, then a click on search and the query."""
        fetched: list[tuple[str, int]] = []
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.add_init_script(_RESULT_CLOCK)
            page.on("requestfinished", lambda r: fetched.append((r.url, r.sizes()["responseBodySize"])))
            page.goto(f"http://127.0.0.1:{port}/{page_path}", wait_until="load" if settle_ms else "domcontentloaded")
            if settle_ms:
                page.wait_for_timeout(settle_ms)
            page.locator("input.md-search__input").click()
            page.locator(".pagefind-ui__search-input").fill(query)
            page.wait_for_function("() => window.__hbClock.result !== null")
            clock = page.evaluate("() => window.__hbClock")
            first = clock["title"]
            done = list(fetched)
        finally:
            context.close()
        # Everything Pagefind's bundle sent until the result showed, whether the page fetched
        # it ahead (once idle) or after the click; the page itself (HTML, theme) counts apart.
        search = [(u, n) for u, n in done if "/pagefind/" in u]
        return {"bytes": sum(n for _, n in search), "page_bytes": sum(n for u, n in done if "/pagefind/" not in u),
                "seconds": (clock["result"] - clock["click"]) / 1000, "query_seconds": (clock["result"] - clock["typed"]) / 1000,
                "first_is_story": first.startswith(title), "requests": len(search),
                "urls": [u.rsplit("/", 2)[-2] + "/" + u.rsplit("/", 1)[-1] for u, _ in search]}

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            try:
                settled = search_once(browser, 1000)  # a reader's first second on the page
                at_once = search_once(browser, 0)  # a reader who clicks search as the page appears
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return settled | {"index_bytes": index_bytes, "how": "Chromium", "query": query,
                      "at_once": {k: at_once[k] for k in ("bytes", "seconds", "query_seconds", "first_is_story")}}


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

# Timed inside the page, so the clock holds no round trip of the driver's: the click on the
# header's box, the last keystroke in Pagefind's box, and the frame in which a result title
# shows with nothing left loading.
_RESULT_CLOCK = """
window.__hbClock = {click: null, typed: null, result: null, title: null};
document.addEventListener("pointerdown", () => { if (window.__hbClock.click === null) window.__hbClock.click = performance.now() }, true);
document.addEventListener("input", (ev) => {
  if (ev.target.classList && ev.target.classList.contains("pagefind-ui__search-input")) window.__hbClock.typed = performance.now()
}, true);
new MutationObserver(() => {
  const c = window.__hbClock;
  if (c.typed === null || c.result !== null) return;
  const title = document.querySelector(".pagefind-ui__result-title");
  if (title && !document.querySelector(".pagefind-ui__results .pagefind-ui__loading")) {
    c.result = performance.now();
    c.title = title.textContent.trim();  // read now: the results may be drawn again (facet counts)
  }
}).observe(document, {childList: true, subtree: true});
"""


# --- Figures and the table --------------------------------------------------------------


def ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def figures(small: dict[str, Any], large: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every figure: its value, the same ratio in CPU time where it has one, and a detail."""
    ns, nl = small["stories"], large["stories"]
    sb, lb = small["bytes"], large["bytes"]

    def wall(row: dict[str, Any], name: str) -> float:
        return float(row[name]["wall_s"])

    def cpu(row: dict[str, Any], name: str) -> float:
        return float(row[name]["cpu_s"])

    serve = large["serve"]
    marginal = ratio(lb["build_internal"] - sb["build_internal"], nl - ns)
    mib = 2**20
    return {
        "internal_over_blog": {
            "value": ratio(wall(large, "mkdocs_internal"), wall(large, "mkdocs_blog")),
            "cpu": ratio(cpu(large, "mkdocs_internal"), cpu(large, "mkdocs_blog")),
            "detail": f"large, both `mkdocs build`: {wall(large, 'mkdocs_internal'):.1f}s / {wall(large, 'mkdocs_blog'):.1f}s; "
                      f"small: {ratio(wall(small, 'mkdocs_internal'), wall(small, 'mkdocs_blog')):.2f}",
        },
        "check_over_build": {
            "value": ratio(wall(large, "check"), wall(large, "build_internal")),
            "cpu": ratio(cpu(large, "check"), cpu(large, "build_internal")),
            "detail": f"large, both CLI: {wall(large, 'check'):.1f}s / {wall(large, 'build_internal'):.1f}s; "
                      f"small: {ratio(wall(small, 'check'), wall(small, 'build_internal')):.2f}",
        },
        "all_over_one": {
            "value": ratio(wall(large, "build_all"), wall(large, "build_internal")),
            "cpu": ratio(cpu(large, "build_all"), cpu(large, "build_internal")),
            "detail": f"large, CLI: {wall(large, 'build_all'):.1f}s / {wall(large, 'build_internal'):.1f}s; --variant public alone "
                      f"{wall(large, 'build_public'):.1f}s, so serial would be "
                      f"{ratio(wall(large, 'build_internal') + wall(large, 'build_public'), wall(large, 'build_internal')):.2f}",
        },
        "time_large_over_small": {
            "value": ratio(wall(large, "build_internal"), wall(small, "build_internal")),
            "cpu": ratio(cpu(large, "build_internal"), cpu(small, "build_internal")),
            "detail": f"x{nl / ns:.2f} stories (CLI); blog peer: x{ratio(wall(large, 'mkdocs_blog'), wall(small, 'mkdocs_blog')):.2f}, "
                      f"check: x{ratio(wall(large, 'check'), wall(small, 'check')):.2f}",
        },
        "bytes_large_over_small": {
            "value": ratio(lb["build_internal"], sb["build_internal"]),
            "cpu": None,
            "detail": f"x{nl / ns:.2f} stories: {sb['build_internal'] / mib:.1f} MiB -> {lb['build_internal'] / mib:.1f} MiB; "
                      f"blog peer: x{ratio(lb['mkdocs_blog'], sb['mkdocs_blog']):.2f}",
        },
        "bytes_per_story": {
            "value": ratio(lb["build_internal"], nl),
            "cpu": None,
            "detail": f"large, incl. fixed theme assets; marginal (large-small)/(stories): {marginal / 1024:.1f} KiB; "
                      f"blog peer: {ratio(lb['mkdocs_blog'], nl) / 1024:.1f} KiB",
        },
        "peak_rss_bytes": {
            "value": large["build_internal"]["peak_rss_bytes"],
            "cpu": None,
            "detail": f"largest process of `handbook build --variant internal`; small: {small['build_internal']['peak_rss_bytes'] / mib:.0f} MiB, "
                      f"blog (large): {large['mkdocs_blog']['peak_rss_bytes'] / mib:.0f} MiB, "
                      f"--variant all: {large['build_all']['peak_rss_bytes'] / mib:.0f} MiB/process, "
                      f"serve: {large['serve']['peak_rss_bytes'] / mib:.0f} MiB",
        },
        "serve_rebuild_over_first": {
            "value": ratio(serve["rebuild_wall_s"], serve["first_wall_s"]),
            "cpu": ratio(serve["rebuild_cpu_s"], serve["first_cpu_s"]),
            "detail": f"large, one process, from the save to the page served: rebuild {serve['rebuild_wall_s']:.1f}s / first {serve['first_wall_s']:.1f}s; "
                      f"median of {serve['edits']} more saves {serve['median_rebuild_wall_s']:.1f}s; resident memory after the first save "
                      f"{serve['rss_after_first_edit_bytes'] / mib:.0f} MiB, after all {serve['rss_after_edits_bytes'] / mib:.0f} MiB",
        },
        "search_index_bytes": {
            "value": lb["search_index"],
            "cpu": None,
            "detail": f"{lb['search_index'] / mib:.2f} MiB, {lb['search_index'] / nl / 1024:.1f} KiB/story; small: {sb['search_index'] / mib:.2f} MiB",
        },
        **search_figures(large, small),
    }


def search_figures(large: dict[str, Any], small: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Figures 9 and 10: what a reader of the large site downloads and waits for a first result."""
    pf = large["pagefind"]
    at_once = pf.get("at_once") or {}
    also = f"; small: {small['pagefind']['bytes'] / 1024:.0f} KiB" if small else ""
    return {
        "pagefind_first_result_bytes": {
            "value": pf["bytes"],
            "cpu": None,
            "detail": f"{pf['requests']} requests ({pf['how']}; first result the story: {pf['first_is_story']}); "
                      f"whole index {pf['index_bytes'] / 2**20:.1f} MiB{also}",
        },
        "pagefind_first_result_seconds": {
            "value": pf["seconds"],
            "cpu": None,
            "detail": f"from the click on search, after a second on the page; {pf.get('query_seconds', math.nan):.2f} s from "
                      f"the query typed; clicked as the page appears: {at_once.get('seconds', math.nan):.2f} s",
        },
    }


def human(key: str, value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if key.endswith("_seconds"):
        return f"{value:.2f} s"
    if key.endswith("_bytes") or key == "bytes_per_story":
        for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
            if value >= scale:
                return f"{value / scale:.1f} {unit}"
        return f"{value:.0f} B"
    return f"{value:.2f}"


def table(figs: dict[str, dict[str, Any]], which: tuple[tuple[str, str], ...] = FIGURES) -> str:
    width = max(len(label) for _, label in which)
    lines = [f"{'figure':<{width}}  {'value':>9}  {'cpu':>5}  detail", "-" * (width + 40)]
    for key, label in which:
        f = figs[key]
        cpu = "" if f["cpu"] is None else f"{f['cpu']:.2f}"
        lines.append(f"{label:<{width}}  {human(key, f['value']):>9}  {cpu:>5}  {f['detail']}")
    return "\n".join(lines)


def search_only(n: int, json_file: Path | None) -> int:
    """Build n stories' internal site once and measure what a reader's first search costs."""
    with tempfile.TemporaryDirectory(prefix="handbook-bench-") as tmp:
        work = Path(tmp)
        hb = work / "handbook"
        hb.mkdir()
        make_handbook(hb, n)
        cmd = Commands(hb, work / "no-blog")
        logs = work / "logs"
        logs.mkdir()
        progress(f"building {n} stories (internal)")
        try:
            built = run(cmd.cli_build("internal"), hb, logs, "build")
        except BenchmarkError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
        progress(f"  built in {built.wall_s:.1f}s; searching in Chromium")
        large = {"stories": n, "pagefind": pagefind_first_result(hb / "site" / "cli-internal", n // 2)}
    figs = search_figures(large)
    print(f"handbook search benchmark: {n} stories, internal site (built in {built.wall_s:.1f}s); "
          f"query: {large['pagefind']['query']}")
    print()
    print(table(figs, SEARCH_FIGURES))
    if json_file:
        json_file.write_text(json.dumps({
            "large_stories": n, "figures": {key: {"label": label, **figs[key]} for key, label in SEARCH_FIGURES},
            "large": large, "build": asdict(built) | {"stdout": None},
        }, indent=2))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=4000)
    parser.add_argument("--quick", action="store_true", help="Small 50, large 200 (overrides --small/--large).")
    parser.add_argument("--repeat", type=int, default=1, help="Run every measure this many times, interleaved; keep the fastest.")
    parser.add_argument("--full-excerpts", action="store_true",
                        help="Give blog posts no <!-- more --> mark, so its list pages show every post whole.")
    parser.add_argument("--no-warmup", action="store_true", help="Skip the untimed warm-up build.")
    parser.add_argument("--json", type=Path, help="Also write the figures and raw measures to this file.")
    parser.add_argument("--search-only", type=int, metavar="N", help="Measure figures 9 and 10 alone, at N stories.")
    parser.add_argument("--serve-child", nargs=2, metavar=("CONFIG", "STORY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_child:
        print(json.dumps(serve_emulation(*args.serve_child)))
        return 0
    if args.search_only is not None:
        if args.search_only < 1:
            parser.error("--search-only needs at least 1 story")
        return search_only(args.search_only, args.json)
    small_n, large_n = (50, 200) if args.quick else (args.small, args.large)
    if not 0 < small_n <= large_n or args.repeat < 1:
        parser.error("need 0 < small <= large and repeat >= 1")

    with tempfile.TemporaryDirectory(prefix="handbook-bench-") as tmp:
        work = Path(tmp)
        if not args.no_warmup:
            progress("warming up (untimed)")
            warm_up(work)
        try:
            progress(f"small: {small_n} stories")
            small, _ = measure(small_n, work, args.repeat, False, args.full_excerpts)
            progress(f"large: {large_n} stories")
            large, cmd = measure(large_n, work, args.repeat, True, args.full_excerpts)
        except BenchmarkError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
        commands = {
            "check": cmd.show(cmd.check()),
            "build_internal": cmd.show(cmd.cli_build("internal")),
            "build_public": cmd.show(cmd.cli_build("public")),
            "build_all": cmd.show(cmd.cli_build("all")),
            "mkdocs_internal": "HANDBOOK_VARIANT=internal " + cmd.show(cmd.mkdocs_build(cmd.hb)),
            "mkdocs_blog": cmd.show(cmd.mkdocs_build(cmd.blog)),
            "serve": cmd.show(cmd.serve()),
        }
    figs = figures(small, large)

    print(f"handbook benchmark: small {small_n}, large {large_n} stories; every measure a subprocess of its own, "
          f"fastest of {args.repeat}; ratios in wall-clock time (cpu = the same ratio in user+sys CPU of the process tree)")
    print()
    print(table(figs))
    print()
    print("seconds (wall / cpu) and peak RSS:")
    for row in (small, large):
        parts = [f"{name} {row[name]['wall_s']:.1f}/{row[name]['cpu_s']:.1f}s {row[name]['peak_rss_bytes'] / 2**20:.0f}MiB"
                 for name in ("check", "build_internal", "build_public", "build_all", "mkdocs_internal", "mkdocs_blog", "serve") if name in row]
        print(f"  {row['stories']:>5} stories: " + ", ".join(parts))
    print()
    print("commands ($HANDBOOK = synthetic handbook, $BLOG = its blog peer; run in that folder):")
    for name, line in commands.items():
        print(f"  {name:<16} {line}")
    print("  (1 compares the two `mkdocs build` lines; 2-6 and 8 use the `handbook` CLI lines; 7 is the serve line,"
          " which builds, edits one body line of an internal story and rebuilds in one process)")
    if args.json:
        args.json.write_text(json.dumps({
            "small_stories": small_n, "large_stories": large_n, "repeat": args.repeat,
            "figures": {key: {"label": label, **figs[key]} for key, label in FIGURES},
            "small": small, "large": large, "commands": commands,
        }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
