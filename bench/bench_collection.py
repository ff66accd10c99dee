"""Collections at scale: find 360 disguised copies among reuters-20k, beside datasketch MinHashLSH.

The collection holds the first ``--n`` articles of ../shared/data/reuters-20k plus the 62 English articles
of ../shared/data/ntrex128-dev. Disguised copies are made here and used as queries (not added):
* verbatim in boilerplate (``unspin.evaluation.wrap``), spun 10/30/50% (``unspin.evaluation.spinner``,
  WordNet synonyms), 60 of each, from Reuters articles chosen at random (seeded);
* 60 professional translations (NTREX-128: German, French, Spanish, Russian, Arabic, Turkish, Chinese)
  of the ntrex English articles;
* 60 verbatim copies hidden with invisible, look-alike, full-width and ligature characters
  (``unspin.evaluation.evasion``, all kinds together).
recall@10: share of copies whose original is among the first 10 results of ``Collection.search``
(candidates only, ``verify=0``). The peer: datasketch MinHash (128 permutations, word 5-gram shingles)
in a MinHashLSH at threshold 0.5, its candidates ranked by estimated Jaccard.

Index speed: the collection is indexed twice. First with the sentence model (its cost reported in
sentences/s); then into a new file with the model's lead vectors replayed from the first run, which is
everything but the model. Times are wall and CPU (the indexing process plus its worker processes).

``--grow N``: then grow the second collection to N documents with spun copies of the Reuters articles
(spinner at 10-30%, other seeds), in steps, measuring index time and disk per document at each step,
search latency and recall at N, and projecting to 10M documents. The copies' lead vectors are stand-ins
(the original's vector plus noise, cosine about 0.9, as spun leads measure), so the growth run needs no
model; the model's cost at that size follows from its sentences/s.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from _common import DATA, engine, header, load_models, write, read_ntrex, read_reuters  # isort: skip - first: one thread before numpy loads

import itertools
import multiprocessing
import os
import resource
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

import unspin.collection.collection as collection_module
from unspin import Collection, Document, embed
from unspin.collection.vectors import EXACT_UP_TO, PROBES, VectorIndex, lead
from unspin.evaluation.evasion import disguise
from unspin.evaluation.spinner import spin
from unspin.evaluation.wrap import wrap

NTREX = DATA / "ntrex128-dev" / "ntrex128-dev.jsonl"
LANGUAGES = ("deu", "fra", "spa", "rus", "arb", "tur", "zho-CN")
KINDS = ("boilerplate", "spun 10%", "spun 30%", "spun 50%", "translated", "evasion")
WORDS = re.compile(r"\w+")


def copies(
    reuters: list[dict[str, Any]],
    english: list[dict[str, Any]],
    translations: dict[str, dict[str, str]],
    per_kind: int,
    seed: int,
) -> list[tuple[str, str, str]]:
    """(kind, original id, copy text) for every disguised copy."""
    rng = random.Random(seed)
    pool = [r for r in reuters if len(r["text"]) >= 800]
    chosen = rng.sample(pool, per_kind * 4)
    out = []
    for i, row in enumerate(chosen):
        kind = KINDS[i // per_kind]
        if kind == "boilerplate":
            out.append((kind, row["id"], wrap(row["text"], seed + i)))
        else:
            rate = int(kind.split()[1].rstrip("%")) / 100
            out.append((kind, row["id"], spin(row["text"], rate, seed + i).text))
    for i, row in enumerate(rng.sample(english, min(per_kind, len(english)))):
        language = LANGUAGES[i % len(LANGUAGES)]
        out.append(("translated", row["id"], translations[row["doc"]][language]))
    evasion = random.Random(seed + 13)  # its own draw: the other kinds' copies stay as they were
    for i, row in enumerate(evasion.sample(pool, per_kind)):
        out.append(("evasion", row["id"], disguise(row["text"], "all", seed + i)))
    return out


def shingles(text: str) -> set[bytes]:
    words = [w.lower() for w in WORDS.findall(text)]
    return {" ".join(words[i : i + 5]).encode() for i in range(max(1, len(words) - 4))}


def minhash(text: str) -> MinHash:
    m = MinHash(num_perm=128)
    m.update_batch(list(shingles(text)))
    return m


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


# ---------------------------------------------------------------- the model, recorded and replayed
@contextmanager
def model_recorded(store: dict[tuple[str, ...], np.ndarray]) -> Iterator[None]:
    """Index with the sentence model, keeping each lead's vector (for the runs without the model)."""
    real = collection_module.lead_vectors

    def record(leads: Sequence[Sequence[str]]) -> np.ndarray:
        vectors = real(leads)
        store.update((tuple(lead), vector) for lead, vector in zip(leads, vectors, strict=True))
        return vectors

    collection_module.lead_vectors = record
    try:
        yield
    finally:
        collection_module.lead_vectors = real


