"""Cheap, stable fingerprints of a whole document, for candidate search over a collection.

* ``minhash``: classic MinHash (``PERMUTATIONS`` permutations) of lower-cased word 5-gram shingles, with
  LSH band keys (``BANDS`` bands of ``ROWS`` rows): finds verbatim and near-verbatim copies.
* ``anchor_sketch``: the bottom-``ANCHOR_K`` hashes of consecutive pairs of *anchors*, the words a spinner or a
  translator leaves alone (names, numbers, rare words), in text order: finds spun copies that share almost
  no 5-gram with their source.

Hashes are 64-bit, stable across processes (blake2b of the token, then multiply-shift mixing in numpy), and
stored as signed 64-bit integers because that is what SQLite keeps.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat

import numpy as np

from ..normalize import normalize
from ..words import STOPWORDS, zipf
from .arrays import distinct

SHINGLE = 5
PERMUTATIONS = 128
BANDS = 32
ROWS = PERMUTATIONS // BANDS
ANCHOR_K = 64
RARE_ZIPF = 3.0  # a lower-case word this rare (wordfreq zipf) is an anchor
NAME_ZIPF = 4.0  # a capitalised sentence-initial word this rare is taken as a name
ENGLISH_STOPWORDS = 0.2  # share of English function words from which a text reads as English
SENTENCE_WORDS = 6  # shorter sentences ("He declined to comment.") are too generic to be keyed

_WORD = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+")
_WORD_AFTER = re.compile(r"([.!?\n][^\w]{0,64}+)?(\d+(?:[.,:]\d+)*|[^\W\d_]+)")  # group 1: a sentence ended before
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_rng = np.random.default_rng(20240417)
_A = (_rng.integers(1, 2**63, PERMUTATIONS, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64)
_POSITION = _rng.integers(1, 2**63, SHINGLE, dtype=np.uint64) | np.uint64(1)
_BAND_MIX = _rng.integers(1, 2**63, ROWS, dtype=np.uint64) | np.uint64(1)
_BAND_SALT = _rng.integers(0, 2**63, BANDS, dtype=np.uint64)
_PAIR_MIX = np.uint64(0x9E3779B97F4A7C15)
_SENTENCE_MIX = _rng.integers(1, 2**63, 16, dtype=np.uint64) | np.uint64(1)  # by word position in the sentence
_NUMBER_HASH = -0x3C6EF372FE94F82B  # every number's word hash in a sentence key


@lru_cache(maxsize=500_000)
def token_hash(token: str) -> int:
    """A stable 64-bit hash of one token."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


def words(text: str) -> list[str]:
    """Lower-cased words and numbers of a text (the shingle vocabulary)."""
    return list(map(str.lower, _WORD.findall(text)))


def reads_english(tokens: list[str]) -> bool:
    """True when at least ``ENGLISH_STOPWORDS`` of the words are English function words (cheap language hint)."""
    sample = tokens[:400]
    return bool(sample) and sum(map(STOPWORDS.__contains__, sample)) >= ENGLISH_STOPWORDS * len(sample)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A document's cheap fingerprints, as the collection stores and compares them."""

    signature: np.ndarray  # MinHash, PERMUTATIONS uint32
    anchors: np.ndarray  # anchor sketch, sorted int64
    english: bool
    sentences: np.ndarray  # distinct sentence keys (int64, sorted), see ``sentence_keys``


