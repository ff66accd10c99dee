"""``compare(a, b)``: do two documents share a source, and how was each disguised?"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field, replace
from typing import Any

from . import language
from .align import (
    AlignStats,
    Passage,
    combine,
    covered_sentences,
    sentence_pairs,
    sentence_passages,
    verbatim_passages,
)
from .clean import Boilerplate
from .coverage import Coverage, coverage
from .document import Document, Span, load
from .normalize import Normalized, normalize
from .segment import Segmented, Sentence, Token, segment
from .settings import get
from .substitute import Substitution, find_substitutions
from .verdict import Artefact, Side, artefacts, boilerplate_evidence, document_score, obfuscation_evidence, spun_side


@dataclass(slots=True)
class Comparison:
    """Everything ``compare`` found; ``to_dict()`` is exactly what ``unspin compare --json`` prints."""

    a: Document
    b: Document
    related: bool
    score: float
    relation: str  # common-source | a-from-b | b-from-a | identical (the same text) | unrelated
    side_a: Side
    side_b: Side
    passages: list[Passage]
    substitutions: list[Substitution]
    segmented_a: Segmented = field(repr=False)
    segmented_b: Segmented = field(repr=False)
    timings_ms: dict[str, float] = field(default_factory=dict)
    stats: AlignStats = field(default_factory=AlignStats)
    direction_confidence: float = 0.0  # how sure the relation is; 0.5 and below: undecided

    def coverage(self, side: str) -> Coverage:
        """How much of side ``"a"`` or ``"b"``'s text the passages cover (boilerplate left out)."""
        doc, seg = (self.a, self.segmented_a) if side == "a" else (self.b, self.segmented_b)
        spans = [p.a if side == "a" else p.b for p in self.passages]
        return coverage(len(doc.text), spans, [b.span for b in seg.boilerplate])

    def to_dict(self) -> dict[str, Any]:
        return {
            "related": self.related,
            "score": round(self.score, 4),
            "relation": self.relation,
            "direction_confidence": round(self.direction_confidence, 3),
            "a": _side_dict(self.a, self.side_a, self.segmented_a, self.coverage("a")),
            "b": _side_dict(self.b, self.side_b, self.segmented_b, self.coverage("b")),
            "passages": [p.to_dict() for p in self.passages],
            "substitutions": [s.to_dict() for s in self.substitutions],
            "stats": {
                "exact_passages": self.stats.exact_passages,
                "lexical_pairs": self.stats.lexical_pairs,
                "model_pairs": self.stats.model_pairs,
                "sentences_embedded": self.stats.sentences_embedded,
            },
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


def _side_dict(doc: Document, side: Side, seg: Segmented, covered: Coverage) -> dict[str, Any]:
    return {
        "path": doc.path,
        "name": doc.name,
        "title": doc.meta.get("title") or None,
        "format": doc.format,
        "encoding": doc.encoding,
        "language": side.language,
        "length": len(doc.text),
        "sentences": len(seg.sentences),
        "disguise": side.disguise or ["none"],
        "evidence": side.evidence,
        "artefacts": [a.to_dict() for a in side.artefacts],
        "boilerplate": [b.to_dict() for b in seg.boilerplate],
        "coverage": covered.to_dict(),
    }


def compare(a: str | os.PathLike[str] | Document, b: str | os.PathLike[str] | Document) -> Comparison:
    """Compare two documents (paths, texts or Documents) and explain how they are related."""
    clock = _Clock()
    doc_a, doc_b = load(a, name="a"), load(b, name="b")
    clock.lap("load")
    norm_a, norm_b = normalize(doc_a.text), normalize(doc_b.text)  # every span is mapped back at the end
    clock.lap("normalize")
    sa, sb = segment(_seen(doc_a, norm_a)), segment(_seen(doc_b, norm_b))
    clock.lap("segment")
    lang_a, lang_b = language.detect(_sample(sa)), language.detect(_sample(sb))
    clock.lap("language")
    stats = AlignStats()
    exact = verbatim_passages(sa, sb) if lang_a == lang_b or "und" in (lang_a, lang_b) else []
    stats.exact_passages = len(exact)
    clock.lap("exact")
    skip_a = covered_sentences(sa, [p.a for p in exact])
    skip_b = covered_sentences(sb, [p.b for p in exact])
    translated = lang_a != lang_b and "und" not in (lang_a, lang_b)
    pairs = sentence_pairs(sa, sb, lang_a, lang_b, skip_a, skip_b, stats)
    clock.lap("sentences")
    passages = combine(
        sa, sb, exact, sentence_passages(sa, sb, pairs, "translated" if translated else "paraphrased"), pairs
    )
    subs = [] if translated else find_substitutions(sa, sb, passages, lang_a)
    clock.lap("substitutions")
    comparison = _judge(sa, sb, lang_a, lang_b, passages, subs, stats, norm_a, norm_b)
    if norm_a.changed or norm_b.changed:
        _restore(comparison, doc_a, norm_a, doc_b, norm_b)
    if comparison.related and doc_a.text == doc_b.text:  # one text twice: the word search and clusters use
        comparison.relation, comparison.direction_confidence = "identical", 1.0
    clock.lap("verdict")
    comparison.timings_ms = clock.laps
    return comparison


def _seen(doc: Document, norm: Normalized) -> Document:
    """The document as a reader sees it (invisible characters and look-alikes undone)."""
    return replace(doc, text=norm.text) if norm.changed else doc


def _obfuscation(side_a: Side, side_b: Side, norm_a: Normalized, norm_b: Normalized) -> None:
    """The side that hides words from matchers with invisible or look-alike characters, more than the
    other does, is obfuscated, and that is a mark of a copy: an original has no one to hide from."""
    least = int(get("obfuscated_characters"))
    for side, mine, theirs in ((side_a, norm_a, norm_b), (side_b, norm_b, norm_a)):
        count = mine.evasive_count()
        if count >= least and count > 2 * theirs.evasive_count():
            side.disguise.append("obfuscated")
            side.evidence.append(obfuscation_evidence(mine.evidence()))
            side.marks += 2


def _restore(c: Comparison, doc_a: Document, norm_a: Normalized, doc_b: Document, norm_b: Normalized) -> None:
    """Every span of the comparison, computed on the normalised texts, as a span of the original text."""

    def span_a(s: Span) -> Span:
        return Span.of(doc_a.text, *norm_a.span(s.start, s.end))

    def span_b(s: Span) -> Span:
        return Span.of(doc_b.text, *norm_b.span(s.start, s.end))

    c.a, c.b = doc_a, doc_b
    c.segmented_a = _restore_segmented(c.segmented_a, doc_a, norm_a)
    c.segmented_b = _restore_segmented(c.segmented_b, doc_b, norm_b)
    c.passages = [replace(p, a=span_a(p.a), b=span_b(p.b)) for p in c.passages]
    c.substitutions = [replace(s, a=span_a(s.a), b=span_b(s.b)) for s in c.substitutions]
    c.side_a.artefacts = [Artefact(span_a(x.span), x.kind, x.original) for x in c.side_a.artefacts]
    c.side_b.artefacts = [Artefact(span_b(x.span), x.kind, x.original) for x in c.side_b.artefacts]


def _restore_segmented(seg: Segmented, doc: Document, norm: Normalized) -> Segmented:
    if not norm.changed:
        return seg

    def span(s: Span) -> Span:
        return Span.of(doc.text, *norm.span(s.start, s.end))

    return Segmented(
        doc,
        tuple(Boilerplate(span(b.span), b.reason) for b in seg.boilerplate),
        tuple(Sentence(span(s.span), s.first_token, s.last_token) for s in seg.sentences),
        tuple(Token(*norm.span(t.start, t.end), t.norm) for t in seg.tokens),
    )


def _sample(seg: Segmented) -> str:
    return " ".join(s.span.text for s in seg.sentences[:12])


def _judge(
    sa: Segmented,
    sb: Segmented,
    lang_a: str,
    lang_b: str,
    passages: list[Passage],
    subs: list[Substitution],
    stats: AlignStats,
    norm_a: Normalized,
    norm_b: Normalized,
) -> Comparison:
    doc_a, doc_b = sa.doc, sb.doc
    side_a, side_b = Side(lang_a), Side(lang_b)
    score = document_score(passages, sa, sb)
    related = score >= get("related_score")
    if not related:
        return Comparison(doc_a, doc_b, False, score, "unrelated", side_a, side_b, [], [], sa, sb, stats=stats)

    spinner, votes, confidence = spun_side(subs)
    passages = [_final_kind(p, subs, spinner) for p in passages]
    side_a.artefacts = artefacts(sa, sb, subs, passages, "a")
    side_b.artefacts = artefacts(sb, sa, subs, passages, "b")
    for side in (side_a, side_b):  # a flipped pronoun counts only beside other signs of translation
        if not {"foreign-acronym", "find-and-replace"} & {x.kind for x in side.artefacts}:
            side.artefacts = [x for x in side.artefacts if x.kind != "gender-flip"]
    for name, side, seg in (("a", side_a, sa), ("b", side_b, sb)):
        if spinner == name:
            side.disguise.append("spun")
            side.evidence.append(
                f"its wording fits its context worse (language model) in {votes[name]} of "
                f"{votes['a'] + votes['b']} substitutions where one side fits worse (confidence {confidence:.2f})"
            )
            side.marks += 2
        kinds = {x.kind for x in side.artefacts}
        if "foreign-acronym" in kinds or {"gender-flip", "find-and-replace"} <= kinds:
            side.disguise.append("translated")
            side.marks += 2
        if "renamed-entity" in kinds and "spun" not in side.disguise:
            side.disguise.append("spun")
            side.marks += 1
        for artefact in side.artefacts:
            side.evidence.append(f"{artefact.kind}: '{artefact.span.text}' where the other has '{artefact.original}'")
            side.marks += 1
        if seg.boilerplate:
            side.disguise.append("boilerplate")
            side.evidence.append(boilerplate_evidence(seg))
    if lang_a != lang_b:
        for side, other in ((side_a, side_b), (side_b, side_a)):
            if other.language == "en" or side.language != "en":
                side.disguise.insert(0, "translated")
                side.evidence.append(f"written in {side.language}, the other in {other.language}")
                side.marks += 1 if other.language == "en" else 0

    _obfuscation(side_a, side_b, norm_a, norm_b)
    relation = _relation(side_a, side_b, sa, sb)
    sure = _confidence(relation, side_a, side_b, spinner, confidence)
    kinds = {p.kind for p in passages}
    for side, derived in (
        (side_a, relation in ("a-from-b", "common-source")),
        (side_b, relation in ("b-from-a", "common-source")),
    ):
        if derived and not {"spun", "translated"} & set(side.disguise):
            for kind in ("verbatim", "paraphrased"):
                if kind in kinds:
                    side.disguise.insert(0, kind)
                    break
    c = Comparison(doc_a, doc_b, True, score, relation, side_a, side_b, passages, subs, sa, sb, stats=stats)
    c.direction_confidence = sure
    return c


def _confidence(relation: str, side_a: Side, side_b: Side, spinner: str | None, lm_confidence: float) -> float:
    """How sure the relation is: the swaps' pooled context-fit evidence when the spun side is the copy, else by
    how strong the copy's marks are; a common source with no marks on either side is undecided (0.5)."""
    if relation == "common-source":
        return 0.8 if side_a.marks and side_b.marks else 0.5
    derived = side_b if relation == "b-from-a" else side_a
    if spinner == relation[0]:
        return lm_confidence
    return 0.9 if derived.marks >= 2 else 0.6


def _final_kind(passage: Passage, subs: list[Substitution], spinner: str | None) -> Passage:
    if passage.kind == "translated":
        return passage
    inside = [s for s in subs if passage.a.start <= s.a.start < passage.a.end]
    if spinner and sum(s.worse == spinner for s in inside) >= (2 if passage.method == "exact" else 1):
        return replace(passage, kind="spun")
    if passage.method == "exact":
        return passage
    if not inside and passage.score >= 0.9:
        return replace(passage, kind="verbatim")
    return passage


def _relation(side_a: Side, side_b: Side, sa: Segmented, sb: Segmented) -> str:
    """Each side's marks of derivation: both marked means siblings of a common source."""
    own_a, own_b = _own_boilerplate(sa, sb), _own_boilerplate(sb, sa)  # a wire credit both keep is no mark
    marks_a = side_a.marks + (1 if own_a and not side_b.marks else 0)
    marks_b = side_b.marks + (1 if own_b and not side_a.marks else 0)
    if marks_a and marks_b:
        side_a.evidence.append("both sides carry changes the other lacks: neither copies the other")
        return "common-source"
    if marks_b:
        return "b-from-a"
    if marks_a:
        return "a-from-b"
    return "common-source"


def _own_boilerplate(seg: Segmented, other: Segmented) -> bool:
    """``seg`` has boilerplate lines that ``other`` lacks, even reworded (a spinner touches credit lines too)."""
    theirs = {t.norm for t in other.tokens} | {
        w.lower() for b in other.boilerplate for w in _WORDS.findall(b.span.text)
    }
    for line in seg.boilerplate:
        words = {w.lower() for w in _WORDS.findall(line.span.text)}
        if len(words & theirs) < 0.6 * len(words):
            return True
    return False


_WORDS = re.compile(r"\w{4,}")


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + (now - self._last) * 1000
        self._last = now