@contextmanager
def model_replayed(store: dict[tuple[str, ...], np.ndarray]) -> Iterator[None]:
    """Index without the sentence model: every lead's vector is looked up in ``store``."""
    real = collection_module.lead_vectors

    def replay(leads: Sequence[Sequence[str]]) -> np.ndarray:
        if not leads:
            return real(leads)
        return np.stack([store[tuple(lead)] for lead in leads])

    collection_module.lead_vectors = replay
    try:
        yield
    finally:
        collection_module.lead_vectors = real


# ---------------------------------------------------------------- growth: spun copies with stand-in vectors
def _grown(args: tuple[int, str, str, int]) -> tuple[str, str, tuple[str, ...]]:
    """A spun copy of one article (id, text) and its lead, for the growth run (in a worker process)."""
    number, original, text, seed = args
    copy = spin(text, 0.1 + 0.1 * (number % 3), seed).text
    key = f"{original}/copy{number}"
    return key, copy, tuple(lead(Document(name=key, text=copy)))


def grown_copies(
    reuters: list[dict[str, Any]], count: int, seed: int
) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
    """``count`` spun copies of the Reuters articles (original id, copy id, text, lead), in a process pool."""
    jobs = ((i, reuters[i % len(reuters)]["id"], reuters[i % len(reuters)]["text"], seed + i) for i in range(count))
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        for (key, text, copy_lead), i in zip(pool.imap(_grown, jobs, chunksize=64), range(count), strict=True):
            yield reuters[i % len(reuters)]["id"], key, text, copy_lead


def stand_in(vector: np.ndarray, rng: np.random.Generator, cosine: float = 0.9) -> np.ndarray:
    """A unit vector at about ``cosine`` from ``vector`` (a spun lead's vector, without the model)."""
    noise = rng.standard_normal(len(vector)).astype(np.float32) / np.sqrt(len(vector))
    out = vector + noise * np.sqrt(1 / cosine**2 - 1)
    return out / np.linalg.norm(out)


# ---------------------------------------------------------------- measuring
def cpu_now(pool_children: bool = True) -> float:
    """CPU seconds of this process and of its finished children (the indexing worker processes)."""
    own = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + (children.ru_utime + children.ru_stime if pool_children else 0.0)


def stage_table(report: Any) -> list[str]:
    rows = ["| stage | wall s | CPU s | CPU ms/doc |", "|---|---|---|---|"]
    for name, (wall, cpu) in report.stages.items():
        rows.append(f"| {name} | {wall:.1f} | {cpu:.1f} | {cpu / max(report.added, 1) * 1000:.2f} |")
    cpu = sum(c for _, c in report.stages.values())
    rows.append(f"| **all** | {report.seconds:.1f} | {cpu:.1f} | {cpu / max(report.added, 1) * 1000:.2f} |")
    return rows


def search_latency(
    collection: Collection, queries: list[tuple[str, str, str]]
) -> tuple[dict[str, list[bool]], dict[str, list[int]], list[float], list[float]]:
    """recall per kind, ranks, and latencies cold (query lead embedded in the call) and warm."""
    found: dict[str, list[bool]] = defaultdict(list)
    ranks: dict[str, list[int]] = defaultdict(list)
    cold: list[float] = []
    warm: list[float] = []
    for kind, original, text in queries:
        query = {"id": "query", "text": text}
        embed.clear_cache()
        start = time.perf_counter()
        hits = collection.search(query, top=10, verify=0)
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        collection.search(query, top=10, verify=0)
        warm.append(time.perf_counter() - start)
        ids = [h.id for h in hits]
        found[kind].append(original in ids)
        if original in ids:
            ranks[kind].append(ids.index(original) + 1)
    return found, ranks, cold, warm


