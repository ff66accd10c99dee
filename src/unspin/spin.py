"""Source-free signs of spinning and machine translation in one document: ``inspect(doc)``.

Spinning. A spinner swaps words for thesaurus entries, so a phrase comes out whose words are each a
synonym of the words of a common expression while the phrase itself is rare ("curve enemies" for
"arch rivals", "Global Lawbreaker Court" for "International Criminal Court"). We read the Moby
thesaurus backwards (spun word -> the headwords that list it) to get candidate originals for each
content word, and know an expression when the web bigram table (Peter Norvig's counts from the Google
Web Trillion Word Corpus, shipped in ``wordsegment``, Apache-2.0), a dictionary's multi-word entry
(WordNet 3.0 and Moby, ``unspin.phrases``) or, with ``db``, the user's own collection has it.

Each content word gets a log likelihood ratio "a spinner put it there" : "the writer did" from a small
logistic model (``_FEATURES``: its frequency, how much commoner its commonest headword is, whether its
neighbours make known expressions with it, its PMI with them in the trigram model below, how often the
document repeats it ...), fitted on Reuters
articles spun with WordNet synonyms (bench/fit_inspect.py). The share of swapped words that best explains
a document's ratios (EM on a two-class mixture), plus how far its share of known word pairs falls below
clean text's, is ``spun_score``. Reporting follows the document: where it reads as clearly spun
(``_REPORT_SCORE``), every word whose posterior of a swap reaches ``_REPORT_POSTERIOR`` (and every adjacent pair
that likely holds one), each read back through the thesauri (``originals.scores``: a conditional logit over the
candidates, on their frequency, their PMI with the neighbours in the web table and in CMU's generic English
trigram model shipped with ``pocketsphinx``, how the thesauri link them, use elsewhere in the document; adjacent
ones read back together, and a word restored in several places read back alike, as a spinner's dictionary gives a
word one synonym), and capitalised runs of common words that
a candidate turns into a name WordNet lists or a known expression ("European Association" -> "European
Union"); elsewhere only words whose ratio alone makes a swap likely and whose restored form makes a known
expression. An acronym after a name whose initials it does not fit, but would fit once the name's words are
read back through the thesaurus, is a spun name too ("Global Lawbreaker Court (ICC)"). No sentence model is
used: adding the USE cosine of the sentence with each candidate to the logit chose the original less often on
spun Reuters (Moby-spun: 45% -> 43% top-1 at weight 5, worse above; WordNet-spun: no gain).

Translation. Traces that translation and find-and-replace tools leave: a word that exists in no
dictionary but ends like a real word whose beginning is the thesaurus headword of the phrase before it
("once morest": "again" -> "once more" replaced inside "against"), a doubled word that starts such a
phrase ("once once more"), an acronym in parentheses that fits no name before it
("International Criminal Court (PPI)"), and a newsroom's editor code after an agency ("(AFP/Z-3)").

No list of known tortured phrases ships with unspin; ``phrases`` (``tortured<TAB>original`` lines, the
CLI's ``--phrases FILE``) adds the user's own, reported with ``source: "user"``.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from . import expressions, originals, settings
from .document import Document, Span, load
from .errors import InputError
from .phrases import Lexicon, name_pairs, wordnet_synonyms
from .segment import Segmented, segment
from .words import STOPWORDS, initials, is_alpha_content, name_before, zipf

__all__ = ["Inspection", "Trace", "Tortured", "inspect", "read_phrases"]

_ACRONYM = re.compile(r"\(([A-Z]{2,6})\)")
_EDITOR_CODE = re.compile(r"\((?:AFP|AP|Reuters|ANT|Antara|Xinhua|dpa|EFE|ANTARA)/[A-Za-z]{1,4}-?\d{0,3}\)")
_INFLECTIONS = ("s", "es", "ed", "d", "ing", "er", "ers")


@dataclass(frozen=True, slots=True)
class Tortured:
    """A phrase that reads like a spinner's synonym swap, with the expression it likely replaced."""

    span: Span
    original: str
    score: float  # 0-1: how much better the restored phrase fits than the phrase as written
    source: str = "unspin"  # "unspin" (found here) | "user" (from the phrases given)

    def to_dict(self) -> dict[str, Any]:
        return {**self.span.to_dict(), "original": self.original, "score": round(self.score, 4), "source": self.source}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tortured:
        return cls(Span.from_dict(data), str(data["original"]), float(data["score"]), str(data.get("source", "unspin")))


@dataclass(frozen=True, slots=True)
class Trace:
    """A trace of a translation or find-and-replace tool, with what was probably there before."""

    span: Span
    kind: str  # find-and-replace | foreign-acronym | editor-code
    original: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.span.to_dict(), "kind": self.kind, "original": self.original}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trace:
        return cls(Span.from_dict(data), str(data["kind"]), str(data.get("original", "")))


