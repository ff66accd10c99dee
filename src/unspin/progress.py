"""Progress of long work on stderr: done of total, rate and time left.

Shown on a terminal (a rich bar, gone when the work ends), or as plain lines, one a second, when
``UNSPIN_PROGRESS=1`` asks for it on a pipe or a log; ``UNSPIN_PROGRESS=0`` turns it off. Never on stdout, so
what a command prints there (JSON) stays clean.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, TextIO

_LINE_EVERY_S = 1.0  # plain lines: at most one a second, and none for work done within the first second


def wanted(asked: bool = True) -> bool:
    """Whether to show progress: asked for, not turned off, and on a terminal unless forced."""
    setting = os.environ.get("UNSPIN_PROGRESS", "")
    if not asked or setting == "0":
        return False
    return setting not in ("", "0") or sys.stderr.isatty()


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """``with Progress(enabled, "indexing", "documents", total) as bar: bar.advance(n)``; ``total`` may be
    None (unknown: done and rate only) or set later with ``bar.total = n``."""

    def __init__(self, enabled: bool, action: str, unit: str, total: float | None = None) -> None:
        self.enabled = wanted(enabled)
        self.action = action
        self.unit = unit
        self.total = total
        self.done = 0.0
        self._bar: Any = None
        self._task: Any = None
        self._stream: TextIO = sys.stderr
        self._start = self._last = time.perf_counter()

    def __enter__(self) -> Progress:
        if self.enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[count]}"),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                TextColumn("left"),
                console=Console(stderr=True),
                transient=True,
                # print() while the bar shows passes through it only when stdout is this terminal too: a redirected
                # stdout must keep every line the command prints there
                redirect_stdout=sys.stdout.isatty(),
            )
            self._bar.start()
            self._task = self._bar.add_task(self.action, total=self.total, count=self._count(), rate="")
        self._start = self._last = time.perf_counter()
        return self

    def advance(self, n: float = 1) -> None:
        if not self.enabled:
            return
        self.done += n
        now = time.perf_counter()
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, total=self.total, count=self._count(), rate=self._rate())
        elif now - self._last >= _LINE_EVERY_S:
            self._last = now
            print(self._line(now), file=self._stream, flush=True)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif self.enabled and exc[0] is None and time.perf_counter() - self._start >= _LINE_EVERY_S:
            print(
                f"{self.action}: {self._count()}, done in {_clock(time.perf_counter() - self._start)}",
                file=self._stream,
                flush=True,
            )

    def _count(self) -> str:
        done = f"{self.done:,.0f}"
        return f"{done} of {self.total:,.0f} {self.unit}" if self.total is not None else f"{done} {self.unit}"

    def _rate(self) -> str:
        elapsed = time.perf_counter() - self._start
        return f"{self.done / elapsed:,.1f} {self.unit}/s" if elapsed > 0 and self.done else ""

    def _line(self, now: float) -> str:
        line = f"{self.action}: {self._count()}"
        if self.total:
            line += f" ({min(self.done / self.total, 1.0):.0%})"
        rate = self._rate()
        if rate:
            line += f", {rate}"
        if self.total and self.done:
            left = (self.total - min(self.done, self.total)) * (now - self._start) / self.done
            line += f", {_clock(left)} left"
        return line
