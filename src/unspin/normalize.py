"""Normalisation against evasion: the text a reader sees, with a map back to the text as written.

Content farms hide a verbatim copy from matchers with characters a reader never notices: invisible ones
inside words (zero-width space, soft hyphen, bidi controls, variation selectors: Unicode's
default-ignorable code points), look-alike letters from another script in Latin words (Cyrillic "а" for
"a": Unicode's confusables table, read from the maintained ``confusable-homoglyphs`` package, never a hand
list), and compatibility forms of letters and digits (full-width "Ａ", ligature "ﬁ", mathematical "𝐚":
NFKC). ``normalize(text)`` drops or folds them and keeps every change, so any range of the normalised
text maps back onto the original (``Normalized.span``) and the evidence says which characters, how many.

Letters of a non-Latin script are folded only inside a Latin word (one that also has ASCII letters), or,
in a document written mostly in Latin letters, in a word made only of letters that look Latin: a Russian
or Greek text is left as it is. Punctuation is never touched (full-width "，" is how CJK text is written).
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

__all__ = ["Change", "Normalized", "look_alikes", "normalize"]

_WORD = re.compile(r"[^\W\d_]+")
# default-ignorable code points that are not format characters (Cf): variation selectors, the combining
# grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian free variation selectors
_IGNORABLE = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x3164, 0x3164))
_IGNORABLE += ((0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0000, 0xE0FFF))
_SCANNED = (range(0x80, 0x20000), range(0xE0000, 0xE1000))  # planes holding every such character
_LATIN_LIKE = ("LATIN", "CYRILLIC", "GREEK")  # scripts whose words never need a joiner between letters


@dataclass(frozen=True, slots=True)
class Change:
    """One character of the original (``start``..``end``) dropped or replaced by ``replacement``."""

    start: int
    end: int
    replacement: str
    kind: str  # invisible | look-alike | full-width | ligature | styled | compatibility
    evasive: bool  # inside a word, where it hides the word from a matcher


@dataclass(frozen=True, slots=True)
class Normalized:
    """``text`` is ``original`` with ``changes`` applied; offsets of ``text`` map back with ``span``."""

    original: str
    text: str
    changes: tuple[Change, ...] = ()
    _norm_starts: tuple[int, ...] = field(default=(), repr=False)  # where each change begins in ``text``

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def start(self, offset: int) -> int:
        """The original offset where the normalised character at ``offset`` begins."""
        index = bisect.bisect_right(self._norm_starts, offset) - 1
        if index < 0:
            return offset
        begin, change = self._norm_starts[index], self.changes[index]
        if offset < begin + len(change.replacement):
            return change.start
        return offset - begin - len(change.replacement) + change.end

    def end(self, offset: int) -> int:
        """The original offset where the normalised range ending at ``offset`` ends."""
        index = bisect.bisect_left(self._norm_starts, offset) - 1
        if index < 0:
            return offset
        begin, change = self._norm_starts[index], self.changes[index]
        if offset <= begin + len(change.replacement):
            return change.end
        return offset - begin - len(change.replacement) + change.end

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original range holding normalised ``[start, end)``."""
        if end <= start:
            spot = self.start(start)
            return spot, spot
        return self.start(start), self.end(end)

    def evidence(self) -> dict[str, Counter[str]]:
        """Evasive changes by kind: character name -> how many."""
        found: dict[str, Counter[str]] = {}
        for change in self.changes:
            if change.evasive:
                char = self.original[change.start : change.end]
                found.setdefault(change.kind, Counter())[unicodedata.name(char[0], f"U+{ord(char[0]):04X}")] += 1
        return found

    def evasive_count(self) -> int:
        return sum(c.evasive for c in self.changes)


def normalize(text: str) -> Normalized:
    """``text`` without invisible characters, look-alike letters and compatibility forms, mapped back."""
    if text.isascii():
        return Normalized(text, text)
    present = {c for c in set(text) if not c.isascii()}  # set() runs in C: most texts stop here
    if not present & _special():
        return Normalized(text, text)
    hidden = present & _invisibles()
    changes = (_invisible(text, hidden) if hidden else []) + _letters(text)
    changes.sort(key=lambda c: c.start)
    pieces, starts, done, shift = [], [], 0, 0
    for change in changes:
        pieces += [text[done : change.start], change.replacement]
        starts.append(change.start + shift)
        shift += len(change.replacement) - (change.end - change.start)
        done = change.end
    pieces.append(text[done:])
    return Normalized(text, "".join(pieces), tuple(changes), tuple(starts))


