"""Phrase-level evidence that does not wait for the document: each pair of adjacent words judged on its own.

A tortured phrase is an expression with each word swapped for a thesaurus entry ("curve enemies" for "arch
rivals", "UNUSED YORK" for "NEW YORK"). For each pair of adjacent content words that is not a known expression,
every reading with one or both words replaced by a candidate original (``originals.candidates``: the thesauri read
backwards and forwards) that is one (web table, a dictionary's entry, the collection's pairs with ``db``) gets
``FEATURES``: how much more the trigram model expects it than the pair as written, its web count, how the
thesauri link each changed word, how common the words are. A logistic regression over them (``WEIGHTS``, fitted
by ``bench/fit_inspect.py --phrases`` on tortured phrases that script makes itself from Reuters expressions, and on
clean Reuters) scores each reading; a pair whose best reading scores ``FLAG_SCORE`` or more is reported whatever
the document score; overlapping ones that read a shared word alike join into one phrase ("Divider Road Diary" ->
"Wall Street Journal"). Capitalised words and names are judged too: a spinner swaps a name's words like any
others. Nothing of pps-dev is read here or used in the fit: the package knows no tortured phrase."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, NamedTuple

from ..document import Span
from ..segment import Segmented
from ..words import STOPWORDS, zipf
from . import expressions, originals
from .context import cased, is_joined, token_text
from .lexicon import Lexicon
from .result import Tortured

# A reading's score is a logistic regression over ``FEATURES`` (``WEIGHTS``, the last the bias), fitted by
# ``bench/fit_inspect.py --phrases``: positives are expressions of Reuters articles the script spins itself, each
# word swapped for a thesaurus synonym; negatives every reading of every pair of clean Reuters articles. A pair is
# reported from ``FLAG_SCORE`` (log odds), set there on further clean articles.
FEATURES = (
    "lm_gain",  # the language model's PMI of the reading minus the written pair's (nats)
    "context_gain",  # ... of each word with the word outside the pair
    "web",  # log(web count / the table's floor) of the reading, 0 when the table lacks it
    "dictionary_only",  # a dictionary's (or the collection's) expression the web table lacks
    "two_changed",  # both words changed
    "common_written",  # how far the changed written words are above zipf 4.5, summed: writers use common words
    "written_pmi",  # the written pair's own PMI in the language model (<= 0: judged pairs only)
    "zipf_gain",  # the original words' zipf minus the written ones', over the changed words
    "rare_written",  # how far the rarest changed written word is below zipf 3
    "mutual",  # changed words whose link the thesauri give both ways (Moby head and entry, or WordNet and Moby)
    "wordnet",  # changed words WordNet links
    "closeness",  # Moby closeness (shared synonyms) of each changed word and its original, summed
    "capitalised",  # the written pair is capitalised (a name's words)
    "log_readings",  # log of how many readings the pair has: many make a good one likelier by chance
    "lm_unknown",  # a written word the language model does not know
)
WEIGHTS = (
    *(0.7449, 0.5869, 0.4179, -2.1261, -3.8011, 0.1545, 0.4074, 1.3807),
    *(0.2128, 0.0046, 1.8025, 0.6465, 0.3865, -0.2738, 1.5265, -8.1745),
)
FLAG_SCORE = 2.6  # 2 phrase-level flags on 300 clean Reuters articles [12000, 12300) that the bench does not score
_MIN_ORIGINAL_ZIPF = 3.0
_WRITTEN_PMI = 0.0  # a written pair the language model expects this much (PMI, nats) is not judged


@lru_cache(maxsize=50_000)
def _candidate_links(word: str) -> dict[str, int]:
    return dict(originals.candidates(word))


def _context_pmi(prev: str | None, a: str, b: str, nxt: str | None) -> float:
    left = expressions.lm_pmi(prev, a) if prev else 0.0
    right = expressions.lm_pmi(b, nxt) if nxt else 0.0
    return left + right


class Reading(NamedTuple):
    """One candidate reading of a written pair, its features (``FEATURES``) and what decided it."""

    first: str
    second: str
    x: tuple[float, ...]
    pmi: float  # the reading's own PMI in the language model
    count: int | None  # its web count
    known: bool  # a web bigram, a dictionary's entry or the collection's pair


def _link(written: str, original: str) -> tuple[float, float, float]:
    """(mutual, wordnet, closeness) of a changed word and its candidate original."""
    flag = _candidate_links(written).get(original, 0)
    head, entry, wordnet = bool(flag & 1), bool(flag & 2), bool(flag & 4)
    return (
        float((head and entry) or (wordnet and (head or entry))),
        float(wordnet),
        originals.closeness(written, original),
    )


def readings(
    a: str, b: str, prev: str | None, nxt: str | None, extra: Lexicon | None = None, capitalised: bool = False
) -> list[Reading]:
    """Every reading of the written pair "a b" (between ``prev`` and ``nxt``) with one or both words replaced by a
    candidate original, that is an expression the written pair is not; none when the written pair is one."""
    written_pmi = expressions.lm_pmi(a, b)
    if written_pmi > _WRITTEN_PMI or expressions.known(a, b, extra):
        return []
    after = expressions.neighbour_sets()[0]
    seconds = set(_candidate_links(b)) | {b}
    written_context = _context_pmi(prev, a, b, nxt)
    unknown = float(not (expressions.lm_knows(a) and expressions.lm_knows(b)))
    pairs = []
    for first in (a, *sorted(_candidate_links(a))):
        following = after.get(first, frozenset()) & seconds
        if extra is not None:
            following |= extra.after.get(first, frozenset()) & seconds
        for second in sorted(following):
            if (first, second) != (a, b) and min(zipf(first), zipf(second)) >= _MIN_ORIGINAL_ZIPF:
                pairs.append((first, second))
    found = []
    many = math.log(len(pairs)) if pairs else 0.0
    for first, second in pairs:
        swaps = [(w, o) for w, o in ((a, first), (b, second)) if w != o]
        pmi = expressions.lm_pmi(first, second)
        count = expressions.bigrams().get(f"{first} {second}")
        links = [_link(w, o) for w, o in swaps]
        x = (
            pmi - written_pmi,
            _context_pmi(prev, first, second, nxt) - written_context,
            expressions.web_log_ratio(count),
            float(count is None),
            float(len(swaps) == 2),
            sum(max(0.0, zipf(w) - 4.5) for w, _ in swaps),
            written_pmi,
            sum(zipf(o) - zipf(w) for w, o in swaps),
            max(0.0, 3.0 - min(zipf(w) for w, _ in swaps)),
            sum(link[0] for link in links),
            sum(link[1] for link in links),
            sum(link[2] for link in links),
            float(capitalised),
            many,
            unknown,
        )
        found.append(Reading(first, second, x, pmi, count, True))
    return found


def score(r: Reading) -> float:
    """The log odds that the written pair is a spinner's reading of ``r`` (``WEIGHTS``)."""
    return sum(w * v for w, v in zip(WEIGHTS, r.x, strict=False)) + WEIGHTS[-1]


