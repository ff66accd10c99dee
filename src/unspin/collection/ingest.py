"""Documents to index, from paths (files, folders, .jsonl(.gz), .warc(.gz)) and in-memory records.

Every input becomes a stream of ``Record`` (a key and a Document) or ``Skipped`` (a key, why, and the cause
it is counted under): one bad document never stops a batch. Crawls are read as a crawler's index would: of a
WARC only ``response`` records with status 200, an HTML or plain-text type and an article become documents
(id: the WARC-Target-URI, crawl date: WARC-Date); files in folders are judged by their content, not their
names. Pages keep their metadata (title, published date, url, site, author, language).
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
import os
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from .. import settings
from ..document import TEXT_SUFFIXES, Document, decode, from_bytes, html_article, load, looks_like_html
from ..errors import InputError, UnspinError

META_FIELDS = ("title", "url", "site", "date", "crawled", "language", "author")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
WARC_SUFFIXES = (".warc", ".warc.gz")
MIN_ARTICLE = int(settings.get("ingest_min_article_chars"))
SNIFF_BYTES = 65_536
# WARC records that describe other records (how they were fetched, crawler notes): not captures, not counted
_NOT_CAPTURES = ("warcinfo", "request", "metadata", "continuation", "conversion")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A document left out of a batch, why, and the short cause it is counted under
    (``not HTML``, ``status 404``, ``revisit``, ``no article``, ...)."""

    id: str
    reason: str
    cause: str = "unreadable"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "reason": self.reason, "cause": self.cause}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Skipped:
        return cls(str(data["id"]), str(data["reason"]), str(data.get("cause") or "unreadable"))


def summary(skipped: Iterable[Skipped]) -> str:
    """One line for a batch's skipped documents, counted by cause, most common first:
    ``skipped 131: 84 not HTML, 21 status 404, ...`` (empty when none was skipped)."""
    causes = Counter(s.cause for s in skipped)
    if not causes:
        return ""
    parts = ", ".join(f"{n} {cause}" for cause, n in sorted(causes.items(), key=lambda c: (-c[1], c[0])))
    return f"skipped {causes.total()}: {parts}"


@dataclass(frozen=True, slots=True)
class Record:
    """One document to index under ``key`` (its id in the collection)."""

    key: str
    doc: Document


@dataclass(frozen=True, slots=True)
class Stream:
    """An open binary stream read as one source (standard input): JSONL when its first line is a JSON object,
    else one document named ``name``."""

    file: IO[bytes]
    name: str = "<stdin>"


Source = str | os.PathLike[str] | Document | Mapping[str, Any] | Stream


def records(sources: Iterable[Source]) -> Iterator[Record | Skipped]:
    """Records from paths, Documents and ``{"id", "text", ...}`` mappings, in order."""
    for number, source in enumerate(sources):
        if isinstance(source, Document):
            key = source.path or source.name
            bad = _unencodable(key, source.text)
            yield Skipped(_printable(key), f"{_printable(key)}: {bad}") if bad else Record(key, source)
        elif isinstance(source, Mapping):
            yield _from_mapping(source, "<records>", number)
        elif isinstance(source, str | os.PathLike):
            yield from _from_path(Path(source), explicit=True)
        elif isinstance(source, Stream):
            yield from _stream(source)
        else:
            where = f"<records>:{number}"
            yield Skipped(
                where, f"{where}: a {type(source).__name__}, not a path, a Document or an {{id, text}} record"
            )


def count(sources: Iterable[Source]) -> int | None:
    """About how many records ``records(sources)`` yields, counted cheaply before the work (files of a folder,
    lines of a JSONL, captures of a WARC without their bodies), for a progress bar's total; None for a stream,
    which cannot be counted without reading it."""
    total = 0
    for source in sources:
        if isinstance(source, Stream):
            return None
        if not isinstance(source, str | os.PathLike):
            total += 1
            continue
        path = Path(source)
        try:
            if path.is_dir():
                total += sum(_count_path(f) for f in path.rglob("*") if f.is_file() and not f.name.startswith("."))
            else:
                total += _count_path(path)
        except (OSError, EOFError, gzip.BadGzipFile, ValueError):
            total += 1  # read again, and skipped with its reason, by records()
    return total


