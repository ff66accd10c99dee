"""Document and Span value types, and ``load`` for paths and strings.

Offsets are ``str`` indices into ``Document.text``, end exclusive. ``text`` is the file as decoded
(a UTF-8 byte-order mark is not part of it); for HTML it is the text trafilatura extracts, so HTML
offsets point into that extracted text, not into the markup.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import settings
from .errors import EncodingError, InputError

TEXT_SUFFIXES = (".txt", ".md", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_PATHLIKE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + (".jsonl", ".gz", ".warc", ".xml", ".json")


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range [start, end) of a document's text, with the text it covers."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(int(data["start"]), int(data["end"]), str(data["text"]))

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        return cls(start, end, text[start:end])


@dataclass(frozen=True, slots=True)
class Document:
    """One text as unspin sees it: where it came from, and its text as decoded or extracted."""

    name: str
    text: str
    path: str | None = None
    format: str = "text"
    encoding: str = "utf-8"
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "format": self.format,
            "encoding": self.encoding,
            "meta": dict(self.meta),
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(
            name=data["name"],
            text=data["text"],
            path=data.get("path"),
            format=data.get("format", "text"),
            encoding=data.get("encoding", "utf-8"),
            meta=dict(data.get("meta") or {}),
        )


def load(source: str | os.PathLike[str] | Document, *, name: str | None = None) -> Document:
    """A Document from a path (.txt, .md, .html, .htm) or from the text itself.

    A string is read as a path when it is one line that names an existing file or ends in a
    file suffix; a missing path then raises InputError rather than being compared as text.
    """
    if isinstance(source, Document):
        return source
    if not isinstance(source, str | os.PathLike):
        raise InputError(f"a document must be a path, a text or a Document, not {type(source).__name__}")
    if isinstance(source, os.PathLike) or _looks_like_path(source):
        return _load_path(Path(source))
    return from_text(str(source), name=name or "<text>")


def from_text(text: str, *, name: str = "<text>", html: bool | None = None, encoding: str = "str") -> Document:
    """A Document from the text itself, never read as a path (for texts from a form, a socket, a queue).

    HTML (``html=True``, or, when ``html`` is None, a text that looks like a page) becomes its article text.
    """
    if not isinstance(text, str):
        raise InputError(f"{name}: the text must be a string, not {type(text).__name__}")
    if not text.strip():
        raise InputError(f"{name}: the text is empty; give a file or a non-empty string")
    fmt = "html" if (_looks_like_html(text) if html is None else html) else "text"
    meta: dict[str, Any] = {}
    if fmt == "html":
        text, meta = html_article(text, name)
    return Document(name=name, text=text, format=fmt, encoding=encoding, meta=meta)


def from_bytes(data: bytes, *, name: str = "<stdin>") -> Document:
    """A Document from a file's bytes read elsewhere (standard input), decoded as a file's are; a page (HTML)
    becomes its article text."""
    limit = int(settings.get("max_bytes"))
    if len(data) > limit:
        raise InputError(f"{name}: over the {limit / 1e6:.0f} MB limit for one document; split it")
    text, encoding = decode(data, name)
    return from_text(text, name=name, encoding=encoding)


def _looks_like_path(source: str) -> bool:
    if "\n" in source or len(source) > 1024 or not source.strip():
        return False
    return os.path.exists(source) or source.lower().endswith(_PATHLIKE_SUFFIXES)


def _load_path(path: Path) -> Document:
    where = str(path)
    try:
        info = path.stat()
    except OSError as err:
        raise InputError(f"{where}: {_problem(err)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{where}: is a folder, not a file; give one document")
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
        raise InputError(f"{where}: not a regular file (a pipe, socket or device); give a saved document")
    limit = int(settings.get("max_bytes"))
    if info.st_size > limit:
        raise InputError(
            f"{where}: {info.st_size / 1e6:.1f} MB is over the {limit / 1e6:.0f} MB limit for one document; split it"
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{where}: {_problem(err)}") from None
    text, encoding = decode(data, where)
    fmt = "html" if path.suffix.lower() in HTML_SUFFIXES or _looks_like_html(text) else "text"
    meta: dict[str, Any] = {}
    if fmt == "html":
        text, meta = html_article(text, where)
    return Document(name=path.name, text=text, path=where, format=fmt, encoding=encoding, meta=meta)


def decode(data: bytes, where: str) -> tuple[str, str]:
    """Text and encoding name of a file's bytes: UTF-8 (with or without BOM), UTF-16 (with BOM, or mostly-Latin
    text without one), cp1252. Bytes with no text in them (only a byte-order mark, only spaces) are refused."""
    text, encoding = _decode(data, where)
    if not text.strip():
        raise InputError(f"{where}: the file is empty; nothing to compare")
    return text, encoding


def _decode(data: bytes, where: str) -> tuple[str, str]:
    if not data.strip():
        raise InputError(f"{where}: the file is empty; nothing to compare")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            raise EncodingError(f"{where}: broken UTF-16 at byte {err.start}; re-save it as UTF-8") from None
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError as err:
            raise EncodingError(f"{where}: broken UTF-16 at byte {err.start}; re-save it as UTF-8") from None
    if _looks_binary(data):
        raise InputError(f"{where}: looks like a binary file, not text; give a .txt, .md or .html document")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise EncodingError(
                f"{where}: invalid UTF-8 at byte {err.start + 3} after a UTF-8 byte-order mark; re-save it as UTF-8"
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_err:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise EncodingError(
                f"{where}: bytes at offset {utf8_err.start} are neither UTF-8 nor cp1252; re-save it as UTF-8"
            ) from None


def _problem(err: OSError) -> str:
    """What an OSError from opening a document means, in words, with the next step."""
    if err.errno in (errno.ENOENT, errno.ENOTDIR):
        return "no such file; check the path"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "permission denied; check the file's permissions"
    if err.errno == errno.ENAMETOOLONG:
        return "the file name is too long for this system"
    if err.errno == errno.ELOOP:
        return "a loop of symbolic links; fix the link"
    return f"cannot read it ({err.strerror or err})"


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``-be`` when the bytes look like mostly-Latin UTF-16 text without a byte-order mark
    (every other byte NUL, on one side only), else None."""
    head = data[:8192]
    if len(head) < 4:
        return None
    pairs = len(head) // 2
    even, odd = head[0 : 2 * pairs : 2].count(0), head[1 : 2 * pairs : 2].count(0)
    if odd > pairs * 0.6 and even < pairs * 0.05:
        codec = "utf-16-le"
    elif even > pairs * 0.6 and odd < pairs * 0.05:
        codec = "utf-16-be"
    else:
        return None
    sample = head[: 2 * pairs].decode(codec, errors="replace")  # text has spaces between its words
    spaces = sum(c.isspace() for c in sample)
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\f\r")
    return codec if spaces > len(sample) * 0.05 and controls < len(sample) * 0.05 else None


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(head) * 0.05


