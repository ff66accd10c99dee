from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.document import Document, load
from unspin.segment import segment

from .conftest import SEED_A, need


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=400))
def test_spans_always_point_into_the_original_text(text: str) -> None:
    seg = segment(Document("x", text))
    for sentence in seg.sentences:
        assert text[sentence.span.start : sentence.span.end] == sentence.span.text
    for token in seg.tokens:
        assert 0 <= token.start < token.end <= len(text)
        assert text[token.start : token.end].lower().replace("’", "'") == token.norm


def test_sentences_skip_boilerplate_and_respect_abbreviations() -> None:
    seg = segment(load(need(SEED_A)))
    texts = [s.span.text for s in seg.sentences]
    assert not any(t.startswith(("Also read", "Share", "#Russia")) for t in texts)
    seg2 = segment(Document("x", "Mr. Smith met Dr. Jones in the U.S. on Monday. They talked."))
    assert [s.span.text for s in seg2.sentences] == [
        "Mr. Smith met Dr. Jones in the U.S. on Monday.",
        "They talked.",
    ]
