"""Document vectors: the lead of each document embedded with the sentence model, in a vector index.

A document's vector is the normalised mean of the USE vectors of its first ``LEAD_SENTENCES`` sentences
(boilerplate lines skipped, as ``segment`` does): cheap, and it survives spinning and translation.
The index is built in memory from the store's vectors when first needed and grown as documents are
added; the store is the only copy that must survive a crash. Up to ``collection_exact_vectors`` vectors the
search is exact (one matrix product in numpy: for a batch of queries, faiss's flat index took 4x as long,
most of it picking each row's top k); beyond, a faiss inverted file (``IndexIVFFlat``, sqrt(n) lists,
``collection_vector_probes`` of them searched), rebuilt each time the collection has grown fourfold since
it was trained: exact search costs every added document a scan of all stored vectors, which no crawl can pay.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np

from .. import embed, settings
from ..document import Document
from ..segment import sentence_spans

LEAD_SENTENCES = 3
LEAD_CHARS = (800, 1600, 5000)  # the lead is looked for in this much text, then more (segmenting costs)
EXACT_UP_TO = int(settings.get("collection_exact_vectors"))
PROBES = int(settings.get("collection_vector_probes"))
REBUILD_GROWTH = 4  # the inverted file is trained again once the collection is this many times bigger
TRAIN_PER_LIST = 64  # training vectors per list (k-means cost grows with both)


def lead(doc: Document, sentences: int = LEAD_SENTENCES) -> list[str]:
    """The first sentences of a document's article text (at least one string when it has text)."""
    for chars in LEAD_CHARS:
        spans = sentence_spans(doc.text[:chars])
        if len(spans) > sentences or len(doc.text) <= chars:
            break  # enough whole sentences (the last one in a cut text may be cut short)
    found = [s.text for s in spans[:sentences]]
    return found or [doc.text[:1000]]


def lead_vectors(leads: Sequence[Sequence[str]]) -> np.ndarray:
    """One unit vector per document (rows), from its lead sentences, in one model call."""
    flat = [s for sentences in leads for s in sentences]
    if not flat:
        return np.zeros((0, embed.DIMENSIONS), dtype=np.float32)
    vectors = embed.encode(flat)
    out = np.zeros((len(leads), vectors.shape[1]), dtype=np.float32)
    at = 0
    for row, sentences in enumerate(leads):
        mean = vectors[at : at + len(sentences)].mean(axis=0)
        out[row] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        at += len(sentences)
    return out


def to_blob(vector: np.ndarray) -> bytes:
    return vector.astype(np.float16).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)


