"""unspin.inspect.languages: another language is not assessed, and a foreign quotation inside English is left out."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import unspin
from unspin.inspect import languages
from unspin.segment import segment

from .conftest import DATA, need

EXAMPLES = Path(unspin.__file__).parent / "examples"
NTREX = DATA / "ntrex128-dev" / "ntrex128-dev.jsonl"


def test_german_example_is_not_assessed() -> None:
    result = unspin.inspect(EXAMPLES / "translated.txt")
    assert (result.language, result.assessed, result.reason) == ("de", False, "no spin model for de")
    assert result.tortured == () and result.spun_score == 0.0
    printed = result.to_dict()
    assert printed["assessed"] is False and printed["reason"] == "no spin model for de"


def test_english_is_assessed(tmp_path: Path) -> None:
    result = unspin.inspect(EXAMPLES / "spun.txt")
    assert (result.language, result.assessed, result.reason) == ("en", True, "")


def test_ntrex_translations_flag_nothing() -> None:
    """Two articles of each of NTREX's 11 other languages: none assessed, nothing flagged (bench_inspect runs all)."""
    seen: dict[str, int] = {}
    with need(NTREX).open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["language"] == "eng" or seen.get(row["language"], 0) >= 2:
                continue
            seen[row["language"]] = seen.get(row["language"], 0) + 1
            result = unspin.inspect(unspin.Document(row["id"], row["text"]))
            assert not result.assessed and result.reason.startswith("no spin model for "), row["id"]
            assert not result.tortured and result.spun_score <= 0.5
    assert len(seen) == 11


def test_a_german_quotation_in_english_news_is_left_out() -> None:
    with gzip.open(need(DATA / "reuters-20k" / "reuters-20k.jsonl.gz"), "rt", encoding="utf-8") as handle:
        english = next(t for t in (json.loads(line).get("text") or "" for line in handle) if len(t.split()) > 200)
    german = (EXAMPLES / "translated.txt").read_text(encoding="utf-8").split("\n\n")[1]
    text = f'{english}\n\nThe mayor said: "{german}"\n'
    doc = unspin.Document("mixed", text)
    result = unspin.inspect(doc)
    assert result.language == "en" and result.assessed
    start = text.index(german)
    seg = segment(doc)
    foreign = languages.foreign_tokens(seg)
    inside = [i for i, t in enumerate(seg.tokens) if start <= t.start and t.end <= start + len(german)]
    assert inside and set(inside) <= foreign
    assert not any(t.span.end > start and t.span.start < start + len(german) for t in result.tortured)
    english_tokens = [i for i, t in enumerate(seg.tokens) if t.end <= len(english)]
    assert len(foreign & set(english_tokens)) <= 2  # English sentences stay judged
