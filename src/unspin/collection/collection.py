"""``Collection``: index documents once, then find every copy of a story and who copied whom.

Candidates, then proof: three cheap signals over the whole collection (MinHash LSH for verbatim copies,
anchor sketches for spun ones, lead vectors for translated ones) pick a few candidates; the pairwise
engine (``unspin.compare``) proves them and labels relation and disguise.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .. import settings
from ..compare import Comparison, compare
from ..document import Document, load
from ..errors import InputError, UnspinError
from . import sketch
from .ingest import Record, Skipped, Source, records
from .lineage import Cluster, Edge, build_clusters
from .store import Store
from .vectors import VectorIndex, from_blob, lead, lead_vectors, to_blob

BATCH = 256  # documents per transaction
CANDIDATES = int(settings.get("collection_candidates"))
COMMON_POSTING = int(settings.get("collection_common_posting"))
VECTOR_LOW = settings.get("collection_vector_low")
EDGE_SKETCH = settings.get("collection_edge_sketch")
EDGE_VECTOR = settings.get("collection_edge_vector")
EDGE_VECTOR_CROSS = settings.get("collection_edge_vector_cross")
EDGE_NEIGHBOURS = int(settings.get("collection_edge_neighbours"))
VERIFY = int(settings.get("collection_verify"))
MINHASH, ANCHORS = 1, 2  # posting kinds


@dataclass(frozen=True, slots=True)
class AddReport:
    """What one ``Collection.add`` did."""

    added: int = 0
    duplicates: int = 0  # identical content already stored under another id: kept as an alias
    unchanged: int = 0  # same id and text as before (a rerun)
    skipped: tuple[Skipped, ...] = ()
    seconds: float = 0.0
    model_seconds: float = 0.0  # of which in the sentence model
    sentences: int = 0  # sentences embedded

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "duplicates": self.duplicates,
            "unchanged": self.unchanged,
            "skipped": [s.to_dict() for s in self.skipped],
            "seconds": round(self.seconds, 3),
            "model_seconds": round(self.model_seconds, 3),
            "sentences": self.sentences,
        }


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a stored document, how similar, and (when verified) how it relates to the query."""

    id: str
    score: float  # the engine's document score when verified, else the cheap candidate score
    relation: str  # derived-from | source-of | common-source | identical | unrelated | unverified
    disguise: tuple[str, ...] = ()  # of the stored document, as the engine sees it
    signals: dict[str, float] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "score": round(self.score, 4),
            "relation": self.relation,
            "disguise": list(self.disguise),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hit:
        return cls(str(data["id"]), float(data["score"]), str(data["relation"]), tuple(data.get("disguise") or ()))


@dataclass(frozen=True, slots=True)
class StoredDocument:
    id: str
    number: int
    document: Document
    date: str | None
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "date": self.date, "aliases": list(self.aliases), "document": self.document.to_dict()}


@dataclass(slots=True)
class _Prepared:
    record: Record
    hash: str
    signature: np.ndarray
    anchors: np.ndarray
    lead: list[str]
    english: bool


