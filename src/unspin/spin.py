"""Source-free signs of spinning and machine translation in one document: ``inspect(doc)``.

Spinning. A spinner swaps words for thesaurus entries, so a phrase comes out whose words are each a
synonym of the words of a common expression while the phrase itself is rare ("curve enemies" for
"arch rivals", "Global Lawbreaker Court" for "International Criminal Court"). We read the Moby
thesaurus backwards (spun word -> the headwords that list it) to get candidate originals for each
content word, and ask a bigram table whether the restored word fits its neighbours much better than
the word on the page does: association (PMI) of the restored bigram minus that of the bigram as written.
The bigram and unigram counts are Peter Norvig's counts from the Google Web Trillion Word Corpus,
shipped in the ``wordsegment`` package (Apache-2.0); a bigram missing from that table (it keeps the
~286k bigrams seen at least 100,000 times) is given the highest association it could have had.
An acronym after a name whose initials it does not fit, but would fit once the name's words are read
back through the thesaurus, is a spun name too ("Global Lawbreaker Court (ICC)").
``spun_score`` adds up, per 100 content words: the words whose restoration fits (a lower bar than the
one for reporting a phrase), how far the share of word pairs the bigram table knows falls below clean
text's, and how far the share of words with a much commoner thesaurus headword rises above clean text's
(spinners pick rare synonyms). No sentence model is used: ~90 documents/s on one core.

Translation. Traces that translation and find-and-replace tools leave: a word that exists in no
dictionary but ends like a real word whose beginning is the thesaurus headword of the phrase before it
("once morest": "again" -> "once more" replaced inside "against"), a doubled word that starts such a
phrase ("once once more"), an acronym in parentheses that fits no name before it
("International Criminal Court (PPI)"), and a newsroom's editor code after an agency ("(AFP/Z-3)").

No list of known tortured phrases ships with unspin; ``phrases`` (``tortured<TAB>original`` lines, the
CLI's ``--phrases FILE``) adds the user's own, reported with ``source: "user"``.
"""

from __future__ import annotations

import math
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from . import settings, thesaurus
from .document import Document, Span, load
from .errors import InputError, ModelNotInstalledError
from .segment import Segmented, segment
from .words import STOPWORDS, initials, lemma, name_before, zipf

__all__ = ["Inspection", "Trace", "Tortured", "inspect", "read_phrases"]

_TOTAL = 1_024_908_267_229  # tokens in the Google Web Trillion Word Corpus (Norvig's counts)
_MIN_BIGRAM = 100_000  # the wordsegment table keeps bigrams seen at least this often
_MIN_UNIGRAM = 12_711  # ... and words seen at least this often
_ACRONYM = re.compile(r"\(([A-Z]{2,6})\)")
_EDITOR_CODE = re.compile(r"\((?:AFP|AP|Reuters|ANT|Antara|Xinhua|dpa|EFE|ANTARA)/[A-Za-z]{1,4}-?\d{0,3}\)")
_INFLECTIONS = ("s", "es", "ed", "d", "ing", "er", "ers")


@dataclass(frozen=True, slots=True)
class Tortured:
    """A phrase that reads like a spinner's synonym swap, with the expression it likely replaced."""

    span: Span
    original: str
    score: float  # 0-1: how much better the restored phrase fits than the phrase as written
    source: str = "unspin"  # "unspin" (found here) | "user" (from the phrases given)

    def to_dict(self) -> dict[str, Any]:
        return {**self.span.to_dict(), "original": self.original, "score": round(self.score, 4), "source": self.source}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tortured:
        return cls(Span.from_dict(data), str(data["original"]), float(data["score"]), str(data.get("source", "unspin")))


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
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Inspection:
        return cls(
            float(data["spun_score"]),
            float(data["translated_score"]),
            tuple(Tortured.from_dict(t) for t in data.get("tortured", [])),
            tuple(Trace.from_dict(a) for a in data.get("artefacts", [])),
        )


