"""The crawl's stages: plain functions over one shard (or bucket, or part), outputs under the crawl folder.

They call the collection's own stage code (``prepare._prepare_many``, ``vectors.lead_vectors``,
``candidates.posting_keys``/``shared``/``nearest``/``score``, ``collection.linked``, ``compare``,
``story.judge``) and import no engine: the local pool and Ray only decide where each runs. Each returns a
small summary (documents, CPU seconds, peak memory, bytes written) that is also its completion marker, and
skips its work when the marker is already there, so a task run twice (a worker killed, a rerun) writes the
same output once.
"""

from __future__ import annotations

import hashlib
import json
import resource
import time
from collections.abc import Callable
from functools import wraps
from importlib.resources import files as files_of
from typing import Any

import numpy as np

from .. import embed as model
from ..collection import candidates
from ..collection.collection import EDGE_NEIGHBOURS, linked
from ..collection.ingest import Record
from ..collection.lineage import lineage_date
from ..collection.postings import COMMON_POSTING, Keys
from ..collection.prepare import _prepare_many, language
from ..collection.story import Sentences, Side, judge
from ..collection.vectors import VectorIndex, lead_vectors
from ..compare import compare
from ..document import Document
from . import files
from .layout import Layout, Reader, load_index
from .shards import Shard, records_of

_MIX = np.uint64(0x9E3779B97F4A7C15)
_KINDS = (candidates.MINHASH, candidates.ANCHORS)
_readers: dict[str, Reader] = {}  # per process: one reader per crawl folder (shards cached as read)
_indexes: dict[str, Any] = {}


def stage(function: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Times a stage function and adds its CPU seconds and peak memory to its summary."""

    @wraps(function)
    def timed(*args: Any) -> dict[str, Any]:
        wall, cpu = time.perf_counter(), time.process_time()
        summary = function(*args)
        summary.setdefault("cpu", time.process_time() - cpu)
        summary.setdefault("seconds", time.perf_counter() - wall)
        summary["rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return summary

    return timed


def bucket_of(h: np.ndarray, buckets: int) -> np.ndarray:
    """The shuffle's bucket of each key (a multiplicative hash: keys are hashes already, but sketch keys
    share low bits by construction)."""
    return ((h.view(np.uint64) * _MIX) >> np.uint64(40)).astype(np.int64) % buckets


def reader(layout: Layout) -> Reader:
    key = str(layout.root)
    if key not in _readers or _readers[key].numbers.numbers.size == 0:
        _readers[key] = Reader(layout)
    return _readers[key]


def warm(fast: bool = False) -> None:
    """Load what the model and proof stages use (the sentence model, in its int8 form too with ``fast``;
    thesaurus, word frequencies, language model: a comparison of the bundled spun example loads them), once
    per process. The local engine's workers are forked from a process that called this, so they share its
    loaded pages instead of each loading its own (about 2 CPU s a worker)."""
    if fast in _warm:
        return
    with model.fast_model(fast):
        model.load()
    if not _warm:
        examples = files_of("unspin") / "examples"
        article, spun = ((examples / name).read_text(encoding="utf-8") for name in ("article.txt", "spun.txt"))
        compare(Document("warm-a", article), Document("warm-b", spun))
    _warm.add(fast)


_warm: set[bool] = set()  # the forms of the model this process has warmed up


def forget() -> None:
    """Drop the per-process caches (the numbering changed: a new crawl into the same folder)."""
    _readers.clear()
    _indexes.clear()


# ---------------------------------------------------------------- 1. extract, clean, fingerprint
@stage
def prepare(layout: Layout, shard: Shard) -> dict[str, Any]:
    """Read the shard's records, fingerprint each document and take its lead sentences; a record that
    cannot be read or fingerprinted is a row with its reason, never a failed shard."""
    out = layout.prepared(shard.number)
    if (summary := files.done(out)) is not None:
        return summary
    columns: dict[str, list[Any]] = {name: [] for name in _PREPARED}
    read = list(records_of(shard))
    good = [r for r in read if isinstance(r, Record)]
    prepared = iter(_prepare_many([(r.doc.name, r.doc.text, language(r.doc)) for r in good])[0])
    for item in read:
        if not isinstance(item, Record):
            _row(columns, item.id, status="read", reason=item.reason)
            continue
        doc = item.doc
        meta = {k: v for k, v in doc.meta.items() if isinstance(v, str | int | float | bool) or v is None}
        common = dict(
            name=doc.name,
            path=doc.path,
            format=doc.format,
            encoding=doc.encoding,
            date=lineage_date(doc.meta),
            meta=json.dumps(meta, ensure_ascii=False),
            text=doc.text,
            hash=hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
        )
        result = next(prepared)
        if isinstance(result, str):
            _row(columns, item.key, status="prepare", reason=result, **common)
            continue
        fp, lead = result
        _row(
            columns,
            item.key,
            status="ok",
            signature=fp.signature.astype(np.uint32).tobytes(),
            anchors=fp.anchors.astype(np.int64).tobytes(),
            english=bool(fp.english),
            sentences=fp.sentences.astype(np.int64).tobytes(),
            lead=list(lead),
            **common,
        )
    size = files.write_table(out, columns)
    skipped = [
        [k, r] for k, s, r in zip(columns["key"], columns["status"], columns["reason"], strict=True) if s != "ok"
    ]
    return files.finish(out, {"records": len(read), "documents": len(good), "bytes": size, "skipped": skipped})


_PREPARED = (
    "key name path format encoding date meta text hash status reason signature anchors english sentences lead"
).split()


def _row(columns: dict[str, list[Any]], key: str, **values: Any) -> None:
    columns["key"].append(key)
    for name in _PREPARED[1:]:
        columns[name].append(values.get(name, [] if name == "lead" else None))


# ---------------------------------------------------------------- 2. the sentence model
@stage
def embed(layout: Layout, shard: int, fast: bool = False) -> dict[str, Any]:
    """Lead vectors of the shard's stored documents (in a long-lived worker: the model loads once); ``fast``:
    USE's int8 form, for the lead vectors only (proof keeps the default model)."""
    out = layout.vectors(shard)
    if (summary := files.done(out)) is not None:
        return summary
    warm(fast)
    numbers, rows = reader(layout).numbers.of_shard(shard)
    leads = files.read_table(layout.prepared(shard), ["lead"]).column("lead").to_pylist()
    chosen = [leads[r] for r in rows.tolist()]
    start = time.process_time()
    with model.fast_model(fast):
        vectors = lead_vectors(chosen)
    model_cpu = time.process_time() - start
    size = files.write_arrays(out, numbers=numbers, vectors=vectors)
    sentences = sum(len(lead) for lead in chosen)
    return files.finish(out, {"documents": len(numbers), "sentences": sentences, "model_cpu": model_cpu, "bytes": size})


