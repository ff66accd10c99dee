"""The collection's SQLite file: WAL mode, named migrations, one transaction per write.

The file is checked before anything is written to it: a file that is not SQLite, a SQLite file of another
application, or a damaged one raises ``StoreError`` and is left exactly as it was.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .. import settings
from ..errors import StoreError
from . import postings

APPLICATION_ID = 0x756E7370  # "unsp": marks the file as an unspin collection (PRAGMA application_id)
QUICK_CHECK_BYTES = 256_000_000  # files up to this size get a full quick_check when opened
BUSY_TIMEOUT_S = float(settings.get("store_busy_timeout"))  # a writer waits this long for another to finish
CACHE_KIB = 128 * 1024  # SQLite page cache per connection
CHECKPOINT_PAGES = 16_384  # 64 MB of WAL
COMMON_POSTING = int(settings.get("collection_common_posting"))

MIGRATIONS: tuple[tuple[str, str | Callable[[sqlite3.Connection], None]], ...] = (
    (
        "0001_documents_sketches_vectors",
        """
        CREATE TABLE docs (
            id INTEGER PRIMARY KEY,          -- internal number, also the vector key
            key TEXT NOT NULL UNIQUE,        -- the document's id as given (record id, path, URL)
            hash TEXT NOT NULL UNIQUE,       -- sha256 of the text: identical content is stored once
            name TEXT NOT NULL,
            path TEXT,
            format TEXT NOT NULL,
            encoding TEXT NOT NULL,
            date TEXT,
            english INTEGER NOT NULL,        -- 1 when the text reads as English (stop-word share)
            meta TEXT NOT NULL,              -- JSON: title, url, site, language, ...
            text TEXT NOT NULL,
            signature BLOB NOT NULL,         -- MinHash of word 5-grams (uint32)
            anchors BLOB NOT NULL,           -- bottom-k anchor-pair hashes (int64)
            added_at TEXT NOT NULL
        );
        CREATE TABLE aliases (               -- other ids under which identical content arrived
            key TEXT PRIMARY KEY,
            doc INTEGER NOT NULL REFERENCES docs(id),
            meta TEXT NOT NULL
        );
        CREATE TABLE vectors (               -- lead vector of each document (float16, unit length)
            doc INTEGER PRIMARY KEY REFERENCES docs(id),
            v BLOB NOT NULL
        );
        CREATE TABLE postings (              -- sketch index: kind 1 = MinHash LSH band, 2 = anchor pair
            kind INTEGER NOT NULL,
            h INTEGER NOT NULL,
            doc INTEGER NOT NULL,
            PRIMARY KEY (kind, h, doc)
        ) WITHOUT ROWID;
        CREATE TABLE sketch_df (             -- documents per posting key: very common keys are no evidence
            kind INTEGER NOT NULL,
            h INTEGER NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (kind, h)
        ) WITHOUT ROWID;
        CREATE TABLE edges (                 -- cheap candidate links found at add time (a < b)
            a INTEGER NOT NULL,
            b INTEGER NOT NULL,
            score REAL NOT NULL,
            PRIMARY KEY (a, b)
        ) WITHOUT ROWID;
        CREATE INDEX edges_b ON edges (b);
        CREATE TABLE verdicts (              -- the compare engine's verdict on a pair (a < b), cached
            a INTEGER NOT NULL,
            b INTEGER NOT NULL,
            related INTEGER NOT NULL,
            score REAL NOT NULL,
            relation TEXT NOT NULL,          -- as compare(a, b) says it: common-source, a-from-b, ...
            disguise_a TEXT NOT NULL,
            disguise_b TEXT NOT NULL,
            PRIMARY KEY (a, b)
        ) WITHOUT ROWID;
        """,
    ),
    (
        # Indexing speed (issue 5): the sketches move out of the wide docs rows into their own narrow table
        # (read for every candidate); sketch_df, a row per posting key, gives way to common_keys, the few
        # keys too common to be evidence, whose postings are dropped (which also bounds every lookup).
        "0002_sketches_table_common_keys",
        f"""
        CREATE TABLE sketches (
            doc INTEGER PRIMARY KEY REFERENCES docs(id),
            signature BLOB NOT NULL,         -- MinHash of word 5-grams (uint32)
            anchors BLOB NOT NULL,           -- bottom-k anchor-pair hashes (int64)
            english INTEGER NOT NULL         -- 1 when the text reads as English (stop-word share)
        );
        INSERT INTO sketches SELECT id, signature, anchors, english FROM docs;
        ALTER TABLE docs DROP COLUMN signature;
        ALTER TABLE docs DROP COLUMN anchors;
        ALTER TABLE docs DROP COLUMN english;
        CREATE TABLE common_keys (           -- posting keys shared by more than COMMON_POSTING documents
            kind INTEGER NOT NULL,
            h INTEGER NOT NULL,
            PRIMARY KEY (kind, h)
        ) WITHOUT ROWID;
        INSERT INTO common_keys SELECT kind, h FROM sketch_df WHERE n > {COMMON_POSTING};
        DELETE FROM postings WHERE (kind, h) IN (SELECT kind, h FROM common_keys);
        DROP TABLE sketch_df;
        """,
    ),
    (
        # Story links (issue 5): the cached verdict keeps the reused passages, from which clusters() tells
        # one story from shared stock text (verdicts cached before have none: proven again when needed).
        # Sentence keys (postings of kind 3) are written from now on; documents indexed before have none,
        # so their sentences count as stock only once re-indexed. passages: JSON [[a start, a end, b start,
        # b end], ...].
        "0003_verdict_passages",
        """
        ALTER TABLE verdicts ADD COLUMN passages TEXT
        """,
    ),
    # Indexing speed (issue 5): postings move from a row each to sorted runs (see ``postings``).
    ("0004_posting_runs", postings.migrate_table),
    (
        # Every copy is a document (issue 14): an id whose text is already stored keeps its own lineage date
        # (published, else crawled) beside its metadata; the text and its index entries stay stored once.
        # Documents of crawls indexed before get their crawl date where they had no published one.
        "0005_identical_copies_dated",
        """
        ALTER TABLE aliases ADD COLUMN date TEXT;
        UPDATE aliases SET date = COALESCE(json_extract(meta, '$.date'), json_extract(meta, '$.crawled'));
        UPDATE docs SET date = json_extract(meta, '$.crawled') WHERE date IS NULL;
        CREATE INDEX aliases_doc ON aliases (doc)
        """,
    ),
    (
        # clusters answer at once when nothing was added since they were computed (issue 14)
        "0006_cluster_cache",
        """
        CREATE TABLE cluster_cache (
            verify INTEGER PRIMARY KEY,      -- 1: links proven by the engine, 0: cheap links only
            version TEXT NOT NULL,           -- Collection._version() when computed
            clusters TEXT NOT NULL           -- JSON list of Cluster.to_dict()
        )
        """,
    ),
)


class Store:
    """One open collection file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        where = str(self.path)
        if self.path.is_dir():
            raise StoreError(f"{where}: is a folder; give a file path for the collection, e.g. crawl.db")
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        if not fresh:
            _check(self.path)
        try:
            self.db = sqlite3.connect(where, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
            if fresh:  # before WAL mode, so the mark lands in the main file at once
                self.db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")  # posting inserts touch pages all over the file
            # a batch rewrites posting pages all over the file; checkpointing less often copies each page back
            # once for several batches (the WAL file grows to this many pages between checkpoints)
            self.db.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
            self._migrate()
        except sqlite3.DatabaseError as err:
            raise store_error(where, err, "cannot open the collection") from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All writes inside happen, or none do (also when the process is killed)."""
        with self.errors():
            self.db.execute("BEGIN IMMEDIATE")  # waits up to BUSY_TIMEOUT_S for another writer to finish
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.in_transaction:  # SQLite may have rolled back already (a full disk, an I/O error)
                    try:
                        self.db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass  # the original error says more; SQLite rolls back on the next open anyway
                raise

    @contextmanager
    def errors(self) -> Iterator[None]:
        """SQLite failures as one-line ``StoreError`` messages."""
        try:
            yield
        except sqlite3.DatabaseError as err:
            raise store_error(str(self.path), err) from None

    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {row[0] for row in self.db.execute("SELECT name FROM migrations")}
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self.transaction() as db:
                if callable(sql):
                    sql(db)
                else:
                    for statement in sql.split(";"):
                        if statement.strip():
                            db.execute(statement)
                db.execute("INSERT INTO migrations VALUES (?, ?)", (name, datetime.now(UTC).isoformat()))
        unknown = done - {name for name, _ in MIGRATIONS}
        if unknown:
            raise StoreError(
                f"{self.path}: written by a newer unspin (migrations {', '.join(sorted(unknown))}); upgrade unspin"
            )


def _check(path: Path) -> None:
    """Raise StoreError unless ``path`` is an intact unspin collection; opened read-only, never changed."""
    where = str(path)
    with open(path, "rb") as f:
        header = f.read(100)
    if not header.startswith(b"SQLite format 3\x00"):
        raise StoreError(f"{where}: not an unspin collection (not a SQLite file); give another --db path")
    if len(header) < 100 or int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise StoreError(
            f"{where}: a SQLite file of another application, not an unspin collection; give another --db path"
        )
    if path.stat().st_size > QUICK_CHECK_BYTES:
        return  # too big to scan on every open: damage shows as StoreError on first use instead
    try:
        # immutable: no -wal/-shm files are created beside a file we may be about to reject
        wal = Path(str(path) + "-wal").exists()
        uri = f"file:{path.resolve()}?mode=ro{'' if wal else '&immutable=1'}"
        db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            result = db.execute("PRAGMA quick_check(1)").fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError as err:
        raise store_error(where, err) from None
    if not result or result[0] != "ok":
        raise StoreError(
            f"{where}: the collection file is damaged ({_one_line(result[0] if result else 'no answer')}); "
            "restore it from a copy or index into a new file"
        )


def store_error(where: str, err: sqlite3.DatabaseError, doing: str = "cannot use the collection") -> StoreError:
    """The StoreError that says what went wrong: busy, a full disk, read-only, an I/O error, or (only for
    SQLite's corrupt / not-a-database answers, and our own checks of stored data) damage."""
    name = getattr(err, "sqlite_errorname", None) or ""
    detail = _one_line(err)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return StoreError(
            f"{where}: busy: another process kept the collection locked for over {BUSY_TIMEOUT_S:g} s ({detail}); "
            "try again when it has finished"
        )
    if name.startswith("SQLITE_FULL"):
        return StoreError(
            f"{where}: the disk is full ({detail}); the batch being written was rolled back, so the collection is as "
            "it was before it: free some space and run the command again"
        )
    if name.startswith("SQLITE_READONLY"):
        return StoreError(
            f"{where}: {doing}: the file or its folder is read-only ({detail}); give a writable --db path"
        )
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return StoreError(f"{where}: {doing} ({detail}); check the path and its permissions")
    if name.startswith("SQLITE_IOERR"):
        return StoreError(f"{where}: {doing}: a disk I/O error ({detail}); check the disk, then run the command again")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or not isinstance(err, sqlite3.OperationalError):
        return StoreError(
            f"{where}: the collection file is damaged ({detail}); restore it from a copy or index into a new file"
        )
    return StoreError(f"{where}: {doing} ({detail})")


def _one_line(detail: object) -> str:
    """SQLite's message on one line, without the asterisks of its integrity reports."""
    return " ".join(str(detail).replace("***", " ").split())