def best_reading(
    a: str, b: str, prev: str | None, nxt: str | None, extra: Lexicon | None = None, capitalised: bool = False
) -> tuple[float, str, str, dict[str, Any]] | None:
    """The reading of the written pair "a b" with the highest ``score``, as (score, first word, second word,
    evidence); None when there is none."""
    found = readings(a, b, prev, nxt, extra, capitalised)
    if not found:
        return None
    best = max(found, key=score)
    value = score(best)
    evidence = {
        "rule": "phrase",
        "score": round(value, 2),
        "written": {"lm_pmi": round(best.x[6], 2), "web_count": None, "known_expression": False},
        "original": {"lm_pmi": round(best.pmi, 2), "web_count": best.count, "known_expression": best.known},
        "features": {name: round(v, 2) for name, v in zip(FEATURES, best.x, strict=True)},
    }
    return value, best.first, best.second, evidence


class Pair(NamedTuple):
    """A judged pair of adjacent written words: the first's token number, both words, their neighbours (None
    across punctuation or when not a word) and whether it is capitalised."""

    i: int
    a: str
    b: str
    prev: str | None
    nxt: str | None
    capitalised: bool


def judged_pairs(seg: Segmented, skip: frozenset[int]) -> list[Pair]:
    """Every pair of adjacent content words not split by punctuation whose swap can be judged (``_judged``)."""
    text, tokens = seg.doc.text, seg.tokens
    found = []
    for i in range(len(tokens) - 1):
        a, b = tokens[i].norm, tokens[i + 1].norm
        if i in skip or i + 1 in skip or not _judged(a) or not _judged(b):
            continue
        if not is_joined(text[tokens[i].end : tokens[i + 1].start]):
            continue
        prev = tokens[i - 1].norm if i > 0 and is_joined(text[tokens[i - 1].end : tokens[i].start]) else None
        nxt = None
        if i + 2 < len(tokens) and is_joined(text[tokens[i + 1].end : tokens[i + 2].start]):
            nxt = tokens[i + 2].norm
        capitalised = token_text(seg, i)[:1].isupper() and token_text(seg, i + 1)[:1].isupper()
        found.append(
            Pair(
                i, a, b, prev if prev and prev.isalpha() else None, nxt if nxt and nxt.isalpha() else None, capitalised
            )
        )
    return found


def phrase_finds(seg: Segmented, skip: frozenset[int], extra: Lexicon | None = None) -> list[Tortured]:
    """The pairs of adjacent words whose best reading (``best_reading``) scores ``FLAG_SCORE`` or more, overlapping
    ones that read their shared word alike joined into one phrase."""
    text, tokens = seg.doc.text, seg.tokens
    pairs: list[tuple[int, float, str, str, dict[str, Any]]] = []
    for p in judged_pairs(seg, skip):
        found = best_reading(p.a, p.b, p.prev, p.nxt, extra, p.capitalised)
        if found is not None and found[0] >= FLAG_SCORE:
            pairs.append((p.i, *found))
    finds: list[Tortured] = []
    k = 0
    while k < len(pairs):
        i, value, first, second, evidence = pairs[k]
        words, last, values, proofs = [first, second], i + 1, [value], [evidence]
        while k + 1 < len(pairs) and pairs[k + 1][0] == last and pairs[k + 1][2] == words[-1]:
            k += 1
            words.append(pairs[k][3])
            values.append(pairs[k][1])
            proofs.append(pairs[k][4])
            last += 1
        pieces = []
        for j, word in zip(range(i, last + 1), words, strict=True):
            pieces.append(cased(word, token_text(seg, j)) if word != tokens[j].norm else token_text(seg, j))
            if j < last:
                pieces.append(text[tokens[j].end : tokens[j + 1].start])
        probability = 1.0 / (1.0 + math.exp(-max(values)))
        proof = proofs[0] if len(proofs) == 1 else {"rule": "phrase", "pairs": proofs}
        finds.append(
            Tortured(Span.of(text, tokens[i].start, tokens[last].end), "".join(pieces), probability, "unspin", proof)
        )
        k += 1
    return finds


def _judged(word: str) -> bool:
    """A word whose swap can be judged: alphabetic, not a glue word, known to English (a foreign name is not)."""
    return len(word) > 2 and word.isalpha() and word not in STOPWORDS and zipf(word) > 0
