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
from collections import Counter, OrderedDict, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .. import embed, settings
from ..compare import Comparison, compare
from ..coverage import Coverage
from ..document import Document, load
from ..errors import InputError
from ..language import detect
from ..progress import Progress, wanted
from ..segment import sentence_spans
from . import candidates, sketch
from .ingest import Record, Skipped, Source, Stream, count, records
from .lineage import Cluster, Edge, Node, build_clusters, dated_by, identical_story, lineage_date, node
from .postings import Keys, Postings
from .prepare import Clock, Prepared, Preparer, default_workers, language
from .store import Store
from .story import Sentences, Side, Story, judge
from .vectors import VectorIndex, from_blob, lead, lead_vectors, to_blob

PROGRESS_STEP = 128  # documents embedded between two moves of the progress bar
BATCH = 1024  # documents per transaction (each rewrites the posting pages its keys fall on)
CANDIDATES = int(settings.get("collection_candidates"))
EDGE_SKETCH = settings.get("collection_edge_sketch")
EDGE_VECTOR = settings.get("collection_edge_vector")
EDGE_VECTOR_CROSS = settings.get("collection_edge_vector_cross")
EDGE_NEIGHBOURS = int(settings.get("collection_edge_neighbours"))
VERIFY = int(settings.get("collection_verify"))
PROVE_SKETCH = settings.get("collection_prove_sketch")
PROVE_VECTOR = settings.get("collection_prove_vector")
PROVE_VECTOR_CROSS = settings.get("collection_prove_vector_cross")
PROVE_VECTOR_WEAK = settings.get("collection_prove_vector_weak")
PROVE_WEAK_MAX = int(settings.get("collection_prove_weak_max"))
# a query in a language the lead vectors' model does not know is proven (with the ~20x slower e5 model) only
# against candidates whose lead-vector cosine is within this of the best candidate's. Set from the cosines of
# NTREX-128's Indonesian, Azerbaijani and Ukrainian translations among reuters-20k (bench_answers' own
# queries): the original was the closest, mostly by more than this; several copies of one story stay close
WEAK_MARGIN = 0.1
# such an e5 proof (~45 ms CPU a sentence) runs on the leading PROOF_LEAD sentences of each text, and one query
# embeds at most E5_BUDGET sentences across its proofs (its own lead counted once: embed caches it), so the
# model's work per query stays near 0.4 s CPU; a hit proven so says it (``Hit.proven_on``). 4 / 8 ranked
# bench_answers' Indonesian, Azerbaijani, Ukrainian and Armenian translations as 8 / 16 did, at half the CPU
PROOF_LEAD = 4
E5_BUDGET = 8
PROOF_CACHE = 10_000  # search verdicts kept in memory
CLUSTER_RULES = 3  # part of the clusters' cache key: a release that changes how clusters are made recomputes them


@dataclass(frozen=True, slots=True)
class AddReport:
    """What one ``Collection.add`` did."""

    added: int = 0
    duplicates: int = 0  # added with a text already stored under another id: a document of its own, text shared
    unchanged: int = 0  # same id and text as already stored (a rerun)
    repeated: int = 0  # an id given again, with the same text, earlier in this same input (kept once)
    skipped: tuple[Skipped, ...] = ()
    seconds: float = 0.0
    model_seconds: float = 0.0  # of which in the sentence model
    sentences: int = 0  # sentences embedded
    stages: dict[str, tuple[float, float]] = field(default_factory=dict)  # stage -> (wall s, CPU s, workers' too)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "duplicates": self.duplicates,
            "unchanged": self.unchanged,
            "repeated": self.repeated,
            "skipped": [s.to_dict() for s in self.skipped],
            "seconds": round(self.seconds, 3),
            "model_seconds": round(self.model_seconds, 3),
            "sentences": self.sentences,
            "stages": {k: {"seconds": round(w, 3), "cpu_seconds": round(c, 3)} for k, (w, c) in self.stages.items()},
        }


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a stored document, how similar, and (when verified) how it relates to the query."""

    id: str
    score: float  # the engine's document score when verified, else the cheap candidate score
    relation: str  # derived-from | source-of | common-source | identical | unrelated | unverified
    disguise: tuple[str, ...] = ()  # of the stored document, as the engine sees it
    signals: dict[str, float] = field(default_factory=dict, compare=False)
    identical_to: str | None = None  # an earlier hit with this very text (the same story stored under two ids)
    meta: dict[str, Any] = field(default_factory=dict, compare=False)  # title, site, url, date, dated_by, ...
    proven_on: int | None = None  # proven on only the first N sentences of each text (e5's bound); None: whole
    covered: Coverage | None = field(default=None, compare=False)  # of the query (proven whole)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "score": round(self.score, 4),
            "relation": self.relation,
            "disguise": list(self.disguise),
            "identical_to": self.identical_to,
            "proven_on": self.proven_on,
            "meta": dict(self.meta),
            "covered": self.covered.to_dict() if self.covered else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hit:
        return cls(
            str(data["id"]),
            float(data["score"]),
            str(data["relation"]),
            tuple(data.get("disguise") or ()),
            identical_to=data.get("identical_to"),
            meta=dict(data.get("meta") or {}),
            proven_on=data.get("proven_on"),
            covered=_coverage(data.get("covered")),
        )


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document of the collection: its id, its text's number, the document with its own metadata, its
    lineage date, and the other ids that arrived with the very same text (``aliases``)."""

    id: str
    number: int
    document: Document
    date: str | None
    aliases: tuple[str, ...] = ()

    @property
    def dated_by(self) -> str | None:
        """Which date ``date`` is: "published" (the page's own) or "crawled" (when it was fetched)."""
        return dated_by(self.document.meta) if self.date else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date,
            "dated_by": self.dated_by,
            "aliases": list(self.aliases),
            "document": self.document.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class _Batch:
    """A batch of records handed to the preparer and not stored yet."""

    size: int  # records read, skipped ones included
    aliases: list[tuple[str, str, dict[str, Any]]]  # (id, text hash, meta) of texts stored under another id
    keys: dict[str, str]  # id -> text hash of the records being prepared
    hashes: set[str]


