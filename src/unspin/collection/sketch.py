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
from functools import lru_cache

import numpy as np

from ..words import STOPWORDS, zipf

SHINGLE = 5
PERMUTATIONS = 128
BANDS = 32
ROWS = PERMUTATIONS // BANDS
ANCHOR_K = 64
RARE_ZIPF = 3.0  # a lower-case word this rare (wordfreq zipf) is an anchor
NAME_ZIPF = 4.0  # a capitalised sentence-initial word this rare is taken as a name
ENGLISH_STOPWORDS = 0.2  # share of English function words from which a text reads as English

_WORD = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+")
_WORD_AFTER = re.compile(r"([.!?\n][^\w]*)?(\d+(?:[.,:]\d+)*|[^\W\d_]+)")  # group 1: a sentence ended before
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_rng = np.random.default_rng(20240417)
_A = (_rng.integers(1, 2**63, PERMUTATIONS, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64)
_POSITION = _rng.integers(1, 2**63, SHINGLE, dtype=np.uint64) | np.uint64(1)
_BAND_MIX = _rng.integers(1, 2**63, ROWS, dtype=np.uint64) | np.uint64(1)
_BAND_SALT = _rng.integers(0, 2**63, BANDS, dtype=np.uint64)
_PAIR_MIX = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=500_000)
def token_hash(token: str) -> int:
    """A stable 64-bit hash of one token."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


def words(text: str) -> list[str]:
    """Lower-cased words and numbers of a text (the shingle vocabulary)."""
    return [m.group().lower() for m in _WORD.finditer(text)]


def reads_english(tokens: list[str]) -> bool:
    """True when at least ``ENGLISH_STOPWORDS`` of the words are English function words (cheap language hint)."""
    sample = tokens[:400]
    return bool(sample) and sum(t in STOPWORDS for t in sample) >= ENGLISH_STOPWORDS * len(sample)


def _hashes(tokens: list[str]) -> np.ndarray:
    return np.fromiter((token_hash(t) for t in tokens), dtype=np.uint64, count=len(tokens))


def shingle_hashes(tokens: list[str], n: int = SHINGLE) -> np.ndarray:
    """Distinct 64-bit hashes of the word n-grams (the whole text when shorter than n)."""
    h = _hashes(tokens)
    if len(h) == 0:
        return h
    if len(h) < n:
        return np.unique(h * _POSITION[0])
    out = np.zeros(len(h) - n + 1, dtype=np.uint64)
    for j in range(n):
        out += h[j : len(h) - n + 1 + j] * _POSITION[j]  # wraps modulo 2**64, as intended
    return np.unique(out)


def minhash(tokens: list[str]) -> np.ndarray:
    """The MinHash signature (``PERMUTATIONS`` uint32) of the text's word 5-gram shingles."""
    shingles = shingle_hashes(tokens)
    if len(shingles) == 0:
        return np.full(PERMUTATIONS, 0xFFFFFFFF, dtype=np.uint32)
    mixed = shingles[:, None] * _A[None, :] + _B[None, :]
    return (mixed.min(axis=0) >> np.uint64(32)).astype(np.uint32)


def band_keys(signature: np.ndarray) -> np.ndarray:
    """One signed 64-bit key per LSH band: two signatures share a key when they agree on a whole band."""
    rows = signature.astype(np.uint64).reshape(BANDS, ROWS)
    keys = (rows * _BAND_MIX[None, :]).sum(axis=1) + _BAND_SALT
    return keys.view(np.int64)


def minhash_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets."""
    return float(np.mean(a == b))


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
    h = _hashes(anchor_words)
    if len(h) < 2:
        pairs = h
    else:
        pairs = h[:-1] * _PAIR_MIX + h[1:]
    unique = np.unique(pairs)  # sorted ascending
    return np.sort(unique[:ANCHOR_K].view(np.int64))


def minhash_similarities(signature: np.ndarray, signatures: np.ndarray) -> np.ndarray:
    """``minhash_similarity`` of one signature against each row of a matrix of signatures."""
    if len(signatures) == 0:
        return np.zeros(0)
    return np.asarray((signatures == signature[None, :]).mean(axis=1), dtype=np.float64)


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


def sketch_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Bottom-k estimate of the Jaccard similarity of two anchor-pair sets."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    ua, ub = np.sort(a.view(np.uint64)), np.sort(b.view(np.uint64))
    union = np.union1d(ua, ub)[: max(len(ua), len(ub))]
    both = np.intersect1d(np.intersect1d(ua, ub), union)
    return float(len(both) / len(union))
