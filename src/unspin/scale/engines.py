"""Engines only schedule: they run a stage function over many tasks and hand back each task's summary.

* ``local`` (the default): a process pool on this machine. A worker killed mid-task (kill -9, the kernel's
  OOM killer) breaks a ``ProcessPoolExecutor``; the engine starts a new pool and runs the unfinished tasks
  again (their outputs are written atomically, so a task run twice writes the same files once).
* ``ray``: Ray core tasks for the maps and the shuffle, an actor pool for the model and proof stages (the
  models load once per actor), on a cluster given by ``address`` or a local one started here. Ray runs a
  task again when its worker dies (``max_retries``), and restarts a killed actor and retries its call
  (``max_restarts``, ``max_task_retries``). Actors ask for a fraction of a CPU, and so do the tasks that run
  beside them: two whole-CPU actors on two CPUs leave no CPU for anything else and deadlock (DESIGN.md).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..errors import UnspinError

RETRIES = 3  # times one task may lose its worker before the crawl gives up on it
Task = tuple[Any, ...]
Summary = dict[str, Any]


class LocalEngine:
    """A process pool of ``workers`` forked processes (0: run every task in this process)."""

    name = "local"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.retries = 0  # tasks run again after their worker died
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def pids(self) -> list[int]:
        """The pool's worker processes (for tests that kill one)."""
        return [] if self._pool is None else [p.pid for p in self._pool._processes.values() if p.pid]

    def run(
        self, function: Callable[..., Summary], tasks: Sequence[Task], *, model: bool = False
    ) -> Iterator[tuple[int, Summary]]:
        """(task index, summary) of every task, as they finish."""
        if self.workers == 0:
            for i, args in enumerate(tasks):
                yield i, function(*args)
            return
        lost = [0] * len(tasks)
        todo = dict(enumerate(tasks))
        while todo:
            pool = self._start()
            running: dict[Future[Summary], int] = {}
            broken = False
            try:
                for i, args in todo.items():
                    running[pool.submit(function, *args)] = i
            except BrokenProcessPool:  # a worker died while the pool was idle, between stages
                broken = True
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    i = running.pop(future)
                    try:
                        summary = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    del todo[i]
                    yield i, summary
            if broken:  # a worker died: every task it took down runs again in a new pool
                self.close()
                for i in todo:
                    lost[i] += 1
                    if lost[i] > RETRIES:
                        raise UnspinError(
                            f"{getattr(function, '__name__', 'stage')} task {i}: its worker died {lost[i]} times "
                            "(out of memory?); give fewer --workers or a smaller --shard-size"
                        )
                self.retries += len(todo)

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("fork" if "fork" in methods else "spawn"),
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )
        return self._pool


def _exit_with_parent(parent: int) -> None:
    """In a worker: exit once the crawl's process is gone (a driver killed with -9 runs no cleanup, and its
    workers would otherwise wait on the task queue for ever)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="unspin-parent-watch", daemon=True).start()


class RayEngine:
    """Ray tasks and a model actor pool, on the cluster at ``address`` or a local one of ``workers`` CPUs."""

    name = "ray"
    ACTOR_CPUS = 0.5

    def __init__(self, workers: int, address: str | None = None, gpus: float = 0.0) -> None:
        try:
            import ray
        except ImportError:
            raise UnspinError("the ray engine needs Ray: pip install 'unspin[ray]'") from None
        self.ray = ray
        self.retries = 0  # Ray runs lost tasks again itself and does not say how often
        self._started = False
        if not ray.is_initialized():
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
            if address:
                ray.init(address=address, **options)
            else:
                ray.init(num_cpus=max(workers, 1), _node_ip_address="127.0.0.1", **options)
                self._started = True
        cpus = float(ray.cluster_resources().get("CPU", 1))
        self.workers = workers or int(cpus)
        # While the actors live (model stage to proof), each holds this share of a CPU and so does each plain
        # task: together the actors hold at most half the cluster, and a task always fits beside them (a
        # whole-CPU task beside half-CPU actors on one CPU is never scheduled)
        self._share = min(self.ACTOR_CPUS, cpus / (2 * max(self.workers, 1)))
        self.gpus = gpus
        self._remote: dict[Callable[..., Summary], Any] = {}
        self._actors: list[Any] = []  # the model actors, kept from the model stage to the proof stage

    def __enter__(self) -> RayEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for actor in self._actors:
            self.ray.kill(actor)
        self._actors = []
        if self._started:
            self.ray.shutdown()
            self._started = False

    def run(
        self, function: Callable[..., Summary], tasks: Sequence[Task], *, model: bool = False
    ) -> Iterator[tuple[int, Summary]]:
        ray = self.ray
        if not tasks:
            return
        if model:  # each actor is given its next task as it finishes one, as a process pool would
            free, queue = list(self._model_actors()), list(enumerate(tasks))[::-1]
            running: dict[Any, tuple[int, Any]] = {}
            while queue or running:
                while free and queue:
                    actor = free.pop()
                    i, args = queue.pop()
                    running[actor.run.remote(function, *args)] = (i, actor)
                [ref], _ = ray.wait(list(running), num_returns=1)
                i, actor = running.pop(ref)
                free.append(actor)
                yield i, ray.get(ref)
            return
        if function not in self._remote:
            self._remote[function] = ray.remote(max_retries=RETRIES)(function)
        remote = self._remote[function].options(num_cpus=self._share if self._actors else 1)
        refs = {remote.remote(*args): i for i, args in enumerate(tasks)}
        pending = list(refs)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                yield refs[ref], ray.get(ref)

    def _model_actors(self) -> list[Any]:
        """One actor per worker, started by the first stage that needs the model and kept until ``close``:
        the model and proof stages share them, so each loads the models once per crawl."""
        if not self._actors:
            options = {
                "num_cpus": self._share,
                "num_gpus": self.gpus / self.workers if self.gpus else 0,
                "max_restarts": RETRIES,
                "max_task_retries": RETRIES,
            }
            self._actors = [_actor(self.ray).options(**options).remote() for _ in range(max(self.workers, 1))]
        return self._actors


_ACTOR: Any = None


def _actor(ray: Any) -> Any:
    """The model actor class (made once: Ray registers each class it is given)."""
    global _ACTOR
    if _ACTOR is None:

        class ModelActor:
            """Runs stage functions in one long-lived process, so the model they load stays loaded."""

            def run(self, function: Callable[..., Summary], *args: Any) -> Summary:
                return function(*args)

        _ACTOR = ray.remote(ModelActor)
    return _ACTOR


def engine(name: str, workers: int, address: str | None = None, gpus: float = 0.0) -> LocalEngine | RayEngine:
    if name == "local":
        if address:
            raise UnspinError("--address is for --engine ray (the local engine runs on this machine)")
        return LocalEngine(workers)
    if name == "ray":
        return RayEngine(workers, address, gpus)
    raise UnspinError(f"unknown engine '{name}': choose local or ray")
