"""``crawl``: the collection's pipeline over a whole crawl, stage by stage, on a process pool or Ray.

extract and fingerprint (per shard) → number the documents, identical texts stored once (one node) → the
sentence model (per shard, long-lived workers) → posting keys shuffled into K buckets (map per shard, reduce
per bucket) → candidates and cheap links (per shard, against the whole crawl's postings and vector index) →
proof by ``compare`` (per part of the candidate pairs) → clusters and lineage (connected components, one
node). Every stage's outputs stay under the crawl folder with completion markers: a rerun of the same
command skips what is finished, so a crawl killed at any point resumes where it stopped.

The result is the collection's: a document's candidates are drawn from the whole crawl as ``Collection.add``
draws a batch's from the whole collection, with the same code, so ``unspin index add`` + ``unspin clusters``
on the same input (added in one batch) gives the same clusters; over many batches the collection sees each
document only against those added before it, the crawl against all.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..collection import collection as collection_module
from ..collection.ingest import Skipped
from ..collection.lineage import Cluster, Edge, build_clusters, identical_story, node
from ..collection.prepare import default_workers
from ..collection.vectors import VectorIndex
from ..errors import InputError
from . import files, stages
from .engines import engine as make_engine
from .layout import Layout, Numbers, manifest, save_index
from .shards import plan

SHARD_SIZE = 1000  # records per input shard
PAIRS_PER_TASK = 16  # candidate pairs proven per task: small, so that the workers finish together
CROSS_LANGUAGE_COST = 3  # a pair across languages costs ~3x a same-language pair to prove (44 vs 15 ms here)
VERSION = 2  # of the crawl folder's layout: 2 has proof parts of 16 pairs


@dataclass(frozen=True, slots=True)
class CrawlReport:
    """What one ``crawl`` did, and where its tables are."""

    out: str
    engine: str
    workers: int
    documents: int = 0
    duplicates: int = 0
    unchanged: int = 0
    skipped: tuple[Skipped, ...] = ()
    pairs: int = 0  # candidate pairs proven by the engine
    links: int = 0  # of which one story: the clusters' edges
    clusters: tuple[Cluster, ...] = ()
    seconds: float = 0.0
    retries: int = 0  # tasks run again after their worker died (local engine; Ray retries on its own)
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": self.out,
            "engine": self.engine,
            "workers": self.workers,
            "documents": self.documents,
            "duplicates": self.duplicates,
            "unchanged": self.unchanged,
            "skipped": len(self.skipped),
            "skip_reasons": dict(Counter(_reason_kind(s.reason) for s in self.skipped)),
            "pairs": self.pairs,
            "links": self.links,
            "clusters": len(self.clusters),
            "seconds": round(self.seconds, 3),
            "retries": self.retries,
            "stages": self.stages,
        }


def crawl(
    inputs: Sequence[str],
    out: str | Path,
    *,
    engine: str = "local",
    workers: int | None = None,
    address: str | None = None,
    gpus: float = 0.0,
    shard_size: int = SHARD_SIZE,
    buckets: int | None = None,
    progress: bool = False,
    fast_model: bool = False,
) -> CrawlReport:
    """Crawl ``inputs`` (files and folders of JSONL(.gz), WARC, HTML/text, Parquet) into the folder ``out``;
    ``fast_model``: lead vectors from USE's int8 form (``pip install 'unspin[fast]'``, ~1.6x faster)."""
    start = time.perf_counter()
    layout = Layout(Path(out))
    workers = default_workers() if workers is None else workers
    buckets = buckets or max(4, 2 * max(workers, 1))
    _claim(layout, inputs, shard_size, buckets, fast_model)
    stages.forget()
    bar = _Progress(progress)
    report: dict[str, dict[str, Any]] = {}
    if engine == "local" and workers:
        stages.warm(fast_model)  # before the pool forks: its workers share the loaded models
    with make_engine(engine, workers, address, gpus) as runner:
        shards = list(plan(inputs, shard_size))
        prepared = _stage(runner, bar, report, "prepare", stages.prepare, [(layout, s) for s in shards], shards)
        counts, skipped = _number(layout, [s.number for s in shards], prepared)
        numbered = [s.number for s in shards]
        model_tasks = [(layout, n, fast_model) for n in numbered]
        _stage(runner, bar, report, "model", stages.embed, model_tasks, shards, model=True)
        _build_index(layout, numbered)
        _stage(runner, bar, report, "keys", stages.map_keys, [(layout, n, buckets) for n in numbered], shards)
        _stage(runner, bar, report, "shuffle", stages.reduce_keys, [(layout, b, numbered) for b in range(buckets)])
        linked = _stage(runner, bar, report, "link", stages.link, [(layout, n, buckets) for n in numbered], shards)
        pairs = _pairs(layout, numbered)
        parts = [pairs[i : i + PAIRS_PER_TASK] for i in range(0, len(pairs), PAIRS_PER_TASK)]
        proofs = _heaviest_first(layout, numbered, [(layout, k, p, buckets) for k, p in enumerate(parts)])
        _stage(runner, bar, report, "proof", stages.prove, proofs, model=True)  # on the model's workers
        retries = runner.retries
    del linked
    t = time.perf_counter()
    clusters, links = _clusters(layout, len(parts))
    _tables(layout, clusters, len(parts))
    report["clusters"] = {"seconds": round(time.perf_counter() - t, 3)}
    return CrawlReport(
        out=str(layout.root),
        engine=engine,
        workers=workers,
        documents=counts["added"],
        duplicates=counts["duplicates"],
        unchanged=counts["unchanged"],
        skipped=tuple(skipped),
        pairs=len(pairs),
        links=links,
        clusters=tuple(clusters),
        seconds=time.perf_counter() - start,
        retries=retries,
        stages=report,
    )


