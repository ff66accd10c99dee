"""The service's worker processes: every comparison, inspection and collection call runs in one of them.

Processes, not threads, for two reasons: comparisons then use every core (the engine holds the GIL), and a
request over its time budget is really stopped: its worker is killed (SIGKILL) and a fresh one started, so
the next request is served instead of waiting behind work nobody will read. A worker killed in the middle of
a collection write leaves the store as it was before that write (SQLite rolls the transaction back).

Requests wait for an idle worker under the same budget; ``max_pending`` bounds how many wait or run.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..errors import UnspinError

_log = logging.getLogger("unspin.service")
_START_S = 120.0  # longest a fresh worker may take to import unspin and load the model


class WorkerError(Exception):
    """A request the workers could not answer: ``kind`` is busy, timeout or internal."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


def default_workers() -> int:
    """One worker per core (the event loop's own work is small), at most 8."""
    return max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


class _Process:
    """One worker process and the pipe to it."""

    def __init__(self, db: str | None, warm_up: bool) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process that runs an event loop and threads
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_main, args=(child, db, warm_up), daemon=True, name="unspin-worker")
        self.process.start()
        child.close()
        self._killing = threading.Lock()
        self._killed = False
        self.doomed = False  # its job was dropped: it takes no further job (the pool's lock guards this)

    def wait_ready(self) -> bool:
        try:  # the pipe may be closed under us by kill() (the pool closing, or the worker replaced)
            return bool(self.conn.poll(_START_S) and self.conn.recv() == "ready")
        except (EOFError, OSError):
            return False

    def call(self, task: str, args: tuple[Any, ...]) -> tuple[str, Any]:
        self.conn.send((task, args))
        return self.conn.recv()  # type: ignore[no-any-return]

    def kill(self) -> None:
        """Stop the process and close its pipe, once: the pool's close and a replacement may both ask."""
        with self._killing:
            if self._killed:
                return
            self._killed = True
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class _Job:
    """One request's task, queued for the first free worker; its answer is set on the request's event loop."""

    def __init__(self, task: str, args: tuple[Any, ...], loop: asyncio.AbstractEventLoop) -> None:
        self.task, self.args, self.loop = task, args, loop
        self.future: asyncio.Future[tuple[str, Any]] = loop.create_future()
        self.worker: _Process | None = None  # the worker running it, once one took it
        self.dropped = False  # the request gave up (time budget, client gone): nobody reads the answer

    def answer(self, status: str, value: Any) -> None:
        def settle() -> None:
            if not self.future.done():
                self.future.set_result((status, value))

        try:
            self.loop.call_soon_threadsafe(settle)
        except RuntimeError:  # the request's event loop is closed
            pass


class WorkerPool:
    """``size`` worker processes, started on first use (a server warms them at start-up).

    Requests queue jobs; each worker has a dispatcher thread that takes the next job as soon as its worker
    answers, so a worker never waits for the busy event loop between two requests."""

    def __init__(
        self, size: int, time_budget_s: float, max_pending: int, db: str | os.PathLike[str] | None, warm_up: bool
    ) -> None:
        self.size, self.time_budget_s, self.max_pending = size, time_budget_s, max_pending
        self.db = None if db is None else str(Path(db))
        self.warm = warm_up
        self.pending = 0
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._live: set[_Process] = set()
        self._ready: set[_Process] = set()
        self._idle = 0
        self._started = False
        self._closed = False

    @property
    def idle(self) -> int:
        """Workers started and waiting for work."""
        with self._lock:
            return self._idle

    @property
    def ready(self) -> int:
        """Workers started (the model loaded, when warming up), idle or at work."""
        with self._lock:
            return len(self._ready & self._live)

    def start(self) -> None:
        """Start the workers now (they load the model in the background)."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        for _ in range(self.size):
            self._spawn()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            live, self._live = list(self._live), set()
        for _ in live:
            self._jobs.put(None)  # wakes an idle dispatcher so that it ends
        for worker in live:
            worker.kill()

    async def run(self, task: str, *args: Any) -> Any:
        """``task`` (a method of ``_Tasks``) run in a worker with ``args``; the result, or the UnspinError it
        raised, or WorkerError (busy, timeout, internal)."""
        with self._lock:
            if self.pending >= self.max_pending:
                raise WorkerError("busy", f"{self.pending} requests are already waiting; try again in a few seconds")
            self.pending += 1
        try:
            self.start()
            job = _Job(task, args, asyncio.get_running_loop())
            self._jobs.put(job)
            try:
                status, value = await asyncio.wait_for(job.future, self.time_budget_s)
            except TimeoutError:
                self._drop(job)  # really stop the work: nobody will read its answer
                raise self._timeout() from None
            except BaseException:  # the request was cancelled (client gone): its work is stopped too
                self._drop(job)
                raise
            if status == "ok":
                return value
            if status == "error":
                raise value
            raise WorkerError("internal", value)
        finally:
            with self._lock:
                self.pending -= 1

    def _timeout(self) -> WorkerError:
        return WorkerError(
            "timeout",
            f"the request did not finish within the {self.time_budget_s:g} s budget and its work was stopped; "
            "try shorter texts or try again when the server is less busy",
        )

    def _drop(self, job: _Job) -> None:
        """A job nobody waits for: skipped if still queued, its worker killed (and replaced) if running."""
        with self._lock:
            job.dropped = True
            worker = job.worker
            if worker is not None:
                worker.doomed = True
        if worker is not None:
            worker.process.kill()  # SIGKILL now; its dispatcher sees the pipe close, cleans up and replaces it

    # ---------------------------------------------------------------- dispatching

    def _spawn(self) -> None:
        worker = _Process(self.db, self.warm)
        with self._lock:
            self._live.add(worker)
        threading.Thread(target=self._dispatch, args=(worker,), daemon=True, name="unspin-dispatch").start()

    def _dispatch(self, worker: _Process) -> None:
        """One worker's thread: wait until it is ready, then feed it jobs until it dies or the pool closes."""
        if not worker.wait_ready():
            with self._lock:
                closed = self._closed
            if not closed:  # killed by close() while starting: nothing went wrong
                _log.error("a worker did not start within %g s; starting another", _START_S)
                time.sleep(1)  # a worker that cannot start should not be restarted in a tight loop
                self._replace(worker)
            return
        with self._lock:
            self._ready.add(worker)
        while True:
            with self._lock:
                self._idle += 1
            job = self._jobs.get()
            with self._lock:
                self._idle -= 1
                if job is None or self._closed:
                    return
                if job.dropped:
                    continue
                job.worker = worker
            try:
                status, value = worker.call(job.task, job.args)
            except (EOFError, OSError) as err:  # killed (over the budget) or died (memory, a crash)
                job.answer("internal", f"the worker stopped ({type(err).__name__}); try again")
                self._replace(worker)
                return
            with self._lock:
                job.worker = None
                doomed = worker.doomed
            job.answer(status, value)
            if doomed:  # answered just as its request gave up: the kill is on its way
                self._replace(worker)
                return

    def _replace(self, worker: _Process) -> None:
        with self._lock:
            self._live.discard(worker)
            self._ready.discard(worker)
            closed = self._closed
        worker.kill()
        if not closed:
            self._spawn()


