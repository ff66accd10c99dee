"""The words that differ inside a verbatim passage: a "verbatim 0.95" passage is not the same text, and a
reader wants to see the 5% (an edited figure, a dropped clause) without reading both sides word by word."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cydifflib import SequenceMatcher  # difflib's algorithm and answers, in C++

from .document import Span
from .segment import Segmented, Token

if TYPE_CHECKING:
    from .compare import Comparison

KINDS = ("verbatim",)  # spun passages have their substitutions; reworded ones differ everywhere


@dataclass(frozen=True, slots=True)
class Differences:
    """Inside passage number ``passage``: the runs of words only A has (or has changed), and only B has."""

    passage: int
    a: tuple[Span, ...]
    b: tuple[Span, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "passage": self.passage,
            "a": [s.to_dict() for s in self.a],
            "b": [s.to_dict() for s in self.b],
        }


def word_differences(comparison: Comparison) -> list[Differences]:
    """For each verbatim passage that is not word for word the same, a word diff of its two sides (tokens
    compared in lower case): the words replaced, deleted or inserted, as runs of adjacent words."""
    out = []
    for n, p in enumerate(comparison.passages):
        if p.kind not in KINDS:
            continue
        ta = _tokens(comparison.segmented_a, p.a)
        tb = _tokens(comparison.segmented_b, p.b)
        matcher = SequenceMatcher(None, [t.norm for t in ta], [t.norm for t in tb], autojunk=False)
        runs_a: list[Span] = []
        runs_b: list[Span] = []
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            if i2 > i1:
                runs_a.append(Span.of(comparison.a.text, ta[i1].start, ta[i2 - 1].end))
            if j2 > j1:
                runs_b.append(Span.of(comparison.b.text, tb[j1].start, tb[j2 - 1].end))
        if runs_a or runs_b:
            out.append(Differences(n, tuple(runs_a), tuple(runs_b)))
    return out


def _tokens(seg: Segmented, span: Span) -> list[Token]:
    """The tokens of ``seg`` inside ``span`` (tokens are in text order)."""
    first = bisect_left(seg.tokens, span.start, key=lambda t: t.start)
    last = bisect_left(seg.tokens, span.end, key=lambda t: t.start)
    return [t for t in seg.tokens[first:last] if t.end <= span.end]