def share(values: list[bool]) -> str:
    return f"{sum(values) / len(values):.3f}" if values else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=20_000, help="Reuters articles in the collection")
    parser.add_argument("--per-kind", type=int, default=60, help="copies per disguise (6 kinds)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--db", default="/tmp/unspin-bench-collection.db", help="collection file (rebuilt)")
    parser.add_argument("--grow", type=int, default=0, help="then grow the collection to this many documents")
    parser.add_argument(
        "--recall-only",
        metavar="DB",
        help="only the recall@10 and proof tables, on this already built collection of the same documents "
        "(e.g. a copy of bench_answers.py's); written to bench/results/collection_recall.md",
    )
    args = parser.parse_args()

    reuters = read_reuters(args.n)
    english, translations = read_ntrex(NTREX, LANGUAGES)
    queries = copies(reuters, english, translations, args.per_kind, args.seed)
    load_s = load_models()
    docs = [*reuters, *({"id": r["id"], "text": r["text"], "title": r["title"]} for r in english)]

    if args.recall_only:
        recall_only(Path(args.recall_only), reuters, english, queries, load_s, args)
        return

    # 1. with the sentence model
    db = Path(args.db)
    fresh(db)
    collection = Collection(db)
    leads: dict[tuple[str, ...], np.ndarray] = {}
    with model_recorded(leads):
        report = collection.add(docs)
    print(f"indexed {report.added} in {report.seconds:.1f} s (model {report.model_seconds:.1f} s)", flush=True)
    stats = collection.stats()

    # identical texts are stored once: an original stored under another id is found under that id
    queries = [(kind, collection.get(original).id, text) for kind, original, text in queries]
    found, ranks, cold, warm = search_latency(collection, queries)
    verified, verify_s = verified_top3(collection, queries)
    collection.close()

    # 2. the same documents without the model (lead vectors replayed), into a new file
    bare_db = Path(str(db) + ".bare")
    fresh(bare_db)
    bare = Collection(bare_db)
    cpu = cpu_now()
    with model_replayed(leads):
        bare_report = bare.add(docs)
    bare_cpu = cpu_now() - cpu
    print(f"indexed again without the model: {bare_report.added / bare_report.seconds:,.0f} docs/s", flush=True)

    # the peer: datasketch MinHashLSH on the same collection and copies
    start = time.perf_counter()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    signatures = {}
    for row in docs:
        signatures[row["id"]] = minhash(row["text"])
        lsh.insert(row["id"], signatures[row["id"]])
    lsh_index_s = time.perf_counter() - start
    lsh_found: dict[str, list[bool]] = defaultdict(list)
    lsh_times: list[float] = []
    for kind, original, text in queries:
        start = time.perf_counter()
        m = minhash(text)
        candidates = sorted(lsh.query(m), key=lambda key: -m.jaccard(signatures[key]))[:10]
        lsh_times.append(time.perf_counter() - start)
        lsh_found[kind].append(original in candidates)

    model_wall, model_cpu = report.stages.get("model", (0.0, 0.0))
    lines = [
        header(f"Collections: {len(queries)} disguised copies among {stats['documents']:,} documents"),
        f"Collection: the first {len(reuters):,} articles of ../shared/data/reuters-20k with text, plus the "
        f"{len(english)} English NTREX-128 articles. Copies made here (seed {args.seed}) and used as queries: "
        "boilerplate-wrapped (`unspin.evaluation.wrap`), spun by `unspin.evaluation.spinner` (WordNet synonyms), "
        f"and NTREX-128 professional translations ({', '.join(LANGUAGES)}). unspin {engine()}; models loaded in "
        f"{load_s * 1000:.0f} ms. Wall times are indicative only: a shared 2-core machine with other jobs running "
        "(the model runs on one thread); CPU times are the figures to compare.\n",
        *recall_tables(found, ranks, verified, lsh_found),
    ]
    bare_wall = bare_report.seconds
    lines += [
        "",
        "### Speed\n",
        "| stage | measured |",
        "|---|---|",
        f"| index without the sentence model (lead vectors replayed) | **{bare_report.added / bare_wall:,.0f} docs/s** "
        f"wall ({bare_report.added:,} docs in {bare_wall:.1f} s); CPU {bare_cpu / bare_report.added * 1000:.2f} ms/doc "
        f"(all processes: {bare_report.added / bare_cpu:,.0f} docs per CPU-second) |",
        f"| index, all stages (sentence model on one thread) | {report.added / report.seconds:,.0f} docs/s "
        f"({report.added:,} docs in {report.seconds:.0f} s) |",
        f"| sentence model (lead, ≤ 3 sentences/doc) | {report.sentences / model_cpu:,.0f} sentences/s CPU "
        f"({report.sentences / model_wall:,.0f} wall; {report.sentences:,} sentences, {model_cpu:.0f} s CPU) |",
        f"| search, query lead embedded (candidate stage) | p50 {percentile(warm, 50) * 1000:.1f} ms, "
        f"p99 {percentile(warm, 99) * 1000:.1f} ms |",
        f"| search, cold (query lead embedded in the call) | p50 {percentile(cold, 50) * 1000:.1f} ms, "
        f"p99 {percentile(cold, 99) * 1000:.1f} ms |",
        f"| search + proof of the top 3 (`verify=3`) | p50 {percentile(verify_s, 50):.2f} s, "
        f"p99 {percentile(verify_s, 99):.2f} s |",
        f"| MinHashLSH index (datasketch) | {len(docs) / lsh_index_s:,.0f} docs/s |",
        f"| MinHashLSH query | p50 {percentile(lsh_times, 50) * 1000:.1f} ms |",
        "",
        f"Index stages without the model ({bare_report.added:,} documents; `prepare` (fingerprints and lead "
        "sentences) runs in worker processes, its CPU is theirs; `wait` is the indexing process waiting for them):\n",
        *stage_table(bare_report),
        "",
        f"With the model: {model_cpu:.0f} s CPU in the model stage for {report.sentences:,} sentences; the other "
        f"stages as above.",
        "",
    ]
    bare.close()
    if args.grow > stats["documents"]:
        lines += grow(bare_db, reuters, queries, leads, args, bare_report, report)
    else:
        with Collection(bare_db) as bare:
            lines += projection_note(bare.stats())
    write("collection", "\n".join(lines) + "\n")


