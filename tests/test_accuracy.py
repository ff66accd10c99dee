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
