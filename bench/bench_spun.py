"""Spun at scale: real Reuters articles spun here by synonym substitution, unspin beside MinHash.

No data set has machine-spun pairs with offsets, so the spun copies are made here
(``unspin.evaluation.spinner``): 10, 30 and 50% of the content words of 200 articles from
../shared/data/reuters-20k replaced by WordNet synonyms, as PAN's random obfuscation does
(WordNet, not the Moby thesaurus unspin credits, so the spinner does not flatter the detector).
Negatives: 200 pairs of different articles, half random, half harder (same day and a shared
rare title word, else a shared title word, else the same day), none sharing a word 8-gram
(the collection holds re-edits of the same story, which are not negatives).

Truth: every sentence of the spun copy is its original sentence (the spinner's offset map).
* pair recall: share of pairs ``compare(original, spun).related``;
* character recall, each side: share of non-space characters covered by a passage whose other
  side overlaps the counterpart sentence; precision: share of passage characters (both sides)
  whose counterpart is inside the passage's other side;
* PlagDet: one case per article (the whole text, spun side as "this"), passages as detections.
The peer, datasketch MinHash (128 permutations, word 5-gram shingles), runs on the same pairs.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import accumulate

from _common import DATA, engine, header, load_models, write  # isort: skip - first: one thread before numpy loads

import numpy as np
from datasketch import MinHash

import unspin
from unspin import embed, settings
from unspin.align import (
    AlignStats,
    LexicalScores,
    covered_sentences,
    lexical_scores,
    sentence_pairs,
    sentence_passages,
    verbatim_passages,
)
from unspin.clean import Boilerplate, find_boilerplate
from unspin.evaluation import Annotation, plagdet
from unspin.evaluation.spinner import Spun, spin
from unspin.segment import Segmented
from unspin.words import STOPWORDS, zipf

RATES = (0.1, 0.3, 0.5)
REUTERS = DATA / "reuters-20k" / "reuters-20k.jsonl.gz"
WORDS = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    date: str
    title: str
    text: str


@dataclass(slots=True)
class Miss:
    """An original sentence unspin did not align with its spun self, and the evidence unspin had."""

    article: str
    original: str
    spun: str
    reason: str
    evidence: str


@dataclass(slots=True)
class Result:
    """One set of pairs (a spin rate, or the negatives): what each system said about each pair."""

    name: str
    related: list[bool] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)
    jaccard: list[float] = field(default_factory=list)
    minhash_ms: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    chars: Counter[str] = field(default_factory=Counter)  # truth_a, hit_a, truth_b, hit_b, passage, precise
    cases: list[Annotation] = field(default_factory=list)
    detections: list[Annotation] = field(default_factory=list)
    sentences: int = 0
    misses: list[Miss] = field(default_factory=list)
    passages: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- data


def read_articles() -> list[Article]:
    with gzip.open(REUTERS, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [Article(r["id"], r["date"][:10], r["title"], r["text"]) for r in rows if r.get("text")]


def _order(key: str, seed: int) -> str:
    return hashlib.sha1(f"{seed}:{key}".encode()).hexdigest()


def pick(articles: list[Article], n: int, seed: int) -> list[Article]:
    """``n`` articles of 150-1200 words, in a seed-sorted order (the same on every run)."""
    fit = [a for a in articles if 150 <= len(a.text.split()) <= 1200]
    return sorted(fit, key=lambda a: _order(a.id, seed))[:n]


def _grams(text: str, k: int) -> set[tuple[str, ...]]:
    words = WORDS.findall(text.lower())
    return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


def _title_word(title: str) -> str | None:
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'&-]{2,}", title) if w.lower() not in STOPWORDS]
    return min(words, key=lambda w: (zipf(w.lower()), w)) if words else None


def negatives(articles: list[Article], chosen: list[Article], seed: int) -> list[tuple[Article, Article, str]]:
    """One negative per chosen article: the first half random, the second half harder."""
    rng = random.Random(seed)
    pool = [a for a in articles if 150 <= len(a.text.split()) <= 1200]
    by_day: dict[str, list[Article]] = defaultdict(list)
    for a in pool:
        by_day[a.date].append(a)
    pairs: list[tuple[Article, Article, str]] = []
    for n, a in enumerate(chosen):
        grams = _grams(a.text, 8)

        def fresh(b: Article, a: Article = a, grams: set[tuple[str, ...]] = grams) -> bool:
            return b.id != a.id and b.title != a.title and not grams & _grams(b.text, 8)

        if n < len(chosen) // 2:
            other = next(b for b in iter(lambda: rng.choice(pool), None) if fresh(b))
            pairs.append((a, other, "random"))
            continue
        word = _title_word(a.title)
        has = re.compile(rf"\b{re.escape(word)}\b", re.I) if word else None
        tiers = [
            ("same day + title word", [b for b in by_day[a.date] if has and has.search(b.title)]),
            ("title word", [b for b in pool if has and has.search(b.title)]),
            ("same day", by_day[a.date]),
        ]
        for kind, candidates in tiers:
            candidates = sorted(candidates, key=lambda b: _order(b.id + a.id, seed))
            found = next((b for b in candidates if fresh(b)), None)
            if found:
                pairs.append((a, found, kind))
                break
    return pairs


# ---------------------------------------------------------------- the systems


def minhash(text: str) -> MinHash:
    m = MinHash(num_perm=128, seed=1)
    for gram in _grams(text, 5):
        m.update(" ".join(gram).encode("utf-8"))
    return m


def run_minhash(result: Result, a: str, b: str) -> None:
    start = time.perf_counter()
    value = minhash(a).jaccard(minhash(b))
    result.minhash_ms.append((time.perf_counter() - start) * 1000)
    result.jaccard.append(value)


def run_unspin(result: Result, a: str, b: str) -> unspin.Comparison | None:
    embed.clear_cache()  # each pair pays for its own sentence vectors
    start = time.perf_counter()
    try:
        c = unspin.compare(unspin.Document("original", a), unspin.Document("spun", b))
    except Exception as err:  # noqa: BLE001 - a failing pair is reported, the bench goes on
        result.skipped.append(f"{type(err).__name__}: {err}")
        return None
    result.ms.append((time.perf_counter() - start) * 1000)
    result.related.append(c.related)
    result.scores.append(c.score)
    result.passages.append(len(c.passages))
    return c


# ---------------------------------------------------------------- truth


def _solid(text: str, outside: tuple[Boilerplate, ...] = ()) -> list[int]:
    """Prefix counts of non-space characters (those of the ``outside`` spans left out): solid[j] - solid[i]
    counts them in [i, j)."""
    keep = [not ch.isspace() for ch in text]
    for b in outside:
        keep[b.span.start : b.span.end] = [False] * (b.span.end - b.span.start)
    return [0, *accumulate(keep)]


def _union(lo: int, hi: int, ranges: list[tuple[int, int]], solid: list[int]) -> int:
    covered, reach = 0, lo
    for s, e in sorted(ranges):
        s, e = max(s, reach), min(e, hi)
        if e > s:
            covered += solid[e] - solid[s]
            reach = e
    return covered


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip())


def score_pair(result: Result, article: Article, spun: Spun, c: unspin.Comparison) -> None:
    """Character recall and precision against the sentence map, the PlagDet case, and the misses."""
    sa, sb = _solid(spun.original), _solid(spun.text)
    sa_text = _solid(spun.original, find_boilerplate(spun.original))  # wire credits aside: unspin never matches them
    hits_a = [0] * len(spun.sentences)
    for (o0, o1), (s0, s1) in spun.sentences:
        result.chars["truth_a"] += sa[o1] - sa[o0]
        result.chars["truth_b"] += sb[s1] - sb[s0]
        result.chars["truth_a_text"] += sa_text[o1] - sa_text[o0]
    for k, ((o0, o1), (s0, s1)) in enumerate(spun.sentences):
        right = [p for p in c.passages if p.b.start < s1 and s0 < p.b.end]  # passages aligned with sentence k
        hits_a[k] = _union(o0, o1, [(p.a.start, p.a.end) for p in right], sa)
        result.chars["hit_a"] += hits_a[k]
        result.chars["hit_a_text"] += _union(o0, o1, [(p.a.start, p.a.end) for p in right], sa_text)
        mirror = [p for p in c.passages if p.a.start < o1 and o0 < p.a.end]
        result.chars["hit_b"] += _union(s0, s1, [(p.b.start, p.b.end) for p in mirror], sb)
    for p in c.passages:
        result.chars["passage"] += sa[p.a.end] - sa[p.a.start] + sb[p.b.end] - sb[p.b.start]
        for (o0, o1), (s0, s1) in spun.sentences:
            if p.b.start < s1 and s0 < p.b.end:  # the b side reaches sentence k: its a side there is right
                result.chars["precise"] += _union(o0, o1, [(p.a.start, p.a.end)], sa)
            if p.a.start < o1 and o0 < p.a.end:
                result.chars["precise"] += _union(s0, s1, [(p.b.start, p.b.end)], sb)
    a0, a1 = _strip(spun.original, 0, len(spun.original))
    b0, b1 = _strip(spun.text, 0, len(spun.text))
    result.cases.append(Annotation(f"spun/{article.id}", b0, b1 - b0, article.id, a0, a1 - a0))
    result.detections += [
        Annotation(f"spun/{article.id}", p.b.start, p.b.end - p.b.start, article.id, p.a.start, p.a.end - p.a.start)
        for p in c.passages
        if p.a.end > p.a.start or p.b.end > p.b.start
    ]
    missed = [
        k
        for k, ((o0, o1), _) in enumerate(spun.sentences)
        if sa[o1] - sa[o0] >= 20 and hits_a[k] < 0.5 * (sa[o1] - sa[o0])
    ]
    result.sentences += sum(1 for (o0, o1), _ in spun.sentences if sa[o1] - sa[o0] >= 20)
    if missed:
        covered = {k: hits_a[k] / (sa[spun.sentences[k][0][1]] - sa[spun.sentences[k][0][0]]) for k in missed}
        result.misses += explain(article, spun, c, covered)


def explain(article: Article, spun: Spun, c: unspin.Comparison, missed: dict[int, float]) -> list[Miss]:
    """Why unspin missed each sentence, replaying its stages (exact runs, sentence pairs, passages)
    and showing its sentence-level evidence: word overlap and model cosine of the true pair."""
    try:
        return _explain(article, spun, c, missed)
    except Exception as err:  # noqa: BLE001 - the engine moves; the bench goes on without the diagnosis
        return [Miss(article.id, "", "", f"diagnosis failed: {type(err).__name__}", str(err)) for _ in missed]


def _explain(article: Article, spun: Spun, c: unspin.Comparison, missed: dict[int, float]) -> list[Miss]:
    sa, sb = c.segmented_a, c.segmented_b
    exact = verbatim_passages(sa, sb)
    skip_a, skip_b = covered_sentences(sa, [p.a for p in exact]), covered_sentences(sb, [p.b for p in exact])
    pairs = sentence_pairs(sa, sb, "en", "en", skip_a, skip_b, AlignStats())
    grouped = {pair for p in sentence_passages(sa, sb, pairs, "paraphrased") for pair in p.pairs}
    partner = {i: j for i, j in pairs}
    lex = lexical_scores(sa, sb, "en", "en")
    out = []
    for k in missed:
        (o0, o1), (s0, s1) = spun.sentences[k]
        o0, o1 = _strip(spun.original, o0, o1)
        s0, s1 = _strip(spun.text, s0, s1)
        i, j = _sentence_at(sa, o0), _sentence_at(sb, s0)
        original, text = spun.original[o0:o1], spun.text[s0:s1]
        if not c.related:
            out.append(Miss(article.id, original, text, "pair not related", f"document score {c.score:.2f}"))
            continue
        if i is None and any(b.span.start < o1 and o0 < b.span.end for b in sa.boilerplate):
            out.append(Miss(article.id, original, text, "boilerplate for unspin (a wire credit): never matched", ""))
            continue
        if i is None or j is None:
            out.append(Miss(article.id, original, text, "not a sentence for unspin", ""))
            continue
        sim, shared = float(lex.similarity[i, j]), int(lex.shared[i, j])
        rival = float(np.delete(lex.similarity[i], j).max(initial=0.0))
        vectors = embed.encode([sa.sentences[i].span.text, sb.sentences[j].span.text])
        cos = float(vectors[0] @ vectors[1])
        evidence = (
            f"word overlap {sim:.2f} (best rival {rival:.2f}), {shared} of {lex.words_a[i]}/{lex.words_b[j]} "
            f"content words shared, cosine {cos:.2f}; {missed[k]:.0%} of it covered"
        )
        out.append(
            Miss(article.id, original, text, _reason(i, j, sim, cos, lex, skip_a, pairs, grouped, partner), evidence)
        )
    return out


def _reason(
    i: int,
    j: int,
    sim: float,
    cos: float,
    lex: LexicalScores,
    skip_a: set[int],
    pairs: dict[tuple[int, int], tuple[float, str]],
    grouped: set[tuple[int, int]],
    partner: dict[int, int],
) -> str:
    if i in skip_a:
        return "half inside an exact run that stops mid-sentence"
    if (i, j) in grouped:
        return "paired, but its passage lost to an overlapping exact run"
    if (i, j) in pairs:
        return "paired, but a lone pair with too little evidence"
    if i in partner:
        return "paired with the wrong sentence"
    if min(lex.words_a[i], lex.words_b[j]) < settings.get("min_content_words"):
        return "too few content words"
    if sim < settings.get("lexical_floor"):
        return "word overlap below the floor"
    if cos >= settings.get("model_accept"):
        return "cosine would accept: not sent to the model, or not mutual best"
    if sim >= settings.get("lexical_accept"):
        return "words would accept: lost on margin, shared words or mutual best"
    return "weak words and cosine below accept"


def _sentence_at(seg: Segmented, offset: int) -> int | None:
    for n, s in enumerate(seg.sentences):
        if s.span.start <= offset < s.span.end:
            return n
    return None


# ---------------------------------------------------------------- table


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _share(values: list[bool]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _ratio(x: float, y: float) -> str:
    return f"{x / y:.2f}" if y else "∞" if x else "–"


def table(results: list[Result], negative: Result, neg_kinds: Counter[str]) -> list[str]:
    names = [r.name for r in results]
    lines = ["| measure | " + " | ".join(names) + " |", "|---" * (len(results) + 1) + "|"]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("content words replaced (mean)", [f"{statistics.mean(r.rates):.3f}" for r in results])
    row("**unspin pair recall** (related)", [f"**{_share(r.related):.3f}**" for r in results])
    row("· document score, median", [f"{_median(r.scores):.3f}" for r in results])
    row("· char recall, original side", [f"{r.chars['hit_a'] / r.chars['truth_a']:.3f}" for r in results])
    row("· char recall, spun side", [f"{r.chars['hit_b'] / r.chars['truth_b']:.3f}" for r in results])
    row(
        "· char recall, original side, boilerplate aside (wire credits)",
        [f"{r.chars['hit_a_text'] / r.chars['truth_a_text']:.3f}" for r in results],
    )
    row(
        "· char precision (counterpart aligned)",
        [f"{r.chars['precise'] / max(1, r.chars['passage']):.3f}" for r in results],
    )
    row("· sentences (≥ 20 chars) missed", [f"{len(r.misses)} of {r.sentences}" for r in results])
    scores = [plagdet(r.cases, r.detections) for r in results]
    row("· PlagDet (one case per article)", [f"{s.plagdet:.3f}" for s in scores])
    row(
        "· · precision / recall / granularity",
        [f"{s.precision:.3f} / {s.recall:.3f} / {s.granularity:.2f}" for s in scores],
    )
    row("· passages per pair, median", [f"{_median([float(p) for p in r.passages]):.0f}" for r in results])
    row("· time per pair, median (p90) ms", [f"{_median(r.ms):.0f} ({_p90(r.ms):.0f})" for r in results])
    row("MinHash 5-gram Jaccard, median", [f"{_median(r.jaccard):.3f}" for r in results])
    for t in (0.5, 0.2):
        row(f"MinHash pair recall at {t}", [f"{_share([j >= t for j in r.jaccard]):.3f}" for r in results])
    for t in (0.5, 0.2):
        row(
            f"unspin / MinHash recall at {t}",
            [_ratio(_share(r.related), _share([j >= t for j in r.jaccard])) for r in results],
        )
    row("MinHash time per pair, median ms", [f"{_median(r.minhash_ms):.1f}" for r in results])
    n = len(negative.related)
    kinds = ", ".join(f"{v} {k}" for k, v in sorted(neg_kinds.items()))
    lines += [
        "",
        f"Negatives: {n} pairs of different articles ({kinds}); none shares a word 8-gram.\n",
        "| on negatives | unspin | MinHash ≥ 0.5 | MinHash ≥ 0.2 |",
        "|---|---|---|---|",
        f"| false positives (related) | {sum(negative.related)} of {n} | "
        f"{sum(j >= 0.5 for j in negative.jaccard)} of {n} | {sum(j >= 0.2 for j in negative.jaccard)} of {n} |",
        f"| pairs with any passage | {sum(p > 0 for p in negative.passages)} of {n} | – | – |",
        f"| score / Jaccard, max | {max(negative.scores, default=0):.3f} | {max(negative.jaccard, default=0):.3f} | |",
        f"| time per pair, median ms | {_median(negative.ms):.0f} | {_median(negative.minhash_ms):.1f} | |",
    ]
    return lines


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] if ordered else float("nan")


def miss_rows(results: list[Result], examples: int) -> list[str]:
    lines = ["| why a sentence was missed | " + " | ".join(r.name for r in results) + " |"]
    lines.append("|---" * (len(results) + 1) + "|")
    reasons = sorted({m.reason for r in results for m in r.misses})
    for reason in reasons:
        lines.append(
            f"| {reason} | " + " | ".join(str(sum(m.reason == reason for m in r.misses)) for r in results) + " |"
        )
    for r in results:
        rng = random.Random(7)
        sample = rng.sample(r.misses, min(examples, len(r.misses)))
        if sample:
            lines.append(f"\nMissed sentences, {r.name} (a seeded sample of {len(sample)}):\n")
        for m in sample:
            lines += [
                f"- `{m.article}` — {m.reason}; {m.evidence}",
                f"  - original: {_clip(m.original)}",
                f"  - spun: {_clip(m.spun)}",
            ]
    return lines


def _clip(text: str, width: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=200, help="articles (and negative pairs); 200 for the report")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--examples", type=int, default=6, help="missed sentences shown per rate")
    args = parser.parse_args()

    articles = read_articles()
    chosen = pick(articles, args.n, args.seed)
    neg_pairs = negatives(articles, chosen, args.seed)
    load_s = load_models()
    spin("warm up the spinner's WordNet", 0.5, 0)
    first = chosen[0].text
    unspin.compare(unspin.Document("a", first), unspin.Document("b", spin(first, 0.3, 0).text))  # warm-up

    results = []
    for rate in RATES:
        result = Result(f"{rate:.0%} spun")
        for n, article in enumerate(chosen):
            spun = spin(article.text, rate, seed=args.seed + n)
            result.rates.append(spun.rate)
            run_minhash(result, spun.original, spun.text)
            c = run_unspin(result, spun.original, spun.text)
            if c is not None:
                score_pair(result, article, spun, c)
        results.append(result)
        print(f"{result.name}: recall {_share(result.related):.3f}, {len(result.skipped)} skipped", flush=True)
    negative = Result("negatives")
    false_positives = []
    for pair in neg_pairs:
        run_minhash(negative, pair[0].text, pair[1].text)
        c = run_unspin(negative, pair[0].text, pair[1].text)
        if c is not None and c.related:
            false_positives.append((pair, c))
    neg_kinds = Counter(kind for _, _, kind in neg_pairs)
    words = [len(a.text.split()) for a in chosen]

    lines = [
        header(f"Spun at scale: {len(chosen)} Reuters articles spun at {', '.join(f'{r:.0%}' for r in RATES)}"),
        f"Spun copies made here by `unspin.evaluation.spinner` (WordNet 3.0 synonyms of content words, as PAN's "
        f"random obfuscation; not the Moby thesaurus unspin uses) from {len(chosen)} articles of "
        f"../shared/data/reuters-20k ({min(words)}–{max(words)} words, median {statistics.median(words):.0f}; "
        f"seed {args.seed}). unspin {engine()}. `compare(original, spun)`; models loaded once in "
        f"{load_s * 1000:.0f} ms; one warm-up; sentence-vector cache cleared before each pair. "
        "Timings are indicative (shared 2-core machine). Target: pair recall ≥ 0.95 at 30%.\n",
        *table(results, negative, neg_kinds),
        "",
        *miss_rows(results, args.examples),
    ]
    if false_positives:
        lines.append("\nFalse positives on negatives:\n")
        for (a, b, kind), c in false_positives:
            lines.append(
                f"- {kind}: `{a.id}` ({a.title}) vs `{b.id}` ({b.title}), score {c.score:.3f}, "
                f"{len(c.passages)} passages, first: {_clip(c.passages[0].a.text, 120) if c.passages else '–'}"
            )
    for r in [*results, negative]:
        lines += [f"\n{r.name} skipped: {s}" for s in r.skipped]
    write("spun", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