@dataclass(frozen=True, slots=True)
class Inspection:
    """What ``inspect`` found in one document; ``to_dict()`` is exactly what ``unspin inspect --json`` prints."""

    spun_score: float  # 0-1; from settings "spin_doc_threshold" up the document reads as spun
    translated_score: float  # 0-1; from settings "translated_doc_threshold" up it reads as machine-translated
    tortured: tuple[Tortured, ...]
    artefacts: tuple[Trace, ...]

    @property
    def spun(self) -> bool:
        return self.spun_score >= settings.get("spin_doc_threshold")

    @property
    def translated(self) -> bool:
        return self.translated_score >= settings.get("translated_doc_threshold")

    def to_dict(self) -> dict[str, Any]:
        return {
            "spun_score": round(self.spun_score, 4),
            "translated_score": round(self.translated_score, 4),
            "tortured": [t.to_dict() for t in self.tortured],
            "artefacts": [a.to_dict() for a in self.artefacts],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Inspection:
        return cls(
            float(data["spun_score"]),
            float(data["translated_score"]),
            tuple(Tortured.from_dict(t) for t in data.get("tortured", [])),
            tuple(Trace.from_dict(a) for a in data.get("artefacts", [])),
        )


def inspect(
    doc: str | os.PathLike[str] | Document,
    phrases: Iterable[tuple[str, str]] | str | os.PathLike[str] | None = None,
    db: str | os.PathLike[str] | Lexicon | None = None,
) -> Inspection:
    """Signs of spinning and of machine translation in ``doc`` (a path, a text or a Document), without its source.

    ``phrases``: extra tortured phrases of the user's, as (tortured, original) pairs or a file of
    ``tortured<TAB>original`` lines; found ones are reported with ``source="user"``.
    ``db``: a collection store (the path of an ``unspin index`` database) or a ``phrases.Lexicon``: word pairs
    that its documents use often count as known expressions too.
    """
    document = load(doc)
    seg = segment(document)
    traces = _traces(seg)
    extra = expressions.extra_pairs(db)
    words = _word_evidence(seg, extra)
    acronyms = _renamed_entities(seg)
    user = _user_phrases(seg, phrases) if phrases is not None else []
    rate, posteriors = _spin_rate([w.llr for w in words], len(acronyms) + len(user))
    spun_score = _spun_score(rate, _known_rate(seg))
    used = Counter(t.norm for t in seg.tokens)
    if spun_score >= _REPORT_SCORE:  # clearly spun: every likely swap is reported
        chosen = _likely_swaps(seg, words, posteriors, extra)
        found = _spun_names(seg, used, extra) + _word_phrases(seg, chosen, used, extra)
    else:  # names are far more often real than spun, and rare words are mostly the writer's own
        chosen = [(w, _posterior(w.llr, _PRIOR), True) for w in words if w.llr >= _STRONG_LLR]
        found = _word_phrases(seg, chosen, used, extra, need_fit=True)
    found = _merge(acronyms + found)
    taken = [(t.span.start, t.span.end) for t in user]
    found = [t for t in found if not any(s < t.span.end and t.span.start < e for s, e in taken)]
    return Inspection(
        spun_score=spun_score,
        translated_score=_translated_score(traces),
        tortured=tuple(sorted(found + user, key=lambda t: t.span.start)),
        artefacts=tuple(traces),
    )


# ---------------------------------------------------------------- settings of the word model
# Fitted by bench/fit_inspect.py (logistic regression on Reuters articles spun with WordNet synonyms, articles
# disjoint from bench_inspect's); the weights give the log likelihood ratio "swapped by a spinner" : "as written".

_FEATURES = (
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
_PRIOR = 0.01  # share of swapped words assumed where a document is too short to estimate it
# In a document that reads as spun a word is reported from this posterior on: on Reuters spun with Moby and with
# WordNet synonyms 0.4 rather than 0.5 covers more swapped words (69 -> 76% and 61 -> 68%) at the same precision.
_REPORT_POSTERIOR = 0.4
_STRONG_LLR = 5.5  # otherwise: only words this far above (posterior 0.5 at a 0.4% prior)
_NAME_WORD_ZIPF = 3.5  # a capitalised word this common in lower case is an ordinary word, not a surname
_KNOWN_WEIGHT = 0.3  # see _spun_score
_RATE_HALF = 0.088  # spun evidence (_spun_score) at which spun_score is 0.5: 98.5th pct of clean Reuters (fit_inspect)
_RUN_PAIR = 10.0  # a known pair in a capitalised run outweighs any candidate's score (``_restore_run``) ...
_RUN_CHANGE = 5.0  # ... and a word read back must make one to pay for itself
# Adjacent reported words read back together (``_read_jointly``): each word's best candidates by itself, and those
# making a known expression with one of the first options of the word before, are tried; a word reported only on its
# pair's account (``_likely_swaps``) keeps its written form unless a reading beats it by ``_JOINT_KEEP``. On the
# articles the chooser is fitted on, WordNet-spun words restored right 41.5 -> 43.7% (Moby-spun 32.0 -> 31.8%); a
# larger language-model weight or no margin change more words that were not swapped.
_JOINT_TOP = 20
_JOINT_KNOWN = 3
_JOINT_KEEP = 1.0
# In a clearly spun document a word is also reported when some candidate fits its neighbours this much better by
# the language model (nats, ``originals.lm_gain``) and its posterior of a swap is at least ``_LM_FLAG_POSTERIOR``: on
# the fitted articles it covers 75 -> 79% of WordNet-spun words (restored right 43.7 -> 45.9%), Moby 82 -> 85%.
_LM_FLAG = 3.0
_LM_FLAG_POSTERIOR = 0.1
_REPORT_SCORE = 0.62  # spun_score from which every likely swap is reported (99.8th percentile of clean Reuters)


class _Word(NamedTuple):
    token: int  # token index
    llr: float  # log likelihood ratio: swapped by a spinner vs as written


# ---------------------------------------------------------------- data


def load_data() -> None:
    """Read the thesaurus, the bigram table and the dictionaries' expressions now (a few seconds) rather than
    in the first ``inspect``."""
    expressions.unigrams()
    expressions.bigrams()
    originals.moby_reversed()
    expressions.neighbour_sets()
    expressions.language_model()
    wordnet_synonyms("")


@lru_cache(maxsize=100_000)
def _head_stats(word: str) -> tuple[float, int]:
    """Zipf of the commonest headword listing ``word`` (its own zipf when none does), and how many do."""
    heads = originals.headwords(word)
    return max((zipf(c) for c in heads), default=zipf(word)), len(heads)


# ---------------------------------------------------------------- spinning: words


def _neighbours(seg: Segmented, i: int) -> tuple[str | None, str | None]:
    """The words just before and after token ``i`` in its clause (None across punctuation)."""
    text, tokens = seg.doc.text, seg.tokens
    prev = nxt = None
    if i > 0 and _joined(text[tokens[i - 1].end : tokens[i].start]):
        prev = tokens[i - 1].norm
    if i + 1 < len(tokens) and _joined(text[tokens[i].end : tokens[i + 1].start]):
        nxt = tokens[i + 1].norm
    return prev, nxt


def _joined(gap: str) -> bool:
    return gap in (" ", "-") or (gap.isspace() and "\n" not in gap)


def _features(seg: Segmented, extra: Lexicon | None = None) -> tuple[list[int], list[list[float]]]:
    """The content words of ``seg`` a spinner could have swapped (token indices) and their features
    (``_FEATURES`` order)."""
    text, tokens = seg.doc.text, seg.tokens
    firsts = {s.first_token for s in seg.sentences}
    norms = [t.norm for t in tokens]
    repeats = Counter(norms)
    joined = [False] + [_joined(text[a.end : b.start]) for a, b in zip(tokens, tokens[1:], strict=False)]
    content = [len(w) > 2 and w.isalpha() and w not in STOPWORDS for w in norms]
    indices: list[int] = []
    rows: list[list[float]] = []
    last = len(tokens) - 1
    for i, token in enumerate(tokens):
        if not content[i]:
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


def _word_evidence(seg: Segmented, extra: Lexicon | None = None) -> list[_Word]:
    """Each content word with the log likelihood ratio that a spinner put it there."""
    indices, rows = _features(seg, extra)
    if not rows:
        return []
    llrs = np.asarray(rows, dtype=np.float64) @ np.asarray(_WEIGHTS) + _BIAS
    return [_Word(i, float(v)) for i, v in zip(indices, llrs, strict=True)]


def _posterior(llr: float, prior: float) -> float:
    odds = prior / (1.0 - prior) * math.exp(min(llr, 30.0))
    return odds / (1.0 + odds)


def _spin_rate(llrs: list[float], evidence: float = 0.0) -> tuple[float, list[float]]:
    """The share of swapped words that best explains the evidence (EM on a two-class mixture whose word
    likelihood ratios are ``llrs``; ``evidence``: findings counted as swapped for sure), and each word's
    posterior that it was swapped."""
    if len(llrs) < 30:
        return _PRIOR, [_posterior(v, _PRIOR) for v in llrs]
    ratios = np.exp(np.minimum(np.asarray(llrs), 30.0))
    rate = 0.1
    for _ in range(50):
        posteriors = rate * ratios / (rate * ratios + 1.0 - rate)
        new = min(0.95, max(1e-4, (float(posteriors.sum()) + evidence) / (len(llrs) + evidence)))
        if abs(new - rate) < 1e-5:
            break
        rate = new
    return rate, [float(p) for p in rate * ratios / (rate * ratios + 1.0 - rate)]


def _best_original(
    word: str, prev: str | None, nxt: str | None, extra: Lexicon | None = None
) -> tuple[str | None, float, str]:
    """The candidate original with the highest raw score, that score, and which neighbour ("prev" or
    "next") forms a known expression with it where the written word does not. Raw score: the gain in
    association with the neighbours plus ``spin_rarity_weight`` x how much more common the candidate is."""
    sides = [(prev, True), (nxt, False)]
    written = {}
    for other, before in sides:
        if other is not None:
            written[before] = expressions.assoc(other, word, extra) if before else expressions.assoc(word, other, extra)
    floor = settings.get("spin_bigram_pmi")
    rarity = settings.get("spin_rarity_weight")
    own = zipf(word)
    after, before_sets = expressions.neighbour_sets()
    candidates = originals.headwords(word)
    fitting: set[str] = set()
    if prev is not None and prev not in STOPWORDS:
        fitting |= candidates & after.get(prev, frozenset())
        if extra is not None:
            fitting |= candidates & extra.after.get(prev, frozenset())
    if nxt is not None and nxt not in STOPWORDS:
        fitting |= candidates & before_sets.get(nxt, frozenset())
        if extra is not None:
            fitting |= candidates & extra.before.get(nxt, frozenset())
    best: str | None = None
    best_score, best_side = -math.inf, ""
    for candidate in sorted(fitting):
        gain, support, strongest = 0.0, "", 0.0
        for other, before in sides:
            if other is None or other in STOPWORDS:
                continue
            pmi, known = (
                expressions.assoc(other, candidate, extra) if before else expressions.assoc(candidate, other, extra)
            )
            mine, mine_known = written[before]
            gain += pmi - mine
            if known and not mine_known and pmi >= floor and pmi > strongest:
                support, strongest = ("prev" if before else "next"), pmi
        score = gain + rarity * (zipf(candidate) - own)
        if support and score > best_score:
            best, best_score, best_side = candidate, score, support
    return best, best_score, best_side


def _restore_word(seg: Segmented, i: int, extra: Lexicon | None, used: Counter[str]) -> tuple[str | None, str]:
    """The word a spinner likely replaced at token ``i`` (``originals.scores``' best), and the content neighbour
    ("prev"/"next"/"") it makes a known expression with."""
    word = seg.tokens[i].norm
    prev, nxt = _neighbours(seg, i)
    scores = originals.scores(word, prev, nxt, used, extra)
    if not scores:
        return None, ""
    best = scores[0][1]
    left = is_alpha_content(prev) and expressions.known(prev or "", best, extra)
    right = is_alpha_content(nxt) and expressions.known(best, nxt or "", extra)
    return best, ("prev" if left else "next" if right else "")


def _likely_swaps(
    seg: Segmented, words: list[_Word], posteriors: list[float], extra: Lexicon | None
) -> list[tuple[_Word, float, bool]]:
    """In a document that reads as clearly spun: the words whose posterior reaches ``_REPORT_POSTERIOR``, the two
    words of an adjacent pair that does (the likelier one restored), and the words a headword
    would turn into a known expression with a neighbour (raw score from settings "spin_doc_gain"). Each as
    (word, score, whether to restore it)."""
    chosen: dict[int, tuple[_Word, float, bool]] = {}
    by_token = {w.token: (w, p) for w, p in zip(words, posteriors, strict=True)}
    for w, p in by_token.values():
        if p >= _REPORT_POSTERIOR:
            chosen[w.token] = (w, p, True)
    for w, p in by_token.values():
        after = by_token.get(w.token + 1)
        if after is not None and _neighbours(seg, w.token)[1] is not None:
            either = 1.0 - (1.0 - p) * (1.0 - after[1])
            if either >= _REPORT_POSTERIOR:
                first_restored = p >= after[1] and bool(originals.headwords(seg.tokens[w.token].norm))
                for item, restore in (((w, p), first_restored), (after, not first_restored)):
                    chosen.setdefault(item[0].token, (item[0], either, restore))
    gain = settings.get("spin_doc_gain")
    for w, p in by_token.values():
        if w.token not in chosen and seg.doc.text[seg.tokens[w.token].start].islower():
            prev, nxt = _neighbours(seg, w.token)
            best, raw, _ = _best_original(seg.tokens[w.token].norm, prev, nxt, extra)
            if best is not None and raw >= gain:
                chosen[w.token] = (w, max(p, _REPORT_POSTERIOR), True)
            elif p >= _LM_FLAG_POSTERIOR and originals.lm_gain(seg.tokens[w.token].norm, prev, nxt) >= _LM_FLAG:
                chosen[w.token] = (w, max(p, _REPORT_POSTERIOR), True)
    # A spinner swaps a word for the same synonym throughout (its dictionary is fixed), so a word it wrote where it is
    # restored elsewhere is restored here too, not only possibly ("powers" next to "moved" as well as "rebel powers").
    sure = {seg.tokens[k].norm for k, (_, _, restore) in chosen.items() if restore}
    for k, (w, p, restore) in chosen.items():
        if not restore and seg.tokens[k].norm in sure:
            chosen[k] = (w, p, True)
    return [chosen[k] for k in sorted(chosen)]


def _word_phrases(
    seg: Segmented,
    chosen: list[tuple[_Word, float, bool]],
    used: Counter[str],
    extra: Lexicon | None,
    need_fit: bool = False,
) -> list[Tortured]:
    """Reported words as phrases: adjacent ones joined, each restored (names stay as written; adjacent ones read
    back together, ``_read_jointly``, as one word's choice next to the other as written misses the expression they
    make); each read with a content neighbour (``_reach``). ``need_fit``: only words whose restored form makes a
    known expression with one."""
    if not chosen:
        return []
    text, tokens = seg.doc.text, seg.tokens
    firsts = {s.first_token for s in seg.sentences}
    restored: dict[int, str] = {}
    optional: set[int] = set()  # swapped words the pair's likelier word stands for (``_likely_swaps``)
    score: dict[int, float] = {}
    reach: dict[int, tuple[int, int]] = {}
    for w, posterior, restore in chosen:
        i = w.token
        name = _is_name(seg, i, firsts)
        original, side = _restore_word(seg, i, extra, used) if restore and not name else (None, "")
        if (original is None and (restore and not name)) or (need_fit and not side):
            continue
        if original is not None:
            restored[i] = original
        elif not name:
            optional.add(i)
        score[i] = posterior
        reach[i] = _reach(seg, i, side) if original is not None else (i, i)
    settled = _pooled_originals(seg, restored, extra, used)
    restored.update(settled)
    found: list[Tortured] = []
    for group in _groups(seg, sorted(score)):
        if not any(i in restored for i in group):
            continue
        if len(group) > 1:
            reading = _read_jointly(seg, group, restored, optional, settled, extra, used)
            for j, word in zip(group, reading, strict=True):
                if word != tokens[j].norm:
                    if j not in restored:  # read with its content neighbour, as a restored word is
                        reach[j] = _reach(seg, j, "")
                    restored[j] = word
                else:
                    restored.pop(j, None)
            if not any(i in restored for i in group):
                continue
        first = min(reach[i][0] for i in group)
        last = max(reach[i][1] for i in group)
        pieces = []
        for j in range(first, last + 1):
            token = tokens[j]
            pieces.append(_cased(restored[j], text[token.start : token.end]) if j in restored else _token_text(seg, j))
            if j < last:
                pieces.append(text[token.end : tokens[j + 1].start])
        start, end = tokens[first].start, tokens[last].end
        found.append(Tortured(Span.of(text, start, end), "".join(pieces), max(score[i] for i in group)))
    return found


def _pooled_originals(
    seg: Segmented, restored: dict[int, str], extra: Lexicon | None, used: Counter[str]
) -> dict[int, str]:
    """One original for every place of a written word restored in more than one: the candidate likeliest over all
    its contexts together (the sum of its log-probabilities under the chooser at each), as a spinner's dictionary
    gives a word the same synonym throughout. Token index -> that original. With the restoring of a word that may
    stay as written where it is restored elsewhere (``_likely_swaps``), on the articles the chooser is fitted on,
    Moby-spun with one synonym per word throughout (bench_inspect's "Moby, fixed"), restored-right rose 33.7 ->
    36.0%; with a random synonym at each place it moved -0.2 to +0.5 points."""
    places: dict[str, list[int]] = {}
    for i in restored:
        places.setdefault(seg.tokens[i].norm, []).append(i)
    settled: dict[int, str] = {}
    for word, where in places.items():
        if len(where) < 2:
            continue
        total: dict[str, float] = {}
        for i in where:
            prev, nxt = _neighbours(seg, i)
            scored = originals.scores(word, prev, nxt, used, extra, top=None)
            top = scored[0][0]
            norm = top + math.log(sum(math.exp(v - top) for v, _ in scored))
            for v, c in scored:
                total[c] = total.get(c, 0.0) + v - norm
        best = max(sorted(total), key=total.__getitem__)
        settled.update(dict.fromkeys(where, best))
    return settled


def _read_jointly(
    seg: Segmented,
    group: list[int],
    restored: dict[int, str],
    optional: set[int],
    settled: dict[int, str],
    extra: Lexicon | None,
    used: Counter[str],
) -> list[str]:
    """Adjacent reported words read back together (Viterbi over the run ``group``): each restored word as one of its
    candidates (``originals.scores``), each adjacent pair scored by the language model's PMI and the web table as the
    chooser weighs a neighbour. A word reported only on its pair's account (``optional``) may stay as written,
    scoring like its best candidate plus ``_JOINT_KEEP``; names stay, and so does a word whose original is
    ``settled`` (``_pooled_originals``). Why: each word chosen next to the other as written misses the expression
    the two make together ("territorial impact" -> "regional influence", not "regional impact").

    A word's candidates are scored with its neighbours as written: a swapped neighbour is a synonym of its
    original, which tells the sense ("powers" next to "moved" as "forces"). An optional neighbour counts as none:
    kept as written, its pair with the word would count twice, in the score and in the pair's ("political
    specialist" -> "political pundit"). On the articles the chooser is fitted on this raised restored-right from
    45.9 / 32.8 / 31.3 / 32.8% to 46.7 / 34.6 / 32.7 / 34.5% (WordNet / Moby / mutual / reverse), against
    scoring inner words with no neighbours."""
    tokens = seg.tokens
    before, after = _neighbours(seg, group[0])[0], _neighbours(seg, group[-1])[1]
    fixed = {
        j: settled.get(j, tokens[j].norm) for j in group if j in settled or (j not in restored and j not in optional)
    }
    context = [None if j in optional else tokens[j].norm for j in group]
    options: list[list[tuple[str, float]]] = []
    for k, j in enumerate(group):
        word = tokens[j].norm
        if j in fixed:
            options.append([(fixed[j], 0.0)])
            continue
        left = before if k == 0 else context[k - 1]
        right = after if k == len(group) - 1 else context[k + 1]
        names, rows = originals.features(word, left, right, used, extra)
        cheap = rows @ np.asarray(originals.WEIGHTS)
        scored = originals.ranked(word, names, cheap, originals.CHOICE_TOP)[:_JOINT_TOP]
        if options:  # also the candidates that make a known expression with the word before's first options
            following: set[str] = set()
            for c, _ in options[-1][:_JOINT_KNOWN]:
                following |= expressions.neighbour_sets()[0].get(c, frozenset())
            following -= {c for _, c in scored}
            closeness = originals.WEIGHTS[1]
            scored += [
                (float(cheap[n]) + closeness * originals.closeness(word, c), c)
                for n, c in enumerate(names)
                if c in following
            ]
        best = scored[0][0] if scored else 0.0
        written = [(word, best + _JOINT_KEEP)] if j in optional else []  # a restored word is read as a candidate
        options.append([*written, *((c, v) for v, c in scored)] or [(word, 0.0)])
    weights = originals.WEIGHTS
    lm_weight, pmi_weight = (weights[22] + weights[23]) / 2, (weights[6] + weights[9]) / 2

    def link(a: str, b: str) -> float:
        pmi, known = expressions.assoc(a, b, extra)
        return pmi_weight * pmi + weights[16] * known + lm_weight * expressions.lm_pmi(a, b)

    best_paths = [(v, [c]) for c, v in options[0]]
    for column in options[1:]:
        best_paths = [
            max(((total + link(path[-1], c) + v, path + [c]) for total, path in best_paths), key=lambda item: item[0])
            for c, v in column
        ]
    return max(best_paths, key=lambda item: item[0])[1]


def _reach(seg: Segmented, i: int, side: str) -> tuple[int, int]:
    """The first and last token of the phrase a restored word is read in: with the content neighbour its original
    makes a known expression with, else with the content word before it (a head after its modifier: "military
    binds"), else with the one after it ("cordial relations")."""
    prev, nxt = _neighbours(seg, i)
    if not side:
        side = "prev" if is_alpha_content(prev) else "next" if is_alpha_content(nxt) else ""
    return i - (side == "prev"), i + (side == "next")


def _is_name(seg: Segmented, i: int, firsts: set[int]) -> bool:
    return _token_text(seg, i)[0].isupper() and i not in firsts


def _token_text(seg: Segmented, i: int) -> str:
    token = seg.tokens[i]
    return seg.doc.text[token.start : token.end]


def _groups(seg: Segmented, indices: list[int]) -> list[list[int]]:
    """Runs of token indices next to each other in one clause."""
    groups: list[list[int]] = []
    for i in indices:
        if groups and groups[-1][-1] == i - 1 and _neighbours(seg, i)[0] is not None:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _cased(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _merge(found: list[Tortured]) -> list[Tortured]:
    """Overlapping finds: the higher-scored one is kept (a restored name beats its single words)."""
    kept: list[Tortured] = []
    for t in sorted(found, key=lambda t: -t.score):
        if not any(k.span.start < t.span.end and t.span.start < k.span.end for k in kept):
            kept.append(t)
    return kept


# ---------------------------------------------------------------- spinning: names


def _renamed_entities(seg: Segmented) -> list[Tortured]:
    """ "Global Lawbreaker Court (ICC)": the acronym fits the name once its words are read back through the
    thesaurus ("International Criminal Court"), so the name was spun."""
    text = seg.doc.text
    found: list[Tortured] = []
    for m in _ACRONYM.finditer(text):
        words = _name_words(text, m.start())
        restored = _restore_name([w for _, _, w in words], m.group(1))
        if restored:
            found.append(Tortured(Span.of(text, words[0][0], words[-1][1]), restored, 1.0))
    return found


def _restore_name(words: list[str], acronym: str) -> str | None:
    """The name whose initials are ``acronym``, each mismatched word replaced by a thesaurus headword
    with the right initial, when the restored name has more known word pairs than the written one."""
    if len(words) != len(acronym) or "".join(w[0] for w in words) == acronym:
        return None
    restored = []
    for word, letter in zip(words, acronym, strict=True):
        if word[0] == letter:
            restored.append(word.lower())
            continue
        heads = [h for h in originals.headwords(word.lower()) if h[0] == letter.lower()]
        if not heads:
            return None
        restored.append(max(heads, key=lambda h: sum(_known_pairs(restored + [h]), 0) * 10 + zipf(h)))
    written = [w.lower() for w in words]
    if sum(_known_pairs(restored)) <= sum(_known_pairs(written)):
        return None
    changed_ok = all(
        r == w or any(k for j, k in enumerate(_known_pairs(restored)) if j in (i - 1, i))
        for i, (r, w) in enumerate(zip(restored, written, strict=True))
    )
    return " ".join(_cased(r, w) for r, w in zip(restored, words, strict=True)) if changed_ok else None


def _known_pairs(words: list[str], extra: Lexicon | None = None) -> list[bool]:
    return [expressions.known(a, b, extra) for a, b in zip(words, words[1:], strict=False)]


def _name_words(text: str, position: int) -> list[tuple[int, int, str]]:
    """The capitalised words (no glue words) just before ``position``, with their spans."""
    window = max(0, position - 120)
    words = [(m.start() + window, m.end() + window, m.group()) for m in re.finditer(r"[\w'’-]+", text[window:position])]
    name: list[tuple[int, int, str]] = []
    for item in reversed(words):
        if item[2][0].isupper():
            name.append(item)
        else:
            break
    return list(reversed(name))


def _spun_names(seg: Segmented, used: Counter[str], extra: Lexicon | None = None) -> list[Tortured]:
    """ "European Association": a capitalised run of common words none of whose neighbours make a known
    expression, where reading a word back through the thesaurus does ("European Union"). Score: the share
    of the run's word pairs the restoration makes known."""
    text, tokens = seg.doc.text, seg.tokens
    found: list[Tortured] = []
    for sentence in seg.sentences:
        run: list[int] = []
        for i in range(sentence.first_token + 1, sentence.last_token + 1):
            title = i < sentence.last_token and _title_word(seg, i)
            if title and (not run or _neighbours(seg, i)[0] is not None):
                run.append(i)
                continue
            if len(run) >= 2:
                restored = _restore_run([tokens[j].norm for j in run], extra, used)
                if restored is not None:
                    names, share = restored
                    start, end = tokens[run[0]].start, tokens[run[-1]].end
                    original = " ".join(_cased(n, _token_text(seg, j)) for n, j in zip(names, run, strict=True))
                    found.append(Tortured(Span.of(text, start, end), original, share))
            run = [i] if title else []
    return found


def _title_word(seg: Segmented, i: int) -> bool:
    written = _token_text(seg, i)
    word = seg.tokens[i].norm
    return (
        written[:1].isupper()
        and written[1:].islower()
        and word.isalpha()
        and word not in STOPWORDS
        and zipf(word) >= _NAME_WORD_ZIPF
    )


def _restore_run(words: list[str], extra: Lexicon | None, used: Counter[str]) -> tuple[list[str], float] | None:
    """The run whose pairs are all unknown read back as a whole: the words (each as written or one of its best
    candidates by ``originals.scores``) whose adjacent pairs make the most of names WordNet lists (2 each:
    "European Union") and known expressions (1: "collective security"), less half a pair for each word changed,
    then the best scored: chosen jointly, as a name's words were spun together. None unless a pair is known."""
    if any(_known_pairs(words, extra)):
        return None
    names = name_pairs()
    options = []  # per word: (candidate, its score); as written it scores like its best candidate
    for word in words:
        scored = [(c, v) for v, c in originals.scores(word, None, None, used, extra, top=2 * originals.CHOICE_TOP)]
        options.append([(word, scored[0][1] if scored else 0.0), *((c, v - _RUN_CHANGE) for c, v in scored)])

    def link(a: str, b: str) -> float:
        rank = 2 if (a, b) in names else 1 if expressions.known(a, b, extra) else 0
        return _RUN_PAIR * rank + (originals.WEIGHTS[6] * expressions.assoc(a, b, extra)[0] if rank else 0.0)

    # Viterbi over the run: best[j] = (total, path) of the best reading ending in option j of the current word
    best = [(v, [c]) for c, v in options[0]]
    for column in options[1:]:
        best = [
            max(((total + link(path[-1], c) + v, path + [c]) for total, path in best), key=lambda item: item[0])
            for c, v in column
        ]
    restored = max(best, key=lambda item: item[0])[1]
    after = _known_pairs(restored, extra)
    if not any(after):
        return None
    return restored, sum(after) / len(after)


# ---------------------------------------------------------------- spinning: the document


def _known_rate(seg: Segmented) -> float:
    """Share of adjacent word pairs (both words known) that the bigram table knows: swapping words for
    synonyms breaks collocations, so spun text has fewer (clean Reuters: median 0.62, 2nd percentile 0.53)."""
    text, tokens, known = seg.doc.text, seg.tokens, expressions.unigrams()
    bigrams = expressions.bigrams()
    pairs = hits = 0
    for a, b in zip(tokens, tokens[1:], strict=False):
        if a.norm in known and b.norm in known and _joined(text[a.end : b.start]):
            pairs += 1
            hits += f"{a.norm} {b.norm}" in bigrams
    return hits / pairs if pairs >= 20 else settings.get("spin_known_base")


def _spun_score(rate: float, known_rate: float) -> float:
    """The estimated share of swapped words plus ``_KNOWN_WEIGHT`` x how far the share of known word pairs
    falls below ``spin_known_base``, as 0-1: 0.5 at ``_RATE_HALF``."""
    density = rate + _KNOWN_WEIGHT * max(0.0, settings.get("spin_known_base") - known_rate)
    return density / (density + _RATE_HALF)


# ---------------------------------------------------------------- user phrases


def read_phrases(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """``tortured<TAB>original`` lines of a file (blank lines and ``#`` comments skipped)."""
    where = str(path)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{where}: no such file; give a file of 'tortured<TAB>original' lines") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{where}: cannot read the phrases ({err}); give a UTF-8 text file") from None
    pairs = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        tortured, tab, original = line.partition("\t")
        if not tab or not tortured.strip():
            raise InputError(f"{where}:{number}: expected 'tortured<TAB>original', got {line.strip()[:60]!r}")
        pairs.append((tortured.strip(), original.strip()))
    return pairs


def _user_phrases(seg: Segmented, phrases: Iterable[tuple[str, str]] | str | os.PathLike[str]) -> list[Tortured]:
    pairs = read_phrases(phrases) if isinstance(phrases, str | os.PathLike) else list(phrases)
    text = seg.doc.text
    found: list[Tortured] = []
    for tortured, original in pairs:
        words = [re.escape(w) for w in tortured.split()]
        if not words:
            continue
        pattern = re.compile(r"(?<!\w)" + r"[\s-]+".join(words) + r"(?!\w)", re.IGNORECASE)
        for m in pattern.finditer(text):
            found.append(Tortured(Span.of(text, m.start(), m.end()), original, 1.0, "user"))
    found.sort(key=lambda t: (t.span.start, -t.span.end))
    kept: list[Tortured] = []
    for t in found:
        if not kept or t.span.start >= kept[-1].span.end:
            kept.append(t)
    return kept


# ---------------------------------------------------------------- translation


def _traces(seg: Segmented) -> list[Trace]:
    text = seg.doc.text
    found = _find_and_replace(seg) + _doubled_words(seg)
    for m in _ACRONYM.finditer(text):
        acronym = m.group(1)
        words = _name_words(text, m.start())
        name = name_before(text, m.start())
        if len(words) < 2 or _fits(acronym, name):
            continue
        if _restore_name([w for _, _, w in words], acronym):
            continue  # a spun name, reported as tortured
        found.append(Trace(Span.of(text, m.start(1), m.end(1)), "foreign-acronym", initials(name)))
    for m in _EDITOR_CODE.finditer(text):
        found.append(Trace(Span.of(text, m.start(), m.end()), "editor-code", ""))
    return sorted(found, key=lambda t: t.span.start)


def _find_and_replace(seg: Segmented) -> list[Trace]:
    """'once morest': a tool replaced 'again' by 'once more' inside 'against'."""
    text, tokens = seg.doc.text, seg.tokens
    reverse = originals.moby_reversed()
    found: list[Trace] = []
    for i, token in enumerate(tokens):
        word = token.norm
        if len(word) < 4 or not word.isalpha() or zipf(word) > 0 or text[token.start].isupper():
            continue
        for cut in range(len(word) - 2, 0, -1):
            head, tail = word[:cut], word[cut:]
            for back in range(min(2, i), -1, -1):  # the longest phrase first: "once more" + "st"
                phrase = " ".join([t.norm for t in tokens[i - back : i]] + [head])
                for original in reverse.get(phrase, ()):
                    if zipf(original + tail) >= 3.0 and original + tail != word:
                        start = tokens[i - back].start
                        found.append(Trace(Span.of(text, start, token.end), "find-and-replace", original + tail))
                        break
                else:
                    continue
                break
            else:
                continue
            break
    return found


def _doubled_words(seg: Segmented) -> list[Trace]:
    """'once once more': 'again' replaced by 'once more' after a 'once' that was already there."""
    text, tokens = seg.doc.text, seg.tokens
    reverse = originals.moby_reversed()
    found: list[Trace] = []
    for i in range(1, len(tokens) - 1):
        word = tokens[i].norm
        if word != tokens[i - 1].norm or not word.isalpha():
            continue
        for length in (2, 3):
            phrase = " ".join(t.norm for t in tokens[i : i + length])
            heads = [h for h in reverse.get(phrase, ()) if f"{word} {h}" in expressions.bigrams()]
            if heads:
                end = tokens[i + length - 1].end
                found.append(Trace(Span.of(text, tokens[i - 1].start, end), "find-and-replace", f"{word} {heads[0]}"))
                break
    return found


def _fits(acronym: str, name: str) -> bool:
    """Whether the acronym's letters can be read off the name: in order, each from a word's start or
    from inside the word that gave the letter before ("Fed" for "Federal Reserve", "NATO", "OECD")."""
    letters = acronym.lower()
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", name)]
    if not words or not letters:
        return False

    @cache
    def match(li: int, wi: int, ci: int) -> bool:  # letter li, inside word wi at character ci
        if li == len(letters):
            return True
        if wi >= len(words):
            return False
        word = words[wi]
        if ci < len(word) and word.find(letters[li], ci) >= 0 and match(li + 1, wi, word.find(letters[li], ci) + 1):
            return True
        return any(words[w][0] == letters[li] and match(li + 1, w, 1) for w in range(wi + 1, len(words)))

    return any(words[w][0] == letters[0] and match(1, w, 1) for w in range(len(words)))


def _translated_score(traces: list[Trace]) -> float:
    """1 - 1/2^weight: one foreign acronym or find-and-replace trace gives 0.5, two 0.75 ..."""
    weights = {"find-and-replace": 1.0, "foreign-acronym": 1.0, "editor-code": 0.5}
    weight = sum(weights.get(t.kind, 0.5) for t in traces)
    return 1.0 - 0.5**weight


# ---------------------------------------------------------------- view


def to_html(doc: str | os.PathLike[str] | Document, inspection: Inspection) -> str:
    """A self-contained page: the document with tortured phrases and translation traces marked."""
    from html import escape

    document = load(doc)
    text = document.text
    marks = sorted(
        [
            (t.span.start, t.span.end, "tortured " + t.source, f"{t.original} ({t.score:.2f})")
            for t in inspection.tortured
        ]
        + [(a.span.start, a.span.end, "artefact", f"{a.kind}: {a.original}") for a in inspection.artefacts]
    )
    parts, cursor = [], 0
    for start, end, css, title in marks:
        if start < cursor:
            continue
        parts.append(escape(text[cursor:start]))
        parts.append(f'<mark class="{css}" title="{escape(title)}">{escape(text[start:end])}</mark>')
        cursor = end
    parts.append(escape(text[cursor:]))
    return (
        "<!doctype html><meta charset='utf-8'><title>unspin inspect</title><style>"
        "body{font:16px/1.5 sans-serif;max-width:50em;margin:2em auto}pre{white-space:pre-wrap;font:inherit}"
        "mark.tortured{background:#fde68a}mark.user{background:#fca5a5}mark.artefact{background:#bfdbfe}</style>"
        f"<h1>{escape(document.name)}</h1><p>spun score {inspection.spun_score:.2f} · translated score "
        f"{inspection.translated_score:.2f} · {len(inspection.tortured)} tortured phrases · "
        f"{len(inspection.artefacts)} translation traces (hover a mark for the likely original)</p>"
        f"<pre>{''.join(parts)}</pre>"
    )