def _claim(layout: Layout, inputs: Sequence[str], shard_size: int, buckets: int, fast_model: bool) -> None:
    """Start a crawl folder, or check that the one there is of the same crawl (a rerun resumes it)."""
    wanted = {
        "version": VERSION,
        "inputs": [str(Path(i).resolve()) for i in inputs],
        "shard_size": shard_size,
        "buckets": buckets,
        "batch": collection_module.BATCH,
        "model": "use-int8" if fast_model else "use",
    }
    found = manifest(layout)
    if found is None:
        if layout.root.exists() and (not layout.root.is_dir() or any(layout.root.iterdir())):
            raise InputError(f"{layout.root}: exists and is not a crawl folder; give a new or empty --out folder")
        layout.root.mkdir(parents=True, exist_ok=True)
        files._atomic(layout.root / "crawl.json", json.dumps(wanted, indent=1).encode("utf-8"))
    elif found != wanted:
        raise InputError(
            f"{layout.root}: holds a crawl of other inputs or settings ({layout.root / 'crawl.json'}); "
            "give another --out folder to crawl these, or the same command to resume that one"
        )


def _stage(
    runner: Any,
    bar: _Progress,
    report: dict[str, dict[str, Any]],
    name: str,
    function: Any,
    tasks: list[tuple[Any, ...]],
    shards: Sequence[Any] = (),
    *,
    model: bool = False,
) -> list[dict[str, Any]]:
    """Run one stage's unfinished tasks; the summaries of all its tasks, finished before or now."""
    start = time.perf_counter()
    summaries: list[dict[str, Any] | None] = [None] * len(tasks)
    todo = []
    for i, args in enumerate(tasks):
        summary = files.done(_output(name, args))
        if summary is None:
            todo.append(i)
        else:
            summaries[i] = summary
    bar.begin(name, len(tasks), len(tasks) - len(todo))
    cpu = 0.0
    rss = 0
    for at, summary in runner.run(function, [tasks[i] for i in todo], model=model):
        summaries[todo[at]] = summary
        cpu += float(summary.get("cpu", 0.0))
        rss = max(rss, int(summary.get("rss_kib", 0)))
        bar.advance(int(summary.get("documents", summary.get("pairs", 0)) or 0))
    bar.end()
    wall = time.perf_counter() - start
    done = [s for s in summaries if s is not None]
    documents = sum(int(done[i].get("documents", done[i].get("pairs", 0)) or 0) for i in range(len(done)))
    fresh = [summaries[i] for i in todo]
    fresh_docs = sum(int(s.get("documents", s.get("pairs", 0)) or 0) for s in fresh if s)
    report[name] = {
        "tasks": len(tasks),
        "resumed": len(tasks) - len(todo),
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "items": documents,
        "items_per_s": round(fresh_docs / wall, 1) if wall > 0 and fresh_docs else None,
        "max_rss_mib": round(rss / 1024, 1),
        "bytes": sum(int(s.get("bytes", 0)) for s in done),
    }
    if name == "model":
        report[name]["sentences"] = sum(int(s.get("sentences", 0)) for s in done)
        report[name]["model_cpu_seconds"] = round(sum(float(s.get("model_cpu", 0.0)) for s in fresh if s), 3)
    return done


def _output(name: str, args: tuple[Any, ...]) -> Path:
    layout: Layout = args[0]
    if name == "prepare":
        return layout.prepared(args[1].number)
    return {
        "model": layout.vectors,
        "keys": layout.keys,
        "shuffle": layout.postings,
        "link": layout.links,
        "proof": layout.proof,
    }[name](args[1])


