"""Real tortured phrases planted into clean real news (for bench_inspect.py and the thresholds' tuning slice).

The Problematic Paper Screener's phrases (../shared/data/pps-dev: measuring only, never read by the package) whose
expected phrase occurs in a Reuters article are planted in place of that occurrence, the casing of the words they
replace kept (a capitalised or upper-case first word makes the phrase so). Rows split by a hash of the expected
phrase: a "tune" quarter (which last round's hand-set thresholds were tuned on) and a "report" part, both reported;
neither is used to fit ``unspin.inspect.phrase_evidence`` (``plant_own`` makes that model's training phrases).
"""

from __future__ import annotations

import csv
import hashlib
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

import unspin
from _common import DATA
from unspin import thesaurus
from unspin.inspect import expressions, originals, phrase_evidence
from unspin.inspect.lexicon import wordnet_synonyms
from unspin.segment import segment
from unspin.words import lemma, zipf

PPS = DATA / "pps-dev" / "tortured-phrases.tsv"
_PLAIN = re.compile(r"[^\W\d_](?:[^\W\d_]|['\- ])*[^\W\d_]")
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Planted:
    text: str
    start: int  # the planted phrase's span in ``text``
    end: int
    tortured: str
    expected: str


_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]|\?|\be\.g\.")  # "(BP)", "[neural network]", "(?)": the list's notes


def _cleaned(phrase: str) -> str:
    return " ".join(_NOTE.sub(" ", phrase).split())


def _alternatives(expected: str) -> list[str]:
    """The readings of an expected phrase with "a/b" alternatives ("infected/affected individuals"), each alone."""
    words = expected.split(" ")
    for k, word in enumerate(words):
        if "/" in word:
            return [" ".join([*words[:k], alt, *words[k + 1 :]]) for alt in word.split("/") if alt]
    return [expected]


def pps_rows(part: str) -> list[tuple[str, tuple[str, ...]]]:
    """(tortured, expected readings) rows of pps-dev with plain word phrases on both sides once the list's notes are
    dropped ("business intelligence (BI)" -> "business intelligence"; "a/b" -> either), in the "tune" or "report"
    part (a hash of the first expected reading)."""
    with PPS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    out = []
    for row in rows:
        tortured = _cleaned(row["tortured"])
        expected = tuple(e for e in _alternatives(_cleaned(row["expected"])) if _PLAIN.fullmatch(e))
        if not _PLAIN.fullmatch(tortured) or not expected or tortured.lower() in {e.lower() for e in expected}:
            continue
        tune = int(hashlib.sha1(expected[0].lower().encode()).hexdigest(), 16) % 4 == 0
        if (part == "tune") == tune:
            out.append((tortured, expected))
    return out


def _cased(tortured: str, written: str) -> str:
    if written.isupper() and len(written) > 1:
        return tortured.upper()
    words, like = tortured.split(" "), written.split(" ")
    if len(words) == len(like):
        return " ".join(w[:1].upper() + w[1:] if v[:1].isupper() else w for w, v in zip(words, like, strict=True))
    return tortured[:1].upper() + tortured[1:] if written[:1].isupper() else tortured


def plant(rows: list[tuple[str, tuple[str, ...]]], articles: list[str], n: int) -> list[Planted]:
    """Up to ``n`` rows, each planted in the first unused article that has one of its expected readings (word
    boundaries, any case, spaces or hyphens between its words; the articles looked at through an index of their
    words)."""
    index: dict[str, list[int]] = {}
    for k, text in enumerate(articles):
        for word in set(_LETTERS.findall(text.lower())):
            index.setdefault(word, []).append(k)
    used: set[int] = set()
    planted: list[Planted] = []
    for tortured, readings in rows:
        found = None
        for expected in readings:
            words = _LETTERS.findall(expected.lower())
            pattern = re.compile(r"(?<![\w-])" + r"[ -]".join(map(re.escape, words)) + r"(?![\w-])", re.IGNORECASE)
            having = set.intersection(*(set(index.get(w, ())) for w in words)) - used
            for k in sorted(having):
                m = pattern.search(articles[k])
                if m is not None:
                    found = (k, m, expected)
                    break
            if found:
                break
        if found is None:
            continue
        k, m, expected = found
        text, new = articles[k], _cased(tortured, m.group())
        used.add(k)
        planted.append(
            Planted(text[: m.start()] + new + text[m.end() :], m.start(), m.start() + len(new), new, expected)
        )
        if len(planted) == n:
            break
    return planted


# Our own tortured phrases, for fitting ``phrase_evidence``'s model (bench/fit_inspect.py --phrases): a common
# expression of a Reuters article (a web bigram the language model expects, PMI > 2 nats) with one or both words
# swapped for a synonym, each from one of three sources picked at random (WordNet, the word's Moby entry, Moby
# headwords listing it) and inflected like the word, the casing kept. pps-dev plays no part in it.
def _synonym(word: str, rng: random.Random) -> str | None:
    base = lemma(word)
    ending = word[len(base) :] if base != word and word.startswith(base) else ""
    if base != word and not ending:
        return None
    source = rng.choice(("wordnet", "entry", "reverse"))
    if source == "wordnet":
        pool: Iterable[str] = wordnet_synonyms(base)
    elif source == "entry":
        pool = thesaurus.synonyms(base)
    else:
        pool = originals.moby_reversed().get(base, ())
    options = set()
    for synonym in pool:
        if synonym.isalpha() and zipf(synonym) >= 2.0:
            form = originals.inflect(synonym, ending) if ending else synonym
            if form and form != word and lemma(form) != base:
                options.add(form)
    return rng.choice(sorted(options)) if options else None


@dataclass(frozen=True)
class OwnPlanted:
    text: str
    spans: tuple[tuple[int, int, str], ...]  # each planted phrase's span in ``text`` and its original, lower case


def plant_own(text: str, seed: int, most: int = 2) -> OwnPlanted:
    """Up to ``most`` expressions of ``text`` spun into tortured phrases (see above), at least 3 words apart."""
    rng = random.Random(seed)
    seg = segment(unspin.Document("own", text))
    options = [
        p
        for p in phrase_evidence.judged_pairs(seg, frozenset())
        if f"{p.a} {p.b}" in expressions.bigrams() and expressions.lm_pmi(p.a, p.b) > 2.0
    ]
    rng.shuffle(options)
    chosen: list[tuple[int, int, int, str, str]] = []
    for p in options:
        if len(chosen) == most or any(abs(p.i - i) < 3 for i, *_ in chosen):
            continue
        change = rng.choice(((True, False), (False, True), (True, True), (True, True)))
        new = []
        for word, swap in zip((p.a, p.b), change, strict=True):
            new.append((_synonym(word, rng) or word) if swap else word)
        if new == [p.a, p.b]:
            continue
        start, end = seg.tokens[p.i].start, seg.tokens[p.i + 1].end
        written = text[start:end]
        gap = text[seg.tokens[p.i].end : seg.tokens[p.i + 1].start]
        chosen.append((p.i, start, end, _cased(new[0] + gap + new[1], written), f"{p.a} {p.b}"))
    chosen.sort(key=lambda c: c[1])
    pieces, done, shift, spans = [], 0, 0, []
    for _, start, end, new, original in chosen:
        pieces += [text[done:start], new]
        done = end
        spans.append((start + shift, start + shift + len(new), original))
        shift += len(new) - (end - start)
    pieces.append(text[done:])
    return OwnPlanted("".join(pieces), tuple(spans))
