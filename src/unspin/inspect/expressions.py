"""How expected a word pair is in English: the web bigram table (Peter Norvig's counts from the Google Web
Trillion Word Corpus, shipped in ``wordsegment``, Apache-2.0), the dictionaries' multi-word expressions
(``lexicon``), a user's collection, and CMU's generic US English trigram model (``pocketsphinx``'s
``en-us.lm.bin``, BSD-2-Clause). ``inspect`` reads a phrase as spun when its pairs are unexpected and a candidate
original's would not be."""

from __future__ import annotations

import math
import os
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import settings
from ..errors import ModelNotInstalledError
from .lexicon import Lexicon, collection_lexicon
from .lexicon import lexicon as phrase_lexicon

_TOTAL = 1_024_908_267_229  # tokens in the Google Web Trillion Word Corpus (Norvig's counts)
_MIN_BIGRAM = 100_000  # the wordsegment table keeps bigrams seen at least this often
_MIN_UNIGRAM = 12_711  # ... and words seen at least this often


@lru_cache(maxsize=1)
def _ngram_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("wordsegment")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalledError("the bigram counts are missing: pip install wordsegment==1.3.1")
    return Path(next(iter(spec.submodule_search_locations)))


def _counts(name: str) -> dict[str, int]:
    """One of wordsegment's tables: a word or "word word" -> how often the web corpus has it."""
    counts: dict[str, int] = {}
    with (_ngram_dir() / name).open(encoding="utf-8") as handle:
        for line in handle:
            key, _, count = line.partition("\t")
            counts[key] = int(count)
    return counts


@lru_cache(maxsize=1)
def unigrams() -> dict[str, int]:
    return _counts("unigrams.txt")


@lru_cache(maxsize=1)
def bigrams() -> dict[str, int]:
    return _counts("bigrams.txt")


@lru_cache(maxsize=1)
def neighbour_sets() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """For each word, the words that follow it in a known expression (web bigram or dictionary entry), and
    those that precede it."""
    after: dict[str, set[str]] = defaultdict(set)
    before: dict[str, set[str]] = defaultdict(set)
    for pair in bigrams():
        a, _, b = pair.partition(" ")
        after[a].add(b)
        before[b].add(a)
    lexicon = phrase_lexicon()
    for a, b in lexicon.pairs:
        after[a].add(b)
        before[b].add(a)
    return {k: frozenset(v) for k, v in after.items()}, {k: frozenset(v) for k, v in before.items()}


@lru_cache(maxsize=1)
def language_model() -> Any:
    """CMU's generic US English trigram model (pocketsphinx's en-us.lm.bin, BSD licence), memory-mapped."""
    try:
        import pocketsphinx
    except ImportError as error:
        raise ModelNotInstalledError("the language model is missing: pip install pocketsphinx==5.1.1") from error
    pocketsphinx.set_loglevel("FATAL")  # it logs every table it maps
    return pocketsphinx.NGramModel.readfile(pocketsphinx.get_model_path("en-us/en-us.lm.bin"))


_LM_UNKNOWN = -536870912  # what the model answers for a word outside its vocabulary
_LM_NATS = math.log(1.0001)  # its scores are logs to base 1.0001


@lru_cache(maxsize=100_000)
def lm_knows(word: str) -> bool:
    return bool(language_model().prob([word]) != _LM_UNKNOWN)


@lru_cache(maxsize=500_000)
def lm_pmi(a: str, b: str) -> float:
    """log P(b | a) - log P(b) in nats by the language model (its backoff weight for a pair it has not seen);
    0 when it does not know either word."""
    if not (lm_knows(a) and lm_knows(b)):
        return 0.0
    model = language_model()
    return float(model.prob([b, a]) - model.prob([b])) * _LM_NATS


@lru_cache(maxsize=500_000)
def lm_across(a: str, b: str, c: str) -> float:
    """log P(c | a b) - log P(c | b) in nats: what the trigram "a b c" adds to the pair "b c"."""
    model = language_model()
    return float(model.prob([c, b, a]) - model.prob([c, b])) * _LM_NATS


def _count(word: str) -> int:
    return unigrams().get(word, _MIN_UNIGRAM // 2)


def extra_pairs(db: str | os.PathLike[str] | Lexicon | None) -> Lexicon | None:
    if db is None or isinstance(db, Lexicon):
        return db
    return collection_lexicon(db)


def known(a: str, b: str, extra: Lexicon | None = None) -> bool:
    return f"{a} {b}" in bigrams() or (a, b) in phrase_lexicon() or (extra is not None and (a, b) in extra)


def assoc(a: str, b: str, extra: Lexicon | None = None) -> tuple[float, bool]:
    """PMI of the bigram "a b" in the web counts, and whether it is a known expression; a dictionary's
    expression (or a collection's frequent pair) missing from the web table gets the highest PMI the table's
    floor allows, at least ``spin_bigram_pmi``; an unknown bigram the highest PMI it could have had, capped at 0."""
    count = bigrams().get(f"{a} {b}")
    if count is not None:
        return math.log(count * _TOTAL / (_count(a) * _count(b))), True
    ceiling = math.log(_MIN_BIGRAM * _TOTAL / (_count(a) * _count(b)))
    if (a, b) in phrase_lexicon() or (extra is not None and (a, b) in extra):
        return max(ceiling, settings.get("spin_bigram_pmi")), True
    return min(0.0, ceiling), False


def lm_fit(word: str, prev: str | None, nxt: str | None) -> tuple[float, float, float]:
    """How ``word`` fits between ``prev`` and ``nxt`` by the language model: its PMI with each, and what the
    trigram over both adds (only when the model knows both neighbours)."""
    left = lm_pmi(prev, word) if prev is not None and prev.isalpha() else 0.0
    right = lm_pmi(word, nxt) if nxt is not None and nxt.isalpha() else 0.0
    across = lm_across(prev or "", word, nxt or "") if left and right else 0.0
    return left, right, across


def lm_context(word: str, prev: str | None, nxt: str | None) -> float:
    """How well ``word`` fits between ``prev`` and ``nxt`` by the language model, in one number."""
    return sum(lm_fit(word, prev, nxt))


def web_log_ratio(count: int | None) -> float:
    """log(count / the web table's floor): how far above the floor a bigram's web count is (0 when not listed)."""
    return math.log(count / _MIN_BIGRAM) if count else 0.0
