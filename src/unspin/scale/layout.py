"""Where each stage of a crawl keeps its outputs under the crawl folder, and readers for them.

```
DIR/crawl.json                   what was crawled (inputs, shard size, buckets): a rerun must match it
DIR/prepare/shard-N.parquet      extract, clean, fingerprint: one row per record read (skipped ones too)
DIR/numbers.parquet              doc number of each stored record; duplicates and skips with reasons
DIR/vectors/shard-N.npz          lead vectors of the shard's stored documents (the model stage)
DIR/keys/shard-N/bucket-J.npz    the shuffle's map side: posting keys hashed into K buckets
DIR/postings/bucket-J/...        its reduce side: per shard, the postings of keys its documents hold
DIR/index.pkl                    the lead-vector index (exact, or an inverted file beyond its size)
DIR/links/shard-N.npz            candidate pairs of the shard's documents that pass the cheap signals
DIR/proof/part-N.parquet         the compare engine's verdict and story evidence on each candidate pair
DIR/documents.parquet, pairs.parquet, clusters.parquet    the crawl's output tables
```
"""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..collection import candidates
from ..collection.vectors import VectorIndex
from ..document import Document
from . import files


@dataclass(frozen=True, slots=True)
class Layout:
    root: Path

    def prepared(self, shard: int) -> Path:
        return self.root / "prepare" / f"shard-{shard:05d}.parquet"

    @property
    def numbers(self) -> Path:
        return self.root / "numbers.parquet"

    def vectors(self, shard: int) -> Path:
        return self.root / "vectors" / f"shard-{shard:05d}.npz"

    def keys(self, shard: int) -> Path:
        return self.root / "keys" / f"shard-{shard:05d}"

    def bucket(self, shard: int, bucket: int) -> Path:
        return self.keys(shard) / f"bucket-{bucket:03d}.npz"

    def postings(self, bucket: int) -> Path:
        return self.root / "postings" / f"bucket-{bucket:03d}"

    def part(self, bucket: int, shard: int) -> Path:
        return self.postings(bucket) / f"shard-{shard:05d}.npz"

    def sentences(self, bucket: int) -> Path:
        return self.postings(bucket) / "sentences.npz"

    @property
    def index(self) -> Path:
        return self.root / "index.pkl"

    def links(self, shard: int) -> Path:
        return self.root / "links" / f"shard-{shard:05d}.npz"

    def proof(self, part: int) -> Path:
        return self.root / "proof" / f"part-{part:05d}.parquet"

    def table(self, name: str) -> Path:
        return self.root / f"{name}.parquet"


@dataclass(frozen=True, slots=True)
class Numbers:
    """The numbering of a crawl: per shard, the doc numbers of its stored rows (ascending, contiguous)."""

    shards: np.ndarray  # shard of each numbered document, by number order
    numbers: np.ndarray  # its doc number (ascending)
    rows: np.ndarray  # its row in the shard's prepare table
    batches: np.ndarray  # the ``Collection.add`` batch it would be stored in (records read // BATCH)
    dates: dict[int, str | None]

    @classmethod
    def read(cls, layout: Layout) -> Numbers:
        table = files.read_table(layout.numbers, ["shard", "row", "number", "batch", "date"]).to_pydict()
        keep = [i for i, n in enumerate(table["number"]) if n > 0]
        numbers = np.array([table["number"][i] for i in keep], dtype=np.int64)
        return cls(
            np.array([table["shard"][i] for i in keep], dtype=np.int64),
            numbers,
            np.array([table["row"][i] for i in keep], dtype=np.int64),
            np.array([table["batch"][i] for i in keep], dtype=np.int64),
            {table["number"][i]: table["date"][i] for i in keep},
        )

    def batch_of(self, numbers: np.ndarray) -> np.ndarray:
        return self.batches[np.searchsorted(self.numbers, numbers)]

    def last_of(self, batch: int) -> int:
        """The highest doc number stored by the end of ``batch``."""
        return int(self.numbers[np.searchsorted(self.batches, batch, "right") - 1])

    def of_shard(self, shard: int) -> tuple[np.ndarray, np.ndarray]:
        """(doc numbers, prepare-table rows) of a shard's stored documents."""
        at = self.shards == shard
        return self.numbers[at], self.rows[at]

    def shard_of(self, numbers: np.ndarray) -> np.ndarray:
        return self.shards[np.searchsorted(self.numbers, numbers)]


