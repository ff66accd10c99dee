"""Document vectors: the lead of each document embedded with the sentence model, in a vector index.

A document's vector is the normalised mean of the USE vectors of its first ``LEAD_SENTENCES`` sentences
(boilerplate lines skipped, as ``segment`` does): cheap, and it survives spinning and translation.
Letters of scripts USE was not trained on (Armenian, Georgian, Greek, Hebrew, Devanagari, ...) are
transliterated to Latin first (``readable``): USE reads the names and loanwords they spell then, and an
Armenian translation's vector comes near its English original's (BENCHMARKS.md, answers).
The index is built in memory from the store's vectors when first needed and grown as documents are
added; the store is the only copy that must survive a crash. Up to ``collection_exact_vectors`` vectors the
search is exact (one matrix product in numpy: for a batch of queries, faiss's flat index took 4x as long,
most of it picking each row's top k); beyond, an inverted file (sqrt(n) lists by faiss k-means,
``collection_vector_probes`` of them searched), trained again each time the collection has grown fourfold:
exact search costs every added document a scan of all stored vectors, which no crawl can pay. The inverted
file is searched a list at a time for a batch of queries (one matrix product per list and the queries
probing it: 1,000 queries took 0.23 s at 80,000 vectors against 1.07 s in faiss's ``IndexIVFFlat``, which
scans a query at a time) and a query at a time for a few.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from anyascii import anyascii

from .. import embed, settings
from ..document import Document
from ..segment import sentence_spans

LEAD_SENTENCES = 3
LEAD_CHARS = (800, 1600, 5000)  # the lead is looked for in this much text, then more (segmenting costs)
EXACT_UP_TO = int(settings.get("collection_exact_vectors"))
PROBES = int(settings.get("collection_vector_probes"))
REBUILD_GROWTH = 4  # the inverted file is trained again once the collection is this many times bigger
TRAIN_PER_LIST = 64  # training vectors per list (k-means cost grows with both)
FEW_QUERIES = 8  # up to this many queries, each is searched on its own (a list at a time costs more for few)


def lead(doc: Document, sentences: int = LEAD_SENTENCES) -> list[str]:
    """The first sentences of a document's article text (at least one string when it has text)."""
    for chars in LEAD_CHARS:
        spans = sentence_spans(doc.text[:chars])
        if len(spans) > sentences or len(doc.text) <= chars:
            break  # enough whole sentences (the last one in a cut text may be cut short)
    found = [s.text for s in spans[:sentences]]
    return found or [doc.text[:1000]]


# scripts of USE multilingual v3's training languages (``embed.USE_LANGUAGES``), as Unicode names begin
USE_SCRIPTS = ("LATIN", "CYRILLIC", "ARABIC", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI")


@lru_cache(maxsize=65_536)
def _foreign(char: str) -> bool:
    """Whether ``char`` is a letter of a script USE was not trained on."""
    return char.isalpha() and not unicodedata.name(char, "").startswith(USE_SCRIPTS)


def readable(sentence: str) -> str:
    """``sentence`` with the letters of scripts USE was not trained on transliterated to Latin (anyascii);
    the other characters as they are. On NTREX-128's Armenian translations among reuters-20k this took the
    English original's rank by lead vector from 0.00 first / 0.05 top 10 to 0.25 / 0.45; transliterating
    scripts USE knows hurts (Ukrainian's Cyrillic: 0.95 -> 0.75 first), so they are left alone."""
    if sentence.isascii() or not any(map(_foreign, sentence)):
        return sentence
    return "".join(anyascii(c) if _foreign(c) else c for c in sentence)


def lead_vectors(leads: Sequence[Sequence[str]]) -> np.ndarray:
    """One unit vector per document (rows), from its lead sentences (``readable``), in one model call."""
    flat = [readable(s) for sentences in leads for s in sentences]
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
    _check_blobs([blob])
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)