# ---------------------------------------------------------------- 3. the shuffle on sketch keys
@stage
def map_keys(layout: Layout, shard: int, buckets: int) -> dict[str, Any]:
    """The shard's posting keys (MinHash bands, anchor pairs, sentence keys) hashed into ``buckets``."""
    out = layout.keys(shard)
    if (summary := files.done(out)) is not None:
        return summary
    numbers, sk = reader(layout).sketches(shard)
    keys = candidates.posting_keys(sk)
    _, rows = reader(layout).numbers.of_shard(shard)
    table = files.read_table(layout.prepared(shard), ["sentences"]).column("sentences").to_pylist()
    sentences = candidates.sentence_keys([np.frombuffer(table[r], dtype=np.int64) for r in rows.tolist()])
    kind = np.concatenate([np.full(len(k.h), kind, dtype=np.int8) for kind, k in (*keys.items(), (3, sentences))])
    h = np.concatenate([k.h for k in (*keys.values(), sentences)]).astype(np.int64)
    doc = numbers[np.concatenate([k.row for k in (*keys.values(), sentences)])]
    where = bucket_of(h, buckets)
    size = 0
    for bucket in range(buckets):
        at = where == bucket
        size += files.write_arrays(layout.bucket(shard, bucket), kind=kind[at], h=h[at], doc=doc[at])
    return files.finish(out, {"documents": len(numbers), "bytes": size, "keys": len(h)})


