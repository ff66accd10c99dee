"""Fit the word model of ``unspin.inspect``: which content words did a spinner put there?

Reuters articles (../shared/data/reuters-20k; a slice disjoint from the ones ``bench_inspect.py`` scores)
are spun here with WordNet synonyms at 10, 30 and 50% (``unspin.evaluation.spinner``; the detector reads
the Moby thesaurus, not WordNet), a quarter are left as written. Each content word gets ``spin._features``;
the label is whether the spinner replaced it. A logistic regression (Newton steps, a little L2) gives
weights whose score minus the training prior's log odds is the log likelihood ratio "swapped" : "as
written"; the script prints them as ``_WEIGHTS``/``_BIAS`` for src/unspin/spin.py, with held-out AUC,
the EM spin-rate estimate per spin rate, and how often ``spin._restore_word`` gives back the original.

    python bench/fit_inspect.py --articles 600
"""

from __future__ import annotations

import argparse
from collections import Counter

from _common import header  # isort: skip - first: one thread before numpy loads
from bench_inspect import read_articles  # isort: skip

import numpy as np

import unspin
from unspin import spin
from unspin.evaluation.spinner import spin as spinner
from unspin.segment import segment

RATES = (0.0, 0.1, 0.3, 0.5)
FIRST = 6000  # bench_inspect.py scores articles [0, 2200) of the same order


def data(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[tuple[str, str]]]:
    """Features, labels, document numbers, spin rates; and (original, restored) for swapped words."""
    rows: list[list[float]] = []
    labels: list[int] = []
    docs: list[int] = []
    rates: list[float] = []
    restored: list[tuple[str, str]] = []
    for number, text in enumerate(read_articles(13)[FIRST : FIRST + n]):
        rate = RATES[number % len(RATES)]
        spun = spinner(text, rate, number) if rate else None
        seg = segment(unspin.Document("train", spun.text if spun else text))
        swapped = {e.spun_start: e.original.lower() for e in spun.edits} if spun else {}
        indices, features = spin._features(seg)
        used = Counter(t.norm for t in seg.tokens)
        for i, row in zip(indices, features, strict=True):
            start = seg.tokens[i].start
            rows.append(row)
            labels.append(int(start in swapped))
            docs.append(number)
            rates.append(rate)
            if start in swapped and swapped[start] in spin._candidates(seg.tokens[i].norm):
                restored.append((swapped[start], spin._restore_word(seg, i, None, used)[0] or ""))
    return np.asarray(rows), np.asarray(labels, float), np.asarray(docs), np.asarray(rates), restored


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=600)
    args = parser.parse_args()
    x, y, docs, rates, restored = data(args.articles)
    held = docs % 5 == 0
    w = fit(x[~held], y[~held])
    test_auc = auc(np.hstack([x[held], np.ones((held.sum(), 1))]) @ w, y[held])
    w = fit(x, y)
    prior = float(np.log(y.mean() / (1 - y.mean())))
    weights, bias = w[:-1], w[-1] - prior
    llr = x @ weights + bias
    print(header("fit_inspect: the word model of inspect"))
    print(f"{len(y)} content words, {int(y.sum())} swapped; held-out AUC {test_auc:.3f}")
    print("_WEIGHTS = (" + ", ".join(f"{v:.4f}" for v in weights) + ")")
    print(f"_BIAS = {bias:.4f}")
    for name, v in zip(spin._FEATURES, weights, strict=True):
        print(f"  {name:22s} {v:+.3f}")
    for q in (2, 3, 4, 5):
        clean, recall = (llr[rates == 0] > q).mean() * 1000, (llr[y == 1] > q).mean()
        print(f"llr > {q}: {clean:.2f} per 1000 clean words; recall {recall:.3f}")
    for rate in RATES:
        found = [spin._spin_rate(list(llr[docs == d]))[0] for d in np.unique(docs[rates == rate])]
        print(f"spin rate {rate:.0%}: estimated rate percentiles 5/50/95 {np.percentile(found, [5, 50, 95]).round(3)}")
    right = sum(o == r for o, r in restored)
    print(f"restored: {right} of {len(restored)} swapped words with the original among their headwords")


if __name__ == "__main__":
    main()