def verified_top3(
    collection: Collection, queries: list[tuple[str, str, str]]
) -> tuple[dict[str, list[str]], list[float]]:
    """The engine on the top 3 of the first 10 queries of each kind: the relation given to the original."""
    verified: dict[str, list[str]] = defaultdict(list)
    verify_s: list[float] = []
    for kind in KINDS:
        for _, original, text in [q for q in queries if q[0] == kind][:10]:
            start = time.perf_counter()
            hits = collection.search({"id": "query", "text": text}, top=10, verify=3)
            verify_s.append(time.perf_counter() - start)
            hit = next((h for h in hits if h.id == original), None)
            verified[kind].append(hit.relation if hit else "missed")
    return verified, verify_s


def recall_tables(
    found: dict[str, list[bool]],
    ranks: dict[str, list[int]],
    verified: dict[str, list[str]],
    lsh_found: dict[str, list[bool]] | None,
) -> list[str]:
    """The recall@10 table (with the MinHashLSH peer when it ran) and the proof-on-the-top-3 table."""
    peer = lsh_found is not None
    lines = [
        "### recall@10 (candidate stage, `search(copy, top=10, verify=0)`)\n",
        "| copies | n | unspin recall@10 | unspin median rank |"
        + (" MinHashLSH(5-gram, 0.5) recall@10 |" if peer else ""),
        "|---|---|---|---|" + ("---|" if peer else ""),
    ]
    for kind in KINDS:
        median_rank = f"{statistics.median(ranks[kind]):.0f}" if ranks[kind] else "–"
        lines.append(
            f"| {kind} | {len(found[kind])} | {share(found[kind])} | {median_rank} |"
            + (f" {share(lsh_found[kind])} |" if lsh_found is not None else "")
        )
    total = [x for kind in KINDS for x in found[kind]]
    lsh_total = [x for kind in KINDS for x in lsh_found[kind]] if lsh_found is not None else []
    lines.append(f"| **all** | {len(total)} | **{share(total)}** | |" + (f" {share(lsh_total)} |" if peer else ""))
    lines += ["", "### Proof on the top 3 (`verify=3`), first 10 copies of each kind: relation given to the original\n"]
    lines += ["| copies | relations |", "|---|---|"]
    for kind in KINDS:
        counts: dict[str, int] = defaultdict(int)
        for relation in verified[kind]:
            counts[relation] += 1
        lines.append(f"| {kind} | {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))} |")
    return lines


