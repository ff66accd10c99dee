"""Candidate search for many documents at once: shared sketch keys, nearest lead vectors, cheap signals.

Indexing links every new document to its likeliest relatives, so the search runs for whole batches:
one lookup per key kind for the batch's posting keys (``postings``), one vector search, and numpy for the
counting and scoring. ``Collection.search`` is the same code with a batch of one.

Posting keys: the MinHash LSH band keys and the anchor-sketch hashes of a document, and its sentence keys
(not a candidate signal: they tell stock sentences, see ``story``).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, TypeGuard

import numpy as np

from .. import settings
from . import sketch
from .arrays import distinct
from .postings import Keys, Postings

VECTOR_LOW = settings.get("collection_vector_low")
MINHASH, ANCHORS, SENTENCES = 1, 2, 3  # posting kinds
_DOC_BITS = 40  # pair codes: query row << _DOC_BITS | doc number
PAIR_BLOCK = 2048  # candidate pairs scored at once (gathering all of a batch's vectors at once was 4x slower)


@dataclass(frozen=True, slots=True)
class Sketches:
    """The cheap fingerprints of several documents, one row each."""

    signatures: np.ndarray  # (n, PERMUTATIONS) uint32
    anchors: np.ndarray  # (n, ANCHOR_K) int64: row i's anchor sketch in its first lengths[i] columns, then _PAD
    lengths: np.ndarray  # (n,) int64
    english: np.ndarray  # (n,) bool
    vectors: np.ndarray  # (n, dimensions) float32, unit length

    @classmethod
    def of(
        cls, signatures: np.ndarray, anchors: list[np.ndarray], english: np.ndarray, vectors: np.ndarray
    ) -> Sketches:
        lengths = np.array([len(a) for a in anchors], dtype=np.int64)
        flat = np.concatenate(anchors) if lengths.sum() else np.zeros(0, dtype=np.int64)
        signatures = signatures.reshape(len(anchors), sketch.PERMUTATIONS)
        return cls(signatures, _padded(flat, lengths), lengths, english, vectors)

    def __len__(self) -> int:
        return len(self.lengths)

    def valid(self) -> np.ndarray:
        """Which cells of ``anchors`` hold a hash."""
        return np.arange(sketch.ANCHOR_K)[None, :] < self.lengths[:, None]


_PAD = np.iinfo(np.int64).min + np.arange(sketch.ANCHOR_K, dtype=np.int64)  # values no 64-bit hash takes


def _padded(flat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Sketches laid end to end (``lengths`` each) as the rows of a padded matrix."""
    out = np.repeat(_PAD[None, :], len(lengths), axis=0)
    out[np.arange(sketch.ANCHOR_K)[None, :] < lengths[:, None]] = flat
    return out


@dataclass(frozen=True, slots=True)
class Signals:
    """Candidate pairs (query row, doc number) and their cheap signals, best first for each query row."""

    row: np.ndarray
    doc: np.ndarray
    score: np.ndarray
    minhash: np.ndarray
    anchors: np.ndarray
    vector: np.ndarray
    cross: np.ndarray  # 1.0 when one text reads as English and the other does not

    def of(self, row: int) -> list[tuple[int, float, dict[str, float]]]:
        """(doc number, cheap score, signals) of one query row, best first."""
        return [
            (
                int(self.doc[i]),
                float(self.score[i]),
                {
                    "minhash": round(float(self.minhash[i]), 4),
                    "anchors": round(float(self.anchors[i]), 4),
                    "vector": round(float(self.vector[i]), 4),
                    "cross": float(self.cross[i]),
                },
            )
            for i in np.flatnonzero(self.row == row)
        ]


def posting_keys(sketches: Sketches) -> dict[int, Keys]:
    """Each document's distinct posting keys, by kind."""
    bands = sketch.band_keys(sketches.signatures)  # (n, BANDS)
    bands.sort(axis=1)
    fresh = np.ones(bands.shape, dtype=bool)
    fresh[:, 1:] = bands[:, 1:] != bands[:, :-1]  # a band key repeated inside one document counts once
    rows = np.broadcast_to(np.arange(len(bands))[:, None], bands.shape)
    valid = sketches.valid()
    return {
        MINHASH: Keys(bands[fresh], rows[fresh].astype(np.int64)),
        ANCHORS: Keys(sketches.anchors[valid], np.nonzero(valid)[0].astype(np.int64)),
    }


