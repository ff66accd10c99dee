"""Coverage: the share of a side's text inside its passages, each character counted once, boilerplate out."""

from __future__ import annotations

from pathlib import Path

import unspin
from unspin.collection import Hit
from unspin.coverage import coverage
from unspin.document import Span

from .conftest import SEED_A, SEED_B, need


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
    assert [coverage(1000, [Span.of(text, 0, n)]).percent for n in (0, 3, 500, 996, 1000)] == [0, 1, 50, 99, 100]


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


def test_a_search_hit_says_how_much_of_the_query_it_accounts_for(tmp_path: Path) -> None:
    """The matching-sources list: each proven hit carries the query's coverage by that stored document."""
    with unspin.Collection(tmp_path / "seeds.db") as collection:
        collection.add([str(need(SEED_A))])
        query = need(SEED_B).read_text(encoding="utf-8")
        (hit,) = [h for h in collection.search(query, top=3) if h.id == str(SEED_A)]
    expected = unspin.compare(query, need(SEED_A)).coverage("a")
    assert hit.covered == expected and hit.covered.fraction > 0.5
    assert Hit.from_dict(hit.to_dict()).covered == expected