def inspect(
    doc: str | os.PathLike[str] | Document, phrases: Iterable[tuple[str, str]] | str | os.PathLike[str] | None = None
) -> Inspection:
    """Signs of spinning and of machine translation in ``doc`` (a path, a text or a Document), without its source.

    ``phrases``: extra tortured phrases of the user's, as (tortured, original) pairs or a file of
    ``tortured<TAB>original`` lines; found ones are reported with ``source="user"``.
    """
    document = load(doc)
    seg = segment(document)
    traces = _traces(seg)
    findings = _word_findings(seg)
    report, weak = settings.get("spin_phrase_score"), settings.get("spin_doc_gain")
    renamed = _renamed_entities(seg)
    found = _merge([t for t, raw in findings if raw >= report] + renamed)
    user = _user_phrases(seg, phrases) if phrases is not None else []
    taken = [(t.span.start, t.span.end) for t in user]
    found = [t for t in found if not any(s < t.span.end and t.span.start < e for s, e in taken)]
    evidence = sum(1.0 for _, raw in findings if raw >= weak) + 2.0 * len(renamed) + len(user)
    words = sum(1 for t in seg.tokens if t.norm.isalpha() and t.norm not in STOPWORDS)
    return Inspection(
        spun_score=_spun_score(evidence, words, _known_rate(seg), _rare_share(seg)),
        translated_score=_translated_score(traces),
        tortured=tuple(sorted(found + user, key=lambda t: t.span.start)),
        artefacts=tuple(traces),
    )


# ---------------------------------------------------------------- data: bigrams and the reversed thesaurus


@lru_cache(maxsize=1)
def _ngram_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("wordsegment")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalledError("the bigram counts are missing: pip install wordsegment==1.3.1")
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def _unigrams() -> dict[str, int]:
    counts: dict[str, int] = {}
    with (_ngram_dir() / "unigrams.txt").open(encoding="utf-8") as handle:
        for line in handle:
            word, _, count = line.partition("\t")
            counts[word] = int(count)
    return counts


@lru_cache(maxsize=1)
def _bigrams() -> dict[str, int]:
    counts: dict[str, int] = {}
    with (_ngram_dir() / "bigrams.txt").open(encoding="utf-8") as handle:
        for line in handle:
            pair, _, count = line.partition("\t")
            counts[pair] = int(count)
    return counts


@lru_cache(maxsize=1)
def _reverse() -> dict[str, tuple[str, ...]]:
    """Moby read backwards: a synonym (word or phrase) -> the one-word headwords that list it."""
    index: dict[str, list[str]] = defaultdict(list)
    for head, raw in thesaurus._lines().items():
        if not head.isalpha():
            continue
        for synonym in raw.split(","):
            index[synonym].append(head)
    return {synonym: tuple(heads) for synonym, heads in index.items()}


@lru_cache(maxsize=1)
def _neighbour_sets() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """For each word, the words that follow it in a known bigram, and those that precede it."""
    after: dict[str, set[str]] = defaultdict(set)
    before: dict[str, set[str]] = defaultdict(set)
    for pair in _bigrams():
        a, _, b = pair.partition(" ")
        after[a].add(b)
        before[b].add(a)
    return {k: frozenset(v) for k, v in after.items()}, {k: frozenset(v) for k, v in before.items()}


def load_data() -> None:
    """Read the thesaurus and the bigram table now (a few seconds) rather than in the first ``inspect``."""
    _unigrams()
    _bigrams()
    _reverse()
    _neighbour_sets()