# ---------------------------------------------------------------- inside a worker


class _Tasks:
    """What a worker can be asked to do; arguments and results are plain picklable values."""

    def __init__(self, db: str | None) -> None:
        self._db = db
        self._collection: Any = None

    @property
    def collection(self) -> Any:
        if self._collection is None:
            from ..collection import Collection

            self._collection = Collection(self._db)  # type: ignore[arg-type]
        return self._collection

    def warm_up(self) -> None:
        """Compare the bundled spun example, so every model a spun pair needs (thesauri, language model,
        WordNet) is loaded before the first request rather than during it."""
        from importlib.resources import files

        from ..compare import compare
        from ..document import Document

        examples = files("unspin") / "examples"
        article, spun = ((examples / name).read_text(encoding="utf-8") for name in ("article.txt", "spun.txt"))
        compare(Document("warm-a", article), Document("warm-b", spun))

    def compare(self, a: Any, b: Any, include: list[str]) -> bytes:
        from ..compare import compare
        from ..differences import word_differences

        comparison = compare(a, b)
        data = comparison.to_dict()
        if "text" in include:
            data["a"]["text"], data["b"]["text"] = comparison.a.text, comparison.b.text
        if "differences" in include:
            data["differences"] = [d.to_dict() for d in word_differences(comparison)]
        return _json(data)

    def report(self, a: Any, b: Any) -> str:
        from ..compare import compare
        from ..report import to_html

        return to_html(compare(a, b))

    def inspect(self, doc: Any, phrases: list[tuple[str, str]] | None) -> bytes:
        from ..inspect import inspect

        return _json(inspect(doc, phrases).to_dict())

    def add(self, docs: list[Any]) -> dict[str, Any]:
        return self.collection.add(docs, workers=0).to_dict()  # type: ignore[no-any-return]

    def get(self, id: str) -> Any:
        return self.collection.get(id)

    def search(self, query: Any, top: int) -> list[dict[str, Any]]:
        return [h.to_dict() for h in self.collection.search(query, top=top)]

    def clusters(self, min_size: int, verify: bool) -> list[dict[str, Any]]:
        return [c.to_dict() for c in self.collection.clusters(min_size=min_size, verify=verify)]

    def stats(self) -> dict[str, Any]:
        return self.collection.stats()  # type: ignore[no-any-return]


def _json(data: Any) -> bytes:
    """The response body, made here: the server passes the bytes on (less work in its one event loop)."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _main(conn: Connection, db: str | None, warm_up: bool) -> None:
    """A worker's loop: one task at a time, answered as ("ok", result), ("error", UnspinError) or
    ("internal", "what failed")."""
    os.environ.setdefault("UNSPIN_THREADS", "1")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the server, which stops its workers
    tasks = _Tasks(db)
    if warm_up:
        try:
            tasks.warm_up()
        except Exception:  # noqa: BLE001 - a failed warm-up is retried by the first request
            _log.exception("warm-up failed")
    # The models are millions of long-lived objects that every full pass of the collector would scan again
    # (a pass over them takes seconds); frozen, only what requests allocate is scanned.
    gc.collect()
    gc.freeze()
    conn.send("ready")
    while True:
        try:
            task, args = conn.recv()
        except (EOFError, OSError):
            return  # the server is gone
        method: Callable[..., Any] = getattr(tasks, task)
        try:
            answer: tuple[str, Any] = ("ok", method(*args))
        except UnspinError as err:
            answer = ("error", err)
        except Exception as err:  # noqa: BLE001 - reported to the request, logged here; the worker goes on
            _log.exception("%s failed", task)
            answer = ("internal", f"the {task} failed: {type(err).__name__}: {err}")
        try:
            conn.send(answer)
        except (EOFError, OSError):
            return
