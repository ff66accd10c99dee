"""Documents to index, from paths (files, folders, .jsonl(.gz), .warc(.gz)) and in-memory records.

Every input becomes a stream of ``Record`` (a key and a Document) or ``Skipped`` (a key and why): one bad
document never stops a batch.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..document import HTML_SUFFIXES, TEXT_SUFFIXES, Document, _html_to_text, decode, load
from ..errors import UnspinError

META_FIELDS = ("title", "url", "site", "date", "language", "author")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
WARC_SUFFIXES = (".warc", ".warc.gz")
FILE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES


@dataclass(frozen=True, slots=True)
class Skipped:
    """A document left out of a batch, and why."""

    id: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Skipped:
        return cls(str(data["id"]), str(data["reason"]))


@dataclass(frozen=True, slots=True)
class Record:
    """One document to index under ``key`` (its id in the collection)."""

    key: str
    doc: Document


Source = str | os.PathLike[str] | Document | Mapping[str, Any]


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
        else:
            where = f"<records>:{number}"
            yield Skipped(
                where, f"{where}: a {type(source).__name__}, not a path, a Document or an {{id, text}} record"
            )


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
        yield Skipped(where, "no such file or folder")
        return
    suffix = _suffix(path)
    try:
        if suffix in JSONL_SUFFIXES:
            yield from _jsonl(path)
        elif suffix in WARC_SUFFIXES:
            yield from _warc(path)
        elif suffix in FILE_SUFFIXES or explicit:
            yield Record(where, load(path))
        else:
            yield Skipped(where, f"unsupported file type '{suffix or path.name}'")
    except UnspinError as err:
        yield Skipped(where, str(err))
    except (OSError, EOFError, gzip.BadGzipFile, ValueError) as err:
        yield Skipped(where, f"{where}: cannot read it ({err})")


def _jsonl(path: Path) -> Iterator[Record | Skipped]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
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
            yield _from_mapping(data, str(path), number)


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
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    with open(path, "rb") as f:
        for record in ArchiveIterator(f, record_types=WarcRecordType.response, parse_http=True):
            key = record.headers.get("WARC-Target-URI") or record.record_id or f"{path}@{record.stream_pos}"
            content_type = (record.http_content_type or "").lower()
            if content_type and not content_type.startswith(("text/", "application/xhtml")):
                yield Skipped(key, f"{key}: not a text page ({content_type})")
                continue
            body = record.reader.read()
            try:
                text, encoding = _decode_body(body, record.http_charset, key)
                if "html" in content_type or not content_type:
                    text = _html_to_text(text, key)
                    fmt = "html"
                else:
                    fmt = "text"
            except UnspinError as err:
                yield Skipped(key, str(err))
                continue
            meta: dict[str, Any] = {"url": key}
            crawled = record.headers.get("WARC-Date")
            if crawled:
                meta["crawled"] = crawled
            yield Record(key, Document(name=key, text=text, path=str(path), format=fmt, encoding=encoding, meta=meta))


def _decode_body(body: bytes, charset: str | None, where: str) -> tuple[str, str]:
    if charset:
        try:
            return io.TextIOWrapper(io.BytesIO(body), encoding=charset).read(), charset
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(body, where)
