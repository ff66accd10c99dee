"""The document score: the share of swapped words that best explains a document's word ratios (EM on a
two-class mixture), plus how far its share of known word pairs falls below clean text's, as ``spun_score``."""

from __future__ import annotations

import numpy as np

from .. import settings
from ..segment import Segmented
from . import expressions
from .context import is_joined
from .word_model import PRIOR, posterior

KNOWN_WEIGHT = 0.3  # see spun_score_of
# spun evidence (``spun_score_of``) at which spun_score is 0.5: the 98.5th percentile of clean Reuters (fit_inspect)
_RATE_HALF = 0.088


def spin_rate(llrs: list[float], evidence: float = 0.0) -> tuple[float, list[float]]:
    """The share of swapped words that best explains the evidence (EM on a two-class mixture whose word
    likelihood ratios are ``llrs``; ``evidence``: findings counted as swapped for sure), and each word's
    posterior that it was swapped."""
    if len(llrs) < 30:
        return PRIOR, [posterior(v, PRIOR) for v in llrs]
    ratios = np.exp(np.minimum(np.asarray(llrs), 30.0))
    rate = 0.1
    for _ in range(50):
        posteriors = rate * ratios / (rate * ratios + 1.0 - rate)
        new = min(0.95, max(1e-4, (float(posteriors.sum()) + evidence) / (len(llrs) + evidence)))
        if abs(new - rate) < 1e-5:
            break
        rate = new
    return rate, [float(p) for p in rate * ratios / (rate * ratios + 1.0 - rate)]


def known_pair_rate(seg: Segmented) -> float:
    """Share of adjacent word pairs (both words known) that the bigram table knows: swapping words for
    synonyms breaks collocations, so spun text has fewer (clean Reuters: median 0.62, 2nd percentile 0.53)."""
    text, tokens, known = seg.doc.text, seg.tokens, expressions.unigrams()
    bigrams = expressions.bigrams()
    pairs = hits = 0
    for a, b in zip(tokens, tokens[1:], strict=False):
        if a.norm in known and b.norm in known and is_joined(text[a.end : b.start]):
            pairs += 1
            hits += f"{a.norm} {b.norm}" in bigrams
    return hits / pairs if pairs >= 20 else settings.get("spin_known_base")


def spun_score_of(rate: float, known_rate: float) -> float:
    """The estimated share of swapped words plus ``KNOWN_WEIGHT`` x how far the share of known word pairs
    falls below ``spin_known_base``, as 0-1: 0.5 at ``_RATE_HALF``."""
    density = rate + KNOWN_WEIGHT * max(0.0, settings.get("spin_known_base") - known_rate)
    return density / (density + _RATE_HALF)
