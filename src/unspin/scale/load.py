"""``import_crawl``: a finished crawl into a new collection, which ``search``, ``show``, ``clusters`` and
``serve`` then use as if ``index add`` had built it.

Everything is copied, nothing computed again: documents, sketches, lead vectors, postings, the crawl's
cheap links and the engine's verdicts (so ``clusters`` proves nothing twice). The rows are the ones
``Collection.add`` writes; this is the one place outside ``collection/`` that writes them, in one
transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..collection import Collection, candidates
from ..collection.lineage import lineage_date
from ..collection.postings import RUN_LIMIT, Keys
from ..collection.vectors import to_blob
from ..errors import InputError
from . import files
from .layout import Layout, Numbers


@dataclass(frozen=True, slots=True)
class ImportReport:
    documents: int
    duplicates: int
    links: int
    verdicts: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "duplicates": self.duplicates,
            "links": self.links,
            "verdicts": self.verdicts,
        }


def import_crawl(out: str | Path, db: str | Path) -> ImportReport:
    """Load the crawl in folder ``out`` into the new collection file ``db``."""
    layout = Layout(Path(out))
    if not layout.table("clusters").exists():
        raise InputError(f"{out}: no finished crawl here (no clusters.parquet); run `unspin crawl` into it first")
    numbers = Numbers.read(layout)
    shards = sorted(set(numbers.shards.tolist()))
    with Collection(db) as collection:
        store = collection.store
        if store.db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]:
            raise InputError(f"{db}: already holds documents; `index import` fills a new collection file")
        now = datetime.now(UTC).isoformat()
        kinds: dict[int, list[Keys]] = {candidates.MINHASH: [], candidates.ANCHORS: [], candidates.SENTENCES: []}
        with store.transaction() as tx:
            documents = 0
            for shard in shards:
                held, rows = numbers.of_shard(shard)
                table = files.read_table(layout.prepared(shard)).to_pydict()
                vectors = files.read_arrays(layout.vectors(shard))["vectors"]
                picked = rows.tolist()
                tx.executemany(
                    "INSERT INTO docs (id, key, hash, name, path, format, encoding, date, meta, text, added_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (int(n), *(table[c][r] for c in _DOC_COLUMNS), now)
                        for n, r in zip(held.tolist(), picked, strict=True)
                    ],
                )
                tx.executemany(
                    "INSERT INTO sketches VALUES (?, ?, ?, ?)",
                    [
                        (int(n), table["signature"][r], table["anchors"][r], int(table["english"][r]))
                        for n, r in zip(held.tolist(), picked, strict=True)
                    ],
                )
                tx.executemany(
                    "INSERT INTO vectors VALUES (?, ?)",
                    [(int(n), to_blob(v)) for n, v in zip(held.tolist(), vectors, strict=True)],
                )
                sketches = candidates.Sketches.of(
                    np.frombuffer(b"".join(table["signature"][r] for r in picked), dtype=np.uint32),
                    [np.frombuffer(table["anchors"][r], dtype=np.int64) for r in picked],
                    np.array([table["english"][r] for r in picked], dtype=bool),
                    vectors,
                )
                for kind, keys in candidates.posting_keys(sketches).items():
                    kinds[kind].append(Keys(keys.h, held[keys.row]))
                sentences = candidates.sentence_keys(
                    [np.frombuffer(table["sentences"][r], dtype=np.int64) for r in picked]
                )
                kinds[candidates.SENTENCES].append(Keys(sentences.h, held[sentences.row]))
                documents += len(held)
            duplicates = _aliases(tx, layout)
            for kind, parts in kinds.items():  # one run per kind where it fits: common keys as in one batch
                for chunk in _chunks(parts):
                    collection.postings.add(kind, chunk)
            links = _links(tx, layout, shards)
            verdicts = _verdicts(tx, layout)
    return ImportReport(documents, duplicates, links, verdicts)


_DOC_COLUMNS = ("key", "hash", "name", "path", "format", "encoding", "date", "meta", "text")


def _chunks(parts: list[Keys]) -> list[Keys]:
    out: list[Keys] = []
    h: list[np.ndarray] = []
    row: list[np.ndarray] = []
    size = 0
    for part in parts:
        if size + len(part.h) > RUN_LIMIT and h:
            out.append(Keys(np.concatenate(h), np.concatenate(row)))
            h, row, size = [], [], 0
        h.append(part.h)
        row.append(part.row)
        size += len(part.h)
    if h:
        out.append(Keys(np.concatenate(h), np.concatenate(row)))
    return out


def _aliases(tx: Any, layout: Layout) -> int:
    numbers = files.read_table(layout.numbers, ["key", "shard", "row", "alias", "status"]).to_pydict()
    rows = []
    metas: dict[int, list[str]] = {}
    for key, shard, row, alias, status in zip(*numbers.values(), strict=True):
        if status != "duplicate":
            continue
        if shard not in metas:
            metas[shard] = files.read_table(layout.prepared(shard), ["meta"]).column("meta").to_pylist()
        rows.append((key, alias, metas[shard][row], lineage_date(json.loads(metas[shard][row]))))
    tx.executemany("INSERT INTO aliases (key, doc, meta, date) VALUES (?, ?, ?, ?)", rows)
    return len(rows)


def _links(tx: Any, layout: Layout, shards: list[int]) -> int:
    rows: list[tuple[int, int, float]] = []
    for shard in shards:
        found = files.read_arrays(layout.links(shard))
        rows += zip(found["a"].tolist(), found["b"].tolist(), found["score"].tolist(), strict=True)
    tx.executemany("INSERT OR REPLACE INTO edges VALUES (?, ?, ?)", rows)
    return len({(a, b) for a, b, _ in rows})


def _verdicts(tx: Any, layout: Layout) -> int:
    count = 0
    for path in sorted((layout.root / "proof").glob("part-*.parquet")):
        proof = files.read_table(path).to_pydict()
        names = ("a", "b", "related", "score", "relation", "disguise_a", "disguise_b", "passages")
        rows = [
            (a, b, int(related), score, relation, da, db, passages)
            for a, b, related, score, relation, da, db, passages in zip(*(proof[n] for n in names), strict=True)
        ]
        tx.executemany("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        count += len(rows)
    return count
