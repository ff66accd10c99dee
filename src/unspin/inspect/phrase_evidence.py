"""Phrase-level evidence that does not wait for the document: each pair of adjacent words judged on its own.

A tortured phrase is an expression with each word swapped for a thesaurus entry ("curve enemies" for "arch
rivals", "UNUSED YORK" for "NEW YORK"). For each pair of adjacent content words that is not a
known expression, every reading with one or both words replaced by a candidate original (``originals.candidates``:
the thesauri read backwards and forwards) that is one is scored by how much more expected it is than the pair as
written: the gain in the trigram model's PMI between the two words and with the words around them
(``expressions.lm_pmi``) and the web bigram count; a reading must be a known expression (web table, a
dictionary's entry, the collection's pairs with ``db``); a cost is paid for each word changed and for a common
written word. Pairs whose best
reading gains ``_FLAG_GAIN`` or more are reported whatever the document score; overlapping ones that read a shared
word alike join into one phrase ("Divider Road Diary" -> "Wall Street Journal"). Capitalised words and names are
candidates too: a spinner swaps a name's words like any others. The weights and threshold were tuned by hand on a slice
bench_inspect.py does not report: pps-dev's "tune" quarter (bench/planting.py) planted into Reuters articles
[8000, 12000), and clean articles [12000, 12300). There, at 9.0 the clean articles get 0.007 flags each and 2 of
38 planted phrases are found; at 8.0, 0.047 and 5 (the budget for the whole of inspect is 0.05). Nothing of
pps-dev is read here: the package knows no tortured phrase."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from ..document import Span
from ..segment import Segmented
from ..words import STOPWORDS, zipf
from . import expressions, originals
from .context import cased, is_joined, token_text
from .lexicon import Lexicon
from .result import Tortured

# Scores (nats, the language model's PMI scale): a reading is kept from _FLAG_GAIN up. Tuned on planted and clean
# Reuters slices that bench_inspect.py does not report (see the module docstring).
_FLAG_GAIN = 9.0
_CHANGE_COST = 2.0  # per word changed: a reading that changes both words needs more evidence
_WRITTEN_ZIPF = 4.5  # a written word at least this common costs (its zipf - this) x _COMMON_COST: writers use them
_COMMON_COST = 2.0
_WEB_WEIGHT = 0.5  # weight of the web table's log count ratio beside the language model's gain
_MIN_ORIGINAL_ZIPF = 3.0
_WRITTEN_PMI = 0.0  # a written pair the language model expects this much (PMI, nats) is not judged
_CONTEXT_WEIGHT = 0.5  # weight of the gain with the words outside the pair


@lru_cache(maxsize=50_000)
def _candidate_set(word: str) -> frozenset[str]:
    return frozenset(c for c, _ in originals.candidates(word))


def _context_pmi(prev: str | None, a: str, b: str, nxt: str | None) -> float:
    left = expressions.lm_pmi(prev, a) if prev else 0.0
    right = expressions.lm_pmi(b, nxt) if nxt else 0.0
    return left + right


class Reading(NamedTuple):
    """One candidate reading of a written pair and what it gains (``best_reading`` weighs the parts)."""

    first: str
    second: str
    lm: float  # the language model's PMI of the reading minus the written pair's
    context: float  # ... of each word with the word outside it (before the first, after the second)
    web: float  # log(web count / the table's floor), 0 when the table lacks the reading
    known: bool  # a web bigram, a dictionary's entry or the collection's pair
    changed: int
    common: float  # how far the written words changed are above ``_WRITTEN_ZIPF``, summed
    pmi: float  # the reading's own PMI in the language model
    count: int | None  # its web count


def readings(a: str, b: str, prev: str | None, nxt: str | None, extra: Lexicon | None = None) -> list[Reading]:
    """Every reading of the written pair "a b" (between ``prev`` and ``nxt``) with one or both words replaced by a
    candidate original, that is an expression the written pair is not; none when the written pair is one."""
    written_pmi = expressions.lm_pmi(a, b)
    if written_pmi > _WRITTEN_PMI or expressions.known(a, b, extra):
        return []
    after = expressions.neighbour_sets()[0]
    seconds = _candidate_set(b) | {b}
    written_context = _context_pmi(prev, a, b, nxt)
    found = []
    for first in (a, *sorted(_candidate_set(a))):
        following = after.get(first, frozenset()) & seconds
        if extra is not None:
            following |= extra.after.get(first, frozenset()) & seconds
        for second in sorted(following):
            swaps = [(w, o) for w, o in ((a, first), (b, second)) if w != o]
            if not swaps or min(zipf(first), zipf(second)) < _MIN_ORIGINAL_ZIPF:
                continue
            pmi = expressions.lm_pmi(first, second)
            count = expressions.bigrams().get(f"{first} {second}")
            found.append(
                Reading(
                    first,
                    second,
                    pmi - written_pmi,
                    _context_pmi(prev, first, second, nxt) - written_context,
                    expressions.web_log_ratio(count),
                    expressions.known(first, second, extra),
                    len(swaps),
                    sum(max(0.0, zipf(w) - _WRITTEN_ZIPF) for w, _ in swaps),
                    pmi,
                    count,
                )
            )
    return found


def gain(r: Reading) -> float:
    """How much more expected the reading is than the written pair, in the language model's nats."""
    return r.lm + _CONTEXT_WEIGHT * r.context + _WEB_WEIGHT * r.web - _CHANGE_COST * r.changed - _COMMON_COST * r.common


