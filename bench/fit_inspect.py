"""Fit the two models of ``unspin.inspect``: which content words did a spinner put there, and what was there before?

Reuters articles (../shared/data/reuters-20k; a slice disjoint from the ones ``bench_inspect.py`` scores)
are spun here with WordNet synonyms at 10, 30 and 50% (``unspin.evaluation.spinner``; the detector reads
the Moby thesaurus, not WordNet), a quarter are left as written.

The word model. Each content word gets ``word_model.features``; the label is whether the spinner replaced it. A
logistic regression (Newton steps, a little L2) gives weights whose score minus the training prior's log odds
is the log likelihood ratio "swapped" : "as written"; the script prints them as ``_WEIGHTS``/``_BIAS`` for
src/unspin/inspect/word_model.py, with held-out AUC and the EM spin-rate estimate per spin rate, and the spun-score
scale for them (``_RATE_HALF``, ``_REPORT_SCORE``: percentiles on 2,000 further clean articles).

The choice of the original. Each swapped word's candidates (``originals.candidates``: Moby both ways and WordNet)
get ``originals.features``; a conditional logit (softmax over one word's candidates, L-BFGS, a little L2)
learns which one the spinner replaced. Its words come from the WordNet-spun articles and from the same articles
spun with Moby synonyms instead (the same words replaced, each by a random common single-word Moby synonym,
inflected like it), three ways: from the word's entry, mutual ones (whose entry lists the word back, as in a
spinner's groups of interchangeable words) and headwords listing the word, so that no thesaurus and no
direction of its links is credited for being the spinner's own; it prints ``WEIGHTS`` for
src/unspin/inspect/originals.py and, on held-out articles, how often the best candidate is the original, for the
weights in originals.py now and for the refitted ones, against the older choice (frequency + closeness + known
pair + used in the document, Moby headwords only).

The phrase model (``--phrases``). Every judged pair of adjacent words (``phrase_evidence.judged_pairs``) gets its
readings and their ``phrase_evidence.features``. Positives: the reading that restores an expression this script
spun itself (``planting.plant_own``: up to two per article, each word swapped for a WordNet or Moby synonym, both
directions) in Reuters articles PLANT; negatives: every reading of every other pair there and in clean articles
CLEAN. A logistic regression over the readings (Newton steps, a little L2); a pair scores its best reading.
``FLAG_SCORE`` is set on further clean articles CALIBRATE so that phrase-level finds stay within a budget of flags
per article, and the held-out fifth of PLANT gives recall and the right original. pps-dev is not read. (The shipped
``FLAG_SCORE`` is higher than the 0.01 budget's printed here: on 300 further clean articles [12000, 12300) it
kept phrase-level flags to 2, where the threshold from the small calibration slice gave over 15.)

    python bench/fit_inspect.py --articles 600
    python bench/fit_inspect.py --phrases
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from dataclasses import dataclass

from _common import header  # isort: skip - first: one thread before numpy loads
from bench_inspect import moby_spin, read_articles  # isort: skip
from planting import plant_own  # isort: skip

import numpy as np
from scipy.optimize import minimize

import unspin
from unspin import settings
from unspin.evaluation.spinner import spin as spinner
from unspin.inspect import context, document_score, expressions, originals, phrase_evidence, word_model
from unspin.inspect.lexicon import Lexicon, counts_lexicon
from unspin.segment import Segmented, segment
from unspin.words import is_alpha_content, zipf

RATES = (0.0, 0.1, 0.3, 0.5)
FIRST = 6000  # bench_inspect.py scores articles [0, 2200) of the same order
COLLECTION = (2200, FIRST)  # articles standing for the user's collection (``inspect(db=...)``)
CALIBRATION = 2000  # clean articles after the fitted ones that set the spun-score scale


@dataclass
class Swap:
    """One swapped word in context, with the spinner's original, for fitting the choice of the original."""

    word: str
    prev: str | None
    nxt: str | None
    used: Counter[str]
    original: str
    doc: int
    extra: Lexicon | None = None  # the collection's word pairs, for half the swaps


