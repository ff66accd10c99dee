from unspin.clean import find_boilerplate
from unspin.document import load

from .conftest import SEED_A, SEED_B, need


def test_seed_000_boilerplate_is_found() -> None:
    doc = load(need(SEED_A))
    found = find_boilerplate(doc.text)
    texts = [b.span.text for b in found]
    assert sum(t.startswith("Also read:") for t in texts) == 3
    assert {"Share:", "Facebook", "Twitter", "Pinterest", "LinkedIn", "Leave a Reply"} <= set(texts)
    assert any(t.startswith("#Russia #Quietly") for t in texts)
    assert any(t.startswith("Illustration –") for t in texts)
    assert any("Akismet" in t for t in texts)
    for b in found:  # spans point into the original text
        assert doc.text[b.span.start : b.span.end] == b.span.text


def test_article_text_is_not_boilerplate() -> None:
    doc = load(need(SEED_B))
    assert find_boilerplate(doc.text) == ()


def test_wire_credit_lines_are_boilerplate() -> None:
    """Reuters ends stories with "(Reporting by ...; Editing by ...)": two stories by one desk share it."""
    import gzip
    import json

    from .conftest import DATA

    credits = article_lines = 0
    with gzip.open(need(DATA / "reuters-20k" / "reuters-20k.jsonl.gz"), "rt", encoding="utf-8") as handle:
        for line, _ in zip(handle, range(300), strict=False):
            text = json.loads(line).get("text") or ""
            reasons = {b.span.text: b.reason for b in find_boilerplate(text)}
            credits += sum(r == "credit line" for r in reasons.values())
            article_lines += sum(1 for t in text.splitlines() if t.strip() and t.strip() not in reasons)
            assert all(t.startswith("(") and t.endswith(")") for t, r in reasons.items() if r == "credit line")
    assert credits >= 40  # about one article in six ends with one
    assert article_lines > 5 * credits  # and whole paragraphs are not taken for one
