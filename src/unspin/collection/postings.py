"""The sketch index: for each posting key (MinHash band, anchor pair, sentence key), the documents holding it.

Postings are sorted runs, one row of ``posting_runs`` each (keys and doc numbers as int64 blobs), read into
memory once and searched with numpy. A batch of documents adds one run, and the newest runs are merged
while the one before is at most ``MERGE`` times bigger (the logarithmic method), so every posting is
rewritten O(log n) times in long sequential writes and a lookup costs one binary search per run. A row
per posting in a B-tree, as before, cost a random insert and a random probe per key, most of the indexing
time.

A key held by more than ``COMMON_POSTING`` documents is no evidence: it is listed in ``common_keys``, left
out of every lookup, and dropped from the runs it is in when they are next merged.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

import numpy as np

from .. import settings
from .arrays import distinct, member

COMMON_POSTING = int(settings.get("collection_common_posting"))
MERGE = 2  # the newest run is merged into the one before while that one is at most this many times bigger
RUN_LIMIT = 1 << 25  # postings per run at most (256 MB of keys: SQLite's blobs stop at 1 GB)

TABLE = """
CREATE TABLE posting_runs (          -- sorted runs of postings (kind 1: MinHash band, 2: anchor pair, 3: sentence)
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a run id names one unchanging run
    kind INTEGER NOT NULL,
    size INTEGER NOT NULL,
    h BLOB NOT NULL,                 -- int64 keys, ascending
    doc BLOB NOT NULL                -- int64 doc number of each key
)
"""


@dataclass(frozen=True, slots=True)
class Keys:
    """Posting keys of one kind: document ``row`` (of a batch) or doc number has key ``h``."""

    h: np.ndarray  # int64
    row: np.ndarray  # int64

    def without(self, hashes: np.ndarray) -> Keys:
        keep = ~member(self.h, distinct(hashes))
        return Keys(self.h[keep], self.row[keep])


@dataclass(frozen=True, slots=True)
class _Run:
    id: int
    h: np.ndarray
    doc: np.ndarray


class Postings:
    """The collection's postings, in memory, kept in step with the store."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._runs: dict[int, list[_Run]] = {}  # kind -> runs, oldest first
        self._common: dict[int, np.ndarray] = {}  # kind -> sorted common keys
        self._read = False

    def forget(self) -> None:
        """Read everything again on next use (after a rolled-back write)."""
        self._runs, self._common, self._read = {}, {}, False

    def refresh(self) -> None:
        """Catch up with the store: runs other writers added or merged away (runs never change, so only
        their ids need comparing), and then the common keys."""
        ids = {r[0] for r in self._db.execute("SELECT id FROM posting_runs")}
        held = {run.id for runs in self._runs.values() for run in runs}
        if self._read and ids == held:
            return
        for kind, runs in self._runs.items():
            self._runs[kind] = [run for run in runs if run.id in ids]
        new = sorted(ids - held)
        for run_id, kind, size, h, doc in self._db.execute(
            "SELECT id, kind, size, h, doc FROM posting_runs WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (json.dumps(new),),
        ):
            if not isinstance(h, bytes) or not isinstance(doc, bytes) or len(h) != len(doc) or len(h) != 8 * size:
                raise sqlite3.DatabaseError(f"posting run {run_id} is damaged")  # the store names the file
            self._runs.setdefault(kind, []).append(_Run(run_id, _array(h), _array(doc)))
        for runs in self._runs.values():
            runs.sort(key=lambda run: run.id)
        common: dict[int, list[int]] = {}
        for kind, h in self._db.execute("SELECT kind, h FROM common_keys"):
            common.setdefault(kind, []).append(h)
        self._common = {kind: distinct(np.array(h, dtype=np.int64)) for kind, h in common.items()}
        self._read = True

    def __len__(self) -> int:
        self.refresh()
        return sum(len(run.h) for runs in self._runs.values() for run in runs)

    def common_count(self) -> int:
        self.refresh()
        return sum(len(c) for c in self._common.values())

    def common(self, kind: int, hashes: np.ndarray) -> np.ndarray:
        """Those of ``hashes`` too common to be evidence."""
        self.refresh()
        return hashes[member(hashes, self._common_of(kind))]

    def lookup(self, kind: int, hashes: np.ndarray) -> Keys:
        """The stored postings (key, doc number) of any of ``hashes``, common keys left out."""
        self.refresh()
        wanted = distinct(hashes)
        wanted = wanted[~member(wanted, self._common_of(kind))]
        found_h, found_doc = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for run in self._runs.get(kind, []):
            left = np.searchsorted(run.h, wanted, "left")
            counts = np.searchsorted(run.h, wanted, "right") - left
            total = int(counts.sum())
            if total:
                at = np.repeat(left - np.cumsum(counts) + counts, counts) + np.arange(total)
                found_h.append(run.h[at])
                found_doc.append(run.doc[at])
        return Keys(np.concatenate(found_h), np.concatenate(found_doc))

    def add(self, kind: int, keys: Keys) -> Keys:
        """Store the postings ``keys`` (``row``: doc numbers) in the open transaction; return all postings of
        their keys that count as evidence: the stored ones and these, keys that became too common left out."""
        self.refresh()
        keys = keys.without(self.common(kind, distinct(keys.h)))
        both = self.lookup(kind, keys.h)
        both = Keys(np.concatenate([both.h, keys.h]), np.concatenate([both.row, keys.row]))
        h, n = np.unique(both.h, return_counts=True)
        too_common = h[n > COMMON_POSTING]
        if len(too_common):
            self._db.executemany("INSERT INTO common_keys VALUES (?, ?)", [(kind, int(x)) for x in too_common])
            self._common[kind] = np.union1d(self._common_of(kind), too_common)
            keys, both = keys.without(too_common), both.without(too_common)
        if len(keys.h):
            order = np.argsort(keys.h, kind="stable")
            runs = self._runs.setdefault(kind, [])
            runs.append(self._write(kind, keys.h[order], keys.row[order]))
            while len(runs) > 1 and len(runs[-2].h) <= MERGE * len(runs[-1].h):
                if len(runs[-2].h) + len(runs[-1].h) > RUN_LIMIT:
                    break
                newer, older = runs.pop(), runs.pop()
                runs.append(self._merge(kind, older, newer))
        return both

    def _merge(self, kind: int, older: _Run, newer: _Run) -> _Run:
        h = np.concatenate([older.h, newer.h])
        doc = np.concatenate([older.doc, newer.doc])
        order = np.argsort(h, kind="stable")  # equal keys stay in the order they were added
        h, doc = h[order], doc[order]
        keep = ~member(h, self._common_of(kind))  # common keys go for good
        self._db.execute("DELETE FROM posting_runs WHERE id IN (?, ?)", (older.id, newer.id))
        return self._write(kind, h[keep], doc[keep])

    def _write(self, kind: int, h: np.ndarray, doc: np.ndarray) -> _Run:
        h, doc = np.ascontiguousarray(h, dtype=np.int64), np.ascontiguousarray(doc, dtype=np.int64)
        cursor = self._db.execute(
            "INSERT INTO posting_runs (kind, size, h, doc) VALUES (?, ?, ?, ?)",
            (kind, len(h), h.tobytes(), doc.tobytes()),
        )
        return _Run(int(cursor.lastrowid or 0), h, doc)

    def _common_of(self, kind: int) -> np.ndarray:
        return self._common.get(kind, np.zeros(0, dtype=np.int64))


def migrate_table(db: sqlite3.Connection) -> None:
    """Migration 0004: the postings table (a row per posting) becomes sorted runs."""
    db.execute(TABLE)
    for (kind,) in db.execute("SELECT DISTINCT kind FROM postings").fetchall():
        rows = db.execute("SELECT h, doc FROM postings WHERE kind = ? ORDER BY h, doc", (kind,)).fetchall()
        found = np.array(rows, dtype=np.int64).reshape(-1, 2)
        for first in range(0, len(found), RUN_LIMIT):
            part = found[first : first + RUN_LIMIT]
            db.execute(
                "INSERT INTO posting_runs (kind, size, h, doc) VALUES (?, ?, ?, ?)",
                (kind, len(part), part[:, 0].tobytes(), part[:, 1].tobytes()),
            )
    db.execute("DROP TABLE postings")


def _array(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.int64)
