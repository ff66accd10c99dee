"""Which text inspect may judge: its spin model is English, so a document in another language is not assessed,
and inside an English document a sentence or a quotation in another language is left out."""

from __future__ import annotations

import re

from .. import language
from ..segment import Segmented
from ..words import zipf

MODELLED = frozenset({"en"})  # languages with a spin model (thesauri, bigram table, language model)
_QUOTED = re.compile(r"[\"“«„]([^\"“”«»„\n]{8,400})[\"”»“]")
_WORD = re.compile(r"[^\W\d_]+")
# A stretch of text is foreign when this share of its words is unknown to English (wordfreq), or a smaller share is
# and lingua reads it as another language: an English sentence has a few unknown words (names, typos), a German or
# Spanish quotation mostly unknown ones ("die Bundesregierung", "dijo que").
_UNKNOWN_SURE = 0.5
_UNKNOWN_ASK = 0.2
_MIN_WORDS = 3


def document_language(text: str) -> str:
    """ISO 639-1 code of the text's language, "und" when unsure (``unspin.language.detect``)."""
    return language.detect(text)


def not_assessed_reason(code: str) -> str:
    """Why a document in language ``code`` gets no spin assessment ("" when it does)."""
    if code in MODELLED:
        return ""
    if code == "und":
        return "language not recognised"
    return f"no spin model for {code}"


def foreign_tokens(seg: Segmented) -> frozenset[int]:
    """Token indices of the sentences and quotations of an English document that are in another language."""
    text, tokens = seg.doc.text, seg.tokens
    stretches = [(s.span.start, s.span.end) for s in seg.sentences]
    stretches += [(m.start(1), m.end(1)) for m in _QUOTED.finditer(text)]
    foreign: set[int] = set()
    for start, end in stretches:
        if _foreign(text[start:end]):
            foreign.update(i for i, t in enumerate(tokens) if start <= t.start and t.end <= end)
    return frozenset(foreign)


def _foreign(stretch: str) -> bool:
    words = _WORD.findall(stretch)
    if len(words) < _MIN_WORDS:
        return False
    unknown = sum(zipf(w.lower()) == 0.0 for w in words) / len(words)
    if unknown >= _UNKNOWN_SURE:
        return True
    return unknown >= _UNKNOWN_ASK and language.detect(stretch) not in ("en", "und")
