"""NTREX-128 (../shared/data/ntrex128-dev): translated reuse, English article vs its professional translation.

62 English news articles, each translated line by line into 11 languages. Each document is its lines joined
with newlines, so every line has a known character span; a sentence of unspin belongs to the line it starts in,
and an aligned sentence pair (a passage's ``.pairs``) is correct when both sentences come from the same line.

- related: share of the 62 (English, translation) pairs that ``compare`` calls related.
- recall: share of English lines with at least one sentence aligned to a sentence of their counterpart line.
- precision: share of aligned sentence pairs whose two sentences come from the same line.
- negatives: the English article vs the translation of a different article (same language): false related.
- true-pair cosine: USE cosine of each (English line, its translation), the number the translated tier
  thresholds with ``model_accept_translated``; "top-1" = the counterpart is the English line's best match.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from _common import DATA, engine, header, load_models, write  # isort: skip - first: one thread before numpy loads

import numpy as np

import unspin
from unspin import embed, settings
from unspin.document import Document
from unspin.segment import Segmented

NTREX = DATA / "ntrex128-dev" / "ntrex128-dev.jsonl"
LANGUAGES = ("ind", "deu", "fra", "spa", "rus", "arb", "tur", "aze-Latn", "hye", "zho-CN", "ukr")


@dataclass(slots=True)
class LanguageRun:
    """Counts over all articles of one language."""

    lang: str
    pairs: int = 0
    related: int = 0
    lines: int = 0
    lines_found: int = 0
    aligned: int = 0
    aligned_correct: int = 0
    ms: list[float] = field(default_factory=list)
    negatives: int = 0
    false_related: int = 0
    negative_scores: list[float] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    detected: Counter[str] = field(default_factory=Counter)  # language unspin detected for the translation
    disguise: Counter[str] = field(default_factory=Counter)
    cosines: list[float] = field(default_factory=list)  # true line pairs
    top1: int = 0
    missed: list[str] = field(default_factory=list)  # unrelated positives: doc ids


def line_of(text: str) -> list[int]:
    """Start offsets of the lines of ``text`` (joined with a single newline)."""
    starts = [0]
    for line in text.split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    return starts


def sentence_lines(seg: Segmented, starts: list[int]) -> list[int]:
    """The line each sentence starts in."""
    return [bisect.bisect_right(starts, s.span.start) - 1 for s in seg.sentences]


def load_articles() -> dict[tuple[str, str], str]:
    texts: dict[tuple[str, str], str] = {}
    with NTREX.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            texts[(row["language"], row["doc"])] = row["text"]
    return texts


def true_pair_cosines(english: str, translation: str) -> tuple[list[float], int]:
    """Cosine of each line with its counterpart, and how many counterparts are the English line's best match."""
    la, lb = english.split("\n"), translation.split("\n")
    cos = embed.encode(la) @ embed.encode(lb).T
    diagonal = [float(cos[i, i]) for i in range(len(la))]
    return diagonal, int(sum(int(np.argmax(cos[i])) == i for i in range(len(la))))