class Collection:
    """A collection of documents in one SQLite file (created when missing)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.store = Store(path)
        self._vectors: VectorIndex | None = None

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    # ---------------------------------------------------------------- add
    def add(self, sources: Source | Iterable[Source], *, progress: bool = False) -> AddReport:
        """Index paths (files, folders, .jsonl(.gz), .warc(.gz)), Documents or ``{"id", "text"}`` records.

        Each batch of ``BATCH`` documents is one transaction; a bad document is skipped with its reason.
        """
        if isinstance(sources, str | os.PathLike | Document | Mapping):
            sources = [sources]
        counts: Counter[str] = Counter()
        skipped: list[Skipped] = []
        start = time.perf_counter()
        with _Progress(progress) as bar:
            for batch in _chunks(records(sources), BATCH):
                todo = []
                for item in batch:
                    if isinstance(item, Skipped):
                        skipped.append(item)
                    else:
                        todo.append(item)
                self._add_batch(todo, counts, skipped)
                bar.advance(len(batch))
        return AddReport(
            added=counts["added"],
            duplicates=counts["duplicates"],
            unchanged=counts["unchanged"],
            skipped=tuple(skipped),
            seconds=time.perf_counter() - start,
            model_seconds=counts["model_ns"] / 1e9,
            sentences=counts["sentences"],
        )

    def _add_batch(self, batch: list[Record], counts: Counter[str], skipped: list[Skipped]) -> None:
        db = self.store.db
        prepared: list[_Prepared] = []
        aliases: list[tuple[str, str, dict[str, Any]]] = []
        seen: dict[str, str] = {}
        with self.store.errors():
            for record in batch:
                digest = hashlib.sha256(record.doc.text.encode("utf-8")).hexdigest()
                row = db.execute("SELECT hash FROM docs WHERE key = ?", (record.key,)).fetchone()
                alias = db.execute("SELECT 1 FROM aliases WHERE key = ?", (record.key,)).fetchone()
                if row or alias or record.key in seen:
                    if (row and row[0] == digest) or alias or seen.get(record.key) == digest:
                        counts["unchanged"] += 1
                    else:
                        skipped.append(Skipped(record.key, f"{record.key}: id already in the collection, other text"))
                    continue
                if db.execute("SELECT 1 FROM docs WHERE hash = ?", (digest,)).fetchone() or digest in seen.values():
                    aliases.append((record.key, digest, _meta(record.doc)))
                    seen[record.key] = digest
                    continue
                seen[record.key] = digest
                try:
                    tokens = sketch.words(record.doc.text)
                    language = str(record.doc.meta.get("language") or "en")[:2]
                    prepared.append(
                        _Prepared(
                            record,
                            digest,
                            sketch.minhash(tokens),
                            sketch.anchor_sketch(sketch.anchors(record.doc.text, language)),
                            lead(record.doc),
                            sketch.reads_english(tokens),
                        )
                    )
                except UnspinError as err:
                    skipped.append(Skipped(record.key, str(err)))
        tick = time.perf_counter_ns()
        vectors = lead_vectors([p.lead for p in prepared])
        counts["model_ns"] += time.perf_counter_ns() - tick
        counts["sentences"] += sum(len(p.lead) for p in prepared)
        index = self._index()
        now = datetime.now(UTC).isoformat()
        try:
            with self.store.transaction() as tx:
                numbers = []
                for p in prepared:
                    doc = p.record.doc
                    cursor = tx.execute(
                        "INSERT INTO docs (key, hash, name, path, format, encoding, date, english, meta, text,"
                        " signature, anchors, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            p.record.key,
                            p.hash,
                            doc.name,
                            doc.path,
                            doc.format,
                            doc.encoding,
                            _date(doc),
                            int(p.english),
                            json.dumps(_meta(doc), ensure_ascii=False),
                            doc.text,
                            p.signature.tobytes(),
                            p.anchors.tobytes(),
                            now,
                        ),
                    )
                    number = int(cursor.lastrowid or 0)
                    numbers.append(number)
                    keys = [(MINHASH, int(h)) for h in set(sketch.band_keys(p.signature).tolist())]
                    keys += [(ANCHORS, int(h)) for h in set(p.anchors.tolist())]
                    tx.executemany("INSERT INTO postings VALUES (?, ?, ?)", [(k, h, number) for k, h in keys])
                    tx.executemany(
                        "INSERT INTO sketch_df VALUES (?, ?, 1) ON CONFLICT (kind, h) DO UPDATE SET n = n + 1", keys
                    )
                for number, vector in zip(numbers, vectors, strict=True):
                    tx.execute("INSERT INTO vectors VALUES (?, ?)", (number, to_blob(vector)))
                for key, digest, meta in aliases:
                    (doc_number,) = tx.execute("SELECT id FROM docs WHERE hash = ?", (digest,)).fetchone()
                    tx.execute("INSERT INTO aliases VALUES (?, ?, ?)", (key, doc_number, json.dumps(meta)))
                index.add(np.array(numbers, dtype=np.int64), vectors)
                self._link(tx, numbers, prepared, vectors)
        except BaseException:
            self._vectors = None  # the in-memory index may hold rows that were rolled back
            raise
        counts["added"] += len(prepared)
        counts["duplicates"] += len(aliases)

    def _link(self, tx: Any, numbers: list[int], prepared: list[_Prepared], vectors: np.ndarray) -> None:
        """Store cheap links from each new document to its likeliest relatives, for clustering."""
        if not numbers:
            return
        _, neighbours = self._index().search(vectors, EDGE_NEIGHBOURS + 1)
        for row, (number, p) in enumerate(zip(numbers, prepared, strict=True)):
            near = [int(n) for n in neighbours[row] if n >= 0 and n != number] if len(neighbours) else []
            found = self._candidates(
                p.signature,
                p.anchors,
                vectors[row],
                near,
                exclude=number,
                limit=EDGE_NEIGHBOURS,
                pool_size=EDGE_NEIGHBOURS,
                english=p.english,
            )
            tx.executemany(
                "INSERT OR REPLACE INTO edges VALUES (?, ?, ?)",
                [(min(number, other), max(number, other), score) for other, score, sig in found if linked(sig)],
            )

    # ---------------------------------------------------------------- search
    def search(self, doc: Source, top: int = 10, *, verify: int = VERIFY) -> list[Hit]:
        """The ``top`` stored documents likeliest to share a source with ``doc``, best first.

        The first ``verify`` candidates are proven by ``unspin.compare``, which sets relation and disguise.
        """
        query = _as_document(doc)
        tokens = sketch.words(query.text)
        signature = sketch.minhash(tokens)
        anchors = sketch.anchor_sketch(sketch.anchors(query.text, str(query.meta.get("language") or "en")[:2]))
        vector = lead_vectors([lead(query)])[0]
        english = sketch.reads_english(tokens)
        with self.store.errors():
            scores, ids = self._index().search(vector[None, :], CANDIDATES)
            near = [int(n) for n in ids[0] if n >= 0] if len(ids) else []
            found = self._candidates(
                signature, anchors, vector, near, exclude=None, limit=max(top, verify), english=english
            )
            digest = hashlib.sha256(query.text.encode("utf-8")).hexdigest()
            hits = []
            for position, (number, score, signals) in enumerate(found):
                key, text_hash = self.store.db.execute("SELECT key, hash FROM docs WHERE id = ?", (number,)).fetchone()
                if text_hash == digest:
                    hits.append(Hit(key, 1.0, "identical", (), signals))
                elif position < verify:
                    hits.append(self._verify(query, number, key, signals))
                else:
                    hits.append(Hit(key, score, "unverified", (), signals))
        order = {"identical": 0, "unverified": 2, "unrelated": 3}
        hits.sort(key=lambda h: (order.get(h.relation, 1), -h.score))
        return hits[:top]

    def _verify(self, query: Document, number: int, key: str, signals: dict[str, float]) -> Hit:
        stored = self._document(number)
        comparison = compare(query, stored.document)
        relation = _RELATION[comparison.relation]
        return Hit(key, comparison.score, relation, tuple(comparison.side_b.disguise), signals)

    def _candidates(
        self,
        signature: np.ndarray,
        anchors: np.ndarray,
        vector: np.ndarray,
        near: list[int],
        exclude: int | None,
        limit: int,
        pool_size: int = CANDIDATES,
        english: bool = True,
    ) -> list[tuple[int, float, dict[str, float]]]:
        """Candidates from the three signals, scored and sorted: (doc number, cheap score, signals).

        Signals: minhash and anchors (estimated Jaccard), vector (lead cosine), cross (1.0 when one text
        reads as English and the other does not: a cosine means more across languages).
        """
        db = self.store.db
        pool: set[int] = set(near[:pool_size])
        keys = [int(k) for k in sketch.band_keys(signature)]
        pool.update(_top_postings(db, MINHASH, keys, pool_size))
        pool.update(_top_postings(db, ANCHORS, [int(h) for h in anchors], pool_size))
        pool.discard(exclude if exclude is not None else -1)
        if not pool:
            return []
        numbers = sorted(pool)
        marks = ",".join("?" * len(numbers))
        rows = db.execute(
            f"SELECT d.id, d.signature, d.anchors, v.v, d.english FROM docs d LEFT JOIN vectors v ON v.doc = d.id "
            f"WHERE d.id IN ({marks})",
            numbers,
        ).fetchall()
        signatures = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint32).reshape(len(rows), -1)
        mh = sketch.minhash_similarities(signature, signatures)
        an = sketch.sketch_similarities(anchors, [np.frombuffer(r[2], dtype=np.int64) for r in rows])
        dim = len(vector)
        stored = np.stack([from_blob(r[3]) if r[3] else np.zeros(dim, dtype=np.float32) for r in rows])
        cos = stored @ vector
        scored = [
            (
                int(row[0]),
                cheap_score(float(m), float(a), float(c)),
                {
                    "minhash": round(float(m), 4),
                    "anchors": round(float(a), 4),
                    "vector": round(float(c), 4),
                    "cross": float(bool(row[4]) != english),
                },
            )
            for row, m, a, c in zip(rows, mh, an, cos, strict=True)
        ]
        scored.sort(key=lambda s: (-s[1], -s[2]["vector"]))
        return scored[:limit]

    # ---------------------------------------------------------------- clusters
    def clusters(self, min_size: int = 2, *, verify: bool = True) -> list[Cluster]:
        """Groups of documents sharing a source, with lineage ("likely derived from") inside each.

        Links come from the cheap signals at add time; with ``verify`` each link is proven by the engine
        (verdicts are cached in the store), unrelated links dropped and the direction taken from dates
        when both documents have one, else from the engine's evidence.
        """
        with self.store.errors():
            db = self.store.db
            links = db.execute("SELECT a, b, score FROM edges").fetchall()
            edges: list[Edge] = []
            for a, b, score in links:
                if not verify:
                    edges.append(Edge(a, b, score, "unverified"))
                    continue
                cached = db.execute(
                    "SELECT related, score, relation FROM verdicts WHERE a = ? AND b = ?", (a, b)
                ).fetchone()
                if cached is None:
                    comparison = compare(self._document(a).document, self._document(b).document)
                    cached = (int(comparison.related), comparison.score, comparison.relation)
                    with self.store.transaction() as tx:
                        tx.execute(
                            "INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (
                                a,
                                b,
                                *cached,
                                json.dumps(comparison.side_a.disguise),
                                json.dumps(comparison.side_b.disguise),
                            ),
                        )
                if cached[0]:
                    edges.append(Edge(a, b, float(cached[1]), str(cached[2])))
            members = {n for e in edges for n in (e.a, e.b)}
            info: dict[int, tuple[str, str | None]] = {}
            for number in members:
                key, date = db.execute("SELECT key, date FROM docs WHERE id = ?", (number,)).fetchone()
                info[number] = (key, date)
        return [c for c in build_clusters(edges, info) if len(c.members) >= min_size]

    # ---------------------------------------------------------------- read
    def get(self, id: str) -> StoredDocument:
        """One stored document by its id (or an alias of it); InputError when there is none."""
        with self.store.errors():
            db = self.store.db
            row = db.execute("SELECT id FROM docs WHERE key = ?", (id,)).fetchone()
            if row is None:
                row = db.execute("SELECT doc FROM aliases WHERE key = ?", (id,)).fetchone()
            if row is None:
                raise InputError(f"{id}: no such document in {self.store.path}; see `unspin index stats`")
            return self._document(int(row[0]))

    def _document(self, number: int) -> StoredDocument:
        db = self.store.db
        key, name, path, fmt, encoding, date, meta, text = db.execute(
            "SELECT key, name, path, format, encoding, date, meta, text FROM docs WHERE id = ?", (number,)
        ).fetchone()
        aliases = tuple(r[0] for r in db.execute("SELECT key FROM aliases WHERE doc = ? ORDER BY key", (number,)))
        doc = Document(name=name, text=text, path=path, format=fmt, encoding=encoding, meta=json.loads(meta))
        return StoredDocument(key, number, doc, date, aliases)

    def likeliest_source(self, id: str) -> tuple[Hit, Comparison] | None:
        """The stored document ``id`` most likely derives from (else shares a source with, else is the source
        of), and the engine's comparison of the two; None when no stored document is related."""
        stored = self.get(id)
        hits = [h for h in self.search(stored.document, top=5, verify=3) if h.id != stored.id]
        for relation in ("derived-from", "common-source", "source-of"):
            for hit in hits:
                if hit.relation == relation:
                    return hit, compare(stored.document, self.get(hit.id).document)
        return None

    def cluster_of(self, id: str, clusters: list[Cluster] | None = None) -> Cluster | None:
        for cluster in clusters if clusters is not None else self.clusters():
            if id in cluster.members:
                return cluster
        return None

    def stats(self) -> dict[str, Any]:
        """Counts and sizes: documents, aliases (duplicate content), vectors, sketch postings, links."""
        with self.store.errors():
            db = self.store.db

            def count(sql: str) -> int:
                return int(db.execute(sql).fetchone()[0])

            return {
                "path": str(self.store.path),
                "documents": count("SELECT COUNT(*) FROM docs"),
                "duplicates": count("SELECT COUNT(*) FROM aliases"),
                "vectors": count("SELECT COUNT(*) FROM vectors"),
                "postings": count("SELECT COUNT(*) FROM postings"),
                "links": count("SELECT COUNT(*) FROM edges"),
                "verified_pairs": count("SELECT COUNT(*) FROM verdicts"),
                "migrations": [r[0] for r in db.execute("SELECT name FROM migrations ORDER BY name")],
                "bytes": sum(
                    p.stat().st_size
                    for p in (Path(str(self.store.path) + s) for s in ("", "-wal", "-shm"))
                    if p.exists()
                ),
            }

    def _index(self) -> VectorIndex:
        """The vector index, built from the store once, then caught up with rows other writers added."""
        with self.store.errors():
            if self._vectors is None:
                self._vectors = VectorIndex.from_store(self.store.db)
            else:
                (newest,) = self.store.db.execute("SELECT COALESCE(MAX(doc), 0) FROM vectors").fetchone()
                if newest > self._vectors.newest:
                    self._vectors.catch_up(self.store.db)
        return self._vectors