def _number(layout: Layout, shards: list[int], prepared: list[dict[str, Any]]) -> tuple[Counter[str], list[Skipped]]:
    """Doc numbers in input order, as ``Collection.add`` gives them: identical text is stored once (later
    copies are aliases), an id seen again with the same text is a rerun, with other text a skip."""
    counts: Counter[str] = Counter()
    skipped: list[Skipped] = []
    table: dict[str, list[Any]] = {n: [] for n in ("key", "shard", "row", "number", "alias", "status", "reason")}
    table["date"], table["batch"] = [], []
    position = 0  # records read so far: Collection.add stores them in batches of BATCH
    keys: dict[str, str | None] = {}
    hashes: dict[str, int] = {}  # text hash -> doc number (0: that document could not be indexed)
    number = 0
    batch = collection_module.BATCH
    for shard in shards:
        rows = files.read_table(layout.prepared(shard), ["key", "hash", "status", "reason", "date"]).to_pydict()
        for row, (key, digest, status, reason, date) in enumerate(
            zip(rows["key"], rows["hash"], rows["status"], rows["reason"], rows["date"], strict=True)
        ):
            given, alias, why = 0, 0, reason
            if status == "read":
                state = "skipped"
            elif key in keys:
                state = "unchanged" if keys[key] == digest else "skipped"
                why = None if state == "unchanged" else f"{key}: id already in the collection, other text"
            else:
                keys[key] = digest
                if digest in hashes:
                    alias = hashes[digest]
                    state = "duplicate" if alias else "skipped"
                    why = None if alias else f"{key}: same text as a document that could not be indexed"
                elif status == "prepare":
                    hashes[digest] = 0
                    state = "skipped"
                else:
                    number += 1
                    given = hashes[digest] = number
                    state = "added"
            counts[{"duplicate": "duplicates"}.get(state, state)] += 1
            if state == "skipped":
                skipped.append(Skipped(key, why or "skipped"))
            values = (key, shard, row, given, alias, state, why, date if given or alias else None, position // batch)
            for name, value in zip(table, values, strict=True):
                table[name].append(value)
            position += 1
    if files.done(layout.numbers) is None:
        files.write_table(layout.numbers, table)
        files.finish(layout.numbers, {"documents": number})
    return counts, skipped


def _build_index(layout: Layout, shards: list[int]) -> None:
    """The lead-vector index over the whole crawl, built once on this node and read by the link tasks."""
    if layout.index.exists():
        return
    parts = [files.read_arrays(layout.vectors(n)) for n in shards]
    index = VectorIndex()
    numbers = np.concatenate([p["numbers"] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    if len(numbers):
        index.add(numbers.astype(np.int64), np.concatenate([p["vectors"] for p in parts]))
    save_index(layout, index)


def _pairs(layout: Layout, shards: list[int]) -> list[tuple[int, int]]:
    """The distinct candidate pairs (a < b) of all shards' links, in order."""
    found = [files.read_arrays(layout.links(n)) for n in shards]
    if not found:
        return []
    a = np.concatenate([f["a"] for f in found])
    b = np.concatenate([f["b"] for f in found])
    codes = np.unique((a << 32) | b)
    return [(int(c >> 32), int(c & 0xFFFFFFFF)) for c in codes.tolist()]


def _heaviest_first(layout: Layout, shards: list[int], tasks: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The proof tasks in the order to start them, those likely to take longest first, so that no long one
    is left for the end while the other workers wait. A pair across languages has the model score every
    sentence pair (``CROSS_LANGUAGE_COST``); whether a document is English is in its sketch."""
    numbers = Numbers.read(layout)
    english: dict[int, bool] = {}
    for shard in shards:
        held, rows = numbers.of_shard(shard)
        flags = files.read_table(layout.prepared(shard), ["english"]).column("english").to_pylist()
        english.update(zip(held.tolist(), (bool(flags[r]) for r in rows.tolist()), strict=True))

    def cost(task: tuple[Any, ...]) -> int:
        return sum(CROSS_LANGUAGE_COST if english[a] != english[b] else 1 for a, b in task[2])

    return sorted(tasks, key=cost, reverse=True)


def _clusters(layout: Layout, parts: int) -> tuple[list[Cluster], int]:
    """Connected components of the pairs proven one story, with lineage (``Collection.clusters``'s)."""
    edges = []
    for k in range(parts):
        proof = files.read_table(layout.proof(k), ["a", "b", "score", "relation", "one_story"]).to_pydict()
        for a, b, score, relation, one in zip(*proof.values(), strict=True):
            if one:
                edges.append(Edge(a, b, score, relation))
    proven = len(edges)
    columns = ["key", "shard", "row", "number", "alias", "status", "date"]
    numbers = files.read_table(layout.numbers, columns).to_pydict()
    rows = list(zip(*(numbers[c] for c in columns), strict=True))
    # as Collection.clusters: every id identical text arrived under is a node, with an "identical" edge
    wanted = {n for e in edges for n in (e.a, e.b)} | {alias for *_, alias, status, _ in rows if status == "duplicate"}
    tables: dict[int, dict[str, list[Any]]] = {}

    def meta(shard: int, row: int) -> dict[str, Any]:
        if shard not in tables:
            tables[shard] = files.read_table(layout.prepared(shard), ["meta", "text"]).to_pydict()
        return dict(json.loads(tables[shard]["meta"][row]))

    info = {}
    texts: dict[int, tuple[int, str | None]] = {}  # doc number -> (text length, title)
    for key, shard, row, number, _, status, date in rows:
        if status == "added" and number in wanted:
            info[number] = node(key, date, meta(shard, row), number)
            texts[number] = (len(tables[shard]["text"][row]), meta(shard, row).get("title"))
    copies = 0
    for key, shard, row, _, alias, status, date in rows:
        if status == "duplicate":
            copies -= 1
            info[copies] = node(key, date, meta(shard, row), alias)
            if identical_story(texts[alias][0], texts[alias][1], meta(shard, row).get("title")):
                edges.append(Edge(copies, alias, 1.0, "identical"))
    return [c for c in build_clusters(edges, info) if len(c.members) >= 2], proven


def _tables(layout: Layout, clusters: list[Cluster], parts: int) -> None:
    """The crawl's output tables: documents (metadata, no text), pairs (verdicts, passages), clusters."""
    numbers = files.read_table(layout.numbers).to_pydict()
    key_of = {n: k for k, n in zip(numbers["key"], numbers["number"], strict=True) if n}
    files.write_table(
        layout.table("documents"),
        {
            "id": numbers["key"],
            "number": numbers["number"],
            "status": numbers["status"],
            "same_text_as": [key_of.get(a) for a in numbers["alias"]],
            "reason": numbers["reason"],
            "date": numbers["date"],
            "shard": numbers["shard"],
            "row": numbers["row"],
        },
    )
    pairs: dict[str, list[Any]] = {}
    for k in range(parts):
        for name, values in files.read_table(layout.proof(k)).to_pydict().items():
            pairs.setdefault(name, []).extend(values)
    if pairs:
        pairs["id_a"] = [key_of[a] for a in pairs["a"]]
        pairs["id_b"] = [key_of[b] for b in pairs["b"]]
    files.write_table(layout.table("pairs"), pairs or {"a": [], "b": []})
    files.write_table(
        layout.table("clusters"),
        {
            "id": [c.id for c in clusters],
            "size": [len(c.members) for c in clusters],
            "members": [list(c.members) for c in clusters],
            "source": [c.source for c in clusters],
            "missing_source": [c.missing_source for c in clusters],
            "json": [json.dumps(c.to_dict(), ensure_ascii=False) for c in clusters],
        },
    )


def read_clusters(out: str | Path) -> list[Cluster]:
    """The clusters of a finished crawl, as ``Collection.clusters`` gives them."""
    path = Layout(Path(out)).table("clusters")
    if not path.exists():
        raise InputError(f"{out}: no finished crawl here (no clusters.parquet); run `unspin crawl` into it first")
    return [Cluster.from_dict(json.loads(j)) for j in files.read_table(path, ["json"]).column("json").to_pylist()]


def _reason_kind(reason: str) -> str:
    """A skip reason without the record's id or place, to count alike reasons together."""
    return reason.split(": ", 1)[-1].split(" (")[0]


class _Progress:
    """One line per stage on stderr: tasks done, documents/s and time left, updated as tasks finish."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._shown = 0.0

    def begin(self, name: str, total: int, done: int) -> None:
        self.name, self.total, self.done, self.items = name, total, done, 0
        self.start = time.perf_counter()
        self._resumed = done

    def advance(self, items: int) -> None:
        self.done += 1
        self.items += items
        self._show()

    def end(self) -> None:
        self._show(force=True, end=True)

    def _show(self, force: bool = False, end: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (not force and now - self._shown < 1.0):
            return
        self._shown = now
        elapsed = max(now - self.start, 1e-9)
        fresh = self.done - self._resumed
        rate = self.items / elapsed
        left = (self.total - self.done) * elapsed / fresh if fresh else float("nan")
        resumed = f", {self._resumed} done before" if self._resumed else ""
        eta = "" if end or left != left else f", about {left:,.0f} s left"
        unit = "pairs" if self.name == "proof" else "documents"
        print(
            f"crawl {self.name}: {self.done}/{self.total} tasks{resumed}, {self.items:,} {unit}, "
            f"{rate:,.0f} {unit}/s{eta}",
            file=sys.stderr,
            flush=True,
        )
