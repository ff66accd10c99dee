"""MRPC (../shared/data/mrpc): does unspin's score rank paraphrase pairs above same-event non-paraphrases?

Each sentence pair is compared as two one-sentence documents, ``compare(s1, s2)``. Scores ranked (ROC AUC,
rank formula with ties counted half):
- passage: the highest passage score, 0 when unrelated (``compare`` reports no passage then);
- document: ``Comparison.score``, defined for unrelated pairs too;
- aligned: the highest passage score the aligner produced before the related decision (read by wrapping
  ``document_score`` inside ``unspin.compare``, the bench only observes);
- cosine: the raw USE cosine of the two sentences, the model alone, as a reference.
Also the related rate per label at unspin's default decision.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from _common import DATA, engine, header, load_models, write  # isort: skip - first: one thread before numpy loads

import numpy as np

import unspin
from unspin import embed, settings
from unspin.document import Document

MRPC = DATA / "mrpc"
SPLITS = {"test": "msr_paraphrase_test.txt", "train": "msr_paraphrase_train.txt"}
SCORES = ("passage", "document", "aligned", "cosine")


@dataclass(frozen=True, slots=True)
class Row:
    label: int
    related: bool
    scores: dict[str, float]
    method: str  # method of the best passage before the related decision, "none" when nothing aligned
    ms: float


def read(split: str) -> list[tuple[int, str, str]]:
    with (MRPC / SPLITS[split]).open(encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        return [(int(r[0]), r[3], r[4]) for r in reader if len(r) == 5]


class _Observer:
    """Keeps the passages the aligner handed to the document score, before the related decision."""

    def __init__(self) -> None:
        self.passages: list[Any] = []
        module = sys.modules["unspin.compare"]
        self._score = module.document_score
        module.document_score = self._wrapped  # type: ignore[attr-defined]

    def _wrapped(self, passages: list[Any], *args: Any) -> float:
        self.passages = list(passages)
        return float(self._score(passages, *args))


def run(pairs: list[tuple[int, str, str]], observer: _Observer) -> list[Row]:
    rows = []
    for label, s1, s2 in pairs:
        embed.clear_cache()  # every pair pays for its own sentence vectors
        start = time.perf_counter()
        c = unspin.compare(Document("s1", s1), Document("s2", s2))
        ms = (time.perf_counter() - start) * 1000
        best = max(c.passages, key=lambda p: p.score, default=None)
        aligned = max(observer.passages, key=lambda p: p.score, default=None)
        v = embed.encode([s1, s2])
        scores = {
            "passage": best.score if best else 0.0,
            "document": c.score,
            "aligned": aligned.score if aligned else 0.0,
            "cosine": float(v[0] @ v[1]),
        }
        rows.append(Row(label, c.related, scores, aligned.method if aligned else "none", ms))
    return rows


def auc(labels: list[int], scores: list[float]) -> float:
    """ROC AUC by the rank-sum (Mann-Whitney) formula, ties get their average rank."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels) == 1
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if not n_pos or not n_neg:
        return float("nan")
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def best_accuracy(labels: list[int], scores: list[float]) -> tuple[float, float]:
    """Best accuracy over all cut points (an upper bound, tuned on the same data) and its cut."""
    best = (0.0, 0.0)
    for cut in sorted(set(scores)):
        accuracy = float(np.mean([(s >= cut) == (y == 1) for s, y in zip(scores, labels, strict=True)]))
        best = max(best, (accuracy, cut))
    return best


def section(split: str, rows: list[Row]) -> list[str]:
    labels = [r.label for r in rows]
    lines = [
        f"### {split}: {len(rows)} pairs ({sum(labels)} paraphrase / {len(rows) - sum(labels)} not)",
        "",
        "| score | ROC AUC | best accuracy (cut) | median, paraphrase | median, not |",
        "|---|---|---|---|---|",
    ]
    for name in SCORES:
        values = [r.scores[name] for r in rows]
        accuracy, cut = best_accuracy(labels, values)
        pos = [v for v, y in zip(values, labels, strict=True) if y == 1]
        neg = [v for v, y in zip(values, labels, strict=True) if y == 0]
        lines.append(
            f"| {name} | {auc(labels, values):.3f} | {accuracy:.3f} ({cut:.2f}) | "
            f"{statistics.median(pos):.3f} | {statistics.median(neg):.3f} |"
        )
    lines += [
        "",
        "| label | pairs | related at default | best aligned passage found by | median ms |",
        "|---|---|---|---|---|",
    ]
    for label, name in ((1, "paraphrase"), (0, "not paraphrase")):
        group = [r for r in rows if r.label == label]
        related = sum(r.related for r in group)
        methods = Counter(r.method for r in group)
        lines.append(
            f"| {name} | {len(group)} | {related} ({100 * related / len(group):.1f}%) | "
            f"{', '.join(f'{k} {v}' for k, v in methods.most_common())} | "
            f"{statistics.median(r.ms for r in group):.1f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", default="test,train", help="comma-separated: test, train")
    parser.add_argument("--limit", type=int, default=0, help="first N pairs of each split only (0: all)")
    args = parser.parse_args()
    load_s = load_models()
    observer = _Observer()
    unspin.compare(Document("a", "Warm up the engine once."), Document("b", "The engine warms up once."))
    lines = [
        header("MRPC: sentence pairs, paraphrase or not"),
        f"Engine {engine()}. `compare(s1, s2)` on one-sentence documents; models loaded once in "
        f"{load_s * 1000:.0f} ms; sentence-vector cache cleared before each pair (timing includes no reference "
        f"cosine). `related_score` = {settings.get('related_score')}, `model_accept` = "
        f"{settings.get('model_accept')}, `lexical_accept` = {settings.get('lexical_accept')}. Best accuracy is "
        "tuned on the split itself (an upper bound, not a result); the majority class alone gets 66.5% (test).\n",
    ]
    for split in args.splits.split(","):
        pairs = read(split)[: args.limit or None]
        lines += [*section(split, run(pairs, observer)), ""]
    lines.append(
        "passage = best passage score, 0 when unrelated; document = `Comparison.score`; aligned = best passage "
        "score before the related decision; cosine = USE cosine of the two sentences (the model alone)."
    )
    write("mrpc", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
