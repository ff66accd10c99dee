"""How much of one side's text the aligned passages account for: the figure a similarity report gives first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .document import Span


@dataclass(frozen=True, slots=True)
class Coverage:
    """``chars`` of a side's ``total`` characters lie inside ``passages`` aligned passages.

    Both counts leave boilerplate out (it is never matched); overlapping passages count once."""

    chars: int
    total: int
    passages: int

    @property
    def fraction(self) -> float:
        return self.chars / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        """The fraction in whole percent, 100 only when all of it and 0 only when none of it."""
        whole = int(self.fraction * 100 + 0.5)
        return 100 if self.chars >= self.total > 0 else min(99, max(1 if self.chars else 0, whole))

    def to_dict(self) -> dict[str, Any]:
        return {
            "fraction": round(self.fraction, 4),
            "chars": self.chars,
            "total": self.total,
            "passages": self.passages,
        }


def coverage(length: int, passages: Iterable[Span], boilerplate: Iterable[Span] = ()) -> Coverage:
    """The share of a text of ``length`` characters inside the union of ``passages``, boilerplate left out."""
    removed = _union(boilerplate, length)
    spans = [s for s in passages if s.end > s.start]
    inside = _union(spans, length)
    found = _length(inside) - _length(_intersection(inside, removed))
    passages_counted = sum(1 for s in spans if _length(_intersection([(s.start, s.end)], removed)) < s.end - s.start)
    return Coverage(found, length - _length(removed), passages_counted)


def _union(spans: Iterable[Span], length: int) -> list[tuple[int, int]]:
    """Sorted, disjoint ranges covering the same characters as ``spans`` (clipped to the text)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s.start), min(length, s.end)) for s in spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _intersection(xs: list[tuple[int, int]], ys: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The characters two sorted disjoint range lists share."""
    out, i, j = [], 0, 0
    while i < len(xs) and j < len(ys):
        start, end = max(xs[i][0], ys[j][0]), min(xs[i][1], ys[j][1])
        if start < end:
            out.append((start, end))
        if xs[i][1] < ys[j][1]:
            i += 1
        else:
            j += 1
    return out


def _length(ranges: list[tuple[int, int]]) -> int:
    return sum(end - start for start, end in ranges)
