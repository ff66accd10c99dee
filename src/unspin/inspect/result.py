"""What ``inspect`` reports: tortured phrases, translation traces and the document's scores (``Inspection``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import settings
from ..document import Span


@dataclass(frozen=True, slots=True)
class Tortured:
    """A phrase that reads like a spinner's synonym swap, with the expression it likely replaced."""

    span: Span
    original: str
    score: float  # 0-1: how much better the restored phrase fits than the phrase as written
    source: str = "unspin"  # "unspin" (found here) | "user" (from the phrases given)
    evidence: dict[str, Any] = field(default_factory=dict)  # what decided it: counts, probabilities, the rule

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.span.to_dict(),
            "original": self.original,
            "score": round(self.score, 4),
            "source": self.source,
            "evidence": self.evidence,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tortured:
        return cls(
            Span.from_dict(data),
            str(data["original"]),
            float(data["score"]),
            str(data.get("source", "unspin")),
            dict(data.get("evidence") or {}),
        )


@dataclass(frozen=True, slots=True)
class Trace:
    """A trace of a translation or find-and-replace tool, with what was probably there before."""

    span: Span
    kind: str  # find-and-replace | foreign-acronym | editor-code
    original: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.span.to_dict(), "kind": self.kind, "original": self.original}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trace:
        return cls(Span.from_dict(data), str(data["kind"]), str(data.get("original", "")))


@dataclass(frozen=True, slots=True)
class Inspection:
    """What ``inspect`` found in one document; ``to_dict()`` is exactly what ``unspin inspect --json`` prints."""

    spun_score: float  # 0-1; from settings "spin_doc_threshold" up the document reads as spun
    translated_score: float  # 0-1; from settings "translated_doc_threshold" up it reads as machine-translated
    tortured: tuple[Tortured, ...]
    artefacts: tuple[Trace, ...]
    language: str = "en"  # ISO 639-1 code of the language read ("und": not recognised)
    assessed: bool = True  # False: unspin has no spin model for the language, and flags nothing
    reason: str = ""  # why not assessed ("no spin model for de")

    @property
    def spun(self) -> bool:
        return self.spun_score >= settings.get("spin_doc_threshold")

    @property
    def translated(self) -> bool:
        return self.translated_score >= settings.get("translated_doc_threshold")

    def to_dict(self) -> dict[str, Any]:
        return {
            "spun_score": round(self.spun_score, 4),
            "translated_score": round(self.translated_score, 4),
            "tortured": [t.to_dict() for t in self.tortured],
            "artefacts": [a.to_dict() for a in self.artefacts],
            "language": self.language,
            "assessed": self.assessed,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Inspection:
        return cls(
            float(data["spun_score"]),
            float(data["translated_score"]),
            tuple(Tortured.from_dict(t) for t in data.get("tortured", [])),
            tuple(Trace.from_dict(a) for a in data.get("artefacts", [])),
            str(data.get("language", "en")),
            bool(data.get("assessed", True)),
            str(data.get("reason", "")),
        )