_RELATION = {
    "a-from-b": "derived-from",  # the query derives from the stored document
    "b-from-a": "source-of",
    "common-source": "common-source",
    "unrelated": "unrelated",
}


def linked(signals: dict[str, float]) -> bool:
    """Whether the cheap signals are strong enough to link two stored documents for clustering."""
    threshold = EDGE_VECTOR_CROSS if signals["cross"] else EDGE_VECTOR
    return signals["minhash"] >= EDGE_SKETCH or signals["anchors"] >= EDGE_SKETCH or signals["vector"] >= threshold


def cheap_score(minhash: float, anchors: float, cosine: float) -> float:
    """One number in [0, 1] from the three cheap signals: the strongest one wins."""
    vector = max(0.0, (cosine - VECTOR_LOW) / (1.0 - VECTOR_LOW))
    return max(minhash, anchors, vector)


def _top_postings(db: Any, kind: int, hashes: list[int], limit: int) -> list[int]:
    """Documents sharing most of ``hashes`` (keys shared by over ``COMMON_POSTING`` documents ignored)."""
    if not hashes:
        return []
    marks = ",".join("?" * len(hashes))
    counts: Counter[int] = Counter(
        doc
        for (doc,) in db.execute(
            "SELECT p.doc FROM sketch_df d JOIN postings p ON p.kind = d.kind AND p.h = d.h "
            f"WHERE d.kind = ? AND d.h IN ({marks}) AND d.n <= ?",
            (kind, *hashes, COMMON_POSTING),
        )
    )
    return [doc for doc, _ in counts.most_common(limit)]


