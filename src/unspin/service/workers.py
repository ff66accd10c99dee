"""The service's worker processes: every comparison, inspection and collection call runs in one of them.

Processes, not threads, for two reasons: comparisons then use every core (the engine holds the GIL), and a
request over its time budget is really stopped: its worker is killed (SIGKILL) and a fresh one started, so
the next request is served instead of waiting behind work nobody will read. A worker killed in the middle of
a collection write leaves the store as it was before that write (SQLite rolls the transaction back).

Requests wait for an idle worker under the same budget; ``max_pending`` bounds how many wait or run.
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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


class WorkerPool:
    """``size`` worker processes, started on first use (a server warms them at start-up)."""

    def __init__(
        self, size: int, time_budget_s: float, max_pending: int, db: str | os.PathLike[str] | None, warm_up: bool
    ) -> None:
        self.size, self.time_budget_s, self.max_pending = size, time_budget_s, max_pending
        self.db = None if db is None else str(Path(db))
        self.warm = warm_up
        self.pending = 0
        self._lock = threading.Lock()
        self._idle: list[_Process] = []
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[_Process]]] = deque()
        self._live: set[_Process] = set()
        self._ready: set[_Process] = set()
        self._started = False
        self._closed = False
        self._threads = ThreadPoolExecutor(max_workers=2 * size + 2, thread_name_prefix="unspin-pipe")

    @property
    def idle(self) -> int:
        """Workers started and waiting for work."""
        with self._lock:
            return len(self._idle)

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
            live, self._live, self._idle = list(self._live), set(), []
        for worker in live:
            worker.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)

    async def run(self, task: str, *args: Any) -> Any:
        """``task`` (a method of ``_Tasks``) run in a worker with ``args``; the result, or the UnspinError it
        raised, or WorkerError (busy, timeout, internal)."""
        with self._lock:
            if self.pending >= self.max_pending:
                raise WorkerError("busy", f"{self.pending} requests are already waiting; try again in a few seconds")
            self.pending += 1
        try:
            self.start()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.time_budget_s
            waiter: asyncio.Future[_Process] = loop.create_future()
            self._hand_out(waiter, loop)
            try:
                worker = await asyncio.wait_for(waiter, self.time_budget_s)
            except TimeoutError:
                raise self._timeout() from None
            call = loop.run_in_executor(self._threads, worker.call, task, args)
            try:
                status, value = await asyncio.wait_for(call, max(0.0, deadline - loop.time()))
            except TimeoutError:
                self._replace(worker)  # really stop the work: nobody will read its answer
                raise self._timeout() from None
            except (EOFError, OSError) as err:  # the worker died (killed for memory, a crash)
                self._replace(worker)
                raise WorkerError("internal", f"the worker stopped ({type(err).__name__}); try again") from None
            except BaseException:  # the request was cancelled (client gone): its work is stopped too
                self._replace(worker)
                raise
            self._release(worker)
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

    # ---------------------------------------------------------------- handing workers out

    def _hand_out(self, waiter: asyncio.Future[_Process], loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            if self._idle:
                waiter.set_result(self._idle.pop())
            else:
                self._waiters.append((loop, waiter))

    def _release(self, worker: _Process) -> None:
        """Give an idle worker to the oldest request still waiting (on any event loop), or keep it."""
        with self._lock:
            if self._closed or worker not in self._live:
                return
            while self._waiters:
                loop, waiter = self._waiters.popleft()
                if waiter.done() or loop.is_closed():
                    continue
                loop.call_soon_threadsafe(self._deliver, waiter, worker)
                return
            self._idle.append(worker)

    def _deliver(self, waiter: asyncio.Future[_Process], worker: _Process) -> None:
        if waiter.done():  # timed out meanwhile: the next one gets it
            self._release(worker)
        else:
            waiter.set_result(worker)

    def _replace(self, worker: _Process) -> None:
        with self._lock:
            self._live.discard(worker)
            self._ready.discard(worker)
            closed = self._closed
        self._threads.submit(worker.kill)
        if not closed:
            self._spawn()

    def _spawn(self) -> None:
        worker = _Process(self.db, self.warm)
        with self._lock:
            self._live.add(worker)

        def ready() -> None:
            if worker.wait_ready():
                with self._lock:
                    self._ready.add(worker)
                self._release(worker)
                return
            with self._lock:
                closed = self._closed
            if closed:  # killed by close() while starting: nothing went wrong
                return
            _log.error("a worker did not start within %g s; starting another", _START_S)
            self._replace(worker)
            time.sleep(1)  # a worker that cannot start should not be restarted in a tight loop

        threading.Thread(target=ready, daemon=True, name="unspin-worker-start").start()


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
        from ..compare import compare
        from ..document import Document

        text = "The mayor said on Monday that the storm closed 12 schools in Springfield."
        compare(Document("warm-a", text), Document("warm-b", text))

    def compare(self, a: Any, b: Any, include_text: bool) -> bytes:
        from ..compare import compare

        comparison = compare(a, b)
        data = comparison.to_dict()
        if include_text:
            data["a"]["text"], data["b"]["text"] = comparison.a.text, comparison.b.text
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
