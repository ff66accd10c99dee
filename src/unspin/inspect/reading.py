"""Which words to report and what they read back to (the choice of the original in context).

Where the document reads as clearly spun (``REPORT_SCORE``), every word whose posterior of a swap reaches
``_REPORT_POSTERIOR`` (and every adjacent pair that likely holds one) is reported, each read back through the
thesauri (``originals.scores``); adjacent ones are read back together, and a word restored in several places is
read back alike, as a spinner's dictionary gives a word one synonym. Elsewhere only words whose ratio alone makes
a swap likely (``STRONG_LLR``) and whose restored form makes a known expression."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from .. import settings
from ..document import Span
from ..segment import Segmented
from ..words import STOPWORDS, is_alpha_content, zipf
from . import expressions, originals
from .context import cased, neighbours, token_text
from .lexicon import Lexicon
from .result import Tortured
from .word_model import Word

REPORT_SCORE = 0.62  # spun_score from which every likely swap is reported (99.8th percentile of clean Reuters)


# In a document that reads as spun a word is reported from this posterior on: on Reuters spun with Moby and with
# WordNet synonyms 0.4 rather than 0.5 covers more swapped words (69 -> 76% and 61 -> 68%) at the same precision.
_REPORT_POSTERIOR = 0.4


STRONG_LLR = 5.5  # otherwise: only words this far above (posterior 0.5 at a 0.4% prior)


# Adjacent reported words read back together (``_read_jointly``): each word's best candidates by itself, and those
# making a known expression with one of the first options of the word before, are tried; a word reported only on its
# pair's account (``likely_swaps``) keeps its written form unless a reading beats it by ``_JOINT_KEEP``. On the
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
    prev, nxt = neighbours(seg, i)
    scores = originals.scores(word, prev, nxt, used, extra)
    if not scores:
        return None, ""
    best = scores[0][1]
    left = is_alpha_content(prev) and expressions.known(prev or "", best, extra)
    right = is_alpha_content(nxt) and expressions.known(best, nxt or "", extra)
    return best, ("prev" if left else "next" if right else "")


def likely_swaps(
    seg: Segmented, words: list[Word], posteriors: list[float], extra: Lexicon | None
) -> list[tuple[Word, float, bool]]:
    """In a document that reads as clearly spun: the words whose posterior reaches ``_REPORT_POSTERIOR``, the two
    words of an adjacent pair that does (the likelier one restored), and the words a headword
    would turn into a known expression with a neighbour (raw score from settings "spin_doc_gain"). Each as
    (word, score, whether to restore it)."""
    chosen: dict[int, tuple[Word, float, bool]] = {}
    by_token = {w.token: (w, p) for w, p in zip(words, posteriors, strict=True)}
    for w, p in by_token.values():
        if p >= _REPORT_POSTERIOR:
            chosen[w.token] = (w, p, True)
    for w, p in by_token.values():
        after = by_token.get(w.token + 1)
        if after is not None and neighbours(seg, w.token)[1] is not None:
            either = 1.0 - (1.0 - p) * (1.0 - after[1])
            if either >= _REPORT_POSTERIOR:
                first_restored = p >= after[1] and bool(originals.headwords(seg.tokens[w.token].norm))
                for item, restore in (((w, p), first_restored), (after, not first_restored)):
                    chosen.setdefault(item[0].token, (item[0], either, restore))
    gain = settings.get("spin_doc_gain")
    for w, p in by_token.values():
        if w.token not in chosen and seg.doc.text[seg.tokens[w.token].start].islower():
            prev, nxt = neighbours(seg, w.token)
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


def word_phrases(
    seg: Segmented,
    chosen: list[tuple[Word, float, bool]],
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
    llr = {w.token: w.llr for w, _, _ in chosen}
    firsts = {s.first_token for s in seg.sentences}
    restored: dict[int, str] = {}
    optional: set[int] = set()  # swapped words the pair's likelier word stands for (``likely_swaps``)
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
            pieces.append(cased(restored[j], text[token.start : token.end]) if j in restored else token_text(seg, j))
            if j < last:
                pieces.append(text[token.end : tokens[j + 1].start])
        start, end = tokens[first].start, tokens[last].end
        written = [tokens[j].norm for j in range(first, last + 1)]
        back = [restored.get(j, tokens[j].norm) for j in range(first, last + 1)]
        evidence = {
            "rule": "strong word" if need_fit else "spun document",
            "posterior": round(max(score[i] for i in group), 4),
            "words": [
                {"written": tokens[j].norm, "original": restored[j], "llr": round(llr[j], 2)}
                for j in range(first, last + 1)
                if j in restored and j in llr
            ],
            "pairs": pair_evidence(written, back),
        }
        found.append(
            Tortured(Span.of(text, start, end), "".join(pieces), max(score[i] for i in group), evidence=evidence)
        )
    return found


def pair_evidence(written: list[str], restored: list[str]) -> list[dict[str, object]]:
    """For each adjacent pair the restoration changes: the written and restored pair's PMI in the language model
    and web count (None: below the table's floor)."""
    rows: list[dict[str, object]] = []
    for k in range(len(written) - 1):
        a, b, c, d = written[k], written[k + 1], restored[k], restored[k + 1]
        if (a, b) == (c, d):
            continue
        rows.append(
            {
                "written": f"{a} {b}",
                "original": f"{c} {d}",
                "written_lm_pmi": round(expressions.lm_pmi(a, b), 2),
                "original_lm_pmi": round(expressions.lm_pmi(c, d), 2),
                "written_web_count": expressions.bigrams().get(f"{a} {b}"),
                "original_web_count": expressions.bigrams().get(f"{c} {d}"),
            }
        )
    return rows


def _pooled_originals(
    seg: Segmented, restored: dict[int, str], extra: Lexicon | None, used: Counter[str]
) -> dict[int, str]:
    """One original for every place of a written word restored in more than one: the candidate likeliest over all
    its contexts together (the sum of its log-probabilities under the chooser at each), as a spinner's dictionary
    gives a word the same synonym throughout. Token index -> that original. With the restoring of a word that may
    stay as written where it is restored elsewhere (``likely_swaps``), on the articles the chooser is fitted on,
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
            prev, nxt = neighbours(seg, i)
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
    before, after = neighbours(seg, group[0])[0], neighbours(seg, group[-1])[1]
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
    prev, nxt = neighbours(seg, i)
    if not side:
        side = "prev" if is_alpha_content(prev) else "next" if is_alpha_content(nxt) else ""
    return i - (side == "prev"), i + (side == "next")


def _is_name(seg: Segmented, i: int, firsts: set[int]) -> bool:
    return token_text(seg, i)[0].isupper() and i not in firsts


def _groups(seg: Segmented, indices: list[int]) -> list[list[int]]:
    """Runs of token indices next to each other in one clause."""
    groups: list[list[int]] = []
    for i in indices:
        if groups and groups[-1][-1] == i - 1 and neighbours(seg, i)[0] is not None:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def merge(found: list[Tortured]) -> list[Tortured]:
    """Overlapping finds: the higher-scored one is kept (a restored name beats its single words)."""
    kept: list[Tortured] = []
    for t in sorted(found, key=lambda t: -t.score):
        if not any(k.span.start < t.span.end and t.span.start < k.span.end for k in kept):
            kept.append(t)
    return kept
