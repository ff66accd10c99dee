"""Sentences and tokens with character spans into the original text; boilerplate lines are skipped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from .clean import Boilerplate, find_boilerplate
from .document import Document, Span

# Han and kana characters are one token each (no spaces between words); numbers keep their separators.
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|\d+(?:[.,:]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)?|\w+")
_SENTENCE_END = re.compile(r"[.!?。！？؟]+[\"”’'»)\]]*(?=\s|$)|[。！？]")
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "st",
    "sr",
    "jr",
    "gen",
    "gov",
    "sen",
    "rep",
    "col",
    "lt",
    "sgt",
    "capt",
    "inc",
    "corp",
    "co",
    "ltd",
    "no",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.k",
    "u.n",
    "a.m",
    "p.m",
    "approx",
    "fig",
    "al",
}


class Token(NamedTuple):  # a tuple: documents have tens of thousands, built in one pass
    start: int
    end: int
    norm: str  # lower case, typographic apostrophe folded


@dataclass(frozen=True, slots=True)
class Sentence:
    span: Span
    first_token: int  # index into Segmented.tokens
    last_token: int  # exclusive


@dataclass(frozen=True, slots=True)
class Segmented:
    """A document cut into sentences and tokens, boilerplate excluded."""

    doc: Document
    boilerplate: tuple[Boilerplate, ...]
    sentences: tuple[Sentence, ...]
    tokens: tuple[Token, ...]

    def sentence_tokens(self, index: int) -> tuple[Token, ...]:
        s = self.sentences[index]
        return self.tokens[s.first_token : s.last_token]

    @property
    def content_chars(self) -> int:
        return sum(s.span.end - s.span.start for s in self.sentences)


def segment(doc: Document) -> Segmented:
    """Sentences (outside boilerplate lines) and their tokens, all as spans of ``doc.text``."""
    text = doc.text
    boilerplate = find_boilerplate(text)
    skipped = {b.span.start for b in boilerplate}  # a boilerplate span starts where its line's text does
    sentences: list[Sentence] = []
    tokens: list[Token] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body_end = offset + len(line.rstrip("\r\n"))
        stripped_start = offset + (len(line) - len(line.lstrip()))
        if stripped_start not in skipped:
            for start, end in _sentence_bounds(text, offset, body_end):
                first = len(tokens)
                tokens.extend(
                    Token(m.start(), m.end(), m.group().lower().replace("’", "'"))
                    for m in _TOKEN.finditer(text, start, end)
                )
                if len(tokens) > first:
                    sentences.append(Sentence(Span.of(text, start, end), first, len(tokens)))
        offset += len(line)
    return Segmented(doc, boilerplate, tuple(sentences), tuple(tokens))


def _sentence_bounds(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Half-open sentence ranges inside one line, trimmed of surrounding spaces."""
    bounds = []
    cursor = start
    line = text[start:end]
    for m in _SENTENCE_END.finditer(line):
        stop = start + m.end()
        if not _is_break(text, start + m.start(), stop, end):
            continue
        bounds.append((cursor, stop))
        cursor = stop
    bounds.append((cursor, end))
    trimmed = []
    for s, e in bounds:
        piece = text[s:e]
        s2 = s + (len(piece) - len(piece.lstrip()))
        e2 = s + len(piece.rstrip())
        if e2 > s2:
            trimmed.append((s2, e2))
    return trimmed


def _is_break(text: str, mark: int, stop: int, line_end: int) -> bool:
    if text[mark] in "。！？":
        return True
    rest = text[stop:line_end].lstrip()
    if not rest:
        return False  # the line ends here anyway
    if rest[0].islower():
        return False
    if text[mark] == ".":
        word = re.search(r"([\w.]+)$", text[max(0, mark - 12) : mark])
        if word:
            w = word.group(1).lower()
            if w in _ABBREVIATIONS or (len(w) == 1 and w.isalpha()):
                return False
    return True