@stage
def reduce_keys(layout: Layout, bucket: int, shards: list[int]) -> dict[str, Any]:
    """One bucket of every shard's keys: keys held by more than ``collection_common_posting`` documents are
    no evidence (as in the collection); the others' postings go to each shard holding them, and the sentence
    keys held by two documents or more to the story stage."""
    out = layout.postings(bucket)
    if (summary := files.done(out)) is not None:
        return summary
    parts = [files.read_arrays(layout.bucket(s, bucket)) for s in shards]
    kind = np.concatenate([p["kind"] for p in parts])
    h = np.concatenate([p["h"] for p in parts])
    doc = np.concatenate([p["doc"] for p in parts])
    numbers = reader(layout).numbers
    order = np.lexsort((doc, h, kind))
    kind, h, doc = kind[order], h[order], doc[order]
    new = np.ones(len(h), dtype=bool)
    new[1:] = (h[1:] != h[:-1]) | (kind[1:] != kind[:-1])
    group = np.cumsum(new) - 1
    sizes = np.bincount(group) if len(group) else np.zeros(0, dtype=np.int64)
    held = sizes[group]
    evidence = held <= COMMON_POSTING  # sentence keys: as the collection's store holds them in the end
    size = 0
    sentences = (kind == 3) & evidence & (held >= 2)
    size += files.write_arrays(
        layout.sentences(bucket),
        h=h[sentences],
        doc=doc[sentences],
        common=np.unique(h[(kind == 3) & ~evidence]),
    )
    # Kinds 1 and 2, as the collection's batches see them: a key counts for the documents of batch k while at
    # most COMMON_POSTING documents of batches up to k hold it; from the batch where it passes that (its
    # ``until``) it is no evidence for anyone, and that batch's postings of it are never stored.
    batch = numbers.batch_of(doc)
    rank = np.arange(len(h)) - np.searchsorted(group, group, "left")  # position inside the key's postings
    passing = np.flatnonzero(rank == COMMON_POSTING)  # the posting that takes each too-common key past it
    until = np.full(int(group[-1]) + 1 if len(group) else 0, np.iinfo(np.int64).max, dtype=np.int64)
    until[group[passing]] = batch[passing]
    until = until[group]
    kept = (kind != 3) & (batch < until)
    kept_per_key = np.bincount(group[kept], minlength=len(sizes))
    keep = kept & (kept_per_key[group] >= 2)  # a key only one document holds links nothing
    kind, h, doc, group, until = kind[keep], h[keep], doc[keep], group[keep], until[keep]
    shard = numbers.shard_of(doc) if len(doc) else np.zeros(0, dtype=np.int64)
    for target in shards:
        mine = np.unique(group[shard == target])  # the keys this shard's documents hold
        at = np.searchsorted(group, mine, "left")
        n = np.searchsorted(group, mine, "right") - at
        idx = np.repeat(at - np.cumsum(n) + n, n) + np.arange(int(n.sum()))
        size += files.write_arrays(
            layout.part(bucket, target), kind=kind[idx], h=h[idx], doc=doc[idx], until=until[idx]
        )
    return files.finish(out, {"bytes": size, "postings": len(h)})


# ---------------------------------------------------------------- 4. candidates and cheap links
@stage
def link(layout: Layout, shard: int, buckets: int) -> dict[str, Any]:
    """Each of the shard's documents against the whole crawl, as ``Collection`` links a new document: the
    documents sharing most MinHash bands, most anchor pairs and the nearest lead vectors, scored by the cheap
    signals; the pairs strong enough to link (``collection.linked``)."""
    out = layout.links(shard)
    if (summary := files.done(out)) is not None:
        return summary
    read = reader(layout)
    numbers, sk = read.sketches(shard)
    keys = candidates.posting_keys(sk)
    parts = [files.read_arrays(layout.part(b, shard)) for b in range(buckets)]
    posted = {name: np.concatenate([p[name] for p in parts]) for name in ("kind", "h", "doc", "until")}
    held_in = read.numbers.batch_of(posted["doc"])
    batches = read.numbers.batch_of(numbers)
    found_rows, found_docs = [], []
    for batch in np.unique(batches).tolist():  # the collection links a batch against what is stored by then
        rows_in = np.flatnonzero(batches == batch)
        visible = (held_in <= batch) & (posted["until"] > batch)
        postings = {
            k: Keys(posted["h"][visible & (posted["kind"] == k)], posted["doc"][visible & (posted["kind"] == k)])
            for k in _KINDS
        }
        index = _index(layout, read, read.numbers.last_of(batch))
        _, neighbours = index.search(sk.vectors[rows_in], EDGE_NEIGHBOURS + 1, candidates.VECTOR_LOW)
        nearest = candidates.nearest(neighbours, EDGE_NEIGHBOURS, numbers[rows_in])
        found_rows.append(rows_in[nearest[0]])
        found_docs.append(nearest[1])
        for k in keys:
            mine = np.isin(keys[k].row, rows_in)
            r, d = candidates.shared(Keys(keys[k].h[mine], keys[k].row[mine]), postings[k], EDGE_NEIGHBOURS, numbers)
            found_rows.append(r)
            found_docs.append(d)
    rows, docs = candidates.union(*zip(found_rows, found_docs, strict=True))
    unique, at = np.unique(docs, return_inverse=True)
    found = candidates.score(sk, rows, docs, read.stored(unique), at, EDGE_NEIGHBOURS)
    signals = {"minhash": found.minhash, "anchors": found.anchors, "vector": found.vector, "cross": found.cross}
    keep = linked(signals)
    a, b = numbers[found.row[keep]], found.doc[keep]
    size = files.write_arrays(
        out,
        a=np.minimum(a, b),
        b=np.maximum(a, b),
        by=a,
        score=found.score[keep],
        candidates=np.array([len(rows)]),
    )
    return files.finish(out, {"documents": len(numbers), "links": int(keep.sum()), "bytes": size})


