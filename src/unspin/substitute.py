"""Word-level substitutions inside aligned passages: each replaced phrase with its counterpart."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cydifflib import SequenceMatcher  # difflib's algorithm and answers, in C++: a third of compare's time was difflib

from . import settings, thesaurus
from .align import Passage
from .document import Span
from .inspect import expressions
from .segment import Segmented, Token
from .words import is_content, lemma, zipf


@dataclass(frozen=True, slots=True)
class Substitution:
    """Phrase ``a`` in A stands where phrase ``b`` stands in B."""

    a: Span
    b: Span
    rarer: str | None  # "a" or "b": the side whose wording is rarer
    synonym: bool  # Moby lists a word of one side as a synonym of a word of the other
    worse: str | None = None  # the side whose wording fits its context worse under the language model
    fit: float = 0.0  # by how much (nats, a's fit less b's): above 0, b's wording fits worse

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "rarer": self.rarer,
            "synonym": self.synonym,
            "worse": self.worse,
            "fit": round(self.fit, 2),
        }


def find_substitutions(sa: Segmented, sb: Segmented, passages: list[Passage], language: str) -> list[Substitution]:
    """Replaced phrases inside every pair of aligned sentences (same language only).

    A sentence split in two on one side is paired with both halves; each pair is compared alone.
    """
    found: list[Substitution] = []
    for passage in passages:
        if passage.kind == "translated":
            continue
        if passage.method == "exact" and passage.score >= 1.0:
            continue  # word for word
        if passage.pairs and _sentences_inside(sa, passage.a) <= {i for i, _ in passage.pairs}:
            pieces = [(sa.sentence_tokens(i), sb.sentence_tokens(j)) for i, j in passage.pairs]
        else:  # a verbatim run with words changed inside, or sentence pairs joined to one: diff it whole
            pieces = [(_tokens_in(sa, passage.a), _tokens_in(sb, passage.b))]
        for ta, tb in pieces:
            words_a, words_b = [t.norm for t in ta], [t.norm for t in tb]
            for (a0, a1), (b0, b1) in _replacements(words_a, words_b):
                sub = _substitution(sa, ta[a0:a1], sb, tb[b0:b1], language)
                if sub is not None:
                    if language in ("en", "und"):
                        fit_a = context_fit(words_a[max(0, a0 - 2) : a0], words_a[a0:a1], words_a[a1 : a1 + 2])
                        fit_b = context_fit(words_b[max(0, b0 - 2) : b0], words_b[b0:b1], words_b[b1 : b1 + 2])
                        margin = settings.get("fit_margin")
                        worse = "a" if fit_a < fit_b - margin else "b" if fit_b < fit_a - margin else None
                        sub = Substitution(sub.a, sub.b, sub.rarer, sub.synonym, worse, fit_a - fit_b)
                    found.append(sub)
    return found


def context_fit(before: list[str], phrase: list[str], after: list[str]) -> float:
    """How well ``phrase`` fits between its neighbours, in nats: the trigram log-probability of the phrase
    and the two words after it, less the phrase's own unigram log-probability, so that a common word is
    not taken for a fitting one. A spinner's swap fits worse than the word it replaced whether it picked
    a rarer or a commoner synonym (about nine times in ten on spun Reuters articles)."""
    words = [*before[-2:], *phrase, *after[:2]]
    first = len(before[-2:])
    total = sum(_log_p(words[k], tuple(words[max(0, k - 2) : k])) for k in range(first, len(words)))
    return total - sum(_log_p(word, ()) for word in phrase)


_UNKNOWN_LOG_P = -7 * math.log(10)  # a word the model does not know: as rare as its rarest words
_LM_NATS = math.log(1.0001)  # the model's scores are logs to base 1.0001


@lru_cache(maxsize=500_000)
def _log_p(word: str, history: tuple[str, ...]) -> float:
    if not expressions.lm_knows(word):
        return _UNKNOWN_LOG_P
    return float(expressions.language_model().prob([word, *reversed(history)])) * _LM_NATS


def _sentences_inside(seg: Segmented, span: Span) -> set[int]:
    return {n for n, s in enumerate(seg.sentences) if span.start <= s.span.start and s.span.end <= span.end}


def _tokens_in(seg: Segmented, span: Span) -> tuple[Token, ...]:
    first = bisect.bisect_left(seg.tokens, span.start, key=lambda t: t.start)
    last = bisect.bisect_left(seg.tokens, span.end, key=lambda t: t.start)
    return seg.tokens[first:last]


def _replacements(a: list[str], b: list[str]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Changed token ranges, with neighbouring changes one shared word apart merged into one phrase.

    Merging turns "Onlookers of the | Caucasus | -> observers" into one substitution
    "Onlookers of the Caucasus" / "Caucasus observers". A change too long to be one phrase is
    split again where Moby links its words ("historic process" / "noteworthy cycle").
    """
    longest = int(settings.get("substitution_max_tokens"))
    result = []
    for block in _blocks(SequenceMatcher(None, a, b, autojunk=False).get_opcodes(), a):
        i1, i2, j1, j2 = block[0][1], block[-1][2], block[0][3], block[-1][4]
        if len(block) > 1 and _size(block) > _LONGEST_MERGED:
            pieces = [(op[1], op[2], op[3], op[4]) for op in block if op[0] != "equal"]
        else:
            pieces = [(i1, i2, j1, j2)]
        for p1, p2, q1, q2 in pieces:
            if 0 < p2 - p1 <= longest and 0 < q2 - q1 <= longest:
                result.append(((p1, p2), (q1, q2)))
            elif p2 > p1 and q2 > q1:
                result.extend(
                    ((p1 + x1, p1 + x2), (q1 + y1, q1 + y2))
                    for (x1, x2), (y1, y2) in _synonym_pieces(a[p1:p2], b[q1:q2])
                )
    return result


