"""Evasion for evaluation: a verbatim copy disguised with characters a reader never sees or never notices.

``disguise(text, kind, seed)`` returns the text with one evasion a content farm uses against matchers, applied
inside words: ``zero-width`` (a zero-width space), ``soft-hyphen``, ``bidi`` (a left-to-right mark),
``variation-selector`` (VS-16 after a letter), ``look-alike`` (Cyrillic or Greek letters for Latin ones, from
Unicode's confusables table as ``unspin.normalize`` reads it), ``full-width`` (whole words in full-width
forms), ``ligature`` ("ﬁ", "ﬂ", "ﬀ" for their letters, in every word that has them: few words do), or
``all`` of them together. Otherwise about a third of the words of four letters or more are touched, each at a
random inner position. Same text, kind and seed: same
result.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

from ..normalize import look_alikes

__all__ = ["KINDS", "disguise"]

KINDS = ("zero-width", "soft-hyphen", "bidi", "variation-selector", "look-alike", "full-width", "ligature")
_INSERTED = {"zero-width": "\u200b", "soft-hyphen": "\u00ad", "bidi": "\u200e", "variation-selector": "\ufe0f"}
_LIGATURES = {"ffi": "\ufb03", "ffl": "\ufb04", "ff": "\ufb00", "fi": "\ufb01", "fl": "\ufb02"}
_WORD = re.compile(r"[A-Za-z]{4,}")
_SHARE = 1 / 3


def disguise(text: str, kind: str, seed: int = 0) -> str:
    """``text`` with the evasion ``kind`` (one of ``KINDS``, or ``all``) inside about a third of its words."""
    if kind not in (*KINDS, "all"):
        raise ValueError(f"kind must be one of {', '.join((*KINDS, 'all'))}, not {kind!r}")
    rng = random.Random(seed)
    kinds = KINDS if kind == "all" else (kind,)
    share = 1.0 if kind == "ligature" else _SHARE
    return _WORD.sub(lambda m: _touch(m.group(), rng.choice(kinds), rng) if rng.random() < share else m.group(), text)


def _touch(word: str, kind: str, rng: random.Random) -> str:
    if kind in _INSERTED:
        at = rng.randrange(1, len(word))
        return word[:at] + _INSERTED[kind] + word[at:]
    if kind == "look-alike":
        table = _by_letter()
        spots = [k for k, c in enumerate(word) if c in table]
        chosen = set(rng.sample(spots, min(len(spots), 2)))
        return "".join(rng.choice(table[c]) if k in chosen else c for k, c in enumerate(word))
    if kind == "full-width":
        return "".join(chr(ord(c) + 0xFEE0) for c in word)
    for letters, ligature in _LIGATURES.items():  # ligature: where the word has none, it is left alone
        if letters in word:
            return word.replace(letters, ligature, 1)
    return word


@lru_cache(maxsize=1)
def _by_letter() -> dict[str, list[str]]:
    """ASCII letter -> the Cyrillic and Greek letters that look like it."""
    table: dict[str, list[str]] = {}
    for char, letter in sorted(look_alikes().items()):
        if char.isalpha() and ("CYRILLIC" in _name(char) or "GREEK" in _name(char)):
            table.setdefault(letter, []).append(char)
    return table


def _name(char: str) -> str:
    import unicodedata

    return unicodedata.name(char, "")