class Reader:
    """Per-process access to the prepared shards by doc number (shards cached once read)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.numbers = Numbers.read(layout)
        self._sketches: dict[int, tuple[np.ndarray, candidates.Sketches]] = {}
        self._docs: dict[int, dict[int, tuple[Document, str | None]]] = {}
        self._all: tuple[np.ndarray, np.ndarray] | None = None

    def sketches(self, shard: int) -> tuple[np.ndarray, candidates.Sketches]:
        """The doc numbers and sketches (vectors included) of a shard's stored documents."""
        if shard not in self._sketches:
            numbers, rows = self.numbers.of_shard(shard)
            table = files.read_table(self.layout.prepared(shard), ["signature", "anchors", "english"]).to_pydict()
            vectors = files.read_arrays(self.layout.vectors(shard))["vectors"]
            rows_ = rows.tolist()
            self._sketches[shard] = (
                numbers,
                candidates.Sketches.of(
                    np.frombuffer(b"".join(table["signature"][r] for r in rows_), dtype=np.uint32),
                    [np.frombuffer(table["anchors"][r], dtype=np.int64) for r in rows_],
                    np.array([table["english"][r] for r in rows_], dtype=bool),
                    vectors,
                ),
            )
        return self._sketches[shard]

    def stored(self, numbers: np.ndarray) -> candidates.Sketches:
        """The sketches of any stored documents, in the order given."""
        shards = self.numbers.shard_of(numbers)
        first = self.sketches(int(shards[0]))[1] if len(numbers) else None
        width = first.vectors.shape[1] if first is not None else 0
        out = candidates.Sketches(
            np.zeros((len(numbers), candidates.sketch.PERMUTATIONS), dtype=np.uint32),
            np.zeros((len(numbers), candidates.sketch.ANCHOR_K), dtype=np.int64),
            np.zeros(len(numbers), dtype=np.int64),
            np.zeros(len(numbers), dtype=bool),
            np.zeros((len(numbers), width), dtype=np.float32),
        )
        for shard in np.unique(shards).tolist():
            at = np.flatnonzero(shards == shard)
            held, sk = self.sketches(shard)
            rows = np.searchsorted(held, numbers[at])
            for name in ("signatures", "anchors", "lengths", "english", "vectors"):
                getattr(out, name)[at] = getattr(sk, name)[rows]
        return out

    def all_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """Every stored document's number and lead vector, by number (read once per process)."""
        if self._all is None:
            parts = [files.read_arrays(self.layout.vectors(s)) for s in sorted(set(self.numbers.shards.tolist()))]
            self._all = (
                np.concatenate([p["numbers"] for p in parts]).astype(np.int64),
                np.concatenate([p["vectors"] for p in parts]),
            )
        return self._all

    def document(self, number: int) -> tuple[Document, str | None]:
        """A stored document as the collection would give it back, and its date."""
        shard = int(self.numbers.shard_of(np.array([number]))[0])
        if shard not in self._docs:
            numbers, rows = self.numbers.of_shard(shard)
            names = ["name", "path", "format", "encoding", "meta", "text", "date"]
            table = files.read_table(self.layout.prepared(shard), names).to_pydict()
            self._docs = {shard: {}} if len(self._docs) > 32 else self._docs  # bound the texts held
            self._docs[shard] = {
                int(n): (
                    Document(
                        name=table["name"][r],
                        text=table["text"][r],
                        path=table["path"][r],
                        format=table["format"][r],
                        encoding=table["encoding"][r],
                        meta=json.loads(table["meta"][r]),
                    ),
                    table["date"][r],
                )
                for n, r in zip(numbers.tolist(), rows.tolist(), strict=True)
            }
        return self._docs[shard][number]


def save_index(layout: Layout, index: VectorIndex) -> None:
    files._atomic(layout.index, pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))


def load_index(layout: Layout) -> VectorIndex:
    index = pickle.loads(layout.index.read_bytes())
    assert isinstance(index, VectorIndex)
    return index


def manifest(layout: Layout) -> dict[str, Any] | None:
    path = layout.root / "crawl.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None
