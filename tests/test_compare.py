import csv

import unspin

from .conftest import DATA, EXAMPLES, need


def _overlaps(start: int, end: int, other_start: int, other_end: int) -> bool:
    return start < other_end and other_start < end


def test_seeds_are_siblings_of_one_wire_story(seed_comparison) -> None:  # type: ignore[no-untyped-def]
    c = seed_comparison
    assert c.related and c.score > 0.9
    assert c.relation == "common-source"
    assert "spun" in c.side_b.disguise and "spun" not in c.side_a.disguise
    assert {"translated", "boilerplate"} <= set(c.side_a.disguise)
    kinds = {a.kind for a in c.side_a.artefacts}
    assert {"foreign-acronym", "find-and-replace"} <= kinds


def test_seed_substitutions_are_recovered(seed_comparison) -> None:  # type: ignore[no-untyped-def]
    c = seed_comparison
    with need(DATA / "seeds" / "substitutions.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    recovered = 0
    for row in rows:
        b0 = c.b.text.find(row["spun_phrase"])
        a0 = c.a.text.find(row["phrase_in_000"])
        b1, a1 = b0 + len(row["spun_phrase"]), a0 + len(row["phrase_in_000"])
        recovered += any(
            _overlaps(s.a.start, s.a.end, a0, a1) and _overlaps(s.b.start, s.b.end, b0, b1) for s in c.substitutions
        )
    assert recovered >= 43, f"{recovered} of {len(rows)}"
    court = [s for s in c.substitutions if "Lawbreaker" in s.b.text]
    assert court and "Criminal" in court[0].a.text


def test_no_passage_covers_boilerplate(seed_comparison) -> None:  # type: ignore[no-untyped-def]
    c = seed_comparison
    for p in c.passages:
        for b in c.segmented_a.boilerplate:
            assert not _overlaps(p.a.start, p.a.end, b.span.start, b.span.end), b.span.text


def test_offsets_point_into_the_texts(seed_comparison) -> None:  # type: ignore[no-untyped-def]
    c = seed_comparison
    for p in c.passages:
        assert c.a.text[p.a.start : p.a.end] == p.a.text
        assert c.b.text[p.b.start : p.b.end] == p.b.text


def test_bundled_example_spun_and_translated() -> None:
    spun = unspin.compare(EXAMPLES / "article.txt", EXAMPLES / "spun.txt")
    assert spun.related and spun.relation == "b-from-a" and "spun" in spun.side_b.disguise
    translated = unspin.compare(EXAMPLES / "article.txt", EXAMPLES / "translated.txt")
    assert translated.related and "translated" in translated.side_b.disguise


def test_unrelated_articles_are_unrelated() -> None:
    a = (EXAMPLES / "article.txt").read_text(encoding="utf-8")
    c = unspin.compare(need(DATA / "seeds" / "002_085c92a93bf60dbf.txt"), a)
    assert not c.related and c.relation == "unrelated" and c.passages == []


def test_document_without_sentences_is_unrelated() -> None:
    c = unspin.compare("!!! ??? ...\n--", EXAMPLES / "article.txt")
    assert not c.related


def test_json_is_to_dict(seed_comparison) -> None:  # type: ignore[no-untyped-def]
    d = seed_comparison.to_dict()
    assert set(d) >= {"related", "score", "relation", "a", "b", "passages", "substitutions"}
    assert d["passages"][0]["a"].keys() == {"start", "end"}
    assert d["substitutions"][0]["b"].keys() >= {"start", "end", "text"}


def test_sentence_rewritten_as_three_is_one_passage() -> None:
    """Clough & Stevenson g0pA_taskd (heavy revision, wrapped at 70 columns): one source sentence becomes
    three, the last holding a verbatim run; the run and the reworded sentences beside it are one passage."""
    folder = need(DATA / "clough-stevenson")
    c = unspin.compare(folder / "orig_taskd.txt", folder / "g0pA_taskd.txt")
    assert c.related
    [passage] = [p for p in c.passages if "foundations of statistics" in p.a.text]
    assert passage.b.text.startswith("There is a debate amongst frequentists")
    assert "should be assigned." in passage.b.text


def test_original_is_never_called_the_copy_whichever_synonyms_a_spinner_picks() -> None:
    """A spinner picking the commonest synonym made the original look spun when rarity decided direction."""
    import gzip
    import json

    from unspin.evaluation.spinner import spin

    from .conftest import DATA

    with gzip.open(need(DATA / "reuters-20k" / "reuters-20k.jsonl.gz"), "rt", encoding="utf-8") as handle:
        articles = [
            t for t in (json.loads(line)["text"] for _, line in zip(range(40), handle, strict=False)) if len(t) > 1500
        ][:4]
    for n, text in enumerate(articles):
        for choice in ("frequent", "mixture"):
            c = unspin.compare(text, spin(text, 0.2, seed=n, choice=choice).text)
            assert c.relation == "b-from-a", (n, choice, c.side_a.evidence, c.side_b.evidence)
            assert "spun" in c.side_b.disguise and "spun" not in c.side_a.disguise
            assert c.direction_confidence >= 0.9
            assert c.to_dict()["direction_confidence"] == round(c.direction_confidence, 3)


def test_same_topic_sentences_in_long_texts_are_not_a_passage() -> None:
    """PAN13 pair 01444/00499: beside the copied case, two sentences on tornado shelters in each text share
    topic words but not their order; they are not reuse (PAN's truth agrees)."""
    pan = DATA / "pan13-dev"
    c = unspin.compare(need(pan / "src" / "source-document00499.txt"), pan / "susp" / "suspicious-document01444.txt")
    assert [(p.a.start, p.b.start) for p in c.passages] == [(3795, 1731)]  # the case: 3796 / 1732


def test_a_passage_sheds_the_rest_of_a_sentence_it_was_pasted_into() -> None:
    """PAN13 pair 00880/00274: the copied text ends inside a sentence of the host text; the passage ends
    with the copy (the case ends at 20872 / 3969), not with the host's sentence."""
    pan = DATA / "pan13-dev"
    c = unspin.compare(need(pan / "src" / "source-document00274.txt"), pan / "susp" / "suspicious-document00880.txt")
    (passage,) = c.passages
    assert 20872 - 10 <= passage.b.end <= 20872 + 10
    assert 3969 - 10 <= passage.a.end <= 3969 + 10
    assert passage.b.text == c.b.text[passage.b.start : passage.b.end]


def test_the_fast_sequence_matcher_answers_as_difflib() -> None:
    """Substitutions and verbatim blocks use cydifflib for speed; its answers must be difflib's, exactly, on real
    text and on its spun copies (the spinner changes runs of words the way a real spinner does)."""
    import difflib
    import re

    import cydifflib

    from unspin.evaluation.spinner import spin

    from .test_collection import reuters

    for n, row in enumerate(reuters(30)):
        original = re.findall(r"\w+|[^\w\s]", row["text"])
        for rate in (0.1, 0.5):
            copy = re.findall(r"\w+|[^\w\s]", spin(row["text"], rate, seed=n).text)
            slow = difflib.SequenceMatcher(None, original, copy, autojunk=False)
            fast = cydifflib.SequenceMatcher(None, original, copy, autojunk=False)
            assert fast.get_opcodes() == slow.get_opcodes()
            assert [tuple(m) for m in fast.get_matching_blocks()] == [tuple(m) for m in slow.get_matching_blocks()]