def _blocks(ops: Sequence[tuple[str, int, int, int, int]], a: list[str]) -> list[list[tuple[str, int, int, int, int]]]:
    blocks: list[list[tuple[str, int, int, int, int]]] = []
    bridge = None
    is_open = False  # the last change may still be extended across a one-word bridge
    for op in ops:
        tag, i1, i2, _, _ = op
        if tag == "equal":
            bridge = op if is_open and i2 - i1 == 1 and a[i1].isalpha() else None
            is_open = bridge is not None
            continue
        if is_open and bridge is not None:
            blocks[-1] += [bridge, op]
        else:
            blocks.append([op])
        is_open, bridge = True, None
    return blocks


def _synonym_pieces(a: list[str], b: list[str]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Inside a long change, runs of words that Moby links one to one, as phrase pairs."""
    keys = []
    for word in b:
        match = next((x for x in a if x == word or thesaurus.related(x, word)), None)
        keys.append(match if match is not None else "\x00" + word)
    ops = SequenceMatcher(None, a, keys, autojunk=False).get_opcodes()
    pieces = []
    for index, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag != "equal" or all(lemma(a[i]) == lemma(b[j]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)):
            continue
        # a short unlinked change right before the linked words is part of the phrase ("separatist forces")
        if index and ops[index - 1][0] == "replace":
            _, p1, p2, q1, q2 = ops[index - 1]
            if p2 - p1 <= 2 and q2 - q1 <= 2:
                i1, j1 = p1, q1
        pieces.append(((i1, i2), (j1, j2)))
    return pieces


_LONGEST_MERGED = 4  # tokens: longer merged blocks are usually two substitutions side by side


def _size(block: list[tuple[str, int, int, int, int]]) -> int:
    return max(block[-1][2] - block[0][1], block[-1][4] - block[0][3])


def _substitution(
    sa: Segmented, ta: Sequence[Token], sb: Segmented, tb: Sequence[Token], language: str
) -> Substitution | None:
    words_a = [t.norm for t in ta]
    words_b = [t.norm for t in tb]
    content_a = [w for w in words_a if is_content(w)]
    content_b = [w for w in words_b if is_content(w)]
    gendered = {"he", "she", "his", "her", "him", "hers"}
    if not content_a and not content_b and not (words_a != words_b and {*words_a, *words_b} <= gendered):
        return None  # function words only ("the" for "a"): not a substitution worth showing
    if all(w.isdigit() for w in words_a + words_b):
        return None
    a = Span.of(sa.doc.text, ta[0].start, ta[-1].end)
    b = Span.of(sb.doc.text, tb[0].start, tb[-1].end)
    lang = language if language not in ("und", "") else "en"
    rarity_a = min((zipf(w, lang) for w in content_a), default=7.0)
    rarity_b = min((zipf(w, lang) for w in content_b), default=7.0)
    rarer = "a" if rarity_a < rarity_b - 0.25 else "b" if rarity_b < rarity_a - 0.25 else None
    synonym = lang == "en" and any(thesaurus.related(x, y) for x in content_a for y in content_b)
    return Substitution(a, b, rarer, synonym)
