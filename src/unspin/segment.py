"""Sentences and tokens with character spans into the original text; boilerplate lines are skipped."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, repeat
from typing import NamedTuple

from . import settings
from .clean import Boilerplate, find_boilerplate
from .document import Document, Span
from .errors import InputError

# Han and kana characters are one token each (no spaces between words); numbers keep their separators.
# (Every token starts with a word character: the lookahead lets the engine skip the rest quickly,
# and nothing after a run is ever matched by giving characters back, so runs are possessive.)
# Every run is capped (max_token_chars; separated number groups at 8): a 1 MB "word" becomes tokens of bounded
# length, so no later stage sees a token, or a sentence of one token, as long as the document.
_MAX = int(settings.get("max_token_chars"))
_TOKEN = re.compile(
    r"(?=\w)(?:[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]"
    rf"|\d{{1,{_MAX}}}+(?:[.,:]\d{{1,{_MAX}}})"
    r"{0,8}+"
    rf"|[^\W\d_]{{1,{_MAX}}}+(?:['’][^\W\d_]{{1,{_MAX}}})?|\w{{1,{_MAX}}})"
)
MAX_SENTENCE_TOKENS = int(settings.get("max_sentence_tokens"))
MAX_SENTENCE_CHARS = int(settings.get("max_sentence_chars"))
MAX_TOKENS = int(settings.get("max_tokens"))
INSPECT_MAX_TOKENS = int(settings.get("inspect_max_tokens"))
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


def segment(doc: Document, *, max_tokens: int = MAX_TOKENS, task: str = "one document") -> Segmented:
    """Sentences (outside boilerplate) and their tokens, all as spans of ``doc.text``.

    More than ``max_tokens`` tokens raise InputError naming the document, the limit and ``task``."""
    text = doc.text
    every, starts = _all_tokens(text)  # tokens never cross a line or sentence end: cut once, then share out
    if len(every) > max_tokens:
        raise InputError(
            f"{doc.path or doc.name}: {len(every):,} words is over the {max_tokens:,}-word limit for {task}; "
            "split it into articles"
        )
    boilerplate = find_boilerplate(text)
    sentences: list[Sentence] = []
    tokens: list[Token] = []
    cursor = 0
    for s, e in _sentence_ranges(text, boilerplate):
        first = bisect_left(starts, s, cursor)
        cursor = bisect_left(starts, e, first)
        if cursor - first > MAX_SENTENCE_TOKENS or (cursor > first and e - s > MAX_SENTENCE_CHARS):
            for s2, e2, f2, c2 in _pieces(every, s, e, first, cursor):
                sentences.append(Sentence(Span.of(text, s2, e2), len(tokens), len(tokens) + c2 - f2))
                tokens += every[f2:c2]
        elif cursor > first:
            sentences.append(Sentence(Span.of(text, s, e), len(tokens), len(tokens) + cursor - first))
            tokens += every[first:cursor]
    return Segmented(doc, boilerplate, tuple(sentences), tuple(tokens))


def _pieces(every: list[Token], s: int, e: int, first: int, last: int) -> Iterator[tuple[int, int, int, int]]:
    """A run-on sentence (tokens ``first:last`` of ``every``, text ``s:e``) cut at token boundaries into pieces
    of at most MAX_SENTENCE_TOKENS tokens and (but for one token) MAX_SENTENCE_CHARS characters, so the cost
    of pairing and embedding sentences stays bounded. A piece spans its own tokens; the first starts at ``s``
    and the last ends at ``e`` when that adds little (a quote mark, the full stop)."""
    slack = 16
    begin = first
    for i in range(first + 1, last + 1):
        if i < last and i - begin < MAX_SENTENCE_TOKENS and every[i].end - every[begin].start <= MAX_SENTENCE_CHARS:
            continue
        start = s if begin == first and every[first].start - s <= slack else every[begin].start
        end = e if i == last and e - every[last - 1].end <= slack else every[i - 1].end
        yield start, end, begin, i
        begin = i


def sentence_spans(text: str) -> list[Span]:
    """The sentences ``segment`` finds, without cutting every token (a third of its cost): for the lead."""
    return [Span.of(text, s, e) for s, e in _sentence_ranges(text, find_boilerplate(text)) if _TOKEN.search(text, s, e)]


def _sentence_ranges(text: str, boilerplate: Sequence[Boilerplate]) -> Iterator[tuple[int, int]]:
    cuts = sorted(b.span.start for b in boilerplate)  # a line's text stops where boilerplate starts
    for start, end in _paragraph_lines(text, cuts):
        yield from _sentence_bounds(text, start, end)


_CLOSED_END = re.compile(r"[.!?:;。！？][\"”’'»)\]]*\s*$")  # a line ending here ends its sentence


def _paragraph_lines(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    """The (start, end) of each line's text before any boilerplate in it (a whole boilerplate line has none;
    a wire credit may end a paragraph), a hard-wrapped line joined with the next when it stops mid-sentence
    and the next goes on in lower case ("... a method used" / "in probability theory."): answers and e-mails
    wrapped at 70 columns would otherwise be cut into half sentences."""
    found: list[tuple[int, int]] = []
    offset = 0
    joinable = False  # the last line kept may go on into this one
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        start = offset + (len(body) - len(body.lstrip()))
        end = offset + len(body)
        cut = bisect_left(cuts, start)
        clipped = cut < len(cuts) and cuts[cut] < end
        if clipped:
            end = cuts[cut]
        if end <= start or not text[start:end].strip():
            joinable = False
        else:
            if joinable and text[start].islower():
                found[-1] = (found[-1][0], end)
            else:
                found.append((start, end))
            joinable = not clipped and not _CLOSED_END.search(text, start, end)
        offset += len(line)
    return found


def _fold(text: str) -> str:
    return text.lower().replace("’", "'")


_SPLIT = re.compile(f"({_TOKEN.pattern})")  # split() returns gaps and tokens in turn, no match objects


def _all_tokens(text: str) -> tuple[list[Token], list[int]]:
    """Every token of the text, and their start offsets. Cut from the folded text when folding keeps
    every offset (it almost always does), so a token's norm is its own text and offsets are running
    sums of the pieces' lengths: no Python code per token, and documents have thousands."""
    folded = _fold(text)
    if len(folded) != len(text):
        tokens = [Token(m.start(), m.end(), _fold(m.group())) for m in _TOKEN.finditer(text)]
        return tokens, [t.start for t in tokens]
    pieces = _SPLIT.split(folded)  # gap, token, gap, token, ..., gap
    offsets = list(accumulate(map(len, pieces), initial=0))
    starts = offsets[1:-1:2]
    rows = zip(starts, offsets[2::2], pieces[1::2], strict=True)
    return list(map(tuple.__new__, repeat(Token), rows)), starts


def _sentence_bounds(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Half-open sentence ranges inside one line, trimmed of surrounding spaces."""
    bounds = []
    cursor = start
    for m in _SENTENCE_END.finditer(text, start, end):  # the line's end is the pattern's $
        stop = m.end()
        if not _is_break(text, m.start(), stop, end):
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


_NEXT_CHAR = re.compile(r"\s*(\S)")
_LAST_WORD = re.compile(r"([\w.]+)$")


def _is_break(text: str, mark: int, stop: int, line_end: int) -> bool:
    if text[mark] in "。！？":
        return True
    following = _NEXT_CHAR.match(text, stop, line_end)
    if following is None:
        return False  # the line ends here anyway
    if following.group(1).islower():
        return False
    if text[mark] == ".":
        word = _LAST_WORD.search(text[max(0, mark - 12) : mark])
        if word:
            w = word.group(1).lower()
            if w in _ABBREVIATIONS or (len(w) == 1 and w.isalpha()):
                return False
    return True
