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