def fingerprint(text: str, language: str = "en") -> Fingerprint:
    """``minhash(words(text))``, ``anchor_sketch(anchors(text, language))``, ``reads_english`` and the
    distinct ``sentence_keys``: the same values at a fraction of the cost, for every document the
    collection indexes.

    One regex pass yields the words and, between them, the sentence ends that make the next word a
    sentence start (what ``_WORD_AFTER``'s group 1 matches); a dict maps each to a vocabulary number, and
    numpy does the rest through per-number tables. Python runs per word only for words not seen before.
    """
    _VOCABULARY.trim()
    if not text.isascii():  # what a reader sees: invisible and look-alike characters undone, as compare does
        text = normalize(text).text
    found = (_ASCII_TOKENS if text.isascii() else _TOKENS).findall(text)
    ids = _VOCABULARY.ids(found)
    word = ~_VOCABULARY.is_end[ids]
    after_end = np.ones(len(word), dtype=bool)  # the first word starts a sentence, as do words after an end
    after_end[1:] = ~word[:-1]
    starts = after_end[word]
    keys = distinct(_sentence_keys(ids, word)[0])
    ids = ids[word]
    plain, start = _VOCABULARY.anchors(ids, language)
    anchors = np.where(starts, start, plain)
    sample = ids[:400]
    english = bool(len(sample)) and int(_VOCABULARY.is_stop[sample].sum()) >= ENGLISH_STOPWORDS * len(sample)
    tokens = _VOCABULARY.token_hash[ids].view(np.uint64)
    return Fingerprint(
        _minhash(_shingles(tokens)), anchor_sketch_of(anchors[anchors != 0].view(np.uint64)), english, keys
    )


