"""Passages reused between two documents, with spans on both sides.

Tiered cost (DESIGN.md): exact token runs first (verbatim copies, exact boundaries), then a
thesaurus-aware word-overlap matrix between sentences (spun copies keep names, numbers and rare
words, and swap the rest for synonyms), and the sentence model only for what is left undecided.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse

from . import embed, settings, thesaurus
from .document import Span
from .numbers import numbers_agree
from .segment import Segmented
from .words import is_content, lemma, weight


@dataclass(frozen=True, slots=True)
class Passage:
    """One reused passage: where it is in A and in B, how sure we are, and how it was found."""

    a: Span
    b: Span
    score: float
    kind: str  # verbatim | spun | translated | paraphrased
    method: str  # exact | lexical | model
    pairs: tuple[tuple[int, int], ...] = field(default=(), compare=False)  # aligned sentence indices

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": {"start": self.a.start, "end": self.a.end},
            "b": {"start": self.b.start, "end": self.b.end},
            "score": round(self.score, 4),
            "kind": self.kind,
            "method": self.method,
        }


@dataclass(slots=True)
class AlignStats:
    """What each tier did, for the report and the benchmarks."""

    exact_passages: int = 0
    lexical_pairs: int = 0
    model_pairs: int = 0
    sentences_embedded: int = 0


# ---------------------------------------------------------------- tier 1: exact token runs


def verbatim_passages(sa: Segmented, sb: Segmented) -> list[Passage]:
    """Runs of identical tokens (n-gram seeded), merged across small gaps of noise into passages."""
    k = int(settings.get("verbatim_ngram"))
    gap = int(settings.get("verbatim_gap"))
    ta = [t.norm for t in sa.tokens]
    tb = [t.norm for t in sb.tokens]
    if len(ta) < k or len(tb) < k:
        return []
    grams_a = list(zip(*(ta[n:] for n in range(k)), strict=False))  # every k-gram, built in C
    grams_b = list(zip(*(tb[n:] for n in range(k)), strict=False))
    shared = set(grams_a).intersection(grams_b)  # unrelated texts share few: most positions drop here
    where: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for j, gram in enumerate(grams_a):
        if gram in shared:
            where[gram].append(j)
    runs: list[list[int]] = []  # [a_start, b_start, length] in tokens
    active: dict[int, int] = {}  # diagonal (j - i) -> index of the run it extends
    previous = -2
    for i in [i for i, gram in enumerate(grams_b) if gram in shared]:
        if i != previous + 1:
            active = {}  # a k-gram not shared breaks every run
        previous = i
        positions = where[grams_b[i]]
        following: dict[int, int] = {}
        if len(positions) <= 50:
            for j in positions:
                run_index = active.get(j - i)
                if run_index is None:
                    runs.append([j, i, k])
                    run_index = len(runs) - 1
                else:
                    runs[run_index][2] = i - runs[run_index][1] + k
                following[j - i] = run_index
        active = following
    groups: list[list[list[int]]] = []
    open_groups: list[list[list[int]]] = []  # groups whose end is still within reach, in B order
    for run in sorted(runs, key=lambda r: (r[1], r[0])):
        open_groups = [g for g in open_groups if g[-1][1] + g[-1][2] + gap >= run[1]]
        joinable = [
            g
            for g in open_groups
            if -k <= run[0] - (g[-1][0] + g[-1][2]) <= gap
            and -k <= run[1] - (g[-1][1] + g[-1][2]) <= gap
            and not _crosses(sa, g[-1][0] + g[-1][2], run[0])
            and not _crosses(sb, g[-1][1] + g[-1][2], run[1])
        ]
        if joinable:  # the longest chain so far: repeated phrases must not steal a run from it
            max(joinable, key=lambda g: sum(r[2] for r in g)).append(run)
        else:
            groups.append([run])
            open_groups.append(groups[-1])
    passages = []
    min_tokens = int(settings.get("verbatim_min_tokens"))
    for group in groups:
        a0, b0 = group[0][0], group[0][1]
        a1 = max(r[0] + r[2] for r in group)
        b1 = max(r[1] + r[2] for r in group)
        if min(a1 - a0, b1 - b0) < min_tokens:
            continue
        matched = sum(r[2] for r in group)
        score = min(1.0, matched / max(a1 - a0, b1 - b0))
        a_span, b_span = _token_spans(sa, a0, a1, sb, b0, b1)
        passages.append(Passage(a_span, b_span, score, "verbatim", "exact"))
    return _drop_nested(passages)


def _crosses(seg: Segmented, first_token: int, last_token: int) -> bool:
    """True when a boilerplate line lies between two token positions of ``seg``."""
    if not seg.boilerplate or first_token >= last_token or last_token > len(seg.tokens):
        return False
    start = seg.tokens[max(0, first_token - 1)].end
    end = seg.tokens[last_token - 1].start
    starts = [b.span.start for b in seg.boilerplate]
    index = bisect.bisect_left(starts, start)
    return index < len(starts) and starts[index] < end


def _token_spans(sa: Segmented, a0: int, a1: int, sb: Segmented, b0: int, b1: int) -> tuple[Span, Span]:
    """Character spans of two token ranges, each widened over closing punctuation both sides share."""
    a_start, a_end = sa.tokens[a0].start, sa.tokens[a1 - 1].end
    b_start, b_end = sb.tokens[b0].start, sb.tokens[b1 - 1].end
    ta, tb = sa.doc.text, sb.doc.text
    while a_end < len(ta) and b_end < len(tb) and ta[a_end] == tb[b_end] and ta[a_end] in ".!?;:,)]\"'”’»":
        a_end += 1
        b_end += 1
    return Span.of(ta, a_start, a_end), Span.of(tb, b_start, b_end)


def _drop_nested(passages: list[Passage]) -> list[Passage]:
    """Keep the longest of passages that overlap on both sides (repeated text matches twice)."""
    kept: list[Passage] = []
    for p in sorted(passages, key=lambda p: -(p.a.end - p.a.start)):
        if not any(_overlap(p.a, q.a) and _overlap(p.b, q.b) for q in kept):
            kept.append(p)
    return sorted(kept, key=lambda p: p.a.start)


def _overlap(x: Span, y: Span) -> bool:
    return x.start < y.end and y.start < x.end


# ---------------------------------------------------------------- tier 2: sentence similarity


@dataclass(frozen=True, slots=True)
class LexicalScores:
    """Sentence-by-sentence word evidence between two documents."""

    similarity: np.ndarray  # n x m weighted overlap in [0, 1], synonyms credited
    shared: np.ndarray  # n x m number of content words both sentences have exactly
    words_a: np.ndarray  # content words per sentence of A
    words_b: np.ndarray


def lexical_scores(
    sa: Segmented,
    sb: Segmented,
    lang_a: str,
    lang_b: str,
    skip_a: frozenset[int] | set[int] = frozenset(),
    skip_b: frozenset[int] | set[int] = frozenset(),
) -> LexicalScores:
    """Weighted word overlap in [0, 1] between every sentence of A and every sentence of B.

    Words match when their lemma keys are equal, or (English only) when Moby lists one as a
    synonym of the other, at a discount. Rare words and numbers weigh more than common ones.
    Skipped sentences (already explained) get empty bags and score 0.
    """
    vocab_a, ab, weights_a = _bags(sa, lang_a, skip_a)
    vocab_b, bb, weights_b = _bags(sb, lang_b, skip_b)
    words_a = np.diff(ab.indptr)
    words_b = np.diff(bb.indptr)
    if not ab.nnz or not bb.nnz:
        empty = np.zeros(ab.shape[:1] + bb.shape[:1])
        return LexicalScores(empty, empty, words_a, words_b)
    aw = _weighted(ab, weights_a)
    bw = _weighted(bb, weights_b)
    identical, links = _links(vocab_a, vocab_b, english=lang_a == lang_b == "en")
    a_in_b = (links @ bb.T).minimum(1.0)  # Va x m
    b_in_a = (ab @ links).minimum(1.0)  # n x Vb
    matched = (aw @ a_in_b).toarray() + (b_in_a @ bw.T).toarray()
    totals = np.asarray(aw.sum(axis=1)) + np.asarray(bw.sum(axis=1)).T
    shared = (ab @ identical @ bb.T).toarray()
    return LexicalScores(matched / np.maximum(totals, 1e-9), shared, words_a, words_b)


def _bags(
    seg: Segmented, language: str, skip: frozenset[int] | set[int]
) -> tuple[list[str], sparse.csr_matrix, np.ndarray]:
    """Each sentence's content words (lemma keys) as a 0/1 sentence x vocabulary matrix, with the
    vocabulary (words of the sentences not skipped) and each word's weight."""
    lang = language if language != "und" else "en"
    rows = [n for n in range(len(seg.sentences)) if n not in skip]  # skipped sentences stay empty
    spans = [(seg.sentences[n].first_token, seg.sentences[n].last_token) for n in rows]
    norms = [t.norm for first, last in spans for t in seg.tokens[first:last]]
    vocab: dict[str, int] = {}
    weights: list[float] = []
    column: dict[str, int] = {}  # token text -> vocabulary index, -1 for function words
    for norm in dict.fromkeys(norms):  # once per distinct token
        key = _content_key(norm, lang)
        if key is None:
            column[norm] = -1
            continue
        index = column[norm] = vocab.setdefault(key[0], len(vocab))
        if index == len(weights):
            weights.append(key[1])
    cols = np.fromiter(map(column.__getitem__, norms), dtype=np.int64, count=len(norms))
    sentence = np.repeat(np.array(rows, dtype=np.int64), [last - first for first, last in spans])
    keep = cols >= 0
    shape = (len(seg.sentences), len(vocab))
    binary = sparse.csr_matrix((np.ones(int(keep.sum())), (sentence[keep], cols[keep])), shape=shape)
    binary.data[:] = 1.0  # a word said twice in a sentence counts once
    return list(vocab), binary, np.array(weights, dtype=np.float64)