def swaps_of(seg: Segmented, swapped: dict[int, str], number: int) -> list[Swap]:
    used = Counter(t.norm for t in seg.tokens)
    found = []
    for i, token in enumerate(seg.tokens):
        if token.start in swapped and token.norm.isalpha():
            prev, nxt = context.neighbours(seg, i)
            found.append(Swap(token.norm, prev, nxt, used, swapped[token.start], number))
    return found


SPINNERS = ("WordNet", "Moby", "mutual", "reverse")


def data(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, list[Swap]]]:
    """Features, labels, document numbers, spin rates of the content words; the swaps of the articles spun with
    WordNet synonyms and with Moby synonyms three ways (``moby_spin``), by spinner."""
    rows: list[list[float]] = []
    labels: list[int] = []
    docs: list[int] = []
    rates: list[float] = []
    swaps: dict[str, list[Swap]] = {name: [] for name in SPINNERS}
    for number, text in enumerate(read_articles(13)[FIRST : FIRST + n]):
        rate = RATES[number % len(RATES)]
        spun = spinner(text, rate, number) if rate else None
        seg = segment(unspin.Document("train", spun.text if spun else text))
        swapped = {e.spun_start: e.original.lower() for e in spun.edits} if spun else {}
        indices, features = word_model.features(seg)
        for i, row in zip(indices, features, strict=True):
            rows.append(row)
            labels.append(int(seg.tokens[i].start in swapped))
            docs.append(number)
            rates.append(rate)
        if rate:
            swaps["WordNet"] += swaps_of(seg, swapped, number)
            for name, links in (("Moby", "entry"), ("mutual", "mutual"), ("reverse", "reverse")):
                moby_text, moby_swapped = moby_spin(text, rate, number, links)
                swaps[name] += swaps_of(segment(unspin.Document(name, moby_text)), moby_swapped, number)
    return np.asarray(rows), np.asarray(labels, float), np.asarray(docs), np.asarray(rates), swaps


def calibrate(weights: np.ndarray, bias: float, start: int) -> tuple[float, float]:
    """``_RATE_HALF`` and ``_REPORT_SCORE`` for these word weights: the 98.5th percentile of the spun evidence
    (``document_score.spun_score_of``'s density) on clean articles [start, start + CALIBRATION), and the 99.8th
    of spun_score."""
    base = settings.get("spin_known_base")
    density = []
    for text in read_articles(13)[start : start + CALIBRATION]:
        seg = segment(unspin.Document("clean", text))
        _, rows = word_model.features(seg)
        rate = document_score.spin_rate(list(np.asarray(rows) @ weights + bias))[0] if rows else 0.0
        density.append(rate + document_score.KNOWN_WEIGHT * max(0.0, base - document_score.known_pair_rate(seg)))
    values = np.asarray(density)
    half = float(np.percentile(values, 98.5))
    return half, float(np.percentile(values / (values + half), 99.8))


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 40) -> np.ndarray:
    x = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + l2 * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    return w


def auc(score: np.ndarray, y: np.ndarray) -> float:
    order = np.argsort(score)
    rank = np.empty(len(score))
    rank[order] = np.arange(len(score))
    pos = y == 1
    return float((rank[pos].sum() - pos.sum() * (pos.sum() - 1) / 2) / (pos.sum() * (~pos).sum()))


@dataclass
class Choices:
    """All candidates of all swaps: feature rows, the swap each belongs to, whether it is the original."""

    x: np.ndarray
    group: np.ndarray
    label: np.ndarray
    old: np.ndarray  # the older choice's score (Moby headwords only; -inf for other candidates)


