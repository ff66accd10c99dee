"""Traces that translation and find-and-replace tools leave: a word that exists in no dictionary but ends like
a real word whose beginning is the thesaurus headword of the phrase before it ("once morest": "again" -> "once
more" replaced inside "against"), a doubled word that starts such a phrase ("once once more"), an acronym in
parentheses that fits no name before it ("International Criminal Court (PPI)"), and a newsroom's editor code
after an agency ("(AFP/Z-3)")."""

from __future__ import annotations

import re
from functools import cache

from ..document import Span
from ..segment import Segmented
from ..words import initials, name_before, zipf
from . import expressions, originals
from .names import ACRONYM, name_words, restore_name
from .result import Trace

_EDITOR_CODE = re.compile(r"\((?:AFP|AP|Reuters|ANT|Antara|Xinhua|dpa|EFE|ANTARA)/[A-Za-z]{1,4}-?\d{0,3}\)")


def find_traces(seg: Segmented) -> list[Trace]:
    text = seg.doc.text
    found = _find_and_replace(seg) + _doubled_words(seg)
    for m in ACRONYM.finditer(text):
        acronym = m.group(1)
        words = name_words(text, m.start())
        name = name_before(text, m.start())
        if len(words) < 2 or _fits(acronym, name):
            continue
        if restore_name([w for _, _, w in words], acronym):
            continue  # a spun name, reported as tortured
        found.append(Trace(Span.of(text, m.start(1), m.end(1)), "foreign-acronym", initials(name)))
    for m in _EDITOR_CODE.finditer(text):
        found.append(Trace(Span.of(text, m.start(), m.end()), "editor-code", ""))
    return sorted(found, key=lambda t: t.span.start)


def _find_and_replace(seg: Segmented) -> list[Trace]:
    """'once morest': a tool replaced 'again' by 'once more' inside 'against'."""
    text, tokens = seg.doc.text, seg.tokens
    reverse = originals.moby_reversed()
    found: list[Trace] = []
    for i, token in enumerate(tokens):
        word = token.norm
        # Over 32 letters it is no edited word (the phrase's last word and the kept ending are each part of a
        # real word), and every cut of it is tried three ways: a 1 MB one-word text spent 9 s CPU here.
        if not 4 <= len(word) <= 32 or not word.isalpha() or zipf(word) > 0 or text[token.start].isupper():
            continue
        for cut in range(len(word) - 2, 0, -1):
            head, tail = word[:cut], word[cut:]
            for back in range(min(2, i), -1, -1):  # the longest phrase first: "once more" + "st"
                phrase = " ".join([t.norm for t in tokens[i - back : i]] + [head])
                for original in reverse.get(phrase, ()):
                    if zipf(original + tail) >= 3.0 and original + tail != word:
                        start = tokens[i - back].start
                        found.append(Trace(Span.of(text, start, token.end), "find-and-replace", original + tail))
                        break
                else:
                    continue
                break
            else:
                continue
            break
    return found


def _doubled_words(seg: Segmented) -> list[Trace]:
    """'once once more': 'again' replaced by 'once more' after a 'once' that was already there."""
    text, tokens = seg.doc.text, seg.tokens
    reverse = originals.moby_reversed()
    found: list[Trace] = []
    for i in range(1, len(tokens) - 1):
        word = tokens[i].norm
        if word != tokens[i - 1].norm or not word.isalpha():
            continue
        for length in (2, 3):
            phrase = " ".join(t.norm for t in tokens[i : i + length])
            heads = [h for h in reverse.get(phrase, ()) if f"{word} {h}" in expressions.bigrams()]
            if heads:
                end = tokens[i + length - 1].end
                found.append(Trace(Span.of(text, tokens[i - 1].start, end), "find-and-replace", f"{word} {heads[0]}"))
                break
    return found


def _fits(acronym: str, name: str) -> bool:
    """Whether the acronym's letters can be read off the name: in order, each from a word's start or
    from inside the word that gave the letter before ("Fed" for "Federal Reserve", "NATO", "OECD")."""
    letters = acronym.lower()
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", name)]
    if not words or not letters:
        return False

    @cache
    def match(li: int, wi: int, ci: int) -> bool:  # letter li, inside word wi at character ci
        if li == len(letters):
            return True
        if wi >= len(words):
            return False
        word = words[wi]
        if ci < len(word) and word.find(letters[li], ci) >= 0 and match(li + 1, wi, word.find(letters[li], ci) + 1):
            return True
        return any(words[w][0] == letters[li] and match(li + 1, w, 1) for w in range(wi + 1, len(words)))

    return any(words[w][0] == letters[0] and match(1, w, 1) for w in range(len(words)))


def translated_score_of(traces: list[Trace]) -> float:
    """1 - 1/2^weight: one foreign acronym or find-and-replace trace gives 0.5, two 0.75 ..."""
    weights = {"find-and-replace": 1.0, "foreign-acronym": 1.0, "editor-code": 0.5}
    weight = sum(weights.get(t.kind, 0.5) for t in traces)
    return 1.0 - 0.5**weight