def _count_path(path: Path) -> int:
    suffix = _suffix(path)
    if suffix in JSONL_SUFFIXES:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as f:
            return sum(1 for line in f if line.strip())
    if suffix in WARC_SUFFIXES:
        from fastwarc.warc import ArchiveIterator

        with open(path, "rb") as f:
            kinds = (str(r.record_type).rsplit(".", 1)[-1] for r in ArchiveIterator(f, parse_http=False))
            return sum(kind not in _NOT_CAPTURES for kind in kinds)
    return 1


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in JSONL_SUFFIXES + WARC_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def _from_path(path: Path, explicit: bool) -> Iterator[Record | Skipped]:
    where = str(path)
    try:
        is_dir = path.is_dir()
    except OSError as err:  # a name too long, a permission denied on the way
        yield Skipped(where, f"{where}: cannot read it ({err.strerror or err})")
        return
    if is_dir:
        for child in sorted(path.rglob("*")):
            if child.is_file() and not child.name.startswith("."):
                yield from _from_path(child, explicit=False)
        return
    if not path.exists():
        yield Skipped(where, f"{where}: no such file or folder", "missing")
        return
    suffix = _suffix(path)
    try:
        if suffix in JSONL_SUFFIXES:
            yield from _jsonl(path)
        elif suffix in WARC_SUFFIXES:
            yield from _warc(path)
        else:
            yield _page(path, explicit)
    except UnspinError as err:
        yield Skipped(where, str(err))
    except (OSError, EOFError, gzip.BadGzipFile, ValueError) as err:
        yield Skipped(where, f"{where}: cannot read it ({err})")


def _page(path: Path, explicit: bool) -> Record | Skipped:
    """A file of a folder (or named on its own): a web page with an article, or a plain text file; judged by
    its content, so a stylesheet called .html or a page saved without a suffix is told for what it is."""
    where = str(path)
    if not path.is_file():  # a FIFO or a device: never opened here (it could block); load says what it is
        return Record(where, load(path))
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    text_head = head.decode("utf-8", "replace")
    if looks_like_html(text_head):
        try:
            doc = load(path)
        except InputError as err:
            if "no article" not in str(err):
                raise
            return Skipped(where, f"{where}: no article text in this page", "no article")
        if len(doc.text) < MIN_ARTICLE:
            return Skipped(where, f"{where}: no article (only {len(doc.text)} characters of text)", "no article")
        return Record(where, doc)
    if path.suffix.lower() in TEXT_SUFFIXES or (explicit and not _binary(head)) or _plain_text(head):
        return Record(where, load(path))
    return Skipped(where, f"{where}: not HTML or text ({path.suffix or 'no suffix'})", "not HTML")


def _binary(head: bytes) -> bool:
    return b"\x00" in head


def _plain_text(head: bytes) -> bool:
    """Prose rather than code or markup: no NUL bytes, few braces and semicolons, no leading tag."""
    if not head.strip() or _binary(head):
        return False
    text = head.decode("utf-8", "replace")
    code = sum(text.count(c) for c in "{};<>=")
    return not text.lstrip().startswith(("<", "{", "[")) and code < len(text) * 0.01


def _jsonl(path: Path) -> Iterator[Record | Skipped]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as f:
        yield from _jsonl_lines(f, str(path))


def _jsonl_lines(lines: Iterable[bytes], origin: str) -> Iterator[Record | Skipped]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            data = json.loads(line)
        except RecursionError:
            yield Skipped(where, f"{where}: JSON nested too deeply")
            continue
        except ValueError as err:  # JSONDecodeError, UnicodeDecodeError, a number of over 4,300 digits
            yield Skipped(where, f"{where}: not a JSON line ({err.__class__.__name__})")
            continue
        if not isinstance(data, dict):
            yield Skipped(where, f"{where}: a JSON line must be an object with 'id' and 'text'")
            continue
        yield _from_mapping(data, origin, number)


def _stream(source: Stream) -> Iterator[Record | Skipped]:
    """A stream's JSONL records, read as they come, or the one document it holds."""
    limit = int(settings.get("max_bytes"))
    head: list[bytes] = []
    while line := source.file.readline(limit + 1):  # bounded: a text of one endless line is refused by its size
        head.append(line)
        if line.strip():
            break
    first = head[-1].strip() if head else b""
    if first.startswith(b"{"):
        try:
            jsonl = isinstance(json.loads(first), dict)
        except (ValueError, RecursionError):
            jsonl = False
        if jsonl:
            yield from _jsonl_lines(itertools.chain(head, source.file), source.name)
            return
    data = b"".join(head)
    try:
        doc = from_bytes(data + source.file.read(max(limit + 1 - len(data), 0)), name=source.name)
    except UnspinError as err:
        yield Skipped(source.name, str(err))
        return
    yield Record(source.name, doc)


def _from_mapping(data: Mapping[str, Any], origin: str, number: int) -> Record | Skipped:
    raw = data.get("id")
    key = str(raw) if isinstance(raw, str | int) and str(raw).strip() else f"{origin}:{number}"
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        return Skipped(_printable(key), f"{_printable(key)}: no text")
    meta = {
        name: data[name] for name in META_FIELDS if isinstance(data.get(name), str | int | float) and data[name] != ""
    }
    bad = _unencodable(key, text, *(v for v in meta.values() if isinstance(v, str)))
    if bad:
        return Skipped(_printable(key), f"{origin}:{number}: {bad}")
    return Record(key, Document(name=key, text=text, path=None, format="text", encoding="utf-8", meta=meta))