def _invisible(text: str, hidden: set[str]) -> list[Change]:
    found = []
    for m in re.finditer("[" + "".join(re.escape(c) for c in sorted(hidden)) + "]", text):
        before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
        in_word = _latin_like_letter(before) and _latin_like_letter(after)
        found.append(Change(m.start(), m.end(), "", "invisible", in_word))
    return found


def _letters(text: str) -> list[Change]:
    table = _lookalikes()
    latin_text: bool | None = None
    found = []
    for word in _WORD.finditer(text):
        w = word.group()
        if w.isascii():
            continue
        has_ascii = any(c.isascii() for c in w)
        for k, char in enumerate(w):
            if char.isascii():
                continue
            at = word.start() + k
            folded = unicodedata.normalize("NFKC", char)
            if folded != char and folded.isascii():  # full-width, ligature, styled: Unicode says what it is
                kind = _compat_kind(char)
                found.append(Change(at, at + 1, folded, kind, kind != "compatibility"))
                continue
            prototype = table.get(char) or (table.get(folded) if len(folded) == 1 else None)
            if prototype is not None and not has_ascii:  # a word of look-alikes only: Latin in a Latin text
                if latin_text is None:
                    latin_text = _mostly_latin(text)
                if not latin_text or not all(
                    c.isascii() or c in table or unicodedata.normalize("NFKC", c) in table for c in w
                ):
                    prototype = None
            if prototype is not None:
                found.append(Change(at, at + 1, prototype, "look-alike", True))
            elif folded != char:
                kind = _compat_kind(char)
                found.append(Change(at, at + 1, folded, kind, kind != "compatibility"))
    return found


def _compat_kind(char: str) -> str:
    name = unicodedata.name(char, "")
    if "FULLWIDTH" in name or "HALFWIDTH" in name:
        return "full-width"
    if "LIGATURE" in name:
        return "ligature"
    if "MATHEMATICAL" in name:
        return "styled"  # bold, italic, script, double-struck letters: no text needs them
    return "compatibility"  # micro sign, ordinal indicators, long s: folded, but ordinary writing


def _latin_like_letter(char: str) -> bool:
    if not char or not char.isalpha():
        return False
    return char.isascii() or unicodedata.name(char, "").split(" ", 1)[0] in _LATIN_LIKE


def _mostly_latin(text: str) -> bool:
    letters = sum(1 for c in text if c.isalpha())
    ascii_letters = sum(1 for c in text if c.isascii() and c.isalpha())
    return ascii_letters * 2 >= letters


def look_alikes() -> dict[str, str]:
    """Unicode's confusables as this module reads them: a letter of another script -> the ASCII letter it
    looks like (Cyrillic "а" -> "a")."""
    return dict(_lookalikes())


@lru_cache(maxsize=1)
def _lookalikes() -> dict[str, str]:
    """Letters of other scripts that Unicode's confusables table says look like one ASCII letter."""
    path = resources.files("confusable_homoglyphs") / "confusables.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    table = {}
    for char, entry in data.items():
        if len(char) != 1 or char.isascii() or not char.isalpha():
            continue
        if unicodedata.name(char, "LATIN").split(" ", 1)[0] == "LATIN":
            continue  # Latin letters with marks ("ı", "ɑ") are how Turkish or IPA are written
        ascii_letters = [h["c"] for h in entry if len(h["c"]) == 1 and h["c"].isascii()]
        ascii_letters = [c for c in ascii_letters if c.isalpha()]
        if ascii_letters:
            table[char] = ascii_letters[0]
    return table


@lru_cache(maxsize=1)
def _invisibles() -> frozenset[str]:
    chars = [chr(cp) for r in _SCANNED for cp in r if unicodedata.category(chr(cp)) == "Cf"]
    chars += [chr(cp) for lo, hi in _IGNORABLE for cp in range(lo, hi + 1)]
    return frozenset(chars)


@lru_cache(maxsize=1)
def _special() -> frozenset[str]:
    """Every character ``normalize`` may change: a quick test that most texts pass unchanged."""
    chars = set(_lookalikes()) | _invisibles()
    for r in _SCANNED:
        for cp in r:
            char = chr(cp)
            category = unicodedata.category(char)
            if (category[0] == "L" or category == "Nd") and unicodedata.normalize("NFKC", char) != char:
                chars.add(char)
    return frozenset(chars)
