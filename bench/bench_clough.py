"""Clough & Stevenson short answers (../shared/data/clough-stevenson): is each answer related to its source?

95 student answers to 5 tasks, labelled cut (near copy), light / heavy (revised copy) or non (written
independently), each compared with its task's Wikipedia source: ``compare(orig_taskX.txt, answer)``, files
read through unspin's own loader (17 answers are cp1252). Targets: all 57 cut/light/heavy related, at most
1 of the 38 non related.
"""

from __future__ import annotations

import argparse
import csv
import re
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from _common import DATA, engine, header, load_models, write  # isort: skip - first: one thread before numpy loads

import unspin
from unspin import embed, settings

CLOUGH = DATA / "clough-stevenson"
LABELS = ("cut", "light", "heavy", "non")


@dataclass(frozen=True, slots=True)
class Result:
    file: str
    label: str
    related: bool
    score: float
    disguise: str  # the answer's (side b) disguise, as unspin reports it
    kinds: tuple[str, ...]  # passage kinds
    methods: tuple[str, ...]  # passage methods
    covered: float  # share of the answer's sentences inside a passage
    encoding: str
    ms: float
    relation: str  # a-from-b would name the Wikipedia source as the copy


def answers() -> list[tuple[str, str, str]]:
    """(file, task, label) for the 95 answers."""
    with (CLOUGH / "file_information.csv").open(encoding="utf-8-sig") as handle:
        return [(r["File"], r["Task"], r["Category"]) for r in csv.DictReader(handle) if r["Category"] in LABELS]


def run(rows: list[tuple[str, str, str]]) -> list[Result]:
    results = []
    for file, task, label in rows:
        embed.clear_cache()  # every pair pays for its own sentence vectors
        start = time.perf_counter()
        c = unspin.compare(CLOUGH / f"orig_task{task}.txt", CLOUGH / file)
        ms = (time.perf_counter() - start) * 1000
        sentences = c.segmented_b.sentences
        inside = sum(any(p.b.start <= s.span.start < p.b.end for p in c.passages) for s in sentences)
        results.append(
            Result(
                file,
                label,
                c.related,
                c.score,
                ",".join(c.side_b.disguise) or "none",
                tuple(p.kind for p in c.passages),
                tuple(p.method for p in c.passages),
                inside / max(1, len(sentences)),
                c.b.encoding,
                ms,
                c.relation,
            )
        )
    return results


def quantiles(values: list[float]) -> str:
    if not values:
        return "–"
    v = sorted(values)
    q = [v[0], v[len(v) // 4], statistics.median(v), v[(3 * len(v)) // 4], v[-1]]
    return " / ".join(f"{x:.2f}" for x in q)


def tables(results: list[Result]) -> list[str]:
    by: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by[r.label].append(r)
    rows = [
        "| label | answers | related | unrelated | score min / q1 / median / q3 / max | answer sentences in a passage "
        "(median) | median ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for label in LABELS:
        group = by.get(label, [])
        if not group:
            continue
        related = sum(r.related for r in group)
        rows.append(
            f"| {label} | {len(group)} | {related} | {len(group) - related} | {quantiles([r.score for r in group])} | "
            f"{statistics.median(r.covered for r in group):.2f} | {statistics.median(r.ms for r in group):.0f} |"
        )
    rows += ["", "| label | answer's disguise (related only) | passage kinds | passage methods |", "|---|---|---|---|"]
    for label in LABELS:
        group = by.get(label, [])
        if not group:
            continue
        disguise = Counter(r.disguise for r in group if r.related)
        kinds = Counter(k for r in group for k in r.kinds)
        methods = Counter(m for r in group for m in r.methods)
        rows.append(f"| {label} | {_counts(disguise)} | {_counts(kinds)} | {_counts(methods)} |")
    relations = Counter(r.relation for r in results if r.related)
    backwards = [r.file for r in results if r.relation == "a-from-b"]
    rows += [
        "",
        f"Relation of the related answers: {_counts(relations)}; the source named the copy (a-from-b): "
        f"{len(backwards)}{' (' + ', '.join(backwards) + ')' if backwards else ''}.",
    ]
    wrong = [r for r in results if r.related != (r.label != "non")]
    rows += ["", "Misjudged answers:" if wrong else "No answer misjudged."]
    for r in sorted(wrong, key=lambda r: (r.label, -r.score)):
        rows.append(
            f"- {r.file} ({r.label}, {r.encoding}): related={r.related}, score {r.score:.3f}, "
            f"passages {_counts(Counter(r.kinds)) or 'none'} via {_counts(Counter(r.methods)) or '–'}, "
            f"{r.covered:.0%} of its sentences in a passage; shares {_shared_grams(r.file)} word 6-grams "
            "with its source (a 'cut' answer sharing none was cut from another text)"
        )
    return rows


def _shared_grams(file: str, n: int = 6) -> int:
    """Word n-grams an answer shares with its task's source: a check on the label independent of unspin."""
    task = file.rsplit("_task", 1)[1][0]

    def grams(path: Path) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", unspin.load(path).text.lower())
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    return len(grams(CLOUGH / file) & grams(CLOUGH / f"orig_task{task}.txt"))


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counter.most_common())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="first N answers only (0: all 95)")
    args = parser.parse_args()
    rows = answers()[: args.limit or None]
    load_s = load_models()
    unspin.compare(CLOUGH / "orig_taska.txt", CLOUGH / rows[0][0])  # warm-up
    results = run(rows)
    positives = [r for r in results if r.label != "non"]
    negatives = [r for r in results if r.label == "non"]
    lines = [
        header(f"Clough & Stevenson: {len(results)} short answers vs their task's source"),
        f"Engine {engine()}. "
        f"`compare(orig_taskX.txt, answer)`; models loaded once in {load_s * 1000:.0f} ms; sentence-vector cache "
        f"cleared before each pair; `related_score` = {settings.get('related_score')}. "
        f"Targets: all cut/light/heavy related — **{sum(r.related for r in positives)} of {len(positives)}**; at most "
        f"1 non related — **{sum(r.related for r in negatives)} of {len(negatives)}**.\n",
        *tables(results),
    ]
    write("clough", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