def _looks_like_html(text: str) -> bool:
    return looks_like_html(text)


def looks_like_html(text: str) -> bool:
    """Whether a text reads as a web page by its content (markup first, a doctype or an ``<html>``, ``<head>``
    or ``<body>`` tag in its first 64 KB: real pages often open with an injected script), whatever its name."""
    head = text[:65_536].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")):
        return True
    return head.startswith("<") and any(tag in head for tag in ("<html", "<head>", "<head ", "<body")) and "</" in head


def _html_to_text(html: str, where: str) -> str:
    return html_article(html, where)[0]


def html_article(html: str, where: str, url: str | None = None) -> tuple[str, dict[str, str]]:
    """The article text of a page and its metadata (title, date published, url, site, author, language:
    those the page states, from its meta tags, JSON-LD and markup); InputError when there is no article.

    One trafilatura pass: the text is exactly what ``trafilatura.extract`` returns for the same options.
    """
    from trafilatura import bare_extraction
    from trafilatura.core import determine_returnstring
    from trafilatura.settings import Extractor

    options = Extractor(precision=True, comments=False, tables=True, with_metadata=True, url=url)
    found = bare_extraction(html, options=options, as_dict=False)
    options.with_metadata = False  # the text without trafilatura's metadata header
    text = determine_returnstring(found, options) if found is not None else ""
    if not text or not text.strip():
        raise InputError(f"{where}: no article text found in this HTML page")
    meta = {
        "title": found.title,
        "date": found.date,
        "url": found.url or url,
        "site": found.hostname or _host(found.url or url),
        "author": found.author,
        "language": _primary(found.language) if found.language else _html_language(html),
    }
    return text, {k: str(v).strip() for k, v in meta.items() if v and str(v).strip()}


def _host(url: str | None) -> str | None:
    from urllib.parse import urlsplit

    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    return host.removeprefix("www.") or None


_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)""", re.IGNORECASE)


def _html_language(html: str) -> str | None:
    """The language the page's markup declares (``<html lang>``), its primary subtag, e.g. ``de``."""
    found = _LANG.search(html[:65_536])
    return _primary(found.group(1)) if found else None


def _primary(language: str) -> str:
    """The primary subtag of a language tag, lower-case: ``de-DE`` -> ``de``."""
    return language.replace("_", "-").split("-")[0].lower()
