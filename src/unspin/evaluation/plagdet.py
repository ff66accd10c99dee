"""PlagDet: macro precision, macro recall and granularity of passage detections.

Implemented from the definition in Martin Potthast, Benno Stein, Alberto Barrón-Cedeño and
Paolo Rosso, "An Evaluation Framework for Plagiarism Detection", COLING 2010 (Beijing), the
measure of the PAN text-alignment tasks 2009-2015.

A case s (truth) and a detection r (system output) are both a pair of character ranges: one in
the suspicious document ("this") and one in the source document. Their characters are the union
of both ranges, so |s| = this_length + source_length (the ranges lie in different documents).

* r *detects* s iff they name the same (suspicious, source) document pair and their ranges
  overlap on both sides. s ⊓ r is s ∩ r when r detects s, else the empty set.
* rec_macro = mean over cases s of |∪_r (s ⊓ r)| / |s|
* prec_macro = mean over detections r of |∪_s (s ⊓ r)| / |r|
* granularity = mean, over the cases detected at least once, of the number of detections of it
* plagdet = F1(prec, rec) / log2(1 + granularity)

Cases and detections are pooled over all document pairs (a corpus-level macro average), and a
detection only ever detects cases of its own pair.

Edge cases follow the official PAN script (pan09-plagiarism-detection-performance-measures.py),
so that scores compare with published PAN results:

* no cases and no detections: precision = recall = 1, granularity = 1, plagdet = 1;
* cases but no detections, or detections but no cases: precision = recall = 0 (the script
  returns 0 whenever one side is empty; plagdet is 0 either way), granularity = 1;
* no case detected at all: granularity = 1;
* identical annotations count once (the script reads annotations into sets).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Annotation:
    """A plagiarism case or a detection: a range of the suspicious document and one of its source.

    Offsets and lengths count characters of the decoded text, as in the PAN XML files.
    """

    this_reference: str
    this_offset: int
    this_length: int
    source_reference: str
    source_offset: int
    source_length: int

    def __post_init__(self) -> None:
        if min(self.this_offset, self.this_length, self.source_offset, self.source_length) < 0:
            raise ValueError(f"negative offset or length in {self}")
        if self.this_length + self.source_length == 0:
            raise ValueError(f"empty annotation (both lengths 0): {self}")

    @property
    def pair(self) -> tuple[str, str]:
        return self.this_reference, self.source_reference

    @property
    def this_end(self) -> int:
        return self.this_offset + self.this_length

    @property
    def source_end(self) -> int:
        return self.source_offset + self.source_length

    @property
    def size(self) -> int:
        return self.this_length + self.source_length


Case = Annotation
Detection = Annotation


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int
    detected_cases: int

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)


def detects(r: Annotation, s: Annotation) -> bool:
    """True when r and s belong to the same document pair and overlap on both sides (symmetric)."""
    return (
        r.pair == s.pair
        and r.this_offset < s.this_end
        and s.this_offset < r.this_end
        and r.source_offset < s.source_end
        and s.source_offset < r.source_end
    )


def plagdet(cases: Iterable[Annotation], detections: Iterable[Annotation]) -> Scores:
    """PlagDet of ``detections`` against the truth ``cases``, pooled over all document pairs."""
    case_set, detection_set = set(cases), set(detections)
    recall = _macro_recall(case_set, detection_set)
    precision = _macro_recall(detection_set, case_set)  # the definition is symmetric
    counts = _detections_per_case(case_set, detection_set)
    detected = [n for n in counts if n > 0]
    granularity = sum(detected) / len(detected) if detected else 1.0
    score = _f1(precision, recall) / math.log2(1 + granularity)
    return Scores(precision, recall, granularity, score, len(case_set), len(detection_set), len(detected))


def _macro_recall(cases: set[Annotation], detections: set[Annotation]) -> float:
    """Mean over ``cases`` of the share of their characters covered by detections that detect them."""
    if not cases and not detections:
        return 1.0
    if not cases or not detections:
        return 0.0
    by_pair = _by_pair(detections)
    total = 0.0
    for case in cases:
        hits = [r for r in by_pair.get(case.pair, ()) if detects(r, case)]
        this = _clipped_union(case.this_offset, case.this_end, [(r.this_offset, r.this_end) for r in hits])
        source = _clipped_union(case.source_offset, case.source_end, [(r.source_offset, r.source_end) for r in hits])
        total += (this + source) / case.size
    return total / len(cases)


def _detections_per_case(cases: set[Annotation], detections: set[Annotation]) -> list[int]:
    by_pair = _by_pair(detections)
    return [sum(detects(r, case) for r in by_pair.get(case.pair, ())) for case in cases]


def _by_pair(annotations: set[Annotation]) -> dict[tuple[str, str], list[Annotation]]:
    index: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
    for annotation in annotations:
        index[annotation.pair].append(annotation)
    return index


def _clipped_union(start: int, end: int, ranges: list[tuple[int, int]]) -> int:
    """Characters of [start, end) covered by at least one of ``ranges`` (overlaps counted once)."""
    covered, reach = 0, start
    for lo, hi in sorted(ranges):
        lo, hi = max(lo, reach), min(hi, end)
        if hi > lo:
            covered += hi - lo
            reach = hi
    return covered


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
