"""The progress of `handbook build`: one line on a terminal, saying each variant's stage.

Each variant builds in a worker process; a small MkDocs plugin added to its configuration
(`reporter`) sends its stages to a queue, and the command's `Line` shows them on standard
error: rewritten in place on a terminal once the build has taken two seconds, as plain lines
when asked with --progress (a CI log), not at all otherwise.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import sys
import threading
import time
from types import TracebackType
from typing import IO, Any

from ..core.variants import Variant

DELAY_S = 2.0  # a build shorter than this shows no progress on a terminal (HANDBOOK_PROGRESS_DELAY sets another)
_EVERY_S = 0.1  # how often a worker reports page counts, and a terminal line is rewritten
_LOG_EVERY_S = 2.0  # how often a log (not a terminal) gets a line while the stage is the same


def reporter(variant: str, reports: Any) -> Any:
    """A MkDocs plugin that sends the stages of one variant's build to reports."""
    from mkdocs.plugins import BasePlugin, event_priority

    class Reporter(BasePlugin):  # type: ignore[type-arg]
        def __init__(self) -> None:
            self.total = self.done = 0
            self.last = 0.0

        def send(self, stage: str, force: bool = False) -> None:
            now = time.monotonic()
            if force or now - self.last >= _EVERY_S:
                self.last = now
                reports.put((variant, stage))

        @event_priority(-100)  # once every plugin (the handbook's generated pages) added its files
        def on_files(self, files: Any, **_: Any) -> Any:
            self.total = len(files.documentation_pages())
            self.send(f"rendering pages 0/{self.total}", force=True)
            return files

        def on_page_content(self, html: str, **_: Any) -> str:
            self.done += 1
            self.send(f"rendering pages {self.done}/{self.total}", force=self.done == self.total)
            return html

        @event_priority(100)  # before the handbook's own: Pagefind's index, then the audit
        def on_post_build(self, **_: Any) -> None:
            self.send("indexing and auditing" if variant == Variant.PUBLIC else "indexing", force=True)

    return Reporter()


def _delay() -> float:
    """Seconds before a terminal shows progress: DELAY_S, or HANDBOOK_PROGRESS_DELAY when it is a number."""
    try:
        return max(0.0, float(os.environ.get("HANDBOOK_PROGRESS_DELAY", DELAY_S)))
    except ValueError:
        return DELAY_S


class Line:
    """The progress line of one `handbook build`, fed by its workers through `reports`."""

    def __init__(self, first: str, started: float, asked: bool | None, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty() and os.environ.get("TERM") != "dumb"
        self.shown = asked if asked is not None else self.terminal
        self.started = started
        self.delay = _delay()
        self.first = first
        self.stages: dict[str, str] = {}
        # Handed to each worker as it starts (the pool's initializer): a plain multiprocessing queue.
        self.reports: Any = multiprocessing.Queue() if self.shown else None
        self.written = ""
        self.logged = 0.0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Line:
        if self.shown:
            self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if not self.shown:
            return
        self.reports.put(None)
        self.thread.join(timeout=5)
        self.reports.close()
        if self.terminal and self.written:
            self.stream.write("\r\033[K")  # the line goes: what follows says how the build went
            self.stream.flush()

    def text(self) -> str:
        """The line as it reads now."""
        return "; ".join([self.first, *(f"{variant}: {stage}" for variant, stage in sorted(self.stages.items()))])

    def _run(self) -> None:
        while True:
            try:
                report = self.reports.get(timeout=_EVERY_S)
            except queue.Empty:
                report = ()
            except (EOFError, OSError, ValueError):  # the queue is closed: nothing more will come
                return
            if report is None:
                return
            if report:
                variant, stage = report
                changed = stage.split(" ")[0] != self.stages.get(variant, "").split(" ")[0]
                self.stages[variant] = stage
            else:
                changed = False
            self._show(changed)

    def _show(self, changed: bool) -> None:
        now = time.monotonic()
        text = self.text()
        if self.terminal:
            if now - self.started < self.delay and self.written == "":
                return
            width = shutil.get_terminal_size((100, 20)).columns - 1
            if text != self.written:
                self.stream.write("\r\033[K" + text[:width])
                self.stream.flush()
                self.written = text
        elif changed or now - self.logged >= _LOG_EVERY_S:
            if text != self.written:
                self.stream.write(text + "\n")
                self.stream.flush()
                self.written, self.logged = text, now
