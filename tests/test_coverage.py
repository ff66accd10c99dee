"""Coverage: the share of a side's text inside its passages, each character counted once, boilerplate out."""

from __future__ import annotations

from unspin.coverage import coverage
from unspin.document import Span


def _by_characters(length: int, passages: list[Span], boilerplate: list[Span]) -> tuple[int, int]:
    """The same count the slow way: a set of character positions."""
    removed = {i for s in boilerplate for i in range(s.start, s.end)}
    inside = {i for s in passages for i in range(s.start, s.end)} - removed
    return len(inside), length - len(removed)


def test_overlapping_passages_count_once_and_boilerplate_not_at_all() -> None:
    text = "x" * 100
    passages = [Span.of(text, 0, 40), Span.of(text, 30, 50), Span.of(text, 60, 70)]
    boilerplate = [Span.of(text, 45, 65), Span.of(text, 90, 100)]
    c = coverage(len(text), passages, boilerplate)
    assert (c.chars, c.total) == _by_characters(len(text), passages, boilerplate) == (50, 70)
    assert c.passages == 3 and round(c.fraction, 4) == round(50 / 70, 4)
    inside_boilerplate = coverage(len(text), [Span.of(text, 92, 98)], boilerplate)
    assert (inside_boilerplate.chars, inside_boilerplate.passages) == (0, 0)
    assert coverage(0, []).fraction == 0.0


def test_seed_coverage_is_the_union_of_passage_spans(seed_comparison) -> None:  # type: ignore[no-untyped-def]
    c = seed_comparison
    for side, doc, seg in (("a", c.a, c.segmented_a), ("b", c.b, c.segmented_b)):
        spans = [p.a if side == "a" else p.b for p in c.passages]
        got = c.coverage(side)
        assert (got.chars, got.total) == _by_characters(len(doc.text), spans, [b.span for b in seg.boilerplate])
        assert got.passages == len(c.passages) and 0.5 < got.fraction < 1.0
        assert c.to_dict()[side]["coverage"] == got.to_dict()
    # A's scraper copy carries WordPress boilerplate: it is left out of what A's text is
    assert c.coverage("a").total < len(c.a.text) and c.coverage("b").total <= len(c.b.text)
