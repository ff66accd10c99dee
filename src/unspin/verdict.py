"""From passages and substitutions to a verdict: related or not, how each side was disguised,
and which side is the likelier source or whether both derive from a common one."""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from . import senses, settings, thesaurus
from .align import Passage
from .document import Span
from .segment import Segmented, Token
from .substitute import Substitution
from .words import initials, name_before, zipf

_ACRONYM = re.compile(r"\(([A-Z]{2,6})\)")
_PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}


@dataclass(frozen=True, slots=True)
class Artefact:
    """A trace of machine processing in one document, with what the other side has in its place."""

    span: Span
    kind: str  # foreign-acronym | find-and-replace | gender-flip | renamed-entity
    original: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.span.to_dict(), "kind": self.kind, "original": self.original}


@dataclass(slots=True)
class Side:
    """What the verdict says about one document."""

    language: str
    disguise: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    artefacts: list[Artefact] = field(default_factory=list)
    marks: int = 0  # signs that this side is derived, not original


def document_score(passages: list[Passage], sa: Segmented, sb: Segmented) -> float:
    """1 - prod(1 - e) over passages, a passage of n tokens counting as n / evidence_tokens pieces of
    evidence of its score: a short one gives e = score x n / evidence_tokens, a long one
    (1 - score) ** (n / evidence_tokens) of doubt, so a whole article aligned at 0.8 is near-certain."""
    full = settings.get("evidence_tokens")
    remaining = 1.0
    for p in passages:
        pieces = min(_count_tokens(sa, p.a), _count_tokens(sb, p.b)) / full
        score = min(p.score, 0.999)
        remaining *= 1.0 - score * pieces if pieces < 1.0 else (1.0 - score) ** pieces
    return 1.0 - remaining


def _count_tokens(seg: Segmented, span: Span) -> int:
    def start(t: Token) -> int:
        return t.start

    return bisect.bisect_left(seg.tokens, span.end, key=start) - bisect.bisect_left(seg.tokens, span.start, key=start)


def artefacts(
    seg: Segmented, other: Segmented, subs: list[Substitution], passages: list[Passage], side: str
) -> list[Artefact]:
    """Traces of translation and find-and-replace tools in the passages of ``seg`` (side "a" or "b")."""
    found: list[Artefact] = []
    for sub in subs:
        mine, theirs = (sub.a, sub.b) if side == "a" else (sub.b, sub.a)
        found.extend(_find_and_replace(mine, theirs))
        gender_mine = {_PRONOUN_GENDER.get(w.lower()) for w in mine.text.split()} - {None}
        gender_theirs = {_PRONOUN_GENDER.get(w.lower()) for w in theirs.text.split()} - {None}
        if (
            len(mine.text.split()) == len(theirs.text.split()) == 1
            and gender_mine
            and gender_theirs
            and gender_mine != gender_theirs
        ):
            found.append(Artefact(mine, "gender-flip", theirs.text))
    mine_spans = [p.a if side == "a" else p.b for p in passages]
    their_spans = [p.b if side == "a" else p.a for p in passages]
    found.extend(_acronym_artefacts(seg.doc.text, mine_spans, other.doc.text, their_spans))
    return found


def _find_and_replace(mine: Span, theirs: Span) -> list[Artefact]:
    """'once morest' for 'against': a tool replaced 'again' inside a longer word."""
    found: list[Artefact] = []
    words = mine.text.split()
    for index, word in enumerate(words):
        w = word.lower().strip(".,;:!?\"'")
        if not w.isalpha() or len(w) < 4 or zipf(w) > 0:
            continue
        for other in theirs.text.split():
            o = other.lower().strip(".,;:!?\"'")
            for cut in range(3, len(o)):
                prefix, suffix = o[:cut], o[cut:]
                if not w.endswith(suffix):
                    continue
                for back in range(0, min(3, index + 1)):
                    replaced = " ".join(words[index - back : index] + [w[: -len(suffix)]]).lower()
                    if replaced and replaced != prefix and thesaurus.related(prefix, replaced):
                        start = mine.start + mine.text.find(" ".join(words[index - back : index + 1]))
                        end = start + len(" ".join(words[index - back : index + 1]))
                        span = Span(start, end, mine.text[start - mine.start : end - mine.start])
                        return [Artefact(span, "find-and-replace", other)]
    return found


