"""Assemble BENCHMARKS.md from the summary below and the result files the bench scripts wrote.

Run each ``bench/bench_*.py`` first (each writes ``bench/results/<name>.md``), then ``python bench/collect.py``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
ORDER = ["seeds", "pan13", "spun", "ntrex", "clough", "mrpc"]  # the rest follow alphabetically

INTRO = """# Benchmarks

Every figure here was written by a script in `bench/` (its command line, date, machine and the unspin commit
head each section). Tests check correctness; these files measure. The data sets are in `../shared/data`
(see its README); spun copies are made here by `unspin.evaluation.spinner` (WordNet synonyms), never by a
real spinner, and say so. Times on this shared 2-core machine are noisy: where a section gives CPU time of
the process, that is the figure to compare.

To regenerate: `pip install -e '.[all]'`, then `python bench/bench_<name>.py` for each, then
`python bench/collect.py`.
"""


def main() -> None:
    names = sorted(p.stem for p in RESULTS.glob("*.md"))
    ordered = [n for n in ORDER if n in names] + [n for n in names if n not in ORDER]
    sections = [(RESULTS / f"{name}.md").read_text(encoding="utf-8").strip() for name in ordered]
    (ROOT / "BENCHMARKS.md").write_text(INTRO + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    print(f"BENCHMARKS.md: {len(sections)} sections ({', '.join(ordered)})")


if __name__ == "__main__":
    main()