def choices(swaps: list[Swap]) -> Choices:
    rows, groups, labels, old = [], [], [], []
    for k, s in enumerate(swaps):
        names, x = originals.features(s.word, s.prev, s.nxt, s.used, s.extra)
        if not names:
            continue
        x[:, 1] = [originals.closeness(s.word, c) for c in names]
        heads = originals.headwords(s.word)
        for name, row in zip(names, x, strict=True):
            known = int(is_alpha_content(s.prev) and expressions.known(s.prev or "", name)) + int(
                is_alpha_content(s.nxt) and expressions.known(name, s.nxt or "")
            )
            in_doc = name in s.used
            old.append(zipf(name) + 4.0 * row[1] + 3.0 * known + 2.0 * in_doc if name in heads else -np.inf)
            rows.append(row)
            groups.append(k)
            labels.append(name == s.original)
    return Choices(np.asarray(rows), np.asarray(groups), np.asarray(labels, bool), np.asarray(old))


def fit_choice(c: Choices, keep: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """Conditional logit over each swap's candidates (swaps whose original is a candidate, rows ``keep``)."""
    has = np.zeros(c.group.max() + 1, bool)
    has[c.group[c.label]] = True
    rows = keep & has[c.group]
    x, y = c.x[rows], c.label[rows]
    _, group = np.unique(c.group[rows], return_inverse=True)
    n = group.max() + 1
    positive = x[y].sum(0)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = x @ w
        top = np.full(n, -np.inf)
        np.maximum.at(top, group, s)
        e = np.exp(s - top[group])
        total = np.bincount(group, e, n)
        p = e / total[group]
        value = positive @ w - (np.log(total) + top).sum() - 0.5 * l2 * w @ w
        return -value, -(positive - p @ x - l2 * w)

    return minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500}).x


def accuracy(c: Choices, score: np.ndarray, swaps: list[Swap], held: np.ndarray) -> tuple[float, float]:
    """Of the held-out swaps: share whose best-scored candidate is the original, among those whose original is a
    candidate and among all."""
    order = np.lexsort((-score, c.group))
    first = np.ones(len(order), bool)
    first[1:] = c.group[order][1:] != c.group[order][:-1]
    best = order[first]
    right = np.zeros(len(swaps), bool)
    right[c.group[best]] = c.label[best] & np.isfinite(score[best])
    covered = np.zeros(len(swaps), bool)
    covered[c.group[c.label & np.isfinite(score)]] = True
    return right[held].sum() / max(1, covered[held].sum()), right[held].mean()


PLANT, CLEAN, CALIBRATE = (8000, 10000), (10000, 11000), (11000, 12000)  # bench_inspect.py plants pps-dev elsewhere


@dataclass
class PhraseData:
    """Every reading of every judged pair: features, whether it restores a planted expression, its pair; and per
    pair its article, whether it is planted (1), overlaps a planted one (2, neither label) or is clean (0)."""

    x: np.ndarray
    right: np.ndarray
    pair: np.ndarray
    doc: np.ndarray
    kind: np.ndarray


def phrase_data(first: int, last: int, planted: bool) -> PhraseData:
    rows, right, pair_of, docs, kinds = [], [], [], [], []
    articles = read_articles(13)
    for number in range(first, last):
        text, spans = articles[number], ()
        if planted:
            own = plant_own(text, number)
            text, spans = own.text, own.spans
        seg = segment(unspin.Document("phrases", text))
        for p in phrase_evidence.judged_pairs(seg, frozenset()):
            found = phrase_evidence.readings(p.a, p.b, p.prev, p.nxt, None, p.capitalised)
            if not found:
                continue
            s, e = seg.tokens[p.i].start, seg.tokens[p.i + 1].end
            exact = [o for a, b, o in spans if (a, b) == (s, e)]
            kind = 1 if exact else 2 if any(a < e and s < b for a, b, _ in spans) else 0
            for r in found:
                rows.append(r.x)
                right.append(bool(exact) and f"{r.first} {r.second}" == exact[0])
                pair_of.append(len(kinds))
            docs.append(number)
            kinds.append(kind)
    return PhraseData(np.asarray(rows), np.asarray(right), np.asarray(pair_of), np.asarray(docs), np.asarray(kinds))


