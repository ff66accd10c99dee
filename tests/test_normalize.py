"""Normalisation against evasion: what a reader sees, with every offset mapped back to the original."""

from __future__ import annotations

import gzip
import json

from hypothesis import given, settings
from hypothesis import strategies as st

import unspin
from unspin.normalize import normalize

from .conftest import DATA, need

# (written, what a reader sees): each evasion the issue names, with its independent expected reading
_EVASIONS = [
    ("\u200b", ""),  # zero-width space
    ("\u00ad", ""),  # soft hyphen
    ("\u202e", ""),  # right-to-left override
    ("\u2066", ""),  # left-to-right isolate
    ("\ufe0f", ""),  # variation selector 16
    ("\u200d", ""),  # zero-width joiner
    ("а", "a"),  # Cyrillic a
    ("о", "o"),  # Cyrillic o
    ("ѕ", "s"),  # Cyrillic dze
    ("ο", "o"),  # Greek omicron
    ("ａ", "a"),  # full-width a
    ("Ｔ", "T"),
    ("ﬁ", "fi"),  # ligature
    ("𝐛", "b"),  # mathematical bold b
]


@st.composite
def _disguised(draw: st.DrawFn) -> tuple[str, str, list[int], list[int]]:
    """A text of ASCII words with evasions inside them, its expected reading, and for every character of
    the reading the original range it came from (worked out here, not by the code under test)."""
    written, seen, starts, ends = [], [], [], []
    at = 0
    for _ in range(draw(st.integers(1, 12))):
        word = draw(st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=7))
        pieces = [(c, c) for c in word]
        for _ in range(draw(st.integers(0, 3))):
            where = draw(st.integers(1, len(pieces) - 1))
            pieces.insert(where, draw(st.sampled_from(_EVASIONS)))
        gap = draw(st.sampled_from([" ", ", ", ".\n"]))
        for raw, reading in [*pieces, *((c, c) for c in gap)]:
            written.append(raw)
            for ch in reading:
                seen.append(ch)
                starts.append(at)
                ends.append(at + len(raw))
            at += len(raw)
    return "".join(written), "".join(seen), starts, ends


@settings(max_examples=200, deadline=None)
@given(_disguised(), st.data())
def test_reading_and_offsets_through_normalisation(case: tuple[str, str, list[int], list[int]], data: st.DataObject):
    text, seen, starts, ends = case
    norm = normalize(text)
    assert norm.text == seen
    s = data.draw(st.integers(0, len(seen) - 1))
    e = data.draw(st.integers(s + 1, len(seen)))
    assert norm.span(s, e) == (starts[s], ends[e - 1])
    assert norm.span(s, s) == (starts[s], starts[s])


def test_plain_and_foreign_texts_are_left_alone() -> None:
    assert not normalize("The café’s “naïve” résumé — 2½ years.").evasive_count()
    russian = "Президент России заявил, что соглашение о перемирии вступает в силу."
    assert normalize(russian).text == russian
    greek = "Ο πρωθυπουργός είπε ότι η συμφωνία θα υπογραφεί σύντομα."
    assert normalize(greek).text == greek


def _article() -> str:
    with gzip.open(need(DATA / "reuters-20k" / "reuters-20k.jsonl.gz"), "rt", encoding="utf-8") as handle:
        return next(t for t in (json.loads(line)["text"] for line in handle) if len(t) > 2000)


def test_verbatim_copy_with_invisible_and_look_alike_characters_is_found() -> None:
    """A zero-width space in every long word and Cyrillic vowels: 0.00 unrelated before normalisation."""
    original = _article()
    words = original.split(" ")
    disguised = " ".join(w[:3] + "\u200b" + w[3:] if len(w) > 5 else w for w in words)
    disguised = disguised.translate(str.maketrans({"a": "а", "o": "о", "e": "е"}))
    c = unspin.compare(original, disguised)
    assert c.related and c.score >= 0.95
    assert c.relation == "b-from-a"
    assert "obfuscated" in c.side_b.disguise and "obfuscated" not in c.side_a.disguise
    assert any("ZERO WIDTH SPACE" in e and "CYRILLIC SMALL LETTER A" in e for e in c.side_b.evidence)
    covered = sum(p.a.end - p.a.start for p in c.passages)
    assert covered >= 0.9 * len(original)
    for p in c.passages:  # offsets into the texts as written
        assert p.b.text == disguised[p.b.start : p.b.end]
        assert normalize(p.b.text).text == original[p.a.start : p.a.end]
    undo = str.maketrans({"\u200b": "", "а": "a", "о": "o", "е": "e"})
    for t in c.segmented_b.tokens:  # tokens read as the original's words, with offsets into the disguised text
        assert disguised[t.start : t.end].translate(undo).lower().replace("’", "'") == t.norm


def test_collection_fingerprints_see_through_evasion() -> None:
    """``search`` finds such copies: their fingerprints are the original's."""
    from unspin.collection import sketch
    from unspin.evaluation.evasion import KINDS, disguise

    original = _article()
    plain = sketch.fingerprint(original)
    for kind in (*KINDS, "all"):
        copy = sketch.fingerprint(disguise(original, kind, seed=3))
        assert copy.signature.tolist() == plain.signature.tolist(), kind
        assert copy.anchors.tolist() == plain.anchors.tolist(), kind
        assert copy.sentences.tolist() == plain.sentences.tolist(), kind


def test_evasion_disguises_read_back_as_the_original() -> None:
    from unspin.evaluation.evasion import KINDS, disguise

    original = _article()
    for kind in (*KINDS, "all"):
        copy = disguise(original, kind, seed=5)
        assert copy != original
        assert normalize(copy).text == original