def _acronym_artefacts(text: str, spans: list[Span], other: str, other_spans: list[Span]) -> list[Artefact]:
    """An acronym that fits neither its own name nor the other side's name is a translation's
    (PPI for the International Criminal Court); one that fits only the other side's name shows the
    name was reworded (Global Lawbreaker Court (ICC))."""
    theirs = {m.group(1): name_before(other, m.start()) for m in _acronyms_in(other, other_spans)}
    their_names = {initials(name): name for name in theirs.values()}
    found = []
    for m in _acronyms_in(text, spans):
        acronym = m.group(1)
        if acronym in theirs or not theirs:
            continue
        own = initials(name_before(text, m.start()))
        span = Span.of(text, m.start(1), m.end(1))
        if own == acronym:
            continue
        if acronym in their_names:  # the other side's name has these initials: ours was reworded
            found.append(Artefact(span, "renamed-entity", their_names[acronym]))
        else:  # fits no name on either side: an acronym from another language
            found.append(Artefact(span, "foreign-acronym", ", ".join(sorted(theirs))))
    return found


def _acronyms_in(text: str, spans: list[Span]) -> list[re.Match[str]]:
    return [m for span in spans for m in _ACRONYM.finditer(text, span.start, span.end)]


def spun_side(subs: list[Substitution]) -> tuple[str | None, Counter[str], float]:
    """The side whose substitutions fit their context worse, how many say so, and how sure we are.

    A spinner swaps a writer's words for dictionary entries without reading the sentence: the swap fits its
    neighbours worse than the word it replaced, whether rarer or commoner (``substitute.context_fit``). (Whether
    a word is swapped everywhere or only here points either way: a consistent spinner on one side and a
    random one on the other leave the same pattern, so it is not used.) Only word-for-word swaps count
    (``_is_swap``), and only when they are most of the substitutions: a person rewording a text changes
    phrases, and a fluent rewrite fits its context as well as its source does.

    Each swap is a piece of evidence: how much likelier its fit difference is when that side was spun than
    the other way round. On spun Reuters articles (development seeds, three spinners) that log-likelihood
    ratio grows about ``fit_weight`` per nat of fit difference, to ``fit_cap``: a swap that fits much
    worse on one side is rarely the original's. The pieces are summed (naive Bayes, even prior), so a
    short text's few clear swaps count in full rather than being set against their own spread; the
    confidence is the logistic of the sum, and a side is spun from ``direction_confidence`` when at least
    two swaps have a fit and one of them fits clearly (``fit_margin``) worse on that side.
    """
    cap, weight = settings.get("fit_cap"), settings.get("fit_weight")
    swaps = [s for s in subs if _is_swap(s)]
    votes = Counter(s.worse for s in swaps if s.worse)
    if len(swaps) < settings.get("swap_share") * len(subs):
        return None, votes, 0.5  # rewording, not word swapping: a fluent rewrite fits as well as its source
    fits = [s.fit for s in swaps if s.fit]
    if len(fits) < 2:
        return None, votes, 0.5
    evidence = sum(max(-cap, min(cap, weight * f)) for f in fits)
    lead = "b" if evidence > 0 else "a"
    confidence = 1.0 / (1.0 + math.exp(-abs(evidence)))
    if votes[lead] >= 1 and confidence >= settings.get("direction_confidence"):
        return lead, votes, confidence
    return None, votes, confidence


def _is_swap(sub: Substitution) -> bool:
    """Word for word: one word for one, or up to three for as many, each the same word or a synonym of the
    one in its place in Moby or WordNet (a spinner swaps words and names, keeping the sentence; a person
    rewording a text changes its phrases, and two unrelated stretches cut side by side pair words at random)."""
    a, b = sub.a.text.lower().split(), sub.b.text.lower().split()
    if len(a) != len(b) or len(a) > 3:
        return False
    return len(a) == 1 or all(_synonym(x.strip(",.;:"), y.strip(",.;:")) for x, y in zip(a, b, strict=True))


def _synonym(x: str, y: str) -> bool:
    return x == y or thesaurus.related(x, y) or senses.related(x, y)


def boilerplate_evidence(seg: Segmented) -> str:
    reasons = Counter(b.reason for b in seg.boilerplate)
    return (
        f"{len(seg.boilerplate)} boilerplate lines removed ("
        + ", ".join(f"{reason} ×{count}" for reason, count in reasons.most_common())
        + ")"
    )


def obfuscation_evidence(found: dict[str, Counter[str]]) -> str:
    """'5 characters hidden inside words: invisible ×3 (ZERO WIDTH SPACE ×3), look-alike ×2 (...)'."""
    total = sum(sum(c.values()) for c in found.values())
    parts = [
        f"{kind} ×{sum(names.values())} (" + ", ".join(f"{n} ×{k}" for n, k in names.most_common(4)) + ")"
        for kind, names in sorted(found.items(), key=lambda item: -sum(item[1].values()))
    ]
    return f"{total} characters hidden inside words: " + ", ".join(parts)