def recall_only(
    db: Path,
    reuters: list[dict[str, Any]],
    english: list[dict[str, Any]],
    queries: list[tuple[str, str, str]],
    load_s: float,
    args: argparse.Namespace,
) -> None:
    """The recall and proof tables on an already built collection of the same documents (no indexing, no
    peer): the gate that the disguised copies are still found, in minutes rather than the full run's hour."""
    with Collection(db) as collection:
        stats = collection.stats()
        queries = [(kind, collection.get(original).id, text) for kind, original, text in queries]
        cpu = time.process_time()
        found, ranks, cold, warm = search_latency(collection, queries)
        verified, verify_s = verified_top3(collection, queries)
        cpu = time.process_time() - cpu
    lines = [
        header(f"Collections: recall@10 of {len(queries)} disguised copies among {stats['documents']:,} documents"),
        f"`--recall-only`: the collection `{db}` was built earlier (not by this run; the first {len(reuters):,} "
        f"articles of ../shared/data/reuters-20k with text plus the {len(english)} English NTREX-128 articles, "
        f"{stats['texts']:,} texts); no indexing and no MinHashLSH peer in this run (the full run's "
        f"collection.md has both). Copies made here (seed {args.seed}) as in the full run: boilerplate, spun "
        f"10/30/50%, NTREX-128 translations ({', '.join(LANGUAGES)}) and evasion characters. unspin {engine()}; "
        f"models loaded in {load_s * 1000:.0f} ms.\n",
        *recall_tables(found, ranks, verified, None),
        "",
        f"Search, candidate stage: cold p50 {percentile(cold, 50) * 1000:.1f} ms, p99 {percentile(cold, 99) * 1000:.1f}"
        f" ms; warm p50 {percentile(warm, 50) * 1000:.1f} ms (wall). With proof of the top 3: p50 "
        f"{percentile(verify_s, 50):.2f} s, p99 {percentile(verify_s, 99):.2f} s (wall). CPU of this process for "
        f"all searches: {cpu:.0f} s.",
        "",
    ]
    write("collection_recall", "\n".join(lines))