class VectorIndex:
    """Cosine search over the collection's lead vectors, keyed by doc number: exact (a numpy matrix) up to
    ``EXACT_UP_TO`` vectors, a faiss inverted file beyond."""

    QUERY_BLOCK = 256  # query rows per matrix product (bounds the score matrix: 256 x 50,000 floats)

    def __init__(self, dimensions: int = embed.DIMENSIONS) -> None:
        self._dimensions = dimensions
        self._matrix = np.zeros((1024, dimensions), dtype=np.float32)  # exact: rows [0, len) used, room to grow
        self._ids = np.zeros(1024, dtype=np.int64)  # exact: doc number of each row, ascending
        self._size = 0
        self._ivf: object | None = None  # the faiss index once past EXACT_UP_TO
        self._parts: tuple[object, ...] = ()  # the inner index and quantizer (faiss needs them kept alive)
        self._trained = 0  # vectors the inverted file was trained on (0: exact search)
        self.newest = 0  # the highest doc number indexed

    @classmethod
    def from_store(cls, db: sqlite3.Connection) -> VectorIndex:
        index = cls()
        index.catch_up(db)
        return index

    def catch_up(self, db: sqlite3.Connection) -> None:
        """Add the store's vectors newer than the newest one indexed (all of them the first time)."""
        ids: list[int] = []
        blobs: list[bytes] = []
        for doc, blob in db.execute("SELECT doc, v FROM vectors WHERE doc > ? ORDER BY doc", (self.newest,)):
            ids.append(doc)
            blobs.append(blob)
        if ids:
            matrix = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(ids), -1).astype(np.float32)
            self.add(np.array(ids, dtype=np.int64), matrix)

    def __len__(self) -> int:
        return self._size

    @property
    def exact(self) -> bool:
        return self._trained == 0

    @property
    def lists(self) -> int:
        """Inverted-file lists (0: exact search)."""
        return int(self._parts[0].nlist) if self._parts else 0  # type: ignore[attr-defined]

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Index ``vectors`` under doc numbers ``ids``, all above the newest indexed."""
        if not len(ids):
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = ids.astype(np.int64)
        if self._ivf is not None:
            self._ivf.add_with_ids(vectors, ids)  # type: ignore[attr-defined]
        else:
            end = self._size + len(ids)
            if end > len(self._ids):
                room = max(2 * len(self._ids), end)
                self._matrix = np.resize(self._matrix, (room, self._dimensions))
                self._ids = np.resize(self._ids, room)
            self._matrix[self._size : end] = vectors
            self._ids[self._size : end] = ids
        self._size += len(ids)
        self.newest = max(self.newest, int(ids.max()))
        if self._size > EXACT_UP_TO and self._size > REBUILD_GROWTH * self._trained:
            self._rebuild()

    def _all(self) -> tuple[np.ndarray, np.ndarray]:
        """(doc numbers, vectors) of everything indexed."""
        if self._ivf is None:
            return self._ids[: self._size], self._matrix[: self._size]
        import faiss

        ids = faiss.vector_to_array(self._ivf.id_map).astype(np.int64)  # type: ignore[attr-defined]
        return ids, self._ivf.index.reconstruct_n(0, len(ids))  # type: ignore[attr-defined]

    def _rebuild(self) -> None:
        """Train an inverted file on the vectors indexed now (a seeded sample) and move them all into it."""
        import faiss

        faiss.omp_set_num_threads(1)  # one batch at a time: threads cost more than they save
        ids, vectors = self._all()
        lists = int(np.sqrt(len(ids)))
        sample = np.random.default_rng(0).choice(len(ids), min(len(ids), TRAIN_PER_LIST * lists), replace=False)
        quantizer = faiss.IndexFlatIP(self._dimensions)
        inner = faiss.IndexIVFFlat(quantizer, self._dimensions, lists, faiss.METRIC_INNER_PRODUCT)
        inner.cp.min_points_per_centroid = 1  # small collections (a lowered EXACT_UP_TO) train on what there is
        inner.train(vectors[np.sort(sample)])
        inner.nprobe = PROBES
        inner.set_direct_map_type(faiss.DirectMap.Array)  # type: ignore[attr-defined]  # reconstruct() by position
        index = faiss.IndexIDMap2(inner)
        index.add_with_ids(vectors, ids)
        self._ivf, self._parts, self._trained = index, (inner, quantizer), len(ids)
        self._matrix, self._ids = self._matrix[:0], self._ids[:0]  # the faiss index holds them now

    def reconstruct(self, ids: np.ndarray) -> np.ndarray:
        """The indexed vectors of ``ids`` (all indexed), one row each."""
        if len(ids) == 0:
            return np.zeros((0, self._dimensions), dtype=np.float32)
        if self._ivf is None:
            return self._matrix[np.searchsorted(self._ids[: self._size], ids)]
        return np.asarray(self._ivf.reconstruct_batch(ids.astype(np.int64)), dtype=np.float32)  # type: ignore[attr-defined]

    def search(self, vectors: np.ndarray, k: int, floor: float = -1.0) -> tuple[np.ndarray, np.ndarray]:
        """Cosines and doc numbers of the ``k`` nearest documents for each row, best first, those under
        ``floor`` left out (-1 where there are fewer)."""
        k = min(k, len(self))
        scores = np.full((len(vectors), k), -1.0, dtype=np.float32)
        ids = np.full((len(vectors), k), -1, dtype=np.int64)
        if k == 0:
            return scores, ids
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self._ivf is not None:
            scores, ids = self._ivf.search(vectors, k)  # type: ignore[attr-defined]
            ids[scores < floor] = -1
            return scores, ids
        for first in range(0, len(vectors), self.QUERY_BLOCK):
            block = vectors[first : first + self.QUERY_BLOCK] @ self._matrix[: self._size].T
            if floor > -1.0:  # the few pairs above the floor, whatever their number per row
                rows, columns = np.nonzero(block >= floor)
            else:  # each row's k best, in no order
                columns = np.argpartition(-block, k - 1, axis=1)[:, :k].reshape(-1)
                rows = np.repeat(np.arange(len(block)), k)
            found = block[rows, columns]
            order = np.lexsort((-found, rows))  # per row, best first
            rows, columns, found = rows[order], columns[order], found[order]
            starts = np.searchsorted(rows, rows, "left")
            rank = np.arange(len(rows)) - starts
            keep = rank < k
            scores[first + rows[keep], rank[keep]] = found[keep]
            ids[first + rows[keep], rank[keep]] = self._ids[columns[keep]]
        return scores, ids
