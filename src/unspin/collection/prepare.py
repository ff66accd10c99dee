"""The per-document work of indexing (fingerprints and lead sentences), in this process or a process pool.

This stage is pure Python and needs no store, so for big inputs it runs in worker processes while the
indexing process embeds and stores earlier batches. ``Clock`` keeps wall and CPU time per stage, worker
CPU included, so a report can say where the time went on a busy machine.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from ..document import Document
from ..errors import UnspinError
from . import sketch
from .ingest import Record, Skipped
from .vectors import lead

POOL_AFTER = 1  # batches prepared in this process before a pool starts (small inputs never pay for one)


@dataclass(frozen=True, slots=True)
class Prepared:
    record: Record
    hash: str
    fingerprint: sketch.Fingerprint
    lead: list[str]


def language(doc: Document) -> str:
    """The document's language as its record gives it (ISO 639-1), English when it gives none."""
    return str(doc.meta.get("language") or "en")[:2]


_Work = tuple[str, str, str]  # what a worker needs of a document: name, text, language
_Done = tuple[sketch.Fingerprint, list[str]] | str  # fingerprints and lead, or why it failed


def _prepare_many(items: list[_Work]) -> tuple[list[_Done], float]:
    """Fingerprints and lead of each document, and the CPU seconds it took (only texts travel to workers
    and only these results back: pickling whole records both ways costs as much as the work)."""
    start = time.process_time()
    out: list[_Done] = []
    for name, text, lang in items:
        try:
            out.append((sketch.fingerprint(text, lang), lead(Document(name=name, text=text))))
        except UnspinError as err:
            out.append(str(err))
    return out, time.process_time() - start


class Clock:
    """Wall and CPU seconds per stage; a stage inside another is charged to itself only."""

    def __init__(self) -> None:
        self.wall: defaultdict[str, float] = defaultdict(float)
        self.cpu: defaultdict[str, float] = defaultdict(float)
        self._stack: list[str] = []
        self._since = (0.0, 0.0)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self._charge()
        self._stack.append(name)
        try:
            yield
        finally:
            self._charge()
            self._stack.pop()

    def _charge(self) -> None:
        now = (time.perf_counter(), time.process_time())
        if self._stack:
            self.wall[self._stack[-1]] += now[0] - self._since[0]
            self.cpu[self._stack[-1]] += now[1] - self._since[1]
        self._since = now

    def stages(self) -> dict[str, tuple[float, float]]:
        return {name: (self.wall[name], self.cpu[name]) for name in self.wall}


class Preparer:
    """Prepares batches in order, up to ``ahead`` batches in flight.

    The first ``POOL_AFTER`` batches are prepared here; from then on, with ``workers`` > 0, in a pool of
    that many processes (forked: they start in milliseconds with the word lists already loaded, and never
    touch the parent's SQLite connection).
    """

    def __init__(self, workers: int, clock: Clock, ahead: int = 3) -> None:
        self.workers = workers
        self.clock = clock
        self.ahead = ahead
        self._pool: ProcessPoolExecutor | None = None
        self._batches = 0
        self._pending: deque[tuple[list[tuple[Record, str]], list[Future[tuple[list[_Done], float]]], bool]] = deque()

    def __enter__(self) -> Preparer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def full(self) -> bool:
        return len(self._pending) >= self.ahead

    def __len__(self) -> int:
        return len(self._pending)

    def submit(self, items: list[tuple[Record, str]]) -> None:
        """Start preparing a batch of (record, text hash)."""
        self._batches += 1
        pool = self._start() if self._batches > POOL_AFTER else None
        work = [(r.doc.name, r.doc.text, language(r.doc)) for r, _ in items]
        if pool is None:
            with self.clock.stage("prepare"):
                done: Future[tuple[list[_Done], float]] = Future()
                done.set_result(_prepare_many(work))
            self._pending.append((items, [done], False))
            return
        size = -(-len(work) // self.workers) or 1  # one chunk per worker
        futures = [pool.submit(_prepare_many, work[i : i + size]) for i in range(0, len(work), size)]
        self._pending.append((items, futures, True))

    def next(self) -> list[Prepared | Skipped]:
        """The oldest batch in flight, prepared (waiting for the workers counts as the prepare stage)."""
        items, futures, pooled = self._pending.popleft()
        results: list[_Done] = []
        with self.clock.stage("prepare"):
            for future in futures:
                done, cpu = future.result()
                results += done
                if pooled:
                    self.clock.cpu["prepare"] += cpu  # the worker's CPU time
        out: list[Prepared | Skipped] = []
        for (record, digest), result in zip(items, results, strict=True):
            if isinstance(result, str):
                out.append(Skipped(record.key, result))
            else:
                out.append(Prepared(record, digest, *result))
        return out

    def _start(self) -> ProcessPoolExecutor | None:
        if self._pool is None and self.workers > 0 and "fork" in multiprocessing.get_all_start_methods():
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )
        return self._pool


def _exit_with_parent(parent: int) -> None:
    """In a worker: exit once the indexing process is gone. A killed parent (kill -9) runs no cleanup, and
    its workers would otherwise wait on the task queue for ever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="unspin-parent-watch", daemon=True).start()


def default_workers() -> int:
    """Worker processes for big inputs: one per core (the indexing process mostly waits on them)."""
    return max(0, min(os.cpu_count() or 1, 8)) if (os.cpu_count() or 1) > 1 else 0