def _check_blobs(blobs: list[bytes]) -> None:
    """A stored vector of the wrong type or size is damage (the store names the file)."""
    if any(not isinstance(b, bytes) or len(b) != 2 * embed.DIMENSIONS for b in blobs):
        raise sqlite3.DatabaseError("a stored lead vector is damaged")


class VectorIndex:
    """Cosine search over the collection's lead vectors, keyed by doc number: exact (one matrix product) up
    to ``EXACT_UP_TO`` vectors, an inverted file beyond."""

    QUERY_BLOCK = 256  # query rows per matrix product (bounds the score matrix: 256 x 50,000 floats)

    def __init__(self, dimensions: int = embed.DIMENSIONS) -> None:
        self._dimensions = dimensions
        self._matrix = np.zeros((1024, dimensions), dtype=np.float32)  # rows [0, len) used, room to grow
        self._ids = np.zeros(1024, dtype=np.int64)  # doc number of each row, ascending
        self._size = 0
        self._centroids: np.ndarray | None = None  # the inverted file's lists (None: exact search)
        self._list = np.zeros(1024, dtype=np.int64)  # inverted file: the list of each row
        self._by_list: tuple[np.ndarray, np.ndarray] | None = None  # rows ordered by list, and each list's start
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
            _check_blobs(blobs)
            matrix = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(ids), -1).astype(np.float32)
            self.add(np.array(ids, dtype=np.int64), matrix)

    def __len__(self) -> int:
        return self._size

    @property
    def exact(self) -> bool:
        return self._centroids is None

    @property
    def lists(self) -> int:
        """Inverted-file lists (0: exact search)."""
        return 0 if self._centroids is None else len(self._centroids)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Index ``vectors`` under doc numbers ``ids``, all above the newest indexed."""
        if not len(ids):
            return
        end = self._size + len(ids)
        if end > len(self._ids):
            room = max(2 * len(self._ids), end)
            self._matrix = np.resize(self._matrix, (room, self._dimensions))
            self._ids, self._list = np.resize(self._ids, room), np.resize(self._list, room)
        self._matrix[self._size : end] = vectors
        self._ids[self._size : end] = ids
        if self._centroids is not None:
            self._list[self._size : end] = self._nearest_lists(self._matrix[self._size : end], 1)[:, 0]
            self._by_list = None
        self._size = end
        self.newest = max(self.newest, int(ids.max()))
        if self._size > EXACT_UP_TO and self._size > REBUILD_GROWTH * self._trained:
            self._rebuild()

    def _rebuild(self) -> None:
        """Train the inverted file's lists (k-means, sqrt(n) of them) on a seeded sample of the vectors
        indexed now, and put every vector in its nearest list."""
        import faiss

        lists = int(np.sqrt(self._size))
        sample = np.random.default_rng(0).choice(self._size, min(self._size, TRAIN_PER_LIST * lists), replace=False)
        kmeans = faiss.Kmeans(self._dimensions, lists, niter=10, seed=1234, spherical=True)
        kmeans.cp.min_points_per_centroid = 1  # small collections (a lowered EXACT_UP_TO) train on what there is
        kmeans.train(self._matrix[np.sort(sample)])
        self._centroids = np.ascontiguousarray(kmeans.centroids, dtype=np.float32)
        for first in range(0, self._size, 4096):  # blocks: the score matrix of all vectors at once is big
            end = min(first + 4096, self._size)
            self._list[first:end] = self._nearest_lists(self._matrix[first:end], 1)[:, 0]
        self._by_list, self._trained = None, self._size

    def _nearest_lists(self, vectors: np.ndarray, n: int) -> np.ndarray:
        """The ``n`` lists of each row whose centroids are nearest (in no order)."""
        assert self._centroids is not None
        scores = vectors @ self._centroids.T
        n = min(n, len(self._centroids))
        return np.argpartition(-scores, n - 1, axis=1)[:, :n]

    def reconstruct(self, ids: np.ndarray) -> np.ndarray:
        """The indexed vectors of ``ids`` (all indexed), one row each."""
        return self._matrix[np.searchsorted(self._ids[: self._size], ids)]

    def search(self, vectors: np.ndarray, k: int, floor: float = -1.0) -> tuple[np.ndarray, np.ndarray]:
        """Cosines and doc numbers of the ``k`` nearest documents for each row, best first, those under
        ``floor`` left out (-1 where there are fewer)."""
        k = min(k, len(self))
        scores = np.full((len(vectors), k), -1.0, dtype=np.float32)
        ids = np.full((len(vectors), k), -1, dtype=np.int64)
        if k == 0:
            return scores, ids
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        found = self._probed(vectors, k, floor) if self._centroids is not None else self._scanned(vectors, k, floor)
        rows, columns, values = (np.concatenate(part) for part in zip(*found, strict=True))
        order = np.lexsort((-values, rows))  # per query row, best first
        rows, columns, values = rows[order], columns[order], values[order]
        rank = np.arange(len(rows)) - np.searchsorted(rows, rows, "left")
        keep = rank < k
        scores[rows[keep], rank[keep]] = values[keep]
        ids[rows[keep], rank[keep]] = self._ids[columns[keep]]
        return scores, ids

    def _scanned(self, vectors: np.ndarray, k: int, floor: float) -> list[_Found]:
        """Exact search: (query row, matrix row, cosine) of the candidates, in blocks of queries."""
        found: list[_Found] = [_EMPTY]
        for first in range(0, len(vectors), self.QUERY_BLOCK):
            block = vectors[first : first + self.QUERY_BLOCK] @ self._matrix[: self._size].T
            rows, columns = _best(block, k, floor)
            found.append((first + rows, columns, block[rows, columns]))
        return found

    def _probed(self, vectors: np.ndarray, k: int, floor: float) -> list[_Found]:
        """Inverted-file search: each list's vectors against all the queries that probe it, in one matrix
        product per list (faiss's IVF scans its lists a query at a time: 5x slower for a batch)."""
        if self._by_list is None:
            order = np.argsort(self._list[: self._size], kind="stable")
            self._by_list = order, np.searchsorted(self._list[order], np.arange(self.lists + 1))
        order, starts = self._by_list
        probes = self._nearest_lists(vectors, PROBES)  # (queries, probes)
        found: list[_Found] = [_EMPTY]
        if len(vectors) <= FEW_QUERIES:  # a search: each query against its lists' vectors at once
            for row, lists in enumerate(probes.tolist()):
                members = np.concatenate([order[starts[i] : starts[i + 1]] for i in lists])
                scores = vectors[row : row + 1] @ self._matrix[members].T
                rows, columns = _best(scores, k, floor)
                found.append((rows + row, members[columns], scores[rows, columns]))
            return found
        asked = np.repeat(np.arange(len(vectors)), probes.shape[1])
        by_list = np.argsort(probes.reshape(-1), kind="stable")
        lists, asked = probes.reshape(-1)[by_list], asked[by_list]
        bounds = np.searchsorted(lists, np.arange(self.lists + 1))
        for target in np.flatnonzero(np.diff(bounds)).tolist():
            members = order[starts[target] : starts[target + 1]]
            if not len(members):
                continue
            queries = asked[bounds[target] : bounds[target + 1]]
            block = vectors[queries] @ self._matrix[members].T
            rows, columns = _best(block, k, floor)
            found.append((queries[rows], members[columns], block[rows, columns]))
        return found


_Found = tuple[np.ndarray, np.ndarray, np.ndarray]  # query rows, matrix rows, cosines
_EMPTY: _Found = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


def _best(block: np.ndarray, k: int, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each row's candidates in a score matrix: all at ``floor`` or more, or with no floor
    the ``k`` best (in no order)."""
    if floor > -1.0:
        rows, columns = np.nonzero(block >= floor)
        return rows, columns
    k = min(k, block.shape[1])
    columns = np.argpartition(-block, k - 1, axis=1)[:, :k].reshape(-1)
    return np.repeat(np.arange(len(block)), k), columns