def sentence_keys(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A key (int64) for each sentence of at least ``SENTENCE_WORDS`` words, and its character span
    (starts, ends), in text order.

    The key hashes the sentence's lower-cased words in order with every number as one placeholder, so a
    stock sentence of recurring reports ("Initial claims for state unemployment benefits fell 12,000 ...")
    keys the same every week. Sentences end where ``fingerprint`` sees sentence starts (a cruder cut than
    ``segment``'s, but the same in every document, which is all a key needs).
    """
    _VOCABULARY.trim()
    matches = list((_ASCII_TOKENS if text.isascii() else _TOKENS).finditer(text))
    ids = _VOCABULARY.ids([m.group() for m in matches])
    word = ~_VOCABULARY.is_end[ids]
    keys, first, end = _sentence_keys(ids, word)
    at = np.flatnonzero(word)  # word index -> token index
    starts = np.array([matches[i].start() for i in at[first].tolist()], dtype=np.int64)
    ends = np.array([matches[i].end() for i in at[end - 1].tolist()], dtype=np.int64)
    return keys, starts, ends


def _sentence_keys(ids: np.ndarray, word: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keys of the token stream's long enough sentences, with each one's first and end word (indices
    into the words, ends excluded)."""
    sentence = np.cumsum(~word)[word]  # sentence number of each word
    n = len(sentence)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    first = np.flatnonzero(np.concatenate([[True], sentence[1:] != sentence[:-1]]))  # np.r_ costs more than this
    lengths = np.diff(first, append=n)
    position = np.arange(n) - np.repeat(first, lengths)
    mixed = _VOCABULARY.masked_hash[ids[word]].view(np.uint64) * _SENTENCE_MIX[position % len(_SENTENCE_MIX)]
    keys = np.add.reduceat(mixed, first) + lengths.astype(np.uint64) * _PAIR_MIX  # wraps modulo 2**64
    keep = lengths >= SENTENCE_WORDS
    return keys[keep].view(np.int64), first[keep], (first + lengths)[keep]


# Words as _WORD finds them, and sentence ends as _WORD_AFTER's group 1 takes them (a "." between two
# digits is inside a number; the end must be followed by a word, within 64 characters: unbounded, every "."
# of a text of punctuation scanned to its end, 1 MB of it took hours). The ASCII twin is exact for ASCII text,
# and faster: most crawled text is ASCII.
_TOKENS = re.compile(r"[.!?\n](?!(?<=\d\.)\d)[^\w]{0,64}+(?=[^\W_])|" + _WORD.pattern)
_ASCII_TOKENS = re.compile(
    r"[.!?\n](?!(?<=[0-9]\.)[0-9])[^A-Za-z0-9_]{0,64}+(?=[A-Za-z0-9])|[0-9]+(?:[.,:][0-9]+)*|[A-Za-z]+"
)
_MISSING = -(2**63)  # "not computed yet" (a hash takes this value with probability 2**-64)


class _Vocabulary:
    """Tokens as written (words and sentence ends) numbered, with numpy tables of what ``fingerprint``
    needs per token: its hash, whether it is a sentence end or a stop word, its anchor hash per language."""

    LIMIT = 500_000  # tokens kept: a crawl's vocabulary keeps growing, so the tables start over past this

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.tokens: list[str] = []
        self.token_hash = np.zeros(1024, dtype=np.int64)  # tables with room to grow (doubled when full)
        self.is_end = np.zeros(1024, dtype=bool)
        self.is_stop = np.zeros(1024, dtype=bool)
        self.masked_hash = np.zeros(1024, dtype=np.int64)  # token_hash, numbers all one value
        self._anchors: dict[str, np.ndarray] = {}  # language -> (n, 2): anchor hash as it is, at a sentence start

    def trim(self) -> None:
        if len(self.tokens) > self.LIMIT:
            self.__init__()  # type: ignore[misc]

    def ids(self, found: list[str]) -> np.ndarray:
        ids = np.fromiter(map(self.numbers.get, found, repeat(-1)), dtype=np.int64, count=len(found))
        missing = np.flatnonzero(ids < 0)
        if len(missing):
            self._add(list(dict.fromkeys(found[i] for i in missing.tolist())))
            ids[missing] = [self.numbers[found[i]] for i in missing.tolist()]
        return ids

    def _add(self, new: list[str]) -> None:
        first, end = len(self.tokens), len(self.tokens) + len(new)
        if end > len(self.token_hash):
            size = max(2 * len(self.token_hash), end)
            self.token_hash, self.is_end, self.is_stop, self.masked_hash = (
                _resized(a, size) for a in (self.token_hash, self.is_end, self.is_stop, self.masked_hash)
            )
        self.tokens += new
        self.numbers.update(zip(new, range(first, end), strict=True))
        low = [t.lower() for t in new]
        self.token_hash[first:end] = [_blake(t) for t in low]
        self.is_end[first:end] = [t[0] in ".!?\n" for t in new]
        self.is_stop[first:end] = [t in STOPWORDS for t in low]
        self.masked_hash[first:end] = np.where([t[0].isdigit() for t in new], _NUMBER_HASH, self.token_hash[first:end])

    def anchors(self, ids: np.ndarray, language: str) -> tuple[np.ndarray, np.ndarray]:
        """The anchor hash (0: none) of each word, as it is and at a sentence start."""
        table = self._anchors.get(language)
        if table is None or len(table) < len(self.token_hash):
            table = self._anchors[language] = _resized(table, len(self.token_hash), _MISSING)
        todo = distinct(ids[table[ids, 0] == _MISSING])
        for i in todo.tolist():
            word = self.tokens[i]
            table[i] = [_anchor_hash(_anchor(word, False, language)), _anchor_hash(_anchor(word, True, language))]
        return table[ids, 0], table[ids, 1]


def _resized(table: np.ndarray | None, size: int, fill: int = 0) -> np.ndarray:
    """A copy of ``table`` with ``size`` rows, the new ones set to ``fill`` (a 2-column table when None)."""
    if table is None:
        return np.full((size, 2), fill, dtype=np.int64)
    out = np.full((size, *table.shape[1:]), fill, dtype=table.dtype)
    out[: len(table)] = table
    return out


_VOCABULARY = _Vocabulary()


def _anchor_hash(anchor: str) -> int:
    return _blake(anchor) if anchor else 0


def _blake(token: str) -> int:
    """``token_hash`` as a signed int (numpy converts a Python int of 2**63 or more through a slow path)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def _hashes(tokens: list[str]) -> np.ndarray:
    return np.array([token_hash(t) for t in tokens], dtype=np.uint64)


def shingle_hashes(tokens: list[str], n: int = SHINGLE) -> np.ndarray:
    """Distinct 64-bit hashes of the word n-grams (the whole text when shorter than n)."""
    return _shingles(_hashes(tokens), n)


def _shingles(h: np.ndarray, n: int = SHINGLE) -> np.ndarray:
    if len(h) == 0:
        return h
    if len(h) < n:
        return distinct(h * _POSITION[0])
    out = np.zeros(len(h) - n + 1, dtype=np.uint64)
    for j in range(n):
        out += h[j : len(h) - n + 1 + j] * _POSITION[j]  # wraps modulo 2**64, as intended
    return distinct(out)


def minhash(tokens: list[str]) -> np.ndarray:
    """The MinHash signature (``PERMUTATIONS`` uint32) of the text's word 5-gram shingles."""
    return _minhash(shingle_hashes(tokens))


def _minhash(shingles: np.ndarray) -> np.ndarray:
    if len(shingles) == 0:
        return np.full(PERMUTATIONS, 0xFFFFFFFF, dtype=np.uint32)
    mixed = np.multiply.outer(shingles, _A)
    mixed += _B
    return (mixed.min(axis=0) >> np.uint64(32)).astype(np.uint32)


def band_keys(signature: np.ndarray) -> np.ndarray:
    """One signed 64-bit key per LSH band: two signatures share a key when they agree on a whole band.

    A matrix of signatures (one per row) gives a matrix of keys (``BANDS`` per row).
    """
    rows = signature.astype(np.uint64).reshape(*signature.shape[:-1], BANDS, ROWS)
    keys = (rows * _BAND_MIX).sum(axis=-1) + _BAND_SALT
    return keys.view(np.int64)


def anchors(text: str, language: str = "en") -> list[str]:
    """Names, numbers and rare words, lower-cased, in text order."""
    found: list[str] = []
    first = True
    for m in _WORD_AFTER.finditer(text):
        anchor = _anchor(m.group(2), first or m.group(1) is not None, language)
        first = False
        if anchor:
            found.append(anchor)
    return found


@lru_cache(maxsize=500_000)
def _anchor(word: str, sentence_start: bool, language: str) -> str:
    """The anchor a word gives ("" for none): numbers by their digits, names and rare words lower-cased."""
    if word[0].isdigit():
        return re.sub(r"\D", "", word)
    low = word.lower()
    if low in STOPWORDS or len(low) < 2:
        return ""
    if word[0].isupper():
        return low if not sentence_start or zipf(low, language) < NAME_ZIPF else ""
    return low if len(low) > 3 and zipf(low, language) < RARE_ZIPF else ""


def anchor_sketch(anchor_words: list[str]) -> np.ndarray:
    """Bottom-``ANCHOR_K`` signed 64-bit hashes of consecutive anchor pairs (sorted)."""
    return anchor_sketch_of(_hashes(anchor_words))


def anchor_sketch_of(h: np.ndarray) -> np.ndarray:
    """``anchor_sketch`` from the anchors' token hashes."""
    if len(h) < 2:
        pairs = h
    else:
        pairs = h[:-1] * _PAIR_MIX + h[1:]
    unique = distinct(pairs)  # sorted ascending
    return np.sort(unique[:ANCHOR_K].view(np.int64))


def sketch_similarities(sketch: np.ndarray, sketches: list[np.ndarray]) -> np.ndarray:
    """Estimated Jaccard similarity of one anchor sketch and each of several (vectorised).

    With bottom-k sketches, the share s of the smaller sketch found in the other grows with the Jaccard
    similarity J as about 2J / (1 + J); J is recovered as s / (2 - s).
    """
    out = np.zeros(len(sketches))
    if len(sketch) == 0 or not sketches:
        return out
    lengths = np.array([len(x) for x in sketches])
    flat = np.concatenate(sketches) if lengths.sum() else np.zeros(0, dtype=np.int64)
    hits = np.isin(flat, sketch)
    owners = np.repeat(np.arange(len(sketches)), lengths)
    shared = np.bincount(owners, weights=hits, minlength=len(sketches))
    smaller = np.maximum(np.minimum(lengths, len(sketch)), 1)
    share = np.minimum(shared / smaller, 1.0)
    return share / (2.0 - share)
