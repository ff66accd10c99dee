"""The Moby link index: the same pairs as the synonym lists, cached on disk and rebuilt when it must be."""

from __future__ import annotations

import numpy as np
import pytest

from unspin import thesaurus
from unspin.document import load
from unspin.segment import segment
from unspin.words import is_content, lemma

from .conftest import SEED_A, SEED_B, need


def _vocabulary(path) -> list[str]:  # type: ignore[no-untyped-def]
    seg = segment(load(need(path)))
    return list(dict.fromkeys(lemma(t.norm) for t in seg.tokens if is_content(t.norm)))


def test_links_are_the_synonym_lists_read_both_ways() -> None:
    words_a, words_b = _vocabulary(SEED_A), _vocabulary(SEED_B)
    expected = {
        (i, j)
        for i, a in enumerate(words_a)
        for j, b in enumerate(words_b)
        if (a.isalpha() and b in thesaurus.synonyms(a)) or (b.isalpha() and a in thesaurus.synonyms(b))
    }
    rows, cols = thesaurus.links(words_a, words_b)
    found = list(zip(rows.tolist(), cols.tolist(), strict=True))
    assert len(found) == len(set(found))  # each pair once
    assert set(found) == expected
    assert ("criminal", "lawbreaker") in {(words_a[i], words_b[j]) for i, j in found}


def test_links_of_nothing_are_empty() -> None:
    rows, cols = thesaurus.links([], ["court"])
    assert rows.size == cols.size == 0
    for words_a, words_b in ((["court"], ["qzxv", "xqzv"]), (["qzxv", "xqzv"], ["court"])):  # no side in Moby
        rows, cols = thesaurus.links(words_a, words_b)
        assert rows.size == cols.size == 0


@pytest.fixture
def small_index(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A three-line thesaurus indexed instead of Moby (3 s), cached under ``tmp_path``; counts builds."""
    builds: list[int] = []
    build = thesaurus._build

    def counted() -> thesaurus._Index:
        builds.append(1)
        return build()

    monkeypatch.setenv("UNSPIN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(thesaurus, "_lines", lambda: {"big": "large,huge", "large": "big", "huge": "vast,enormous"})
    monkeypatch.setattr(thesaurus, "_build", counted)
    thesaurus._index.cache_clear()
    yield builds
    thesaurus._index.cache_clear()  # later tests open the real index again


def _reopen() -> thesaurus._Index:
    thesaurus._index.cache_clear()
    return thesaurus._index()


def test_index_is_built_once_then_read_from_disk(small_index) -> None:  # type: ignore[no-untyped-def]
    first = thesaurus._index()
    second = _reopen()
    assert len(small_index) == 1
    assert second.terms == first.terms
    assert second.heads == 3 and len(second.terms) == 5
    assert np.array_equal(second.lists[1], first.lists[1])
    rows, cols = thesaurus.links(["vast", "bigs", "enormous"], ["huge", "big", "large", "tiny"])
    # vast and enormous are listed by huge; the unknown plural "bigs" reads big's list (large, huge)
    assert sorted(zip(rows.tolist(), cols.tolist(), strict=True)) == [(0, 0), (1, 0), (1, 2), (2, 0)]


def test_index_is_rebuilt_when_corrupt_or_stale(small_index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    thesaurus._index()
    with open(thesaurus._cache_path(), "wb") as handle:
        handle.write(b"not an npz file")
    _reopen()
    assert len(small_index) == 2
    monkeypatch.setattr(thesaurus, "_FORMAT", thesaurus._FORMAT + 1)  # as after a layout change
    _reopen()
    assert len(small_index) == 3
    _reopen()
    assert len(small_index) == 3
