"""The seed pair (../shared/data/seeds): substitutions recovered, boilerplate untouched, time per stage."""

from __future__ import annotations

import csv
import statistics
import time

from _common import DATA, engine, header, load_models, write  # isort: skip - first: one thread before numpy loads

import unspin
from unspin import embed

RUNS = 30


def recovered(c: unspin.Comparison, rows: list[dict[str, str]]) -> int:
    hits = 0
    for row in rows:
        b0, a0 = c.b.text.find(row["spun_phrase"]), c.a.text.find(row["phrase_in_000"])
        b1, a1 = b0 + len(row["spun_phrase"]), a0 + len(row["phrase_in_000"])
        hits += any(s.a.start < a1 and a0 < s.a.end and s.b.start < b1 and b0 < s.b.end for s in c.substitutions)
    return hits


def main() -> None:
    seeds = DATA / "seeds"
    a, b = seeds / "000_4f924e5df3fd12e9.txt", seeds / "002_085c92a93bf60dbf.txt"
    with (seeds / "substitutions.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    load_s = load_models()
    unspin.compare(a, b)  # warm-up
    times, cpu_times, stages = [], [], []
    for _ in range(RUNS):
        embed.clear_cache()  # every run pays for its own sentence vectors
        start, cpu = time.perf_counter(), time.process_time()
        c = unspin.compare(a, b)
        times.append((time.perf_counter() - start) * 1000)
        cpu_times.append((time.process_time() - cpu) * 1000)
        stages.append(c.timings_ms)
    covered = sum(
        1 for p in c.passages for bp in c.segmented_a.boilerplate if p.a.start < bp.span.end and bp.span.start < p.a.end
    )
    lines = [
        header("Seeds: 000 (translated + boilerplate) vs 002 (spun)"),
        f"unspin {engine()}.\n",
        "| measure | value |",
        "|---|---|",
        f"| related / score / relation | {c.related} / {c.score:.3f} / {c.relation} |",
        f"| disguise A / B | {', '.join(c.side_a.disguise)} / {', '.join(c.side_b.disguise)} |",
        f"| substitutions.tsv rows recovered | {recovered(c, rows)} of {len(rows)} |",
        f"| substitutions reported | {len(c.substitutions)} |",
        f"| passages / touching 000's {len(c.segmented_a.boilerplate)} boilerplate lines "
        f"| {len(c.passages)} / {covered} |",
        f"| sentences sent to the model | {c.stats.sentences_embedded} of "
        f"{len(c.segmented_a.sentences) + len(c.segmented_b.sentences)} |",
        f"| model + thesaurus + language load (once) | {load_s * 1000:.0f} ms |",
        f"| compare, warm, median of {RUNS} (p90) "
        f"| {statistics.median(times):.1f} ms ({sorted(times)[int(RUNS * 0.9)]:.1f}) |",
        f"| compare, CPU time of the process, median | {statistics.median(cpu_times):.1f} ms |",
    ]
    for stage in stages[0]:
        lines.append(f"| · stage {stage}, median | {statistics.median(s[stage] for s in stages):.1f} ms |")
    write("seeds", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