def _count(word: str) -> int:
    return _unigrams().get(word, _MIN_UNIGRAM // 2)


def _assoc(a: str, b: str) -> tuple[float, bool]:
    """PMI of the bigram "a b" in the web counts, and whether the table knows it; for an unknown
    bigram, the highest PMI it could have had (its count is under the table's floor), capped at 0."""
    count = _bigrams().get(f"{a} {b}")
    if count is not None:
        return math.log(count * _TOTAL / (_count(a) * _count(b))), True
    return min(0.0, math.log(_MIN_BIGRAM * _TOTAL / (_count(a) * _count(b)))), False


@lru_cache(maxsize=50_000)
def _candidates(word: str) -> frozenset[str]:
    """Words a spinner may have replaced with ``word``: headwords listing it (or its lemma, re-inflected)."""
    out = dict.fromkeys(h for h in _reverse().get(word, ()) if h != word)
    base = lemma(word)
    if base != word and word.startswith(base):
        ending = word[len(base) :]
        known = _unigrams()
        for head in _reverse().get(base, ()):
            for form in (head + ending, head + ending[1:], head[:-1] + "i" + ending if head.endswith("y") else ""):
                if form and form != word and form in known:
                    out[form] = None
                    break
    floor = settings.get("spin_original_zipf")
    return frozenset(c for c in out if c.isalpha() and zipf(c) >= floor)


# ---------------------------------------------------------------- spinning


def _neighbours(seg: Segmented, i: int) -> tuple[str | None, str | None]:
    """The words just before and after token ``i`` in its clause (None across punctuation)."""
    text, tokens = seg.doc.text, seg.tokens
    prev = nxt = None
    if i > 0 and _joined(text[tokens[i - 1].end : tokens[i].start]):
        prev = tokens[i - 1].norm
    if i + 1 < len(tokens) and _joined(text[tokens[i].end : tokens[i + 1].start]):
        nxt = tokens[i + 1].norm
    return prev, nxt


def _joined(gap: str) -> bool:
    return gap in (" ", "-") or (gap.isspace() and "\n" not in gap)


def _word_findings(seg: Segmented) -> list[tuple[Tortured, float]]:
    """Words whose thesaurus headword fits the neighbours far better than the word itself, each with its
    raw score: the gain in bigram PMI plus ``spin_rarity_weight`` x how much more common the headword is."""
    text = seg.doc.text
    bigrams = _bigrams()
    found: list[tuple[Tortured, float]] = []
    for i, token in enumerate(seg.tokens):
        word = token.norm
        if len(word) < 3 or not word.isalpha() or word in STOPWORDS or text[token.start : token.end].isupper():
            continue
        prev, nxt = _neighbours(seg, i)
        if prev is None and nxt is None:
            continue
        if (prev is None or f"{prev} {word}" in bigrams) and (nxt is None or f"{word} {nxt}" in bigrams):
            continue  # the word as written is a known expression on both sides
        best, raw, support = _best_original(word, prev, nxt)
        if best is None:
            continue
        start, end = token.start, token.end
        original = _cased(best, text[start:end])
        if support == "prev":
            start = seg.tokens[i - 1].start
            original = text[start : token.start] + original
        else:
            nxt_token = seg.tokens[i + 1]
            original = original + text[end : nxt_token.end]
            end = nxt_token.end
        found.append((Tortured(Span.of(text, start, end), original, _squash(raw)), raw))
    return found


def _best_original(word: str, prev: str | None, nxt: str | None) -> tuple[str | None, float, str]:
    """The candidate original with the highest raw score, that score, and which neighbour ("prev" or
    "next") forms a known bigram with it where the written word does not."""
    sides = [(prev, True), (nxt, False)]
    written = {}
    for other, before in sides:
        if other is not None:
            written[before] = _assoc(other, word) if before else _assoc(word, other)
    floor = settings.get("spin_bigram_pmi")
    rarity = settings.get("spin_rarity_weight")
    own = zipf(word)
    after, before_sets = _neighbour_sets()
    candidates = _candidates(word)
    fitting: set[str] = set()
    if prev is not None and prev not in STOPWORDS:
        fitting |= candidates & after.get(prev, frozenset())
    if nxt is not None and nxt not in STOPWORDS:
        fitting |= candidates & before_sets.get(nxt, frozenset())
    best: str | None = None
    best_score, best_side = -math.inf, ""
    for candidate in sorted(fitting):
        gain, support, strongest = 0.0, "", 0.0
        for other, before in sides:
            if other is None or other in STOPWORDS:
                continue
            pmi, known = _assoc(other, candidate) if before else _assoc(candidate, other)
            mine, mine_known = written[before]
            gain += pmi - mine
            if known and not mine_known and pmi >= floor and pmi > strongest:
                support, strongest = ("prev" if before else "next"), pmi
        score = gain + rarity * (zipf(candidate) - own)
        if support and score > best_score:
            best, best_score, best_side = candidate, score, support
    return best, best_score, best_side


def _cased(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _squash(raw: float) -> float:
    """A raw word score as 0-1: 0.5 at settings "spin_doc_gain", 0.9 at "spin_phrase_score"."""
    low, high = settings.get("spin_doc_gain"), settings.get("spin_phrase_score")
    return 1.0 / (1.0 + math.exp(-(raw - low) * math.log(9.0) / max(high - low, 1e-6)))


def _merge(found: list[Tortured]) -> list[Tortured]:
    """Overlapping finds: the higher-scored one is kept (a restored name beats its single words)."""
    kept: list[Tortured] = []
    for t in sorted(found, key=lambda t: -t.score):
        if not any(k.span.start < t.span.end and t.span.start < k.span.end for k in kept):
            kept.append(t)
    return kept


def _renamed_entities(seg: Segmented) -> list[Tortured]:
    """ "Global Lawbreaker Court (ICC)": the acronym fits the name once its words are read back through the
    thesaurus ("International Criminal Court"), so the name was spun."""
    text = seg.doc.text
    found: list[Tortured] = []
    for m in _ACRONYM.finditer(text):
        words = _name_words(text, m.start())
        restored = _restore_name([w for _, _, w in words], m.group(1))
        if restored:
            found.append(Tortured(Span.of(text, words[0][0], words[-1][1]), restored, 0.9))
    return found


def _restore_name(words: list[str], acronym: str) -> str | None:
    """The name whose initials are ``acronym``, each mismatched word replaced by a thesaurus headword
    with the right initial, when the restored name has more known word pairs than the written one."""
    if len(words) != len(acronym) or "".join(w[0] for w in words) == acronym:
        return None
    restored = []
    for word, letter in zip(words, acronym, strict=True):
        if word[0] == letter:
            restored.append(word.lower())
            continue
        heads = [h for h in _candidates(word.lower()) if h[0] == letter.lower()]
        if not heads:
            return None
        restored.append(max(heads, key=lambda h: sum(_known_pairs(restored + [h]), 0) * 10 + zipf(h)))
    written = [w.lower() for w in words]
    if sum(_known_pairs(restored)) <= sum(_known_pairs(written)):
        return None
    changed_ok = all(
        r == w or any(k for j, k in enumerate(_known_pairs(restored)) if j in (i - 1, i))
        for i, (r, w) in enumerate(zip(restored, written, strict=True))
    )
    return " ".join(_cased(r, w) for r, w in zip(restored, words, strict=True)) if changed_ok else None


def _known_pairs(words: list[str]) -> list[bool]:
    bigrams = _bigrams()
    return [f"{a} {b}" in bigrams for a, b in zip(words, words[1:], strict=False)]


def _name_words(text: str, position: int) -> list[tuple[int, int, str]]:
    """The capitalised words (no glue words) just before ``position``, with their spans."""
    window = max(0, position - 120)
    words = [(m.start() + window, m.end() + window, m.group()) for m in re.finditer(r"[\w'’-]+", text[window:position])]
    name: list[tuple[int, int, str]] = []
    for item in reversed(words):
        if item[2][0].isupper():
            name.append(item)
        else:
            break
    return list(reversed(name))


def _known_rate(seg: Segmented) -> float:
    """Share of adjacent word pairs (both words known) that the bigram table knows: swapping words for
    synonyms breaks collocations, so spun text has fewer (clean Reuters: median 0.62, 2nd percentile 0.53)."""
    text, tokens, known = seg.doc.text, seg.tokens, _unigrams()
    bigrams = _bigrams()
    pairs = hits = 0
    for a, b in zip(tokens, tokens[1:], strict=False):
        if a.norm in known and b.norm in known and _joined(text[a.end : b.start]):
            pairs += 1
            hits += f"{a.norm} {b.norm}" in bigrams
    return hits / pairs if pairs >= 20 else settings.get("spin_known_base")


@lru_cache(maxsize=100_000)
def _commonest_head(word: str) -> float:
    """Zipf frequency of the commonest headword listing ``word`` (0 when none does)."""
    return max((zipf(c) for c in _candidates(word)), default=0.0)


def _rare_share(seg: Segmented) -> float:
    """Share of lower-case content words with a thesaurus headword at least ``spin_rarity_gap`` zipf more
    common: spinners pick rare synonyms (clean Reuters: median 0.06, 98th percentile 0.13)."""
    text, gap = seg.doc.text, settings.get("spin_rarity_gap")
    words = rare = 0
    for token in seg.tokens:
        word = token.norm
        if len(word) < 3 or not word.isalpha() or word in STOPWORDS or text[token.start].isupper():
            continue
        words += 1
        rare += _commonest_head(word) - zipf(word) >= gap
    return rare / words if words >= 30 else 0.0


def _spun_score(evidence: float, words: int, known_rate: float, rare_share: float) -> float:
    """Evidence words per 100 content words, plus ``spin_known_weight`` x how far the known-bigram rate
    falls below ``spin_known_base``, plus ``spin_rare_weight`` x how far the share of words with a much
    commoner headword rises above ``spin_rare_base``; as 0-1: 0.5 at settings "spin_doc_density"."""
    density = 100.0 * evidence / max(words, 100)
    density += settings.get("spin_known_weight") * max(0.0, settings.get("spin_known_base") - known_rate)
    density += settings.get("spin_rare_weight") * max(0.0, rare_share - settings.get("spin_rare_base"))
    half = settings.get("spin_doc_density")
    return density / (density + half)


# ---------------------------------------------------------------- user phrases


def read_phrases(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """``tortured<TAB>original`` lines of a file (blank lines and ``#`` comments skipped)."""
    where = str(path)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{where}: no such file; give a file of 'tortured<TAB>original' lines") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{where}: cannot read the phrases ({err}); give a UTF-8 text file") from None
    pairs = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        tortured, tab, original = line.partition("\t")
        if not tab or not tortured.strip():
            raise InputError(f"{where}:{number}: expected 'tortured<TAB>original', got {line.strip()[:60]!r}")
        pairs.append((tortured.strip(), original.strip()))
    return pairs


def _user_phrases(seg: Segmented, phrases: Iterable[tuple[str, str]] | str | os.PathLike[str]) -> list[Tortured]:
    pairs = read_phrases(phrases) if isinstance(phrases, str | os.PathLike) else list(phrases)
    text = seg.doc.text
    found: list[Tortured] = []
    for tortured, original in pairs:
        words = [re.escape(w) for w in tortured.split()]
        if not words:
            continue
        pattern = re.compile(r"(?<!\w)" + r"[\s-]+".join(words) + r"(?!\w)", re.IGNORECASE)
        for m in pattern.finditer(text):
            found.append(Tortured(Span.of(text, m.start(), m.end()), original, 1.0, "user"))
    found.sort(key=lambda t: (t.span.start, -t.span.end))
    kept: list[Tortured] = []
    for t in found:
        if not kept or t.span.start >= kept[-1].span.end:
            kept.append(t)
    return kept


# ---------------------------------------------------------------- translation


def _traces(seg: Segmented) -> list[Trace]:
    text = seg.doc.text
    found = _find_and_replace(seg) + _doubled_words(seg)
    for m in _ACRONYM.finditer(text):
        acronym = m.group(1)
        words = _name_words(text, m.start())
        name = name_before(text, m.start())
        if len(words) < 2 or _fits(acronym, name):
            continue
        if _restore_name([w for _, _, w in words], acronym):
            continue  # a spun name, reported as tortured
        found.append(Trace(Span.of(text, m.start(1), m.end(1)), "foreign-acronym", initials(name)))
    for m in _EDITOR_CODE.finditer(text):
        found.append(Trace(Span.of(text, m.start(), m.end()), "editor-code", ""))
    return sorted(found, key=lambda t: t.span.start)


def _find_and_replace(seg: Segmented) -> list[Trace]:
    """'once morest': a tool replaced 'again' by 'once more' inside 'against'."""
    text, tokens = seg.doc.text, seg.tokens
    reverse = _reverse()
    found: list[Trace] = []
    for i, token in enumerate(tokens):
        word = token.norm
        if len(word) < 4 or not word.isalpha() or zipf(word) > 0 or text[token.start].isupper():
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
    reverse = _reverse()
    found: list[Trace] = []
    for i in range(1, len(tokens) - 1):
        word = tokens[i].norm
        if word != tokens[i - 1].norm or not word.isalpha():
            continue
        for length in (2, 3):
            phrase = " ".join(t.norm for t in tokens[i : i + length])
            heads = [h for h in reverse.get(phrase, ()) if f"{word} {h}" in _bigrams()]
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


def _translated_score(traces: list[Trace]) -> float:
    """1 - 1/2^weight: one foreign acronym or find-and-replace trace gives 0.5, two 0.75 ..."""
    weights = {"find-and-replace": 1.0, "foreign-acronym": 1.0, "editor-code": 0.5}
    weight = sum(weights.get(t.kind, 0.5) for t in traces)
    return 1.0 - 0.5**weight


# ---------------------------------------------------------------- view


def to_html(doc: str | os.PathLike[str] | Document, inspection: Inspection) -> str:
    """A self-contained page: the document with tortured phrases and translation traces marked."""
    from html import escape

    document = load(doc)
    text = document.text
    marks = sorted(
        [
            (t.span.start, t.span.end, "tortured " + t.source, f"{t.original} ({t.score:.2f})")
            for t in inspection.tortured
        ]
        + [(a.span.start, a.span.end, "artefact", f"{a.kind}: {a.original}") for a in inspection.artefacts]
    )
    parts, cursor = [], 0
    for start, end, css, title in marks:
        if start < cursor:
            continue
        parts.append(escape(text[cursor:start]))
        parts.append(f'<mark class="{css}" title="{escape(title)}">{escape(text[start:end])}</mark>')
        cursor = end
    parts.append(escape(text[cursor:]))
    return (
        "<!doctype html><meta charset='utf-8'><title>unspin inspect</title><style>"
        "body{font:16px/1.5 sans-serif;max-width:50em;margin:2em auto}pre{white-space:pre-wrap;font:inherit}"
        "mark.tortured{background:#fde68a}mark.user{background:#fca5a5}mark.artefact{background:#bfdbfe}</style>"
        f"<h1>{escape(document.name)}</h1><p>spun score {inspection.spun_score:.2f} · translated score "
        f"{inspection.translated_score:.2f} · {len(inspection.tortured)} tortured phrases · "
        f"{len(inspection.artefacts)} translation traces (hover a mark for the likely original)</p>"
        f"<pre>{''.join(parts)}</pre>"
    )