def sentence_keys(sentences: list[np.ndarray]) -> Keys:
    """The sentence-key postings of a batch of documents (one array of distinct keys each)."""
    lengths = [len(k) for k in sentences]
    h = np.concatenate(sentences) if sum(lengths) else np.zeros(0, dtype=np.int64)
    return Keys(h.astype(np.int64), np.repeat(np.arange(len(sentences), dtype=np.int64), lengths))


Holders = dict[int, list[tuple[int, str | None]]]  # key -> (doc number, date) of the documents holding it


def holders(db: sqlite3.Connection, index: Postings, kind: int, hashes: np.ndarray) -> tuple[Holders, set[int]]:
    """The stored documents (number, date) holding each of ``hashes``, and those of ``hashes`` too common
    to be listed (held by more than ``COMMON_POSTING`` documents)."""
    found = index.lookup(kind, hashes)
    dates = dict(
        db.execute(
            "SELECT id, date FROM docs WHERE id IN (SELECT value FROM json_each(?))", (_json(distinct(found.row)),)
        )
    )
    out: Holders = {}
    for h, doc in zip(found.h.tolist(), found.row.tolist(), strict=True):
        out.setdefault(h, []).append((doc, dates.get(doc)))
    return out, set(index.common(kind, distinct(hashes)).tolist())


