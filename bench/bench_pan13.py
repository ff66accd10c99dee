"""PAN13 text alignment (../shared/data/pan13-dev): PlagDet, detections on negatives, time per pair.

unspin and the peer alcove-dux run on the same 210 positive pairs (02-no-obfuscation, 257 cases)
and 46 negative pairs (01-no-plagiarism), one thread each. unspin is called as
``compare(source, suspicious)``, so a passage's ``b`` span is PAN's ``this_*``.

alcove-dux (``alcove_dux.matching``) aligns a pair with ``compare_texts``: exact runs of at least
8 tokens plus every 900-character chunk pair whose overlap score reaches 0.5; it merges nothing.
Its offsets point into its whitespace-normalised text, so they are mapped back to the file's
characters (normalisation only rewrites whitespace). Its exact runs alone get a row too.

Detections matching no case, read by hand (unspin 8c8c386, listed in the last table of the result):
* 00730 / 03208, exact: the book title "A New American Atlas Containing Maps Of The Several States of the
  North American Union ..." copied word for word (in capitals) near the annotated case: real reuse that PAN's
  truth does not list;
* 01526 / 01226, lexical: the same veterinary advice on heat illness ("rest, ... a fan, fresh water to drink
  and careful observation", "105 to 107 F") reworded: a paraphrase, likely of a common source;
* 01292 / 02723, lexical: one sentence of a state agency's stock wording ("... is responsible for the
  enforcement of ... regulations pertaining to ... commercial ... vehicles"): same template, not reuse.
The pair 01444 / 00499 had a fourth (two sentences on tornado shelters sharing topic words out of order); a
group of up to three sentence pairs in a long text must now share its words in order, and it is gone.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from _common import DATA, header, load_models, write  # isort: skip - first: one thread before numpy loads

import unspin
from unspin import embed
from unspin.evaluation import Annotation, Scores, plagdet, read_pairs, read_truth
from unspin.evaluation.pan import passage_detections
from unspin.evaluation.plagdet import detects

PAN = DATA / "pan13-dev"
POSITIVE, NEGATIVE = "02-no-obfuscation", "01-no-plagiarism"

Pair = tuple[str, str]  # (suspicious, source) file names


@dataclass(slots=True)
class Run:
    """One system over all pairs: detections per pair, time per pair, and what it could not do."""

    name: str
    detections: dict[Pair, list[Annotation]] = field(default_factory=dict)
    methods: dict[Annotation, str] = field(default_factory=dict)  # unspin only: exact | lexical | model
    ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # CPU time of this process: robust on a shared machine
    stages: list[dict[str, float]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def all_detections(self, pairs: list[Pair]) -> list[Annotation]:
        return [d for pair in pairs for d in self.detections.get(pair, [])]


# ---------------------------------------------------------------- the systems


def run_unspin(pairs: list[Pair]) -> Run:
    run = Run("unspin")
    first_susp, first_src = pairs[0]
    unspin.compare(PAN / "src" / first_src, PAN / "susp" / first_susp)  # warm-up
    for susp, src in pairs:
        embed.clear_cache()  # each pair pays for its own sentence vectors
        start, cpu = time.perf_counter(), time.process_time()
        try:
            comparison = unspin.compare(PAN / "src" / src, PAN / "susp" / susp)
        except Exception as err:  # noqa: BLE001 - a failing pair is reported, the bench goes on
            run.skipped.append(f"{susp} {src}: {type(err).__name__}: {err}")
            continue
        run.ms.append((time.perf_counter() - start) * 1000)
        run.cpu_ms.append((time.process_time() - cpu) * 1000)
        run.stages.append(comparison.timings_ms)
        found = passage_detections(comparison, susp, src)
        run.detections[(susp, src)] = [detection for _, detection in found]
        run.methods.update((detection, passage.method) for passage, detection in found)
    return run


def run_peer(pairs: list[Pair], exact_only: bool) -> Run:
    from alcove_dux.matching import compare_texts, exact_token_sequence_matches

    run = Run("alcove-dux exact runs" if exact_only else "alcove-dux")
    for susp, src in pairs:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            susp_text = (PAN / "susp" / susp).read_text(encoding="utf-8")
            src_text = (PAN / "src" / src).read_text(encoding="utf-8")
            if exact_only:  # works on the raw text: its offsets are the file's already
                evidence = exact_token_sequence_matches(susp_text, src_text)
            else:
                evidence = compare_texts(susp_text, src_text)
            run.ms.append((time.perf_counter() - start) * 1000)
            run.cpu_ms.append((time.process_time() - cpu) * 1000)
            to_susp = _identity if exact_only else _raw_offsets(susp_text)
            to_src = _identity if exact_only else _raw_offsets(src_text)
        except Exception as err:  # noqa: BLE001 - a failing pair is reported, the bench goes on
            run.skipped.append(f"{susp} {src}: {type(err).__name__}: {err}")
            continue
        found = []
        for e in evidence:
            s0, s1 = _mapped(to_susp, e.suspicious_start, e.suspicious_end)
            r0, r1 = _mapped(to_src, e.source_start, e.source_end)
            if s1 > s0 and r1 > r0:
                found.append(Annotation(susp, s0, s1 - s0, src, r0, r1 - r0))
        run.detections[(susp, src)] = found
    return run


def _identity(offset: int) -> int:
    return offset


def _raw_offsets(raw: str) -> Callable[[int], int]:
    """Maps an offset of alcove-dux's normalised text to the file's: both have the same non-space chars."""
    from alcove_dux.documents import normalize_text

    normal = normalize_text(raw)
    solid = [i for i, ch in enumerate(raw) if not ch.isspace()]  # file offset of the k-th non-space char
    before = [0, *accumulate(not ch.isspace() for ch in normal)]  # non-space chars before each offset
    if len(solid) != before[-1]:
        raise ValueError("alcove-dux normalisation changed more than whitespace")

    def to_raw(offset: int) -> int:
        k = before[offset]
        return solid[k] if k < len(solid) else len(raw)

    return to_raw


def _mapped(to_raw: Callable[[int], int], start: int, end: int) -> tuple[int, int]:
    """A span's file offsets: its first non-space char, and one past its last."""
    if end <= start:
        return to_raw(start), to_raw(start)
    return to_raw(start), to_raw(end - 1) + 1