def run_language(
    lang: str, docs: list[str], texts: dict[tuple[str, str], str], negatives: int, rng: random.Random
) -> LanguageRun:
    run = LanguageRun(lang)
    for doc in docs:
        english, translation = texts[("eng", doc)], texts[(lang, doc)]
        embed.clear_cache()  # every pair pays for its own sentence vectors
        start = time.perf_counter()
        c = unspin.compare(Document(f"eng/{doc}", english), Document(f"{lang}/{doc}", translation))
        run.ms.append((time.perf_counter() - start) * 1000)
        run.pairs += 1
        run.related += c.related
        run.scores.append(c.score)
        run.detected[c.side_b.language] += 1
        run.disguise[",".join(c.side_b.disguise) or "none"] += c.related
        if not c.related:
            run.missed.append(doc)
        la = sentence_lines(c.segmented_a, line_of(english))
        lb = sentence_lines(c.segmented_b, line_of(translation))
        pairs = {pair for p in c.passages for pair in p.pairs}
        run.aligned += len(pairs)
        run.aligned_correct += sum(la[i] == lb[j] for i, j in pairs)
        run.lines += len(english.split("\n"))
        run.lines_found += len({la[i] for i, j in pairs if la[i] == lb[j]})
        cosines, top1 = true_pair_cosines(english, translation)
        run.cosines += cosines
        run.top1 += top1
    others = [(doc, rng.choice([d for d in docs if d != doc])) for doc in docs][:negatives]
    for doc, other in others if len(docs) > 1 else []:
        a, b = Document(f"eng/{doc}", texts[("eng", doc)]), Document(f"{lang}/{other}", texts[(lang, other)])
        c = unspin.compare(a, b)
        run.negatives += 1
        run.false_related += c.related
        run.negative_scores.append(c.score)
    return run


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def table(runs: list[LanguageRun]) -> list[str]:
    threshold = settings.get("model_accept_translated")
    rows = [
        "| language (detected) | related | line recall | pair precision | median ms (p90) | false related "
        f"(max score) | true-pair cosine median (p10) | ≥ {threshold} | top-1 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    total = LanguageRun("all")
    for r in runs:
        detected = ", ".join(f"{k} {v}" for k, v in r.detected.most_common(2))
        p90 = sorted(r.ms)[int(len(r.ms) * 0.9)] if r.ms else 0.0
        above = sum(c >= threshold for c in r.cosines)
        rows.append(
            f"| {r.lang} ({detected}) | {r.related}/{r.pairs} ({pct(r.related, r.pairs)}) | "
            f"{pct(r.lines_found, r.lines)} | {pct(r.aligned_correct, r.aligned)} | "
            f"{statistics.median(r.ms):.0f} ({p90:.0f}) | {r.false_related}/{r.negatives} "
            f"({max(r.negative_scores, default=0):.2f}) | {statistics.median(r.cosines):.3f} "
            f"({np.percentile(r.cosines, 10):.3f}) | {pct(above, len(r.cosines))} | {pct(r.top1, r.lines)} |"
        )
        for name in ("pairs", "related", "lines", "lines_found", "aligned", "aligned_correct", "negatives"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
        total.false_related += r.false_related
        total.ms += r.ms
        total.cosines += r.cosines
        total.top1 += r.top1
    p90 = sorted(total.ms)[int(len(total.ms) * 0.9)]
    above = sum(c >= threshold for c in total.cosines)
    rows.append(
        f"| **all** | {total.related}/{total.pairs} ({pct(total.related, total.pairs)}) | "
        f"{pct(total.lines_found, total.lines)} | {pct(total.aligned_correct, total.aligned)} | "
        f"{statistics.median(total.ms):.0f} ({p90:.0f}) | {total.false_related}/{total.negatives} | "
        f"{statistics.median(total.cosines):.3f} ({np.percentile(total.cosines, 10):.3f}) | "
        f"{pct(above, len(total.cosines))} | {pct(total.top1, total.lines)} |"
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="first N articles only (0: all 62)")
    parser.add_argument("--languages", default=",".join(LANGUAGES), help="comma-separated NTREX language codes")
    parser.add_argument("--negatives", type=int, default=62, help="negative pairs per language")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    texts = load_articles()
    docs = sorted({doc for lang, doc in texts if lang == "eng"})
    if args.limit:
        docs = docs[: args.limit]
    load_s = load_models()
    unspin.compare(Document("a", texts[("eng", docs[0])]), Document("b", texts[("deu", docs[0])]))  # warm-up
    rng = random.Random(args.seed)
    runs = [run_language(lang, docs, texts, args.negatives, rng) for lang in args.languages.split(",")]
    lines = [
        header(f"NTREX-128: {len(docs)} English articles vs their translations, {len(runs)} languages"),
        f"Engine {engine()}. "
        f"Documents are the lines joined with newlines; models loaded once in {load_s * 1000:.0f} ms; sentence-vector "
        "cache cleared before each positive pair (the timed ones); negatives = the English article vs the translation "
        f"of another article drawn at random (seed {args.seed}). `model_accept_translated` = "
        f"{settings.get('model_accept_translated')}, `related_score` = {settings.get('related_score')}.\n",
        *table(runs),
        "",
        "Line recall: English lines with a sentence aligned to their counterpart line. Pair precision: aligned "
        "sentence pairs (passages' `.pairs`) joining sentences of the same line. True-pair cosine: USE cosine of each "
        "English line with its translated line (computed apart from `compare`); top-1: the counterpart is the "
        "line's best match among the article's translated lines.",
    ]
    missed = [f"{r.lang}: {len(r.missed)} unrelated (e.g. {', '.join(r.missed[:3])})" for r in runs if r.missed]
    if missed:
        lines += ["", "Positives called unrelated — " + "; ".join(missed) + "."]
    write("ntrex", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