@lru_cache(maxsize=200_000)
def _content_key(norm: str, language: str) -> tuple[str, float] | None:
    """A token's lemma key and weight, or None for a function word, in one cached lookup."""
    if not is_content(norm):
        return None
    key = lemma(norm)
    return key, weight(key, language)


def _weighted(binary: sparse.csr_matrix, weights: np.ndarray) -> sparse.csr_matrix:
    weighted = binary.copy()
    weighted.data = weights[weighted.indices]
    return weighted


_SYNONYM_CREDIT = 0.8


def _links(vocab_a: list[str], vocab_b: list[str], english: bool) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Va x Vb matrices: the same word (1), and that or Moby synonyms (0.8)."""
    shape = (len(vocab_a), len(vocab_b))
    index_b = {word: m for m, word in enumerate(vocab_b)}
    same = [(n, index_b[word]) for n, word in enumerate(vocab_a) if word in index_b]
    rows = np.array([n for n, _ in same], dtype=np.int64)
    cols = np.array([m for _, m in same], dtype=np.int64)
    identical = sparse.csr_matrix((np.ones(len(same)), (rows, cols)), shape=shape)
    if not english:
        return identical, identical
    syn_rows, syn_cols = thesaurus.links(vocab_a, vocab_b)
    synonyms = sparse.csr_matrix((np.full(len(syn_rows), _SYNONYM_CREDIT), (syn_rows, syn_cols)), shape=shape)
    return identical, synonyms.maximum(identical)


def lexical_confidence(similarity: float) -> float:
    """Map word overlap to a [0, 1] confidence comparable with model scores."""
    return float(1.0 - np.exp(-similarity / 0.25))


def model_confidence(cosine: float, model: str = "use") -> float:
    """Map a cosine to [0, 1]. USE: 0.3 (same topic) -> 0, 0.9 (spun copy) -> 1. e5 has a narrow band:
    0.78 (sentences of one article against another article's, median) -> 0, 0.88 (translations) -> 1."""
    low, high = (0.78, 0.88) if model == "e5" else (0.3, 0.9)
    return float(np.clip((cosine - low) / (high - low), 0.0, 1.0))


def sentence_pairs(
    sa: Segmented,
    sb: Segmented,
    lang_a: str,
    lang_b: str,
    skip_a: set[int],
    skip_b: set[int],
    stats: AlignStats,
) -> dict[tuple[int, int], tuple[float, str]]:
    """Aligned sentence pairs (i, j) -> (confidence, method), outside the skipped sentences."""
    n, m = len(sa.sentences), len(sb.sentences)
    if n == 0 or m == 0:
        return {}
    if lang_a != lang_b and "und" not in (lang_a, lang_b):
        return _model_pairs_translated(sa, sb, embed.model_for(lang_a, lang_b), skip_a, skip_b, stats)
    scores = lexical_scores(sa, sb, lang_a, lang_b, skip_a, skip_b)
    sim = scores.similarity
    # too few content words, or already verbatim: such sentences are never paired here
    short = int(settings.get("min_content_words"))
    sim[[i for i in range(n) if i in skip_a or scores.words_a[i] < short], :] = 0.0
    sim[:, [j for j in range(m) if j in skip_b or scores.words_b[j] < short]] = 0.0
    accepted: dict[tuple[int, int], tuple[float, str]] = {}
    accept = settings.get("lexical_accept")
    margin = settings.get("lexical_margin")
    best_j = sim.argmax(axis=1)
    best_i = sim.argmax(axis=0)
    for i in range(n):
        j = int(best_j[i])
        value = sim[i, j]
        if value < accept:
            continue
        row = np.sort(sim[i])[::-1]
        col = np.sort(sim[:, j])[::-1]
        runner_up = max(row[1] if n > 1 and m > 1 else 0.0, col[1] if n > 1 else 0.0)
        shares_words = scores.shared[i, j] >= 2  # synonyms alone never pair two sentences
        if int(best_i[j]) == i and shares_words and (value - runner_up >= margin or value >= 0.8):
            accepted[(i, j)] = (lexical_confidence(value), "lexical")
    stats.lexical_pairs = len(accepted)
    if min(n, m) <= 3 and accepted:
        _second_opinion(sa, sb, accepted, stats)
    accepted.update(_model_pairs_same_language(sa, sb, sim, accepted, skip_a, skip_b, stats))
    return accepted


def _second_opinion(
    sa: Segmented, sb: Segmented, accepted: dict[tuple[int, int], tuple[float, str]], stats: AlignStats
) -> None:
    """Short texts (a few sentences) are cheap to embed, and word overlap alone saturates on
    same-event sentences that are not reuse: their lexical pairs are scored by both signals."""
    keys = sorted(accepted)
    va = embed.encode([sa.sentences[i].span.text for i, _ in keys])
    vb = embed.encode([sb.sentences[j].span.text for _, j in keys])
    stats.sentences_embedded += 2 * len(keys)
    for key, cosine in zip(keys, np.sum(va * vb, axis=1), strict=True):
        accepted[key] = ((accepted[key][0] + model_confidence(float(cosine))) / 2, "lexical")


def _model_pairs_same_language(
    sa: Segmented,
    sb: Segmented,
    sim: np.ndarray,
    accepted: dict[tuple[int, int], tuple[float, str]],
    skip_a: set[int],
    skip_b: set[int],
    stats: AlignStats,
) -> dict[tuple[int, int], tuple[float, str]]:
    """Send the undecided sentences with some word overlap to the model, best candidates first."""
    floor = settings.get("lexical_floor")
    done_a = {i for i, _ in accepted} | skip_a
    done_b = {j for _, j in accepted} | skip_b
    near_a = {i + d for i, _ in accepted for d in (-2, -1, 1, 2)} - done_a
    near_b = {j + d for _, j in accepted for d in (-2, -1, 1, 2)} - done_b
    evidence = "verbatim" if skip_a else "sentences" if accepted else "none"
    candidates: set[tuple[int, int]] = set()
    for i, j in _best_two(sim, done_a, floor):
        if j not in done_b and _worth_embedding(sim[i, j], i in near_a, evidence):
            candidates.add((i, j))
    for j, i in _best_two(sim.T, done_b, floor):
        if i not in done_a and _worth_embedding(sim[i, j], j in near_b, evidence):
            candidates.add((i, j))
    # a bounded budget: the strongest candidates first, those beside aligned sentences ahead
    budget = int(settings.get("model_max_pairs")) if evidence == "sentences" else 12
    ranked = sorted(candidates, key=lambda p: -(sim[p] + (0.2 if p[0] in near_a or p[1] in near_b else 0.0)))
    # where nothing but verbatim runs is aligned yet, the search is speculative: the strongest few
    # candidates go first, and the rest follow only if one of them comes near a match
    probe = ranked[: int(settings.get("model_probe_pairs"))]
    if (
        evidence != "sentences"
        and len(probe) < len(ranked)
        and _best_cosine(sa, sb, probe) < settings.get("model_probe_cosine")
    ):
        stats.sentences_embedded += len({i for i, _ in probe}) + len({j for _, j in probe})
        return {}
    candidates = set(ranked[:budget])
    rows = sorted({i for i, _ in candidates})
    cols = sorted({j for _, j in candidates})
    if not rows or not cols:
        return {}
    va = embed.encode([sa.sentences[i].span.text for i in rows])
    vb = embed.encode([sb.sentences[j].span.text for j in cols])
    stats.sentences_embedded += len(rows) + len(cols)
    cos = va @ vb.T
    row_of = {i: r for r, i in enumerate(rows)}
    col_of = {j: c for c, j in enumerate(cols)}
    best_in_row = {i: max(float(cos[row_of[i], col_of[j]]) for i2, j in candidates if i2 == i) for i in rows}
    best_in_col = {j: max(float(cos[row_of[i], col_of[j]]) for i, j2 in candidates if j2 == j) for j in cols}
    threshold = settings.get("model_accept")
    found: dict[tuple[int, int], tuple[float, str]] = {}
    for i, j in candidates:
        value = float(cos[row_of[i], col_of[j]])
        if value >= threshold and value >= best_in_row[i] - 1e-6 and value >= best_in_col[j] - 1e-6:
            found[(i, j)] = (model_confidence(value), "model")
    stats.model_pairs = len(found)
    return found


def _best_cosine(sa: Segmented, sb: Segmented, pairs: list[tuple[int, int]]) -> float:
    """The highest cosine among sentence pairs (their vectors stay cached for a later encode)."""
    va = embed.encode([sa.sentences[i].span.text for i, _ in pairs])
    vb = embed.encode([sb.sentences[j].span.text for _, j in pairs])
    return float(np.max(np.sum(va * vb, axis=1)))


def _best_two(sim: np.ndarray, done: set[int], floor: float) -> list[tuple[int, int]]:
    """(row, column) of the two highest cells of each row not done, those at ``floor`` or above,
    row by row. One sort over the matrix rather than one per row."""
    rows = np.array([i for i in range(sim.shape[0]) if i not in done], dtype=np.int64)
    if not rows.size:
        return []
    block = sim[rows]
    best = np.argsort(-block, axis=1)[:, :2]
    kept = np.take_along_axis(block, best, axis=1) >= floor
    return [(int(rows[r]), int(best[r, c])) for r, c in zip(*np.nonzero(kept), strict=True)]


def _worth_embedding(similarity: float, near_aligned: bool, evidence: str) -> bool:
    """Beside aligned text any overlap is worth a look. Elsewhere: anything when nothing is aligned
    yet, a strong overlap when sentences are, and nothing when verbatim runs already explain what
    the documents share (the model only extends them)."""
    if near_aligned or evidence == "none":
        return True
    return evidence == "sentences" and similarity >= 0.3


def _model_pairs_translated(
    sa: Segmented, sb: Segmented, model: str, skip_a: set[int], skip_b: set[int], stats: AlignStats
) -> dict[tuple[int, int], tuple[float, str]]:
    """Across languages words do not match: a multilingual model scores every sentence pair."""
    cap = int(settings.get("model_max_sentences"))
    rows = [i for i in range(len(sa.sentences)) if i not in skip_a][:cap]
    cols = [j for j in range(len(sb.sentences)) if j not in skip_b][:cap]
    if not rows or not cols:
        return {}
    va = embed.encode([sa.sentences[i].span.text for i in rows], model)
    vb = embed.encode([sb.sentences[j].span.text for j in cols], model)
    stats.sentences_embedded += len(rows) + len(cols)
    cos = va @ vb.T
    threshold = settings.get("model_accept_translated" if model == "use" else "model_accept_translated_e5")
    lift = 0.1 if model == "use" else 0.0  # USE scores translations lower than same-language copies
    margin = 0.15 if model == "use" else 0.0  # e5's band is too narrow to accept a non-mutual best
    found: dict[tuple[int, int], tuple[float, str]] = {}
    best_c = cos.argmax(axis=1)
    best_r = cos.argmax(axis=0)
    for r, i in enumerate(rows):
        c = int(best_c[r])
        if cos[r, c] >= threshold and (int(best_r[c]) == r or (margin and cos[r, c] >= threshold + margin)):
            found[(i, cols[c])] = (model_confidence(float(cos[r, c]) + lift, model), "model")
    stats.model_pairs = len(found)
    return found


# ---------------------------------------------------------------- passages from sentence pairs


def sentence_passages(
    sa: Segmented, sb: Segmented, pairs: dict[tuple[int, int], tuple[float, str]], kind: str
) -> list[Passage]:
    """Group aligned sentence pairs that follow each other closely, in the same order, on both sides."""
    gap = int(settings.get("passage_gap")) + 1
    groups: list[list[tuple[int, int]]] = []
    for i, j in sorted(pairs):
        group = groups[-1] if groups else None
        if group is not None:
            last_i, last_j = group[-1]
            if (
                i - last_i <= gap
                and 0 <= j - last_j <= gap
                and not _sentences_cross(sa, last_i, i)
                and not _sentences_cross(sb, last_j, j)
            ):
                group.append((i, j))
                continue
        groups.append([(i, j)])
    passages = []
    for group in groups:
        i0, i1 = min(i for i, _ in group), max(i for i, _ in group)
        j0, j1 = min(j for _, j in group), max(j for _, j in group)
        a = Span.of(sa.doc.text, sa.sentences[i0].span.start, sa.sentences[i1].span.end)
        b = Span.of(sb.doc.text, sb.sentences[j0].span.start, sb.sentences[j1].span.end)
        lengths = [len(sa.sentences[i].span.text) for i, _ in group]
        score = sum(pairs[p][0] * w for p, w in zip(group, lengths, strict=True)) / sum(lengths)
        methods = {pairs[p][1] for p in group}
        method = "model" if "model" in methods else "lexical"
        passages.append(Passage(a, b, score, kind, method, tuple(group)))
    return passages


def _enough_evidence(
    sa: Segmented,
    sb: Segmented,
    group: list[tuple[int, int]],
    pairs: dict[tuple[int, int], tuple[float, str]],
    translated: bool,
) -> bool:
    """In longer documents a passage needs enough words on both sides: two short same-topic
    sentences ("Have your pets spayed" / "Spayed pets are less likely to bite") are not reuse.
    Across languages cosines run lower, and an in-order run of mutual best pairs is evidence enough."""
    words_a = sum(_content_count(sa, i) for i in {i for i, _ in group})
    words_b = sum(_content_count(sb, j) for j in {j for _, j in group})
    confidence = sum(pairs[p][0] for p in group) / len(group)
    if min(words_a, words_b) < settings.get("passage_min_words"):
        return False
    if len(group) > 1:
        if translated:
            return True
        long_texts = max(len(sa.sentences), len(sb.sentences)) >= _LONG_TEXT
        if long_texts and len(group) <= _SMALL_GROUP:  # a few same-topic sentences in long texts share words
            words = _group_coverage(sa, sb, group)
            return confidence >= 0.75 and words >= settings.get("lone_pair_coverage")
        return confidence >= 0.75
    (i, j), (confidence, method) = group[0], pairs[group[0]]
    if method == "lexical":
        return ordered_coverage(sa, i, sb, j) >= settings.get("lone_pair_coverage")
    return confidence >= 0.9  # a lone pair on the model's word alone must be a close one


_SMALL_GROUP = 3  # sentence pairs up to which a group in long texts must also share its words in order
_LONG_TEXT = 30  # sentences on each side from which a few topical sentences are expected by chance


def _group_coverage(sa: Segmented, sb: Segmented, group: list[tuple[int, int]]) -> float:
    """``ordered_coverage`` over a group's sentences read one after another on each side (a sentence
    rewritten as two still keeps its words in order)."""
    a = [t.norm for i in sorted({i for i, _ in group}) for t in sa.sentence_tokens(i) if is_content(t.norm)]
    b = [t.norm for j in sorted({j for _, j in group}) for t in sb.sentence_tokens(j) if is_content(t.norm)]
    return _ordered_share(a, b)


def ordered_coverage(sa: Segmented, i: int, sb: Segmented, j: int) -> float:
    """Share of the content words of the shorter-covered side matched in order, same word or
    Moby synonym. A spinner keeps the order; two same-topic sentences share rare words in any order."""
    a = [t.norm for t in sa.sentence_tokens(i) if is_content(t.norm)]
    b = [t.norm for t in sb.sentence_tokens(j) if is_content(t.norm)]
    return _ordered_share(a, b)


def _ordered_share(a: list[str], b: list[str]) -> float:
    if not a or not b:
        return 0.0
    # longest common subsequence under "same lemma or synonym"
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for k, y in enumerate(b, 1):
            same = lemma(x) == lemma(y) or thesaurus.related(x, y)
            current[k] = previous[k - 1] + 1 if same else max(previous[k], current[k - 1])
        previous = current
    return previous[-1] / max(len(a), len(b))


def _content_count(seg: Segmented, index: int) -> int:
    return sum(is_content(t.norm) for t in seg.sentence_tokens(index))


def combine(
    sa: Segmented,
    sb: Segmented,
    exact: list[Passage],
    grouped: list[Passage],
    pairs: dict[tuple[int, int], tuple[float, str]],
) -> list[Passage]:
    """The final passages: verbatim runs and sentence groups made one to one, neighbours joined,
    and sentence-only passages kept when they carry enough evidence of their own."""
    passages = _merge_adjacent(sa, sb, _one_to_one(sa, sb, exact + grouped))
    short_texts = max(len(sa.sentences), len(sb.sentences)) <= 3  # one sentence pair is all there is
    return [
        _trimmed(sa, sb, p) if p.method != "exact" and p.kind != "translated" else p
        for p in passages
        if p.method == "exact"
        or any(p.a.start <= e.a.start and e.a.end <= p.a.end for e in exact)  # extends a verbatim run
        or (
            numbers_agree(p.a.text, p.b.text)  # same template, other event: "a loss of $151 million" / "$495 million"
            and (short_texts or _enough_evidence(sa, sb, list(p.pairs), pairs, p.kind == "translated"))
        )
    ]


_EDGE = 60  # tokens at each end of a passage searched for where the shared words begin and end
_LOOSE_END = 5  # tokens sharing nothing, on both sides, that a passage sheds at an end


def _trimmed(sa: Segmented, sb: Segmented, p: Passage) -> Passage:
    """A sentence-level passage without an end that shares nothing in the other: a copied stretch often
    begins or stops inside a sentence (pasted into another text), and the rest of that sentence is not reused.
    Only an end of at least ``_LOOSE_END`` tokens on both sides with no two words in a row alike and not a
    rewording of each other (``_unrelated``) is shed, and only in long texts: in a short one (an answer
    rewritten from a source) reworded ends are the reuse."""
    if max(len(sa.sentences), len(sb.sentences)) < _LONG_TEXT:
        return p
    ta, tb = _tokens_between(sa, p.a.start, p.a.end), _tokens_between(sb, p.b.start, p.b.end)
    if len(ta) < 2 * _LOOSE_END or len(tb) < 2 * _LOOSE_END:
        return p
    a0, b0, a1, b1 = p.a.start, p.b.start, p.a.end, p.b.end
    head = _blocks([t.norm for t in ta[:_EDGE]], [t.norm for t in tb[:_EDGE]])
    if head and min(head[0][0], head[0][1]) >= _LOOSE_END and _unrelated(ta[: head[0][0]], tb[: head[0][1]]):
        a0, b0 = ta[head[0][0]].start, tb[head[0][1]].start
    tail = _blocks([t.norm for t in ta[-_EDGE:]], [t.norm for t in tb[-_EDGE:]])
    if tail:
        i, j, size = tail[-1]
        loose_a, loose_b = min(len(ta), _EDGE) - i - size, min(len(tb), _EDGE) - j - size
        if min(loose_a, loose_b) >= _LOOSE_END and _unrelated(ta[len(ta) - loose_a :], tb[len(tb) - loose_b :]):
            a1, b1 = (
                ta[len(ta) - min(len(ta), _EDGE) + i + size - 1].end,
                tb[len(tb) - min(len(tb), _EDGE) + j + size - 1].end,
            )
    if (a0, b0, a1, b1) == (p.a.start, p.b.start, p.a.end, p.b.end) or a1 <= a0 or b1 <= b0:
        return p
    return Passage(Span.of(sa.doc.text, a0, a1), Span.of(sb.doc.text, b0, b1), p.score, p.kind, p.method, p.pairs)


def _unrelated(ta: tuple, tb: tuple) -> bool:  # type: ignore[type-arg]
    """Two loose ends that are not one clause reworded: under two fifths of their content words match in order
    (same word or Moby synonym). The rest of a host sentence shares a topic word or two, not a clause."""
    a = [t.norm for t in ta if is_content(t.norm)]
    b = [t.norm for t in tb if is_content(t.norm)]
    return _ordered_share(a, b) < _LOOSE_SHARE


_LOOSE_SHARE = 0.4


def _blocks(a: list[str], b: list[str]) -> list[tuple[int, int, int]]:
    """Runs of two or more tokens alike, in order: (start in a, start in b, length)."""
    from cydifflib import SequenceMatcher  # difflib's answers, faster

    return [
        (m.a, m.b, m.size) for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() if m.size >= 2
    ]


def _tokens_between(seg: Segmented, start: int, end: int) -> tuple:  # type: ignore[type-arg]
    first = bisect.bisect_left(seg.tokens, start, key=lambda t: t.start)
    last = bisect.bisect_left(seg.tokens, end, key=lambda t: t.start)
    return seg.tokens[first:last]


def _one_to_one(sa: Segmented, sb: Segmented, passages: list[Passage]) -> list[Passage]:
    """Each stretch of text is explained once. Strongest first (exact runs, then characters times
    score): a passage continuing a kept one (``_continues``) is joined to it (a verbatim run often
    stops inside a spun sentence); one overlapping on one side only maps the same text elsewhere, and
    is dropped."""
    kept: list[Passage] = []

    def strength(p: Passage) -> tuple[bool, float]:
        return p.method == "exact", p.score * ((p.a.end - p.a.start) + (p.b.end - p.b.start))

    for p in sorted(passages, key=strength, reverse=True):
        same_diagonal = [n for n, q in enumerate(kept) if _continues(sa, sb, p, q)]
        if len(same_diagonal) == 1:
            n = same_diagonal[0]
            kept[n] = _joined(sa, sb, kept[n], p)
        elif not any(_mostly_inside(p.a, q.a) or _mostly_inside(p.b, q.b) for q in kept):
            kept.append(p)
    return sorted(kept, key=lambda p: (p.a.start, p.b.start))


def _continues(sa: Segmented, sb: Segmented, p: Passage, q: Passage) -> bool:
    """``p`` overlaps ``q`` on both sides, or on one side while lying beside it on the other (at most
    ``passage_gap`` sentences away): a sentence rewritten as two, one of them holding a verbatim run."""
    on_a, on_b = _overlap(p.a, q.a), _overlap(p.b, q.b)
    if on_a and on_b:
        return True
    gap = int(settings.get("passage_gap"))
    if on_a:
        return _sentences_apart(sb, p.b, q.b) <= gap
    if on_b:
        return _sentences_apart(sa, p.a, q.a) <= gap
    return False


def _sentences_apart(seg: Segmented, x: Span, y: Span) -> int:
    first, second = (x, y) if x.start <= y.start else (y, x)
    return _sentences_between(seg, first.end, second.start)


_LOOSEST_METHOD = ("exact", "lexical", "model")  # a merged passage is labelled by its least direct evidence


def _merge_adjacent(sa: Segmented, sb: Segmented, passages: list[Passage]) -> list[Passage]:
    """Join passages that follow each other on both sides with at most ``passage_gap`` sentences
    between them and no boilerplate: a lightly spun article yields verbatim runs and spun sentences
    side by side, and it is one reused passage."""
    gap = int(settings.get("passage_gap"))
    merged: list[Passage] = []
    for p in sorted(passages, key=lambda p: (p.a.start, p.b.start)):
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.a.start <= p.a.start
            and last.b.start <= p.b.start
            and _sentences_between(sa, last.a.end, p.a.start) <= gap
            and _sentences_between(sb, last.b.end, p.b.start) <= gap
            and not _boilerplate_between(sa, last.a.end, p.a.start)
            and not _boilerplate_between(sb, last.b.end, p.b.start)
        ):
            merged[-1] = _joined(sa, sb, last, p)
        else:
            merged.append(p)
    return merged


