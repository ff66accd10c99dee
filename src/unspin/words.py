"""What a word is worth as evidence: frequency (wordfreq), stop words, and a light lemma key."""

from __future__ import annotations

import math
import re
from functools import lru_cache

# Function words carry no evidence that two sentences share a source.
STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as into onto over under about after before
    between through during without within than then so such that this these those there here it its it's
    is are was were be been being am has have had having do does did doing will would shall should can
    could may might must not no nor i me my we us our you your he him his she her they them their who whom
    whose which what when where why how all any both each few more most other some only own same too very
    s t just also again once further up down out off very said says say told while because until against
    one two""".split()
)


@lru_cache(maxsize=64)
def _frequencies(language: str) -> dict[str, float]:
    """wordfreq's whole word list for a language (0.2 s once): a dict lookup is ~50x faster than
    ``zipf_frequency``, which re-tokenizes its argument on every call."""
    from wordfreq import get_frequency_dict

    try:
        return get_frequency_dict(language, wordlist="best")
    except LookupError:
        return {}


@lru_cache(maxsize=200_000)
def zipf(word: str, language: str = "en") -> float:
    """Zipf frequency (0 = unknown, 7 = 'the') of a lower-case word in ``language`` (ISO 639-1)."""
    frequency = _frequencies(language).get(word)
    if frequency is None and " " in word:  # a phrase: wordfreq combines its words' frequencies
        from wordfreq import zipf_frequency

        return zipf_frequency(word, language)
    return round(math.log10(frequency) + 9, 2) if frequency else 0.0


@lru_cache(maxsize=200_000)
def weight(word: str, language: str = "en") -> float:
    """Evidence weight of a content word: rare words count more; numbers and unknown names count most."""
    if word[0].isdigit():
        return 3.0
    return max(0.5, min(4.0, 7.0 - zipf(word, language)))


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """A crude English lemma key: 'soldiers' -> 'soldier', 'leaving' -> 'leave', 'closer' -> 'close'.

    A stripped form is kept only when wordfreq knows it as a word, so names are left alone.
    """
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix, replacements in _SUFFIXES:
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            for ending in replacements:
                candidate = stem + ending
                if len(candidate) > 2 and zipf(candidate) >= 2.5:
                    return candidate
            if len(stem) > 3 and stem[-1] == stem[-2] and zipf(stem[:-1]) >= 2.5:
                return stem[:-1]  # "stopped" -> "stop"
    return word


_SUFFIXES = (
    ("ies", ("y",)),
    ("sses", ("ss",)),
    ("es", ("e", "")),
    ("s", ("",)),
    ("ing", ("", "e")),
    ("ed", ("", "e")),
    ("er", ("", "e")),
)


def is_content(word: str) -> bool:
    return word not in STOPWORDS and (len(word) > 1 or word.isdigit() or not word.isascii())


def is_alpha_content(word: str | None) -> bool:
    """A word of letters only that is no stopword (stricter than ``is_content``: no numbers); None is no word."""
    return word is not None and word.isalpha() and word not in STOPWORDS


_NAME_GLUE = frozenset(("of", "for", "and", "the", "on", "de", "in"))


def name_before(text: str, position: int) -> str:
    """The capitalised words just before ``position``, glue words inside kept ("Court of Justice")."""
    words = re.findall(r"[\w'’-]+", text[max(0, position - 120) : position])
    name: list[str] = []
    for word in reversed(words):
        if word[0].isupper() or (word.lower() in _NAME_GLUE and name):
            name.append(word)
        else:
            break
    while name and not name[-1][0].isupper():
        name.pop()
    return " ".join(reversed(name))


def initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[0].isupper())