def shared(query: Keys, postings: Keys, pool: int, exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For each query row, the ``pool`` documents sharing most keys with it: (rows, doc numbers).

    ``exclude[row]`` is the query row's own doc number (not its own candidate), when it is stored.
    """
    order = np.argsort(postings.h, kind="stable")
    h, docs = postings.h[order], postings.row[order]
    left = np.searchsorted(h, query.h, "left")
    counts = np.searchsorted(h, query.h, "right") - left
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.repeat(left - np.cumsum(counts) + counts, counts)  # each match's index in ``h``
    matched = docs[starts + np.arange(total)]
    rows = np.repeat(query.row, counts)
    if exclude is not None:
        keep = matched != exclude[rows]
        rows, matched = rows[keep], matched[keep]
    codes, n = np.unique((rows << _DOC_BITS) | matched, return_counts=True)
    rows, matched = codes >> _DOC_BITS, codes & ((1 << _DOC_BITS) - 1)
    order = np.lexsort((matched, -n, rows))  # per row: most shared keys first, then older documents
    rows, matched = rows[order], matched[order]
    return _first(rows, matched, pool)


def nearest(neighbours: np.ndarray, pool: int, exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(rows, doc numbers) of faiss's neighbours of each query row (-1 and the row's own doc dropped)."""
    rows = np.repeat(np.arange(len(neighbours)), neighbours.shape[1])
    docs = neighbours.reshape(-1).astype(np.int64)
    keep = docs >= 0
    if exclude is not None:
        keep &= docs != exclude[rows]
    return _first(rows[keep], docs[keep], pool)


def union(*found: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (row, doc number) pairs of several candidate lists, by row then doc."""
    rows = np.concatenate([f[0] for f in found])
    docs = np.concatenate([f[1] for f in found])
    codes = distinct((rows << _DOC_BITS) | docs)
    return codes >> _DOC_BITS, codes & ((1 << _DOC_BITS) - 1)


def score(query: Sketches, rows: np.ndarray, docs: np.ndarray, stored: Sketches, at: np.ndarray, limit: int) -> Signals:
    """Cheap signals of the pairs (query row ``rows[i]``, doc ``docs[i]`` whose sketches are ``stored[at[i]]``),
    the best ``limit`` pairs of each query row kept, best first."""
    mh, an, cos = np.zeros(len(rows)), np.zeros(len(rows)), np.zeros(len(rows))
    for first in range(0, len(rows), PAIR_BLOCK):  # a block's gathered rows stay in cache
        block = slice(first, first + PAIR_BLOCK)
        r, a = rows[block], at[block]
        mh[block] = np.count_nonzero(query.signatures[r] == stored.signatures[a], axis=1) / sketch.PERMUTATIONS
        an[block] = _sketch_similarities(query, r, stored, a)
        cos[block] = np.einsum("ij,ij->i", query.vectors[r], stored.vectors[a])
    cross = (query.english[rows] != stored.english[at]).astype(np.float64)
    vector = np.maximum(0.0, (cos - VECTOR_LOW) / (1.0 - VECTOR_LOW))
    cheap = np.maximum(np.maximum(mh, an), vector)
    order = np.lexsort((-cos, -cheap, rows))
    rows, kept = _first(rows[order], order, limit)
    return Signals(rows, docs[kept], cheap[kept], mh[kept], an[kept], cos[kept], cross[kept])


def read_sketches(db: sqlite3.Connection, numbers: np.ndarray, vectors: np.ndarray) -> Sketches:
    """The stored sketches of doc ``numbers`` (all stored), with their lead ``vectors`` given in the same order."""
    found = {
        doc: (signature, anchors, english)
        for doc, signature, anchors, english in db.execute(
            "SELECT doc, signature, anchors, english FROM sketches WHERE doc IN (SELECT value FROM json_each(?))",
            (_json(numbers),),
        )
    }
    rows = []
    for number in numbers.tolist():
        row = found.get(number)
        if not _whole_sketch(row):
            # the store names the file
            raise sqlite3.DatabaseError(f"the stored sketch of document {number} is damaged")
        rows.append(row)
    signatures = np.frombuffer(b"".join(r[0] for r in rows), dtype=np.uint32)
    anchors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int64)
    lengths = np.array([len(r[1]) // 8 for r in rows], dtype=np.int64)
    return Sketches(
        signatures.reshape(len(rows), sketch.PERMUTATIONS),
        _padded(anchors, lengths),
        lengths,
        np.array([r[2] for r in rows], dtype=bool),
        vectors,
    )


def _whole_sketch(row: tuple[Any, Any, Any] | None) -> TypeGuard[tuple[bytes, bytes, int]]:
    """A stored sketch row as ``Collection.add`` writes it: a whole MinHash signature, whole anchor hashes
    (at most ``ANCHOR_K``) and an English flag; anything else (a row missing, a blob cut short) is damage."""
    if row is None:
        return False
    signature, anchors, english = row
    return (
        isinstance(signature, bytes)
        and len(signature) == 4 * sketch.PERMUTATIONS
        and isinstance(anchors, bytes)
        and len(anchors) % 8 == 0
        and len(anchors) <= 8 * sketch.ANCHOR_K
        and english in (0, 1)
    )


def _first(rows: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` values of each run of equal (sorted) ``rows``."""
    if len(rows) == 0:
        return rows, values
    start = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    rank = np.arange(len(rows)) - np.repeat(start, np.diff(np.r_[start, len(rows)]))
    keep = rank < n
    return rows[keep], values[keep]


def _sketch_similarities(query: Sketches, rows: np.ndarray, stored: Sketches, at: np.ndarray) -> np.ndarray:
    """``sketch.sketch_similarities`` of many pairs at once (query row ``rows[i]``, stored row ``at[i]``).

    Both sketches of a pair are laid in one row, padded with values no hash takes, distinct on each side,
    and sorted: a hash found in both shows as two equal neighbours.
    """
    a = query.anchors[rows]
    b = stored.anchors[at]
    b = np.where(stored.valid()[at], b, b + sketch.ANCHOR_K)  # the other side's pads
    both = np.concatenate([a, b], axis=1)
    both.sort(axis=1)
    common = (both[:, 1:] == both[:, :-1]).sum(axis=1)
    la, lb = query.lengths[rows], stored.lengths[at]
    share = np.minimum(common / np.maximum(np.minimum(la, lb), 1), 1.0)
    out = share / (2.0 - share)
    out[(la == 0) | (lb == 0)] = 0.0
    return np.asarray(out, dtype=np.float64)


def _json(values: np.ndarray) -> str:
    return json.dumps(values.tolist())
