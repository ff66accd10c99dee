"""Document vectors: the lead of each document embedded with the sentence model, in a faiss index.

A document's vector is the normalised mean of the USE vectors of its first ``LEAD_SENTENCES`` sentences
(boilerplate lines skipped, as ``segment`` does): cheap, and it survives spinning and translation.
The faiss index is built in memory from the store's vectors when first needed and grown as documents are
added; the store is the only copy that must survive a crash. Up to ``collection_exact_vectors`` vectors the
search is exact; beyond, an inverted file (``IndexIVFFlat``, sqrt(n) lists, ``collection_vector_probes`` of
them searched), rebuilt each time the collection has grown fourfold since it was trained: exact search costs
every added document a scan of all stored vectors (3.3 ms at 100k), which no crawl can pay.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np

from .. import embed, settings
from ..document import Document
from ..segment import segment

LEAD_SENTENCES = 3
LEAD_CHARS = (800, 1600, 5000)  # the lead is looked for in this much text, then more (segmenting costs)
EXACT_UP_TO = int(settings.get("collection_exact_vectors"))
PROBES = int(settings.get("collection_vector_probes"))
REBUILD_GROWTH = 4  # the inverted file is trained again once the collection is this many times bigger
TRAIN_PER_LIST = 64  # training vectors per list (k-means cost grows with both)


def lead(doc: Document, sentences: int = LEAD_SENTENCES) -> list[str]:
    """The first sentences of a document's article text (at least one string when it has text)."""
    for chars in LEAD_CHARS:
        seg = segment(Document(name=doc.name, text=doc.text[:chars]))
        if len(seg.sentences) > sentences or len(doc.text) <= chars:
            break  # enough whole sentences (the last one in a cut text may be cut short)
    found = [s.span.text for s in seg.sentences[:sentences]]
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
    """Cosine search over the collection's lead vectors, keyed by doc number: exact (faiss ``IndexFlatIP``)
    up to ``EXACT_UP_TO`` vectors, an inverted file beyond."""

    def __init__(self, dimensions: int = embed.DIMENSIONS) -> None:
        import faiss

        faiss.omp_set_num_threads(1)  # one query at a time: threads cost more than they save
        self._faiss = faiss
        self._dimensions = dimensions
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimensions))
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
        return int(self._index.ntotal)

    @property
    def exact(self) -> bool:
        return self._trained == 0

    @property
    def lists(self) -> int:
        """Inverted-file lists (0: exact search)."""
        return int(self._parts[0].nlist) if self._parts else 0  # type: ignore[attr-defined]

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
            self.newest = max(self.newest, int(ids.max()))
            if len(self) > EXACT_UP_TO and len(self) > REBUILD_GROWTH * self._trained:
                self._rebuild()

    def _rebuild(self) -> None:
        """Train an inverted file on the vectors indexed now (a seeded sample) and move them all into it."""
        faiss = self._faiss
        ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        vectors = self._index.index.reconstruct_n(0, len(ids))
        lists = int(np.sqrt(len(ids)))
        sample = np.random.default_rng(0).choice(len(ids), min(len(ids), TRAIN_PER_LIST * lists), replace=False)
        quantizer = faiss.IndexFlatIP(self._dimensions)
        inner = faiss.IndexIVFFlat(quantizer, self._dimensions, lists, faiss.METRIC_INNER_PRODUCT)
        inner.cp.min_points_per_centroid = 1  # small collections (a lowered EXACT_UP_TO) train on what there is
        inner.train(vectors[np.sort(sample)])
        inner.nprobe = PROBES
        inner.set_direct_map_type(faiss.DirectMap.Array)  # reconstruct() by position, as the exact index can
        index = faiss.IndexIDMap2(inner)
        index.add_with_ids(vectors, ids)
        self._index, self._parts, self._trained = index, (inner, quantizer), len(ids)

    def reconstruct(self, ids: np.ndarray) -> np.ndarray:
        """The indexed vectors of ``ids`` (all indexed), one row each."""
        if len(ids) == 0:
            return np.zeros((0, self._dimensions), dtype=np.float32)
        return np.asarray(self._index.reconstruct_batch(ids.astype(np.int64)), dtype=np.float32)

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Cosines and doc numbers of the ``k`` nearest documents for each row (-1 where there are fewer)."""
        if len(self) == 0 or len(vectors) == 0:
            return np.zeros((len(vectors), 0), dtype=np.float32), np.zeros((len(vectors), 0), dtype=np.int64)
        scores, ids = self._index.search(np.ascontiguousarray(vectors, dtype=np.float32), min(k, len(self)))
        return scores, ids
