from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.document import Document, load
from unspin.segment import segment

from .conftest import DATA, SEED_A, need


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


def test_hard_wrapped_lines_are_one_sentence() -> None:
    """A short answer wrapped at 70 columns: a line that stops mid-sentence goes on into the next."""
    path = need(DATA / "clough-stevenson" / "g0pA_taskd.txt")
    doc = load(path)
    texts = [s.span.text for s in segment(doc).sentences]
    assert texts[0] == doc.text[: doc.text.index("theory.") + len("theory.")]
    assert "\n" in texts[0]
    assert not any(t.startswith(("in probability", "marginal", "theorem plays")) for t in texts)


def test_wrapped_line_never_joins_boilerplate_or_a_closed_line() -> None:
    text = "Also read: Judges meet in Paris\nthe court ruled on Monday.\nlater that day it adjourned\nuntil June."
    texts = [s.span.text for s in segment(Document("x", text)).sentences]
    assert texts == ["the court ruled on Monday.", "later that day it adjourned\nuntil June."]


def test_wire_credit_ending_a_paragraph_is_in_no_sentence() -> None:
    text = "Profits rose 5 percent. (Reporting by Jane Roe; Editing by John Doe)\nShares fell."
    seg = segment(Document("x", text))
    assert [s.span.text for s in seg.sentences] == ["Profits rose 5 percent.", "Shares fell."]
    assert not any(text.index("(Reporting") <= t.start < text.index("\n") for t in seg.tokens)