class Collection:
    """A collection of documents in one SQLite file (created when missing)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.store = Store(path)
        self._vectors: VectorIndex | None = None
        self.postings = Postings(self.store.db)
        # (query text hash, doc number) -> (score, relation, disguise) of search proofs, most recent last
        self._proofs: OrderedDict[tuple[str, int], tuple[float, str, tuple[str, ...], Coverage]] = OrderedDict()

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    # ---------------------------------------------------------------- add
    def add(
        self, sources: Source | Iterable[Source], *, progress: bool = False, workers: int | None = None
    ) -> AddReport:
        """Index paths (files, folders, .jsonl(.gz), .warc(.gz)), Documents or ``{"id", "text"}`` records.

        Each batch of ``BATCH`` documents is one transaction; a bad document is skipped with its reason.
        ``workers``: processes that fingerprint documents of big inputs (default: one per core; 0: none).
        """
        if isinstance(sources, str | os.PathLike | Document | Mapping):
            sources = [sources]
        elif not isinstance(sources, Iterable):  # None, a number: say so, as a batch's bad record would
            raise InputError(f"add() takes paths, Documents or {{id, text}} records, not {type(sources).__name__}")
        counts: Counter[str] = Counter()
        skipped: list[Skipped] = []
        clock = Clock()
        start = time.perf_counter()
        waiting: deque[_Batch] = deque()  # submitted to the preparer, not stored yet
        total = None
        if wanted(progress):  # counted before the work, cheaply (files, lines, WARC headers)
            sources = list(sources)
            total = count(sources)
        with (
            Progress(progress, "indexing", "documents", total) as bar,
            Preparer(default_workers() if workers is None else workers, clock) as prep,
        ):
            batches = _chunks(records(sources), BATCH)
            while True:
                with clock.stage("read"):
                    batch = next(batches, None)
                if batch is None:
                    break
                todo = []
                for item in batch:
                    if isinstance(item, Skipped):
                        skipped.append(item)
                    else:
                        todo.append(item)
                with clock.stage("check"):
                    new, aliases = self._new_records(todo, counts, skipped, waiting)
                prep.submit(new)
                waiting.append(_Batch(len(batch), aliases, {r.key: d for r, d in new}, {d for _, d in new}))
                while prep.full():
                    self._finish(prep, waiting.popleft(), counts, skipped, clock, bar)
            while waiting:
                self._finish(prep, waiting.popleft(), counts, skipped, clock, bar)
        return AddReport(
            added=counts["added"],
            duplicates=counts["duplicates"],
            unchanged=counts["unchanged"],
            repeated=counts["repeated"],
            skipped=tuple(skipped),
            seconds=time.perf_counter() - start,
            model_seconds=clock.wall["model"],
            sentences=counts["sentences"],
            stages=clock.stages(),
        )

    def _finish(
        self,
        prep: Preparer,
        batch: _Batch,
        counts: Counter[str],
        skipped: list[Skipped],
        clock: Clock,
        bar: Progress,
    ) -> None:
        """Embed and store the oldest batch in flight (the progress bar moves as its documents are embedded,
        the slowest stage, in pieces of ``PROGRESS_STEP``)."""
        prepared: list[Prepared] = []
        for item in prep.next():
            if isinstance(item, Skipped):
                skipped.append(item)
            else:
                prepared.append(item)
        pieces = []
        for at in range(0, len(prepared), PROGRESS_STEP):
            with clock.stage("model"):
                pieces.append(lead_vectors([p.lead for p in prepared[at : at + PROGRESS_STEP]]))
            bar.advance(len(prepared[at : at + PROGRESS_STEP]))
        vectors = np.concatenate(pieces) if pieces else lead_vectors([])
        counts["sentences"] += sum(len(p.lead) for p in prepared)
        self._store(prepared, vectors, batch.aliases, counts, skipped, clock)
        counts["added"] += len(prepared)
        bar.advance(batch.size - len(prepared))  # the batch's records that were skipped or stored under another id

    def _new_records(
        self, batch: list[Record], counts: Counter[str], skipped: list[Skipped], waiting: Iterable[_Batch]
    ) -> tuple[list[tuple[Record, str]], list[tuple[str, str, dict[str, Any]]]]:
        """The batch's records to add (with their text hash), and those whose text is already stored, or
        about to be, under another id (aliases); reruns and ids repeated in the input are counted, ids reused
        for other text skipped. ``waiting``: earlier batches of this add, not stored yet."""
        digests = [hashlib.sha256(r.doc.text.encode("utf-8")).hexdigest() for r in batch]
        keys = json.dumps([r.key for r in batch])
        db = self.store.db
        with self.store.errors():
            stored = dict(
                db.execute("SELECT key, hash FROM docs WHERE key IN (SELECT value FROM json_each(?))", (keys,))
            )
            aliased = {
                k
                for (k,) in db.execute("SELECT key FROM aliases WHERE key IN (SELECT value FROM json_each(?))", (keys,))
            }
            hashes = {
                h
                for (h,) in db.execute(
                    "SELECT hash FROM docs WHERE hash IN (SELECT value FROM json_each(?))", (json.dumps(digests),)
                )
            }
        seen: dict[str, str] = {}
        for earlier in waiting:
            seen.update(earlier.keys)
            hashes.update(earlier.hashes)
        new: list[tuple[Record, str]] = []
        aliases: list[tuple[str, str, dict[str, Any]]] = []
        for record, digest in zip(batch, digests, strict=True):
            key = record.key
            if key in seen:  # given before in this input
                if seen[key] == digest:
                    counts["repeated"] += 1
                else:
                    skipped.append(Skipped(key, f"{key}: id given twice in the input with other text; the first kept"))
                continue
            if key in stored or key in aliased:
                if stored.get(key) == digest or key in aliased:
                    counts["unchanged"] += 1
                else:
                    skipped.append(Skipped(key, f"{key}: id already in the collection, other text"))
                continue
            seen[key] = digest
            if digest in hashes:
                aliases.append((key, digest, _meta(record.doc)))
            else:
                hashes.add(digest)
                new.append((record, digest))
        return new, aliases

    def _store(
        self,
        prepared: list[Prepared],
        vectors: np.ndarray,
        aliases: list[tuple[str, str, dict[str, Any]]],
        counts: Counter[str],
        skipped: list[Skipped],
        clock: Clock,
    ) -> None:
        """One transaction: the documents, their sketches, vectors and postings, their links, the aliases."""
        now = datetime.now(UTC).isoformat()
        sketches = candidates.Sketches.of(
            np.array([p.fingerprint.signature for p in prepared], dtype=np.uint32),
            [p.fingerprint.anchors for p in prepared],
            np.array([p.fingerprint.english for p in prepared], dtype=bool),
            vectors,
        )
        with clock.stage("store"):
            try:
                with self.store.transaction() as tx:
                    index = self._index()  # caught up inside the transaction: no other writer can add rows now
                    (newest,) = tx.execute("SELECT COALESCE(MAX(id), 0) FROM docs").fetchone()
                    numbers = np.arange(newest + 1, newest + 1 + len(prepared), dtype=np.int64)
                    tx.executemany(
                        "INSERT INTO docs (id, key, hash, name, path, format, encoding, date, meta, text, added_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            (int(n), p.record.key, p.hash, *_columns(p.record.doc), now)
                            for n, p in zip(numbers, prepared, strict=True)
                        ],
                    )
                    tx.executemany(
                        "INSERT INTO sketches VALUES (?, ?, ?, ?)",
                        [
                            (
                                int(n),
                                p.fingerprint.signature.tobytes(),
                                p.fingerprint.anchors.tobytes(),
                                int(p.fingerprint.english),
                            )
                            for n, p in zip(numbers, prepared, strict=True)
                        ],
                    )
                    tx.executemany(
                        "INSERT INTO vectors VALUES (?, ?)",
                        [(int(n), to_blob(v)) for n, v in zip(numbers, vectors, strict=True)],
                    )
                    for key, digest, meta in aliases:
                        row = tx.execute("SELECT id FROM docs WHERE hash = ?", (digest,)).fetchone()
                        if row is None:  # the document with this text could not be indexed
                            skipped.append(Skipped(key, f"{key}: same text as a document that could not be indexed"))
                            continue
                        tx.execute(
                            "INSERT INTO aliases (key, doc, meta, date) VALUES (?, ?, ?, ?)",
                            (key, row[0], json.dumps(meta, ensure_ascii=False), lineage_date(meta)),
                        )
                        counts["duplicates"] += 1
                    if prepared:
                        keys = candidates.posting_keys(sketches)
                        postings = {kind: self.postings.add(kind, _numbered(k, numbers)) for kind, k in keys.items()}
                        sentences = candidates.sentence_keys([p.fingerprint.sentences for p in prepared])
                        self.postings.add(candidates.SENTENCES, _numbered(sentences, numbers))
                        index.add(numbers, vectors)
                        with clock.stage("link"):
                            self._link(tx, numbers, sketches, keys, postings)
            except BaseException:
                self._vectors = None  # the in-memory indexes may hold rows that were rolled back
                self.postings.forget()
                raise

    def _link(
        self,
        tx: Any,
        numbers: np.ndarray,
        sketches: candidates.Sketches,
        keys: dict[int, Keys],
        postings: dict[int, Keys],
    ) -> None:
        """Store cheap links from each new document to its likeliest relatives, for clustering."""
        found = self._candidates(
            sketches, keys, postings, numbers, pool=EDGE_NEIGHBOURS, limit=EDGE_NEIGHBOURS, floor=candidates.VECTOR_LOW
        )
        signals = {"minhash": found.minhash, "anchors": found.anchors, "vector": found.vector, "cross": found.cross}
        keep = linked(signals)
        a = numbers[found.row[keep]]
        b = found.doc[keep]
        tx.executemany(
            "INSERT OR REPLACE INTO edges VALUES (?, ?, ?)",
            zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist(), found.score[keep].tolist(), strict=True),
        )

    # ---------------------------------------------------------------- search
    def search(self, doc: Source, top: int = 10, *, verify: int = VERIFY) -> list[Hit]:
        """The ``top`` stored documents likeliest to share a source with ``doc``, best first.

        The first ``verify`` candidates are proven by ``unspin.compare``, which sets relation and disguise,
        unless their cheap signals rule them out (``open_question``). A query in a language the lead vectors'
        model does not know (Armenian, Azerbaijani, ...) is proven against at most ``PROVE_WEAK_MAX`` of them,
        and only against those whose lead vector is about as close as the closest one's (``WEAK_MARGIN``):
        each such proof runs the slower multilingual-e5 model, on the leading ``PROOF_LEAD`` sentences of each
        text, within ``E5_BUDGET`` sentences per query (a candidate beyond the budget stays "unverified").
        """
        query = _as_document(doc)
        fp = sketch.fingerprint(query.text, language(query))
        weak = not fp.english and embed.model_for(detect(query.text), "en") == "e5"
        proofs = 0
        budget = E5_BUDGET
        vector = lead_vectors([lead(query)])
        sketches = candidates.Sketches.of(fp.signature, [fp.anchors], np.array([fp.english]), vector)
        with self.store.errors():
            db = self.store.db
            keys = candidates.posting_keys(sketches)
            postings = {kind: self.postings.lookup(kind, k.h) for kind, k in keys.items()}
            found = self._candidates(sketches, keys, postings, None, pool=CANDIDATES, limit=max(top, verify)).of(0)
            digest = hashlib.sha256(query.text.encode("utf-8")).hexdigest()
            best = max((s["vector"] for _, _, s in found[:verify]), default=0.0)
            hits = []
            for position, (number, score, signals) in enumerate(found):
                key, text_hash = db.execute("SELECT key, hash FROM docs WHERE id = ?", (number,)).fetchone()
                proven = False
                if text_hash == digest:
                    hit = Hit(key, 1.0, "identical", (), signals)
                elif position < verify and (
                    not open_question(signals, weak) or (weak and (proofs >= PROVE_WEAK_MAX or _behind(signals, best)))
                ):
                    hit = Hit(key, score, "unrelated", (), signals)  # the cheap signals rule it out: no proof needed
                elif position < verify and weak:
                    hit, cost = self._verify_lead(query, digest, (number, key, score), signals, budget, proofs == 0)
                    budget -= cost
                    proofs += cost > 0
                    proven = cost > 0
                elif position < verify:
                    hit = self._verify(query, digest, number, key, signals)
                    proofs += 1
                    proven = True
                else:
                    hit = Hit(key, score, "unverified", (), signals)
                hits.append((_rank(hit, proven, position), hit, number))
            hits.sort(key=lambda h: h[0])
            return self._with_copies([(hit, number) for _, hit, number in hits], top)

    def _with_copies(self, hits: list[tuple[Hit, int]], top: int) -> list[Hit]:
        """The hits with every id their text arrived under, each a hit of its own (oldest first; the later
        ones ``identical_to`` the first), with its metadata; the first ``top``."""
        out: list[Hit] = []
        for hit, number in hits:
            copies = sorted(self._copies(number), key=lambda c: (c[1] is None, c[1] or "", c[0]))
            first = copies[0][0]
            for key, _, meta in copies:
                out.append(replace(hit, id=key, identical_to=None if key == first else first, meta=meta))
            if len(out) >= top:
                break
        return out[:top]

    def _copies(self, number: int) -> list[tuple[str, str | None, dict[str, Any]]]:
        """(id, lineage date, display metadata) of every id stored text ``number`` arrived under."""
        db = self.store.db
        rows = db.execute("SELECT key, date, meta FROM docs WHERE id = ?", (number,)).fetchall()
        rows += db.execute("SELECT key, date, meta FROM aliases WHERE doc = ?", (number,)).fetchall()
        return [(key, date, _display(json.loads(meta), date)) for key, date, meta in rows]

    def _verify_lead(
        self,
        query: Document,
        digest: str,
        candidate: tuple[int, str, float],
        signals: dict[str, float],
        budget: int,
        first: bool,
    ) -> tuple[Hit, int]:
        """An e5 proof on the leading ``PROOF_LEAD`` sentences of both texts, and the sentences it embeds
        (counting the query's only on its first proof); "unverified" at no cost when over ``budget``."""
        number, key, score = candidate
        mine, mine_n, cut_q = _leading(query)
        theirs, theirs_n, cut_d = _leading(self._document(number).document)
        cost = theirs_n + (mine_n if first else 0)
        if cost > budget:
            return Hit(key, score, "unverified", (), signals), 0
        hit = self._verify(mine, digest, number, key, signals, theirs)
        if cut_q or cut_d:  # its coverage would be of the leading sentences only
            return replace(hit, proven_on=PROOF_LEAD, covered=None), cost
        return hit, cost

    def _verify(
        self,
        query: Document,
        digest: str,
        number: int,
        key: str,
        signals: dict[str, float],
        stored: Document | None = None,
    ) -> Hit:
        """The engine's verdict on the query and stored text ``number`` (or ``stored``, its leading part),
        cached for repeated queries."""
        cached = self._proofs.get((digest, number))
        if cached is None:
            comparison = compare(query, stored or self._document(number).document)
            relation = _RELATION[comparison.relation]
            cached = (comparison.score, relation, tuple(comparison.side_b.disguise), comparison.coverage("a"))
            self._proofs[(digest, number)] = cached
            while len(self._proofs) > PROOF_CACHE:
                self._proofs.popitem(last=False)
        else:
            self._proofs.move_to_end((digest, number))
        covered = cached[3] if cached[1] != "unrelated" else None
        return Hit(key, cached[0], cached[1], cached[2], signals, covered=covered)

    def forget_verdicts(self) -> None:
        """Forget the search verdicts cached in memory (benchmarks call this so every query pays for its proof)."""
        self._proofs.clear()

    def _candidates(
        self,
        sketches: candidates.Sketches,
        keys: dict[int, Keys],
        postings: dict[int, Keys],
        exclude: np.ndarray | None,
        pool: int,
        limit: int,
        floor: float = -1.0,
    ) -> candidates.Signals:
        """The best ``limit`` candidates of each query row, from the ``pool`` best of each signal: documents
        sharing most MinHash bands, most anchor pairs, and the nearest lead vectors at cosine ``floor`` or
        more (``exclude[row]``: the row's own doc number, when it is stored)."""
        index = self._index()
        _, neighbours = index.search(sketches.vectors, pool + (exclude is not None), floor)
        rows, docs = candidates.union(
            candidates.nearest(neighbours, pool, exclude),
            *(candidates.shared(keys[kind], postings[kind], pool, exclude) for kind in keys),
        )
        unique, at = np.unique(docs, return_inverse=True)
        stored = candidates.read_sketches(self.store.db, unique, self._vectors_of(index, unique))
        return candidates.score(sketches, rows, docs, stored, at, limit)

    def _vectors_of(self, index: VectorIndex, numbers: np.ndarray) -> np.ndarray:
        """Stored lead vectors, from the faiss index (from the store for rows added since it caught up)."""
        out = np.zeros((len(numbers), embed.DIMENSIONS), dtype=np.float32)
        known = numbers <= index.newest
        if known.any():
            out[known] = index.reconstruct(numbers[known])
        if not known.all():
            late = numbers[~known]
            blobs = dict(
                self.store.db.execute(
                    "SELECT doc, v FROM vectors WHERE doc IN (SELECT value FROM json_each(?))",
                    (json.dumps(late.tolist()),),
                )
            )
            out[~known] = [from_blob(blobs[int(n)]) if int(n) in blobs else np.zeros(embed.DIMENSIONS) for n in late]
        return out

    # ---------------------------------------------------------------- clusters
    def clusters(self, min_size: int = 2, *, verify: bool = True, progress: bool = False) -> list[Cluster]:
        """Groups of documents telling one story, with lineage ("likely derived from") inside each.

        Links come from the cheap signals at add time; with ``verify`` each link is proven by the engine
        (verdicts are cached in the store) and kept only when the pair is one story (``Collection.story``: its reused
        passages are more than the collection's stock text, their numbers agree, the dates are close or the
        whole text is shared); the direction is taken from dates when both documents have one, else from
        the engine's evidence.

        The answer is kept in the store until documents are added: asked again, it is read back (milliseconds);
        after an add only the new links are proven (``progress``: a progress bar on stderr meanwhile).
        """
        with self.store.errors():
            db = self.store.db
            version = self._version(verify)
            kept = db.execute("SELECT version, clusters FROM cluster_cache WHERE verify = ?", (int(verify),)).fetchone()
            if kept is not None and kept[0] == version:
                found = [Cluster.from_dict(c) for c in json.loads(kept[1])]
                return [c for c in found if len(c.members) >= min_size]
            links = db.execute("SELECT a, b, score FROM edges").fetchall()
            edges: list[Edge] = []
            sentences: dict[int, Sentences] = {}
            with Progress(progress and verify, "proving links", "links", len(links)) as bar:
                for a, b, score in links:
                    if not verify:
                        edges.append(Edge(a, b, score, "unverified"))
                        continue
                    related, score, relation, passages = self._verdict(a, b)
                    if related and self._story(a, b, passages, sentences).one:
                        edges.append(Edge(a, b, score, relation))
                    bar.advance(1)
            info = self._nodes(edges)
            found = build_clusters(edges, info)
            with self.store.transaction() as tx:
                tx.execute(
                    "INSERT OR REPLACE INTO cluster_cache VALUES (?, ?, ?)",
                    (int(verify), version, json.dumps([c.to_dict() for c in found], ensure_ascii=False)),
                )
        return [c for c in found if len(c.members) >= min_size]

    def _version(self, verify: bool) -> str:
        """What the clusters depend on, cheaply read: the newest text, the identical copies, the links."""
        row = self.store.db.execute(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM docs), (SELECT COUNT(*) FROM docs),"
            " (SELECT COUNT(*) FROM aliases), (SELECT COUNT(*) FROM edges)"
        ).fetchone()
        return ":".join(map(str, (*row, int(verify), CLUSTER_RULES)))

    def _nodes(self, edges: list[Edge]) -> dict[int, Node]:
        """Lineage nodes of the linked texts and of every text stored under several ids; each other id a text
        arrived under becomes a node of its own (numbered below zero) with an ``identical`` edge to it, unless
        the text is page furniture rather than a story (``identical_story``)."""
        db = self.store.db
        numbers = {n for e in edges for n in (e.a, e.b)}
        numbers.update(n for (n,) in db.execute("SELECT DISTINCT doc FROM aliases"))
        info: dict[int, Node] = {}
        alias = 0
        for number in sorted(numbers):
            key, date, meta, length = db.execute(
                "SELECT key, date, meta, length(text) FROM docs WHERE id = ?", (number,)
            ).fetchone()
            stored = json.loads(meta)
            info[number] = node(key, date, stored, number)
            for key, date, meta in db.execute("SELECT key, date, meta FROM aliases WHERE doc = ?", (number,)):
                copy = json.loads(meta)
                alias -= 1
                info[alias] = node(key, date, copy, number)
                if identical_story(length, stored.get("title"), copy.get("title")):
                    edges.append(Edge(alias, number, 1.0, "identical"))
        return info

    def _verdict(self, a: int, b: int) -> tuple[bool, float, str, list[list[int]]]:
        """compare(a, b): related, score, relation and the passages' spans, cached in the store."""
        db = self.store.db
        cached = db.execute(
            "SELECT related, score, relation, passages FROM verdicts WHERE a = ? AND b = ?", (a, b)
        ).fetchone()
        if cached is not None and cached[3] is not None:
            return bool(cached[0]), float(cached[1]), str(cached[2]), json.loads(cached[3])
        comparison = compare(self._document(a).document, self._document(b).document)
        passages = [[p.a.start, p.a.end, p.b.start, p.b.end] for p in comparison.passages]
        with self.store.transaction() as tx:
            tx.execute(
                "INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    a,
                    b,
                    int(comparison.related),
                    comparison.score,
                    comparison.relation,
                    json.dumps(comparison.side_a.disguise),
                    json.dumps(comparison.side_b.disguise),
                    json.dumps(passages),
                ),
            )
        return comparison.related, comparison.score, comparison.relation, passages

    def story(self, id_a: str, id_b: str) -> Story:
        """Whether two stored documents tell one story, and the evidence (``clusters`` links only such pairs);
        the pair is proven by the engine unless its verdict is cached."""
        with self.store.errors():
            a, b = sorted(self.get(i).number for i in (id_a, id_b))
            related, _, _, passages = self._verdict(a, b)
            return self._story(a, b, passages if related else [], {})

    def _story(self, a: int, b: int, passages: list[list[int]], known: dict[int, Sentences]) -> Story:
        """The story evidence of a proven pair (``known``: sentences of documents already read, reused)."""
        db = self.store.db
        sides = []
        for number in (a, b):
            text, date = db.execute("SELECT text, date FROM docs WHERE id = ?", (number,)).fetchone()
            if number not in known:
                known[number] = Sentences.of(
                    text, lambda keys: candidates.holders(db, self.postings, candidates.SENTENCES, keys)
                )
            sides.append(Side(number, text, date, known[number]))
        return judge(sides[0], [(p[0], p[1]) for p in passages], sides[1], [(p[2], p[3]) for p in passages])

    # ---------------------------------------------------------------- read
    def get(self, id: str) -> StoredDocument:
        """One stored document by its id (or an alias of it); InputError when there is none."""
        with self.store.errors():
            db = self.store.db
            row = db.execute("SELECT id FROM docs WHERE key = ?", (id,)).fetchone()
            if row is not None:
                return self._document(int(row[0]))
            row = db.execute("SELECT doc, date, meta FROM aliases WHERE key = ?", (id,)).fetchone()
            if row is None:
                raise InputError(f"{id}: no such document in {self.store.path}; `unspin index ls` lists the stored ids")
            stored = self._document(int(row[0]))
            others = tuple(sorted({stored.id, *stored.aliases} - {id}))
            doc = replace(stored.document, name=id, meta=json.loads(row[2]))
            return StoredDocument(id, stored.number, doc, row[1], others)

    def ids(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every stored id, in the order stored (an identical copy after its text), with its display metadata
        (title, site, date and its kind, ...)."""
        with self.store.errors():
            db = self.store.db
            rows = db.execute(
                "SELECT key, date, meta, id, 0 FROM docs UNION ALL SELECT key, date, meta, doc, 1 FROM aliases"
                " ORDER BY 4, 5, 1"
            )
            for key, date, meta, _, _ in rows:
                yield key, _display(json.loads(meta), date)

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

            texts = count("SELECT COUNT(*) FROM docs")
            identical = count("SELECT COUNT(*) FROM aliases")
            return {
                "path": str(self.store.path),
                "documents": texts + identical,  # every id, identical copies included
                "texts": texts,  # distinct texts: each stored and indexed once
                "identical_copies": identical,  # documents whose text arrived before under another id
                "vectors": count("SELECT COUNT(*) FROM vectors"),
                "postings": len(self.postings),
                "common_keys": self.postings.common_count(),
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
    "identical": "identical",
    "unrelated": "unrelated",
}


def linked(signals: Mapping[str, Any]) -> Any:
    """Whether the cheap signals are strong enough to link two stored documents for clustering
    (floats, or numpy arrays of many pairs' signals)."""
    threshold = np.where(signals["cross"], EDGE_VECTOR_CROSS, EDGE_VECTOR)
    return (signals["minhash"] >= EDGE_SKETCH) | (signals["anchors"] >= EDGE_SKETCH) | (signals["vector"] >= threshold)


def open_question(signals: Mapping[str, float], weak: bool = False) -> bool:
    """Whether a search candidate's cheap signals leave its relation open, so the engine must prove it; below
    these floors (calibrated on reuters-20k and NTREX-128, see BENCHMARKS.md) the engine found next to no pair
    related. ``weak``: the query's language is one the lead vectors' model does not know (lower vector floor)."""
    vector = (PROVE_VECTOR_WEAK if weak else PROVE_VECTOR_CROSS) if signals["cross"] else PROVE_VECTOR
    return bool(signals["minhash"] >= PROVE_SKETCH or signals["anchors"] >= PROVE_SKETCH or signals["vector"] >= vector)


def _rank(hit: Hit, proven: bool, position: int) -> tuple[int, float]:
    """Where a search hit goes: identical copies, then what the engine proved related (best score first), then
    the candidates no proof ruled on, in the candidate stage's order (ruled out by their cheap signals or left
    unverified: both are that stage's judgement only), then what the engine proved unrelated."""
    if hit.relation == "identical":
        return (0, 0.0)
    if not proven:
        return (2, float(position))
    return (3, -hit.score) if hit.relation == "unrelated" else (1, -hit.score)


def _behind(signals: Mapping[str, float], best: float) -> bool:
    """Whether a candidate of a query in a language the lead vectors' model does not know trails the closest
    candidate by more than ``WEAK_MARGIN`` and shares no sketch either: not worth an e5 proof."""
    sketched = signals["minhash"] >= PROVE_SKETCH or signals["anchors"] >= PROVE_SKETCH
    return not sketched and signals["vector"] < best - WEAK_MARGIN


def _leading(doc: Document) -> tuple[Document, int, bool]:
    """``doc`` cut after its first ``PROOF_LEAD`` sentences, how many sentences that keeps, and whether it cut."""
    spans = sentence_spans(doc.text)
    if len(spans) <= PROOF_LEAD:
        return doc, len(spans), False
    return replace(doc, text=doc.text[: spans[PROOF_LEAD - 1].end]), PROOF_LEAD, True


def _as_document(doc: Source) -> Document:
    if isinstance(doc, Mapping):
        text = doc.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"{doc.get('id', '<record>')}: no text to search with")
        return Document(name=str(doc.get("id", "<record>")), text=text, meta=dict(doc))
    if isinstance(doc, Stream):  # its first record
        first = next(records([doc]), None)
        if isinstance(first, Record):
            return first.doc
        raise InputError(first.reason if first else f"{doc.name}: nothing to search with")
    return load(doc)


def _meta(doc: Document) -> dict[str, Any]:
    return {k: v for k, v in doc.meta.items() if isinstance(v, str | int | float | bool) or v is None}


def _columns(doc: Document) -> tuple[Any, ...]:
    """name, path, format, encoding, date, meta of a document, as the docs table holds them."""
    return (
        doc.name,
        doc.path,
        doc.format,
        doc.encoding,
        _date(doc),
        json.dumps(_meta(doc), ensure_ascii=False),
        doc.text,
    )


def _date(doc: Document) -> str | None:
    return lineage_date(doc.meta)


DISPLAY = ("title", "site", "url", "author", "language")


def _coverage(data: Mapping[str, Any] | None) -> Coverage | None:
    return Coverage(int(data["chars"]), int(data["total"]), int(data["passages"])) if data else None


def _display(meta: Mapping[str, Any], date: str | None) -> dict[str, Any]:
    """The metadata a hit or a cluster member shows: title, site, url, author, language, date and its kind."""
    out = {k: meta[k] for k in DISPLAY if meta.get(k)}
    if date:
        out.update(date=date, dated_by=dated_by(meta))
    return out


def _numbered(keys: Keys, numbers: np.ndarray) -> Keys:
    """A batch's posting keys with doc numbers for its rows."""
    return Keys(keys.h, numbers[keys.row])


def _chunks(items: Iterator[Record | Skipped], size: int) -> Iterator[list[Record | Skipped]]:
    batch: list[Record | Skipped] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