def _as_document(doc: Source) -> Document:
    if isinstance(doc, Mapping):
        text = doc.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"{doc.get('id', '<record>')}: no text to search with")
        return Document(name=str(doc.get("id", "<record>")), text=text, meta=dict(doc))
    return load(doc)


def _meta(doc: Document) -> dict[str, Any]:
    return {k: v for k, v in doc.meta.items() if isinstance(v, str | int | float | bool) or v is None}


def _date(doc: Document) -> str | None:
    value = doc.meta.get("date")
    return str(value) if value else None


def _chunks(items: Iterator[Record | Skipped], size: int) -> Iterator[list[Record | Skipped]]:
    batch: list[Record | Skipped] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Progress:
    """A rich progress line on stderr (documents done, docs/s), only when asked and on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            console = Console(stderr=True)
            if console.is_terminal:
                self._progress = Progress(
                    SpinnerColumn(),
                    TextColumn("indexing {task.completed:,.0f} documents"),
                    TextColumn("{task.fields[rate]}"),
                    TimeElapsedColumn(),
                    console=console,
                    transient=True,
                )
                self._progress.start()
                self._task = self._progress.add_task("index", total=None, rate="")
                self._start = time.perf_counter()
        return self

    def advance(self, n: int) -> None:
        if self._progress is not None:
            task = self._progress.tasks[0]
            rate = (task.completed + n) / max(time.perf_counter() - self._start, 1e-9)
            self._progress.update(self._task, advance=n, rate=f"{rate:,.0f} docs/s")

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
