"""Accuracy gate: small labelled samples of the real data sets, scored on every run against pinned floors.

The floors sit a little under what the code scores today (BENCHMARKS.md has the full-set figures).
A floor is never lowered silently: lowering one needs a line in CHANGELOG.md saying why.
"""

from __future__ import annotations

import unspin
from unspin.evaluation import plagdet, read_pairs, read_truth
from unspin.evaluation.pan import detections_of

from .conftest import DATA, need

PAN = DATA / "pan13-dev"


def test_pan13_sample_plagdet_floor() -> None:
    """Every fifth positive pair (42 pairs, 49 verbatim cases): PlagDet 0.993 today."""
    positives = read_pairs(need(PAN / "02-no-obfuscation" / "pairs"))[::5]
    cases = read_truth(PAN / "02-no-obfuscation", positives)
    detections = [
        d
        for susp, src in positives
        for d in detections_of(unspin.compare(PAN / "src" / src, PAN / "susp" / susp), susp, src)
    ]
    scores = plagdet(cases, detections)
    assert scores.plagdet >= 0.97, scores
    assert scores.granularity <= 1.02, scores


def test_pan13_sample_negatives_get_no_detection() -> None:
    negatives = read_pairs(need(PAN / "01-no-plagiarism" / "pairs"))[::4]
    touched = [
        (susp, src)
        for susp, src in negatives
        if detections_of(unspin.compare(PAN / "src" / src, PAN / "susp" / susp), susp, src)
    ]
    assert touched == []


def test_clough_stevenson_floors() -> None:
    """All 95 answers: 55 of 57 reused answers related today (the two others, 'cut' answers, were cut from
    another text: they share no word 6-gram with their source), 1 of 38 independent answers."""
    import csv

    folder = need(DATA / "clough-stevenson")
    with (folder / "file_information.csv").open(encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Category"] in ("cut", "light", "heavy", "non")]
    related = {
        r["File"]: unspin.compare(folder / f"orig_task{r['Task']}.txt", folder / r["File"]).related for r in rows
    }
    reused = [r["File"] for r in rows if r["Category"] != "non"]
    independent = [r["File"] for r in rows if r["Category"] == "non"]
    assert sum(related[f] for f in reused) >= 55
    assert sum(related[f] for f in independent) <= 1


def test_ntrex_translations_align_line_by_line() -> None:
    """English articles against German (USE) and Ukrainian (multilingual-e5) translations: related, and
    most English lines aligned to their own translated line."""
    import json

    path = need(DATA / "ntrex128-dev" / "ntrex128-dev.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    by = {(r["language"], r["doc"]): r["text"] for r in rows}
    docs = sorted({r["doc"] for r in rows})[:3]
    for language in ("deu", "ukr"):
        aligned = total = 0
        for doc in docs:
            english, other = by[("eng", doc)], by[(language, doc)]
            c = unspin.compare(english, other)
            assert c.related and c.relation != "unrelated", (language, doc)
            starts_a = [len("\n".join(english.split("\n")[:k])) + (k > 0) for k in range(english.count("\n") + 1)]
            starts_b = [len("\n".join(other.split("\n")[:k])) + (k > 0) for k in range(other.count("\n") + 1)]
            line_a = {
                i: max(k for k, s in enumerate(starts_a) if s <= sent.span.start)
                for i, sent in enumerate(c.segmented_a.sentences)
            }
            line_b = {
                j: max(k for k, s in enumerate(starts_b) if s <= sent.span.start)
                for j, sent in enumerate(c.segmented_b.sentences)
            }
            pairs = [pair for p in c.passages for pair in p.pairs]
            aligned += len({line_a[i] for i, j in pairs if line_a[i] == line_b[j]})
            total += len(starts_a)
        assert aligned / total >= 0.85, (language, aligned, total)