# ---------------------------------------------------------------- measures and table


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def touched_negatives(run: Run, negatives: list[Pair]) -> int:
    return sum(bool(run.detections.get(pair)) for pair in negatives)


def score_rows(runs: list[Run], cases: list[Annotation], positives: list[Pair], negatives: list[Pair]) -> list[str]:
    scores = [plagdet(cases, r.all_detections(positives)) for r in runs]
    pooled = [plagdet(cases, r.all_detections(positives + negatives)) for r in runs]
    gate = set(positives[::5])  # tests/test_accuracy.py scores every fifth positive pair
    unseen = [pair for pair in positives if pair not in gate]
    unseen_cases = [c for c in cases if c.pair in set(unseen)]
    n = len(negatives)
    measures: list[tuple[str, Callable[[Run, Scores, Scores], float], str]] = [
        ("PlagDet, positives", lambda r, s, p: s.plagdet, ".4f"),
        ("· precision (macro)", lambda r, s, p: s.precision, ".4f"),
        ("· recall (macro)", lambda r, s, p: s.recall, ".4f"),
        ("· granularity", lambda r, s, p: s.granularity, ".4f"),
        ("· detections / cases detected", lambda r, s, p: s.detections, "d"),
        (
            f"PlagDet, the {len(unseen)} positives outside the test gate's sample (never tuned on)",
            lambda r, s, p: plagdet(unseen_cases, r.all_detections(unseen)).plagdet,
            ".4f",
        ),
        ("PlagDet, positives + negatives pooled", lambda r, s, p: p.plagdet, ".4f"),
        (f"negative pairs with a detection (of {n})", lambda r, s, p: touched_negatives(r, negatives), "d"),
        ("time per pair, median (ms)", lambda r, s, p: statistics.median(r.ms), ".1f"),
        ("time per pair, p90 (ms)", lambda r, s, p: p90(r.ms), ".1f"),
        ("CPU time per pair, median (ms)", lambda r, s, p: statistics.median(r.cpu_ms), ".1f"),
    ]
    lines = [
        "| measure | " + " | ".join(r.name for r in runs) + " | unspin / alcove-dux |",
        "|---" * (len(runs) + 2) + "|",
    ]
    for label, get, fmt in measures:
        values = [get(r, s, p) for r, s, p in zip(runs, scores, pooled, strict=True)]
        cells = [format(v, fmt) for v in values]
        if label.startswith("· detections"):
            cells = [f"{s.detections} / {s.detected_cases}" for s in scores]
        ratio = f"{values[0] / values[1]:.2f}" if values[1] else "–"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
    return lines