def fresh(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def projection_note(stats: dict[str, Any]) -> list[str]:
    per_doc = stats["bytes"] / max(stats["documents"], 1)
    return [
        "### Size\n",
        f"Store: {stats['bytes'] / 1e6:.1f} MB for {stats['documents']:,} documents ({per_doc / 1e3:.1f} kB/doc, "
        f"text included), {stats['postings'] / max(stats['documents'], 1):.0f} sketch postings/doc, "
        f"{stats['links']:,} candidate links. Run with `--grow 100000` for growth and the 10M projection.",
    ]


def grow(
    path: Path,
    reuters: list[dict[str, Any]],
    queries: list[tuple[str, str, str]],
    leads: dict[tuple[str, ...], np.ndarray],
    args: argparse.Namespace,
    first: Any,
    modelled: Any,
) -> list[str]:
    """Grow the collection at ``path`` to ``args.grow`` documents with spun copies: growth table, search at
    that size, and the 10M projection. Sizes are of the closed file (its WAL folded in)."""
    rng = np.random.default_rng(args.seed)
    vector_of = {r["id"]: leads[tuple(lead(Document(name=r["id"], text=r["text"])))] for r in reuters}
    start_docs = first.added
    steps = [n for n in (50_000, 75_000, 100_000, 200_000, 500_000) if start_docs < n < args.grow] + [args.grow]
    tick = time.perf_counter()
    made = iter(list(grown_copies(reuters, args.grow - start_docs, args.seed + 1)))  # all made before timing
    make_s = time.perf_counter() - tick
    rows = [Step(start_docs, path.stat().st_size, first)]
    for target in steps:
        batch = []
        for original, key, text, copy_lead in itertools.islice(made, target - rows[-1].documents):
            leads[copy_lead] = stand_in(vector_of[original], rng)
            batch.append({"id": key, "text": text})
        with Collection(path) as collection, model_replayed(leads):
            report = collection.add(batch)
            documents = collection.stats()["documents"]
        rows.append(Step(documents, path.stat().st_size, report))
        print(f"grown to {documents:,}: {report.added / report.seconds:,.0f} docs/s", flush=True)
    with Collection(path) as collection:
        tick = time.perf_counter()
        index = collection._index()  # what opening a big collection costs: read the vectors, train the lists,
        collection.postings.refresh()  # read the posting runs
        open_s = time.perf_counter() - tick
        found, ranks, cold, warm = search_latency(collection, queries)
        stats = collection.stats()
        vector_s = vector_search_seconds(index)
    total = [x for kind in KINDS for x in found[kind]]
    scan = exact_scan_seconds(stats["documents"])
    kind = "exact" if index.exact else f"an inverted file of {index.lists} lists, {PROBES} searched"

    lines = [
        f"### Growth to {stats['documents']:,} documents (no model: lead vectors replayed, the copies' stand-ins)\n",
        "Added to the collection above: spun copies of its Reuters articles (`spinner`, 10/20/30%, other seeds; "
        f"made in {make_s:.0f} s beforehand, not counted), one `add` per step. Time per document is that step's; "
        "disk is the closed file's size.\n",
        "| documents | step docs/s (wall) | step CPU ms/doc | prepare | store | link | disk kB/doc | step kB/doc |",
        "|---|---|---|---|---|---|---|---|",
    ]
    previous = Step(0, 0, None)
    for step in rows:
        cpu = {name: c / max(step.report.added, 1) * 1000 for name, (_, c) in step.report.stages.items()}
        lines.append(
            f"| {step.documents:,} | {step.report.added / step.report.seconds:,.0f} | {step.cpu_per_doc * 1000:.2f} | "
            f"{cpu.get('prepare', 0):.2f} | {cpu.get('store', 0):.2f} | {cpu.get('link', 0):.2f} | "
            f"{step.bytes / step.documents / 1e3:.1f} | "
            f"{(step.bytes - previous.bytes) / (step.documents - previous.documents) / 1e3:.1f} |"
        )
        previous = step
    lines += [
        "",
        f"At {stats['documents']:,} documents: search (query lead embedded) p50 {percentile(warm, 50) * 1000:.1f} ms, "
        f"p99 {percentile(warm, 99) * 1000:.1f} ms; cold p50 {percentile(cold, 50) * 1000:.1f} ms, "
        f"p99 {percentile(cold, 99) * 1000:.1f} ms; recall@10 of the 300 copies {share(total)} "
        f"({', '.join(f'{k} {share(found[k])}' for k in KINDS)}) with about "
        f"{(stats['documents'] - start_docs) / len(reuters):.0f} spun copies of each original stored beside it. "
        f"The vector index is {kind} (exact up to {EXACT_UP_TO:,} vectors): one query takes {vector_s * 1000:.2f} ms "
        f"(an exact scan of {stats['documents']:,} vectors {scan * 1000:.1f} ms). Opening the collection and building "
        f"the index from the stored vectors (training its lists) and reading the posting runs takes {open_s:.1f} s.",
        "",
    ]
    lines += projection(rows, modelled, warm, vector_s, open_s, stats["postings"] / stats["documents"])
    return lines


@dataclass
class Step:
    documents: int  # in the collection after the step
    bytes: int  # size of the closed file
    report: Any  # the step's AddReport

    @property
    def cpu_per_doc(self) -> float:
        return sum(c for _, c in self.report.stages.values()) / max(self.report.added, 1)


def exact_scan_seconds(n: int, repeat: int = 20) -> float:
    """Median time of one exact inner-product search over ``n`` random unit vectors (faiss, one thread)."""
    import faiss

    index = faiss.IndexFlatIP(512)
    rng = np.random.default_rng(0)
    for start in range(0, n, 50_000):
        block = rng.standard_normal((min(50_000, n - start), 512)).astype(np.float32)
        index.add(block / np.linalg.norm(block, axis=1, keepdims=True))
    times = []
    for query in rng.standard_normal((repeat, 1, 512)).astype(np.float32):
        tick = time.perf_counter()
        index.search(query, 50)
        times.append(time.perf_counter() - tick)
    return statistics.median(times)


def vector_search_seconds(index: VectorIndex, repeat: int = 50) -> float:
    """Median time of one query (50 neighbours) on the collection's own vector index."""
    rng = np.random.default_rng(1)
    times = []
    for query in rng.standard_normal((repeat, 1, 512)).astype(np.float32):
        tick = time.perf_counter()
        index.search(query / np.linalg.norm(query), 50)
        times.append(time.perf_counter() - tick)
    return statistics.median(times)


def projection(
    rows: list[Step], modelled: Any, warm: list[float], vector_s: float, open_s: float, postings_per_doc: float
) -> list[str]:
    """10M documents from the measured growth. Past the exact size the vector search (the only cost that
    grows with the collection besides the posting merges) scans sqrt(n) centroids and PROBES lists of about
    sqrt(n) vectors: CPU per document is fitted as a + b * sqrt(n) on the steps past it (each at its middle
    size); disk per document from the last step."""
    middles = [
        (before.documents + step.documents) / 2
        for before, step in zip([Step(0, 0, None), *rows[:-1]], rows, strict=True)
    ]
    steps = list(zip(middles, rows, strict=True))
    past = [(m, step) for m, step in steps if m > EXACT_UP_TO]
    if len(past) < 2:  # too few steps past the exact size to fit: the last two
        past = steps[-2:]
    b, a = np.polyfit([np.sqrt(m) for m, _ in past], [step.cpu_per_doc for _, step in past], 1)
    target = 10_000_000
    grid = np.linspace(0, target, 1001)
    cpu_total = float(np.trapezoid(a + b * np.sqrt(grid), grid))
    last, before = rows[-1], rows[-2]
    step_bytes = (last.bytes - before.bytes) / (last.documents - before.documents)
    model_per_doc = modelled.stages["model"][1] / max(modelled.added, 1)
    grow = np.sqrt(target / last.documents)
    fixed = percentile(warm, 50) - vector_s  # what a search costs besides the vector index
    return [
        "### Projection to 10M documents (from the measured growth, not measured)\n",
        f"- Index CPU per document without the model, fitted as a + b·sqrt(n) on the steps past the exact size "
        f"({', '.join(f'{m:,.0f}' for m, _ in past)} documents at their middles): {a * 1000:.2f} ms + "
        f"{b * 1000 * 1000:.2f} ms per 1,000 of sqrt(n), so {(a + b * np.sqrt(target)) * 1000:.1f} ms/doc at 10M and "
        f"{cpu_total / 3600:,.0f} CPU-hours to index 10M (about half that in wall time on two free cores). The link "
        "stage's vector search per added document grows with sqrt(n) (centroids, then the probed lists); the "
        "posting runs are merged as they grow (each posting rewritten about log2(n / 1,024) times, in sequential "
        "writes) and a lookup is one binary search per run; fingerprints, lead sentences and the document rows "
        "cost the same at any size. On a shared 2-core machine these steps' CPU figures move by "
        "±20% run to run: the fit is a rough guide.",
        f"- The sentence model adds {model_per_doc * 1000:.1f} ms CPU per document (3 lead sentences) at any size: "
        f"{model_per_doc * target / 3600:,.0f} CPU-hours for 10M.",
        f"- Disk: {step_bytes / 1e3:.1f} kB per added document in the last step (text included) → "
        f"{step_bytes * target / 1e9:,.0f} GB for 10M (the last step's store: {last.bytes / 1e9:.2f} GB).",
        f"- Search: p50 {percentile(warm, 50) * 1000:.0f} ms at {last.documents:,}, of which the vector index "
        f"{vector_s * 1000:.1f} ms; that part grows with sqrt(n), so about "
        f"{(fixed + vector_s * grow) * 1000:.0f} ms per search at 10M. The float32 vectors take "
        f"{target * 512 * 4 / 1e9:.0f} GB of memory, the posting runs {postings_per_doc * 16 * target / 1e9:.0f} GB "
        f"({postings_per_doc:.0f} postings per document, 16 bytes each), and opening the collection reads them and "
        "trains the vectors' lists "
        f"({open_s:.1f} s at {last.documents:,}; about {open_s * target / last.documents / 60:.0f} min at 10M, "
        "the same again each time the collection has grown fourfold).",
        "- So at 10M the exact parts are the memory and the time to open a collection: the vector index has to "
        "be persisted beside the store (faiss can write it) and quantised (IVF-PQ: 64 bytes a vector, 0.6 GB at "
        "10M) instead of rebuilt from SQLite, and the posting runs memory-mapped files instead of rows read into "
        "memory.",
    ]


if __name__ == "__main__":
    main()