def pair_best(d: PhraseData, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each pair's best reading's score, and whether that reading is the planted expression."""
    order = np.lexsort((-score, d.pair))
    first = np.ones(len(order), bool)
    first[1:] = d.pair[order][1:] != d.pair[order][:-1]
    best = order[first]
    return score[best], d.right[best]


def fit_phrases(share: float, budgets: tuple[float, ...] = (0.005, 0.01, 0.02, 0.05)) -> None:
    """``share``: the part of each slice used (1: all)."""
    ranges = [(a, a + int((b - a) * share)) for a, b in (PLANT, CLEAN, CALIBRATE)]
    planted = phrase_data(*ranges[0], planted=True)
    clean = phrase_data(*ranges[1], planted=False)
    calibrate = phrase_data(*ranges[2], planted=False)
    n_planted = sum(len(plant_own(read_articles(13)[k], k).spans) for k in range(*ranges[0]))

    def training(d: PhraseData, keep_docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        kind = d.kind[d.pair]
        rows = keep_docs[d.pair] & ((kind == 0) | d.right)
        return d.x[rows], d.right[rows].astype(float)

    held = planted.doc % 5 == 0
    x1, y1 = training(planted, ~held)
    x0, y0 = training(clean, np.ones(len(clean.doc), bool))
    w = fit(np.vstack([x1, x0]), np.concatenate([y1, y0]), l2=1.0)
    print(header("fit_inspect --phrases: the phrase model of inspect (phrase_evidence)"))
    print(
        f"planted {n_planted} own tortured phrases in articles {ranges[0]}; {int(y1.sum())} training positives (the"
        f" original among the readings), {len(y0) + len(y1) - int(y1.sum())} negative readings; clean {ranges[1]},"
        f" threshold set on clean {ranges[2]}"
    )
    print("WEIGHTS = (" + ", ".join(f"{v:.4f}" for v in w) + ")")
    for name, v in zip(phrase_evidence.FEATURES, w, strict=False):
        print(f"  {name:18s} {v:+.3f}")
    cal_score, _ = pair_best(calibrate, np.hstack([calibrate.x, np.ones((len(calibrate.x), 1))]) @ w)
    articles = ranges[2][1] - ranges[2][0]
    top = np.sort(cal_score)[::-1]
    score, right = pair_best(planted, np.hstack([planted.x, np.ones((len(planted.x), 1))]) @ w)
    doc_held = planted.doc % 5 == 0
    hits = (planted.kind > 0) & doc_held
    exact = (planted.kind == 1) & doc_held
    held_count = sum(len(plant_own(read_articles(13)[k], k).spans) for k in range(*ranges[0]) if k % 5 == 0)
    for budget in budgets:
        k = int(budget * articles)
        threshold = float(top[k]) if k < len(top) else float(top[-1])
        found_docs = np.unique(planted.doc[hits & (score > threshold)])
        flagged = score > threshold
        print(
            f"budget {budget:.3f} flags/clean article: FLAG_SCORE = {threshold:.3f}; held-out own phrases"
            f" ({held_count}): pairs flagged {int((hits & flagged).sum())}, exact span"
            f" {int((exact & flagged).sum())}, right original {int((exact & right & flagged).sum())}"
            f" in {len(found_docs)} articles"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phrases", action="store_true", help="fit the phrase model only (phrase_evidence)")
    parser.add_argument("--share", type=float, default=1.0, help="with --phrases: part of each slice used")
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument(
        "--choice-from",
        default=",".join(SPINNERS),
        help=f"the spinners whose swaps the choice of the original is fitted on (of {', '.join(SPINNERS)})",
    )
    args = parser.parse_args()
    if args.phrases:
        fit_phrases(args.share)
        return
    x, y, docs, rates, swaps_by = data(args.articles)
    held = docs % 5 == 0
    w = fit(x[~held], y[~held])
    test_auc = auc(np.hstack([x[held], np.ones((held.sum(), 1))]) @ w, y[held])
    w = fit(x, y)
    prior = float(np.log(y.mean() / (1 - y.mean())))
    weights, bias = w[:-1], w[-1] - prior
    llr = x @ weights + bias
    print(header("fit_inspect: the word model and the choice of the original of inspect"))
    print(f"{len(y)} content words, {int(y.sum())} swapped; held-out AUC {test_auc:.3f}")
    print("_WEIGHTS = (" + ", ".join(f"{v:.4f}" for v in weights) + ")")
    print(f"_BIAS = {bias:.4f}")
    for name, v in zip(word_model.FEATURES, weights, strict=True):
        print(f"  {name:22s} {v:+.3f}")
    for q in (2, 3, 4, 5):
        clean, recall = (llr[rates == 0] > q).mean() * 1000, (llr[y == 1] > q).mean()
        print(f"llr > {q}: {clean:.2f} per 1000 clean words; recall {recall:.3f}")
    for rate in RATES:
        found = [document_score.spin_rate(list(llr[docs == d]))[0] for d in np.unique(docs[rates == rate])]
        print(f"spin rate {rate:.0%}: estimated rate percentiles 5/50/95 {np.percentile(found, [5, 50, 95]).round(3)}")
    half, report = calibrate(weights, bias, FIRST + args.articles)
    print(f"_RATE_HALF = {half:.3f}; _REPORT_SCORE = {report:.3f} (clean articles after the fitted ones)")

    collection = counts_lexicon(read_articles(13)[COLLECTION[0] : COLLECTION[1]])[1]
    for swap in (s for swaps in swaps_by.values() for s in swaps):  # whole articles with the collection or without
        swap.extra = collection if random.Random(swap.doc).random() < 0.5 else None
    sets = [(name, swaps, choices(swaps)) for name, swaps in swaps_by.items()]
    offsets = np.cumsum([0] + [len(swaps) for _, swaps, _ in sets])
    x_all = np.vstack([c.x for _, _, c in sets])
    label_all = np.concatenate([c.label for _, _, c in sets])
    group_all = np.concatenate([c.group + offsets[k] for k, (_, _, c) in enumerate(sets)])
    doc_all = np.concatenate([np.asarray([s.doc for s in swaps])[c.group] for _, swaps, c in sets])
    chosen = set(args.choice_from.split(","))
    used = np.concatenate([np.full(len(c.label), name in chosen) for name, _, c in sets])
    train = (doc_all // 4) % 2 == 0  # whole articles, every spin rate on both sides
    every = Choices(x_all, group_all, label_all, np.zeros(len(label_all)))
    held_out = fit_choice(every, train & used)
    final = fit_choice(every, used)
    print(f"\nChoice of the original: {len(label_all)} candidates of {offsets[-1]} swapped words, fitted on {chosen}")
    print("WEIGHTS = (" + ", ".join(f"{v:.4f}" for v in final) + ")")
    for name, v in zip(originals.FEATURES, final, strict=True):
        print(f"  {name:16s} {v:+.3f}")
    print(
        "held-out articles: best candidate = the original (of swaps whose original is a candidate / of all swaps),"
        f" articles {COLLECTION[0]}-{COLLECTION[1]} as the collection or none"
    )
    for name, swaps, c in sets:
        held_swaps = (np.asarray([s.doc for s in swaps]) // 4) % 2 == 1
        given = np.asarray([s.extra is not None for s in swaps])
        for label, score in (
            ("older choice, Moby headwords", c.old),
            ("weights in originals.py", c.x @ np.asarray(originals.WEIGHTS)),
            ("refitted on the other articles", c.x @ held_out),
        ):
            none = accuracy(c, score, swaps, held_swaps & ~given)
            some = accuracy(c, score, swaps, held_swaps & given)
            print(
                f"  {name}-spun, {label:31s} no collection {none[0]:.1%} / {none[1]:.1%};"
                f" collection {some[0]:.1%} / {some[1]:.1%}"
            )


if __name__ == "__main__":
    main()
