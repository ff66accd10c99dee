"""Word differences inside verbatim passages, on a real re-edit of a Reuters story."""

from __future__ import annotations

import gzip
import json
import re

import pytest

import unspin
from unspin.differences import word_differences

from .conftest import DATA, need

REEDIT = ("rfn/20061027/economy-idUSN2729944220061027", "rfn/20061027/us-economy-gdp-idUSN2638117520061027")


@pytest.fixture(scope="module")
def reedit() -> unspin.Comparison:
    rows = {}
    with gzip.open(need(DATA / "reuters-20k" / "reuters-20k.jsonl.gz"), "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["id"] in REEDIT:
                rows[row["id"]] = row["text"]
                if len(rows) == 2:
                    break
    return unspin.compare(rows[REEDIT[0]], rows[REEDIT[1]])


def test_the_one_changed_word_of_a_verbatim_re_edit_is_marked(reedit: unspin.Comparison) -> None:
    c = reedit
    assert [p.kind for p in c.passages] == ["verbatim"] and c.passages[0].score < 1.0
    (diff,) = word_differences(c)
    assert diff.passage == 0
    assert [s.text for s in diff.a] == ["Nov"] and [s.text for s in diff.b] == ["November"]
    for span, text in [(s, c.a.text) for s in diff.a] + [(s, c.b.text) for s in diff.b]:
        assert text[span.start : span.end] == span.text  # offsets into the original texts
    assert diff.to_dict()["b"][0] == {"start": diff.b[0].start, "end": diff.b[0].end, "text": "November"}


def test_the_words_outside_the_marks_are_the_same_on_both_sides(reedit: unspin.Comparison) -> None:
    c = reedit
    (diff,) = word_differences(c)

    def kept(text: str, start: int, end: int, marks: tuple[unspin.Span, ...]) -> list[str]:
        out, at = [], start
        for m in marks:
            out.append(text[at : m.start])
            at = m.end
        out.append(text[at:end])
        return re.findall(r"\w+", " ".join(out).lower())  # words: the diff compares tokens, not punctuation

    p = c.passages[0]
    assert kept(c.a.text, p.a.start, p.a.end, diff.a) == kept(c.b.text, p.b.start, p.b.end, diff.b)


def test_spun_and_reworded_passages_get_no_word_diff(seed_comparison) -> None:  # type: ignore[no-untyped-def]
    assert {p.kind for p in seed_comparison.passages} <= {"paraphrased", "spun", "translated"}
    assert word_differences(seed_comparison) == []