def unmatched_rows(run: Run, cases: list[Annotation], positives: list[Pair]) -> list[str]:
    """Every unspin detection on a positive pair that overlaps no case, with the start of both sides."""
    lines = ["unspin detections matching no case (each read by hand: see the note in bench_pan13.py's docstring):\n"]
    lines += ["| pair | method | source text | suspicious text |", "|---|---|---|---|"]
    for susp, src in positives:
        for d in run.detections.get((susp, src), []):
            if any(detects(d, c) for c in cases):
                continue
            this = (PAN / "susp" / susp).read_text(encoding="utf-8")[d.this_offset : d.this_end]
            source = (PAN / "src" / src).read_text(encoding="utf-8")[d.source_offset : d.source_end]
            lines.append(
                f"| {susp[-9:-4]} / {src[-9:-4]} | {run.methods.get(d, '?')} | {_cell(source)} | {_cell(this)} |"
            )
    return lines


def _cell(text: str, width: int = 160) -> str:
    flat = " ".join(text.split()).replace("|", "/")
    return flat if len(flat) <= width else flat[:width] + " …"


def stage_rows(run: Run) -> list[str]:
    lines = ["| unspin stage | median (ms) | mean (ms) |", "|---|---|---|"]
    for stage in run.stages[0]:
        values = [s.get(stage, 0.0) for s in run.stages]
        lines.append(f"| {stage} | {statistics.median(values):.1f} | {statistics.mean(values):.1f} |")
    return lines


def tier_rows(run: Run, cases: list[Annotation], positives: list[Pair], negatives: list[Pair]) -> list[str]:
    """unspin's detections by tier, and how many of them detect no case (PAN's false detections)."""
    lines = ["| unspin tier | detections, positives | detecting no case | detections, negatives |", "|---|---|---|---|"]
    by_pair: dict[tuple[str, str], list[Annotation]] = {}
    for case in cases:
        by_pair.setdefault(case.pair, []).append(case)
    total, false, neg = Counter[str](), Counter[str](), Counter[str]()
    for pair in positives:
        for d in run.detections.get(pair, []):
            total[run.methods[d]] += 1
            false[run.methods[d]] += not any(detects(d, c) for c in by_pair.get(d.pair, []))
    for pair in negatives:
        for d in run.detections.get(pair, []):
            neg[run.methods[d]] += 1
    for method in ("exact", "lexical", "model"):
        lines.append(f"| {method} | {total[method]} | {false[method]} | {neg[method]} |")
    return lines


def _commit() -> str:
    """The unspin commit measured (with '+changes' when tracked files under src/ differ from it)."""
    head = _git("rev-parse", "--short", "HEAD")
    if not head:
        return "unknown"
    return head + (" +changes" if _git("status", "--porcelain", "--untracked-files=no", "src") else "")


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True)
    except OSError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _threads() -> str:
    return ", ".join(f"{v}={os.environ.get(v)}" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"))


def main() -> None:
    positives = read_pairs(PAN / POSITIVE / "pairs")
    negatives = read_pairs(PAN / NEGATIVE / "pairs")
    cases = read_truth(PAN / POSITIVE, positives)
    pairs: list[Pair] = positives + negatives
    load_s = load_models()
    runs = [run_unspin(pairs), run_peer(pairs, exact_only=False), run_peer(pairs, exact_only=True)]
    lines = [
        header(
            f"PAN13 text alignment: {len(positives)} positive pairs ({len(cases)} cases), {len(negatives)} negative"
        ),
        f"unspin commit {_commit()}; nproc {len(os.sched_getaffinity(0))}; {_threads()}; unspin models loaded once in "
        f"{load_s * 1000:.0f} ms before timing; one warm-up compare; sentence-vector cache cleared before each pair.\n",
        *score_rows(runs, cases, positives, negatives),
        "",
        *stage_rows(runs[0]),
        "",
        *tier_rows(runs[0], cases, positives, negatives),
        "",
        *unmatched_rows(runs[0], cases, positives),
    ]
    for run in runs:
        lines += [f"\n{run.name} skipped: {s}" for s in run.skipped]
    write("pan13", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