def _index(layout: Layout, read: Reader, last: int) -> VectorIndex:
    """The lead-vector index as the collection holds it once the documents up to number ``last`` are in:
    exact search over them while that is exact; beyond ``collection_exact_vectors`` documents, the crawl's
    one inverted file over all (the collection's, trained as it grew, differs there)."""
    key = str(layout.index)
    if key not in _indexes:
        _indexes[key] = load_index(layout)
    full: VectorIndex = _indexes[key]
    if not full.exact or last >= full.newest:
        return full
    prefix = f"{key}:{last}"
    if prefix not in _indexes:
        numbers, vectors = read.all_vectors()
        upto = int(np.searchsorted(numbers, last, "right"))
        index = VectorIndex()
        index.add(numbers[:upto], vectors[:upto])
        _indexes.pop(next((k for k in _indexes if k.startswith(f"{key}:")), ""), None)  # one prefix at a time
        _indexes[prefix] = index
    return _indexes[prefix]


# ---------------------------------------------------------------- 5. proof
@stage
def prove(layout: Layout, part: int, pairs: list[tuple[int, int]], buckets: int) -> dict[str, Any]:
    """The compare engine on each candidate pair, and whether the pair tells one story (``story.judge``, with
    the crawl's sentence keys telling stock text): the evidence ``Collection.clusters`` links by."""
    out = layout.proof(part)
    if (summary := files.done(out)) is not None:
        return summary
    warm()
    read = reader(layout)
    lookup = _sentence_lookup(layout, buckets, read)
    columns: dict[str, list[Any]] = {name: [] for name in _PROOF}
    known: dict[int, Sentences] = {}
    for a, b in pairs:
        (doc_a, date_a), (doc_b, date_b) = read.document(a), read.document(b)
        comparison = compare(doc_a, doc_b)
        passages = [[p.a.start, p.a.end, p.b.start, p.b.end] for p in comparison.passages]
        story = None
        if comparison.related:
            for number, doc in ((a, doc_a), (b, doc_b)):
                if number not in known:
                    known[number] = Sentences.of(doc.text, lookup)
            story = judge(
                Side(a, doc_a.text, date_a, known[a]),
                [(p[0], p[1]) for p in passages],
                Side(b, doc_b.text, date_b, known[b]),
                [(p[2], p[3]) for p in passages],
            )
        for name, value in (
            ("a", a),
            ("b", b),
            ("related", bool(comparison.related)),
            ("score", float(comparison.score)),
            ("relation", comparison.relation),
            ("disguise_a", json.dumps(comparison.side_a.disguise)),
            ("disguise_b", json.dumps(comparison.side_b.disguise)),
            ("passages", json.dumps(passages)),
            ("one_story", bool(story is not None and story.one)),
            ("reason", story.reason if story is not None else "unrelated"),
        ):
            columns[name].append(value)
    size = files.write_table(out, columns)
    return files.finish(out, {"pairs": len(pairs), "bytes": size})


_PROOF = "a b related score relation disguise_a disguise_b passages one_story reason".split()


def _sentence_lookup(layout: Layout, buckets: int, read: Reader) -> Callable[[np.ndarray], Any]:
    """``Sentences.of``'s lookup over the crawl's sentence keys: holders (doc, date) and common keys."""
    key = f"sentences:{layout.root}"
    if key not in _indexes:
        parts = [files.read_arrays(layout.sentences(b)) for b in range(buckets)]
        h = np.concatenate([p["h"] for p in parts])
        doc = np.concatenate([p["doc"] for p in parts])
        order = np.argsort(h, kind="stable")
        common = {int(x) for p in parts for x in p["common"].tolist()}
        _indexes[key] = (h[order], doc[order], common)
    h, doc, common = _indexes[key]
    dates = read.numbers.dates

    def lookup(keys: np.ndarray) -> tuple[dict[int, list[tuple[int, str | None]]], set[int]]:
        left = np.searchsorted(h, keys, "left")
        right = np.searchsorted(h, keys, "right")
        found: dict[int, list[tuple[int, str | None]]] = {}
        for k, lo, hi in zip(keys.tolist(), left.tolist(), right.tolist(), strict=True):
            if hi > lo:
                found[k] = [(int(d), dates.get(int(d))) for d in doc[lo:hi].tolist()]
        return found, {k for k in keys.tolist() if k in common}

    return lookup