def _printable(key: str) -> str:
    """``key`` with any lone surrogate replaced, so the reason can be printed and stored."""
    return key.encode("utf-8", "replace").decode("utf-8")


def _unencodable(*texts: str) -> str | None:
    """Why one of ``texts`` cannot be stored (a lone surrogate, which UTF-8 cannot encode), or None."""
    for text in texts:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as err:
            return f"a lone surrogate (U+{ord(text[err.start]):04X}) at character {err.start}; not valid Unicode text"
    return None


def _warc(path: Path) -> Iterator[Record | Skipped]:
    """Documents of a WARC file; every other capture as Skipped with its cause; a file cut short as one
    Skipped of cause ``truncated file`` after the records read before the cut."""
    from fastwarc.warc import ArchiveIterator

    where = str(path)
    read = 0
    last: tuple[int, bool] | None = None  # (stream position, complete) of the last record
    with open(path, "rb") as f:
        for record in ArchiveIterator(f, parse_http=True):
            read += 1
            kind = str(record.record_type).rsplit(".", 1)[-1]
            body = record.reader.read()
            complete = len(body) >= record.content_length  # after parse_http: the payload's length
            last = (record.stream_pos, complete)
            if kind in _NOT_CAPTURES:
                continue
            key = record.headers.get("WARC-Target-URI") or record.record_id or f"{where}@{record.stream_pos}"
            yield _capture(record, kind, key, body, complete, where)
    if read == 0:
        yield Skipped(where, f"{where}: no WARC records in this file; is it a WARC?", "not a WARC")
    elif last is not None and (not last[1] or _cut_gzip(path, last[0])):
        yield Skipped(
            where,
            f"{where}: the file is cut short after {read} records; the records before the cut were kept",
            "truncated file",
        )


def _capture(record: Any, kind: str, key: str, body: bytes, complete: bool, where: str) -> Record | Skipped:
    """One captured record (response, revisit, resource) as a document or as Skipped with its cause."""
    if kind != "response":
        return Skipped(key, f"{key}: a {kind} record, not a response", kind)
    if key.startswith("dns:"):
        return Skipped(key, f"{key}: a DNS lookup, not a page", "DNS")
    if record.http_headers is None:
        return Skipped(key, f"{key}: no HTTP response in this record", "not HTTP")
    status = record.http_headers.status_code
    if status != 200:
        return Skipped(key, f"{key}: HTTP status {status}", f"status {status}")
    content_type = (record.http_content_type or "").lower()
    html = "html" in content_type
    if not (html or content_type.startswith("text/plain")):
        return Skipped(key, f"{key}: not HTML or plain text ({content_type or 'no content type'})", "not HTML")
    if urlsplit(key).path.lower().endswith("/robots.txt"):
        return Skipped(key, f"{key}: a robots.txt file, not a page", "robots.txt")
    if not complete:
        return Skipped(key, f"{key}: the record is cut short (the file ends inside it)", "truncated")
    try:
        text, encoding = _decode_body(body, record.http_charset, key)
    except UnspinError as err:
        return Skipped(key, str(err), "empty" if not body.strip() else "unreadable")
    meta: dict[str, Any] = {"url": key, "site": _site(key)}
    if html or looks_like_html(text[:SNIFF_BYTES]):
        try:
            text, found = html_article(text, key, url=key)
        except InputError:
            return Skipped(key, f"{key}: no article text in this page", "no article")
        if len(text) < MIN_ARTICLE:
            return Skipped(key, f"{key}: no article (only {len(text)} characters of text)", "no article")
        meta.update({k: v for k, v in found.items() if k not in ("url", "site")})
        fmt = "html"
    else:
        fmt = "text"
    crawled = record.headers.get("WARC-Date")
    if crawled:
        meta["crawled"] = crawled
    return Record(key, Document(name=key, text=text, path=where, format=fmt, encoding=encoding, meta=meta))


def _site(url: str) -> str | None:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _cut_gzip(path: Path, position: int) -> bool:
    """Whether a .warc.gz ends inside a gzip member: the file is cut, and the record at ``position`` (the last
    one read) or one after it was lost."""
    if not path.name.lower().endswith(".gz"):
        return False
    with open(path, "rb") as f:
        f.seek(position)
        data = f.read()
    while data:
        inflate = zlib.decompressobj(wbits=31)
        try:
            inflate.decompress(data)
        except zlib.error:
            return _cut_whole_gzip(path)  # not a member boundary: a file compressed in one piece
        if not inflate.eof:
            return True
        data = inflate.unused_data
    return False


def _cut_whole_gzip(path: Path) -> bool:
    try:
        with gzip.open(path, "rb") as f:
            while f.read(1 << 20):
                pass
    except EOFError:
        return True
    except (OSError, zlib.error):
        return True
    return False


def _decode_body(body: bytes, charset: str | None, where: str) -> tuple[str, str]:
    if charset:
        try:
            return io.TextIOWrapper(io.BytesIO(body), encoding=charset).read(), charset
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(body, where)