def _sentences_between(seg: Segmented, start: int, end: int) -> int:
    """Sentences lying wholly inside [start, end)."""
    return sum(1 for s in seg.sentences if start <= s.span.start and s.span.end <= end)


def _boilerplate_between(seg: Segmented, start: int, end: int) -> bool:
    return any(start <= b.span.start < end for b in seg.boilerplate)


def _joined(sa: Segmented, sb: Segmented, x: Passage, y: Passage) -> Passage:
    """One passage spanning both, scored by their lengths."""
    size_x, size_y = x.a.end - x.a.start, y.a.end - y.a.start
    kind = next(k for k in ("translated", "spun", "paraphrased", "verbatim") if k in (x.kind, y.kind))
    return Passage(
        Span.of(sa.doc.text, min(x.a.start, y.a.start), max(x.a.end, y.a.end)),
        Span.of(sb.doc.text, min(x.b.start, y.b.start), max(x.b.end, y.b.end)),
        (x.score * size_x + y.score * size_y) / max(1, size_x + size_y),
        kind,
        max(x.method, y.method, key=_LOOSEST_METHOD.index),
        x.pairs + y.pairs,
    )


def _mostly_inside(x: Span, y: Span) -> bool:
    """More than a fifth of ``x`` lies inside ``y``."""
    inside = max(0, min(x.end, y.end) - max(x.start, y.start))
    return inside * 5 > x.end - x.start


def _sentences_cross(seg: Segmented, first: int, last: int) -> bool:
    """True when boilerplate lies between sentence ``first`` and sentence ``last``."""
    if last <= first:
        return False
    start = seg.sentences[first].span.end
    end = seg.sentences[last].span.start
    return any(start <= b.span.start < end for b in seg.boilerplate)


def covered_sentences(seg: Segmented, spans: list[Span]) -> set[int]:
    """Sentences at least half inside one of ``spans``."""
    if not spans or not seg.sentences:
        return set()
    starts = np.array([s.span.start for s in seg.sentences])[:, None]
    ends = np.array([s.span.end for s in seg.sentences])[:, None]
    span_starts = np.array([x.start for x in spans])[None, :]
    span_ends = np.array([x.end for x in spans])[None, :]
    inside = np.maximum(0, np.minimum(ends, span_ends) - np.maximum(starts, span_starts)).sum(axis=1)
    return {int(i) for i in np.flatnonzero(inside[:, None] * 2 >= ends - starts)}
