"""unspin.inspect.phrase_evidence: a tortured phrase judged on its own, with the evidence that decided it."""

from __future__ import annotations

import csv
import importlib.resources

import unspin
from unspin.inspect import phrase_evidence

from .conftest import DATA, need


def test_a_swapped_expression_reads_back() -> None:
    gain, first, second, evidence = phrase_evidence.best_reading("worldwide", "warming", None, None) or (0, "", "", {})
    assert (first, second) == ("global", "warming")
    assert evidence["original"]["lm_pmi"] > evidence["written"]["lm_pmi"] + 5
    assert phrase_evidence.best_reading("global", "warming", None, None) is None  # already an expression


def test_a_strong_phrase_is_reported_in_a_clean_document() -> None:
    text = (
        "Scientists said on Monday that worldwide warming would raise sea levels faster than expected, "
        "and governments met in Geneva to discuss the report."
    )
    result = unspin.inspect(unspin.Document("one phrase", text))
    assert not result.spun
    found = [t for t in result.tortured if t.span.text.lower().startswith("worldwide")]
    assert found and found[0].original.lower().startswith("global warming")
    assert found[0].evidence["rule"] == "phrase" and found[0].evidence["score"] >= phrase_evidence.FLAG_SCORE
    assert "evidence" in found[0].to_dict()


def test_every_flag_carries_its_evidence() -> None:
    result = unspin.inspect(need(DATA / "seeds" / "002_085c92a93bf60dbf.txt"))
    assert result.tortured and all(t.evidence.get("rule") for t in result.tortured)
    court = next(t for t in result.tortured if t.span.text == "Global Lawbreaker Court")
    assert court.evidence["rule"] in ("acronym", "name")


def test_no_pps_dev_phrase_ships_in_the_package() -> None:
    """pps-dev is for measuring only: none of its tortured phrases is in any file of the installed package."""
    with need(DATA / "pps-dev" / "tortured-phrases.tsv").open(encoding="utf-8") as handle:
        phrases = {row["tortured"].strip().lower() for row in csv.DictReader(handle, delimiter="\t")}
    phrases = {p for p in phrases if len(p) >= 8 and " " in p}  # multi-word ones: single words are ordinary English
    package = importlib.resources.files(unspin)
    seen = 0
    for path in _files(package):
        if path.name.endswith((".py", ".txt", ".tsv", ".json", ".csv", ".html", ".js")):
            text = path.read_text(encoding="utf-8", errors="ignore").lower()
            seen += 1
            found = [p for p in phrases if p in text]
            assert not found, f"{path.name}: {found[:5]}"
    assert seen > 20


def _files(folder):  # type: ignore[no-untyped-def]
    for item in folder.iterdir():
        if item.is_dir():
            yield from _files(item)
        else:
            yield item


def test_the_phrase_model_scores_readings_by_its_fitted_features() -> None:
    """The shipped weights belong to the features (bench/fit_inspect.py --phrases prints them), the evidence
    names every feature, and the score is the weighted sum: a reviewer can recompute it."""
    assert len(phrase_evidence.WEIGHTS) == len(phrase_evidence.FEATURES) + 1
    value, _, _, evidence = phrase_evidence.best_reading("worldwide", "warming", "that", "would") or (0, "", "", {})
    features = evidence["features"]
    assert list(features) == list(phrase_evidence.FEATURES)
    recomputed = sum(w * features[n] for w, n in zip(phrase_evidence.WEIGHTS, phrase_evidence.FEATURES, strict=False))
    assert abs(recomputed + phrase_evidence.WEIGHTS[-1] - value) < 0.1
    assert value >= phrase_evidence.FLAG_SCORE
