"""The word model: for each content word, the log likelihood ratio "a spinner put it there" : "the writer did".

A small logistic model (``FEATURES``: the word's frequency, how much commoner its commonest thesaurus headword is,
whether its neighbours make known expressions with it, its PMI with them in the trigram model, how often the
document repeats it ...), fitted by bench/fit_inspect.py on Reuters articles spun with WordNet synonyms."""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ..segment import Segmented
from ..words import STOPWORDS, zipf
from . import expressions, originals
from .context import is_joined
from .lexicon import Lexicon

# Fitted by bench/fit_inspect.py (logistic regression on Reuters articles spun with WordNet synonyms, articles
# disjoint from bench_inspect's); the weights give the log likelihood ratio "swapped by a spinner" : "as written".
FEATURES = (
    "zipf",  # the word's frequency (spinners pick rarer synonyms)
    "gap",  # zipf of its commonest thesaurus headword minus its own
    "has_heads",  # some common word lists it as a synonym
    "log_heads",  # log(1 + how many)
    "left_known",  # the word before is a content word and the pair is a known expression
    "left_unknown",  # ... and the pair is not
    "right_known",
    "right_unknown",
    "isolated",  # neither neighbour makes a known expression with it
    "gap_isolated",  # gap x isolated
    "rare",  # zipf below 3
    "capitalised",  # capitalised mid-sentence: a name (the spinners seen in training leave names alone)
    "first",  # first word of a sentence
    "log_repeats",  # log of how often the word occurs in the document (writers repeat words; spinners vary them)
    "zipf_over_3",  # hinges: max(0, zipf - 3) ...
    "zipf_over_4",
    "zipf_over_5",
    "gap_over_1",
    "gap_over_2",
    "gap_isolated_over_1",
    "gap_isolated_over_2",
    "left_lm",  # PMI with the word before (any word) in the trigram language model (``expressions.lm_pmi``)
    "right_lm",  # ... with the word after
    "lm_misfit",  # how far the two fall below 0 together
    "lm_missing",  # the language model does not know the word
)


_WEIGHTS = (
    *(-0.2478, 0.2897, -0.3410, 0.3327, -1.3762, -0.2722, -0.8979, -0.4281, -0.3171, 0.1675, 0.1337),
    *(-7.5616, -0.7572, -0.7695, -0.2300, -0.4025, 0.6915, -0.2812, 1.9934, 0.3181, -1.6767),
    *(-0.3481, -0.4654, 0.0761, 2.4641),
)


_BIAS = 1.3132


PRIOR = 0.01  # share of swapped words assumed where a document is too short to estimate it


class Word(NamedTuple):
    token: int  # token index
    llr: float  # log likelihood ratio: swapped by a spinner vs as written


@lru_cache(maxsize=100_000)
def _head_stats(word: str) -> tuple[float, int]:
    """Zipf of the commonest headword listing ``word`` (its own zipf when none does), and how many do."""
    heads = originals.headwords(word)
    return max((zipf(c) for c in heads), default=zipf(word)), len(heads)


def features(
    seg: Segmented, extra: Lexicon | None = None, skip: frozenset[int] = frozenset()
) -> tuple[list[int], list[list[float]]]:
    """The content words of ``seg`` a spinner could have swapped (token indices; none in ``skip``) and their
    features (``FEATURES`` order)."""
    text, tokens = seg.doc.text, seg.tokens
    firsts = {s.first_token for s in seg.sentences}
    norms = [t.norm for t in tokens]
    repeats = Counter(norms)
    joined = [False] + [is_joined(text[a.end : b.start]) for a, b in zip(tokens, tokens[1:], strict=False)]
    content = [len(w) > 2 and w.isalpha() and w not in STOPWORDS for w in norms]
    indices: list[int] = []
    rows: list[list[float]] = []
    last = len(tokens) - 1
    for i, token in enumerate(tokens):
        if not content[i] or i in skip:
            continue
        word = norms[i]
        written = text[token.start : token.end]
        if written.isupper():
            continue
        own = zipf(word)
        commonest, heads = _head_stats(word)
        gap = commonest - own
        left_known = left_unknown = right_known = right_unknown = 0.0
        if joined[i] and content[i - 1]:
            if expressions.known(norms[i - 1], word, extra):
                left_known = 1.0
            else:
                left_unknown = 1.0
        if i < last and joined[i + 1] and content[i + 1]:
            if expressions.known(word, norms[i + 1], extra):
                right_known = 1.0
            else:
                right_unknown = 1.0
        isolated = float(not left_known and not right_known)
        left_lm = expressions.lm_pmi(norms[i - 1], word) if joined[i] and norms[i - 1].isalpha() else 0.0
        right_lm = (
            expressions.lm_pmi(word, norms[i + 1]) if i < last and joined[i + 1] and norms[i + 1].isalpha() else 0.0
        )
        indices.append(i)
        rows.append(
            [
                own,
                gap,
                float(heads > 0),
                math.log1p(heads),
                left_known,
                left_unknown,
                right_known,
                right_unknown,
                isolated,
                gap * isolated,
                float(own < 3.0),
                float(written[0].isupper() and i not in firsts),
                float(i in firsts),
                math.log(repeats[word]),
                max(0.0, own - 3.0),
                max(0.0, own - 4.0),
                max(0.0, own - 5.0),
                max(0.0, gap - 1.0),
                max(0.0, gap - 2.0),
                max(0.0, gap - 1.0) * isolated,
                max(0.0, gap - 2.0) * isolated,
                left_lm,
                right_lm,
                max(0.0, -(left_lm + right_lm)),
                float(not expressions.lm_knows(word)),
            ]
        )
    return indices, rows


def word_evidence(seg: Segmented, extra: Lexicon | None = None, skip: frozenset[int] = frozenset()) -> list[Word]:
    """Each content word (none in ``skip``) with the log likelihood ratio that a spinner put it there."""
    indices, rows = features(seg, extra, skip)
    if not rows:
        return []
    llrs = np.asarray(rows, dtype=np.float64) @ np.asarray(_WEIGHTS) + _BIAS
    return [Word(i, float(v)) for i, v in zip(indices, llrs, strict=True)]


def posterior(llr: float, prior: float) -> float:
    odds = prior / (1.0 - prior) * math.exp(min(llr, 30.0))
    return odds / (1.0 + odds)