def best_reading(
    a: str, b: str, prev: str | None, nxt: str | None, extra: Lexicon | None = None
) -> tuple[float, str, str, dict[str, Any]] | None:
    """The reading of the written pair "a b" with the highest ``gain``, as (gain, first word, second word,
    evidence); None when there is none."""
    found = readings(a, b, prev, nxt, extra)
    if not found:
        return None
    best = max(found, key=gain)
    value = gain(best)
    evidence = {
        "rule": "phrase",
        "gain": round(value, 2),
        "written": {"lm_pmi": round(best.pmi - best.lm, 2), "web_count": None, "known_expression": False},
        "original": {"lm_pmi": round(best.pmi, 2), "web_count": best.count, "known_expression": best.known},
        "context_lm_gain": round(best.context, 2),
    }
    return value, best.first, best.second, evidence


def phrase_finds(seg: Segmented, skip: frozenset[int], extra: Lexicon | None = None) -> list[Tortured]:
    """The pairs of adjacent words whose best reading (``best_reading``) gains ``_FLAG_GAIN`` or more, overlapping
    ones that read their shared word alike joined into one phrase."""
    text, tokens = seg.doc.text, seg.tokens
    pairs: list[tuple[int, float, str, str, dict[str, Any]]] = []
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
        found = best_reading(
            a, b, prev if prev and prev.isalpha() else None, nxt if nxt and nxt.isalpha() else None, extra
        )
        if found is not None and found[0] >= _FLAG_GAIN:
            pairs.append((i, *found))
    finds: list[Tortured] = []
    k = 0
    while k < len(pairs):
        i, gain, first, second, evidence = pairs[k]
        words, last, gains, proofs = [first, second], i + 1, [gain], [evidence]
        while k + 1 < len(pairs) and pairs[k + 1][0] == last and pairs[k + 1][2] == words[-1]:
            k += 1
            words.append(pairs[k][3])
            gains.append(pairs[k][1])
            proofs.append(pairs[k][4])
            last += 1
        pieces = []
        for j, word in zip(range(i, last + 1), words, strict=True):
            pieces.append(cased(word, token_text(seg, j)) if word != tokens[j].norm else token_text(seg, j))
            if j < last:
                pieces.append(text[tokens[j].end : tokens[j + 1].start])
        score = min(1.0, max(gains) / (2 * _FLAG_GAIN))
        proof = proofs[0] if len(proofs) == 1 else {"rule": "phrase", "pairs": proofs}
        finds.append(
            Tortured(Span.of(text, tokens[i].start, tokens[last].end), "".join(pieces), score, "unspin", proof)
        )
        k += 1
    return finds


def _judged(word: str) -> bool:
    """A word whose swap can be judged: alphabetic, not a glue word, known to English (a foreign name is not)."""
    return len(word) > 2 and word.isalpha() and word not in STOPWORDS and zipf(word) > 0
