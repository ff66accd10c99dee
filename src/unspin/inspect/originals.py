"""Which word a spinner replaced: the candidate originals of a written word (the Moby thesaurus read backwards
and forwards, and WordNet, each through the word's inflections) and the chooser, a conditional logit over them
fitted by bench/fit_inspect.py."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from .. import settings, thesaurus
from ..words import STOPWORDS, is_alpha_content, lemma, zipf
from . import expressions
from .lexicon import Lexicon, irregular_bases, irregular_forms, wordnet_synonyms


@lru_cache(maxsize=1)
def moby_reversed() -> dict[str, tuple[str, ...]]:
    """Moby read backwards: a synonym (word or phrase) -> the one-word headwords that list it."""
    index: dict[str, list[str]] = defaultdict(list)
    for head, raw in thesaurus._lines().items():
        if not head.isalpha():
            continue
        for synonym in raw.split(","):
            index[synonym].append(head)
    return {synonym: tuple(heads) for synonym, heads in index.items()}


@lru_cache(maxsize=50_000)
def headwords(word: str) -> frozenset[str]:
    """Words a spinner may have replaced with ``word``: Moby headwords listing it, or one of its bases
    (``readings``), inflected like it."""
    reverse = moby_reversed()
    out = dict.fromkeys(h for h in reverse.get(word, ()) if h != word)
    for base, ending in readings(word):
        for head in reverse.get(base, ()):
            out.update(dict.fromkeys(forms(head, ending)))
    floor = settings.get("spin_original_zipf")
    return frozenset(c for c in out if c != word and c.isalpha() and c not in STOPWORDS and zipf(c) >= floor)


def inflection(word: str) -> str:
    """The inflection class of ``word`` by its ending ("s", "ed", "ing", "ly" or ""), the same crude rule for the
    written word and its candidates: a spinner inflects its synonym like the word it replaces."""
    if len(word) > 5 and word.endswith("ing"):
        return "ing"
    if len(word) > 4 and word.endswith("ed"):
        return "ed"
    if len(word) > 4 and word.endswith("ly"):
        return "ly"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return "s"
    return ""


def inflect(head: str, ending: str) -> str | None:
    """``head`` with the inflection ``ending`` ("tie" + "s" -> "ties"), when the bigram table knows the form."""
    known = expressions.unigrams()
    for form in (head + ending, head + ending[1:], head[:-1] + "i" + ending if head.endswith("y") else ""):
        if form and form != head and form in known:
            return form
    return None


_SUFFIX_READINGS = (
    *(("ies", "y", "es"), ("ied", "y", "ed"), ("es", "e", "s"), ("es", "", "es"), ("s", "", "s")),
    *(("ing", "", "ing"), ("ing", "e", "ing"), ("ed", "", "ed"), ("ed", "e", "ed"), ("er", "", "er")),
)  # (suffix, what the base ends in instead, the ending ``inflect`` puts on a candidate)


@lru_cache(maxsize=20_000)
def readings(word: str) -> tuple[tuple[str, str], ...]:
    """The ways to read ``word`` as an inflected base: (base, ending) with a regular ending for ``inflect``
    ("enemies" -> enemy + es, "attaches" -> attache + s and attach + es), or "~verb"/"~noun"/"~adj" for an
    irregular form WordNet lists ("drove" -> drive ~verb). Every base a word wordfreq knows."""
    found = dict.fromkeys((base, "~" + kind) for base, kind in irregular_bases(word))
    base = lemma(word)
    if base != word and word.startswith(base):
        ending = word[len(base) :]
        found[(base, "ed" if ending == "d" else ending)] = None
    for suffix, replacement, ending in _SUFFIX_READINGS:
        stem = word[: -len(suffix)] + replacement
        if word.endswith(suffix) and len(stem) > 2 and stem != word and zipf(stem) > 0:
            found[(stem, ending)] = None
    return tuple(found)


def forms(head: str, ending: str) -> tuple[str, ...]:
    """``head`` inflected like the reading's ``ending`` (``readings``): by rule, or its irregular forms when the
    word was an irregular one ("lead" like "drove" -> "led"; a regular head by rule: "guide" -> "guided")."""
    if not ending.startswith("~"):
        form = inflect(head, ending)
        return (form,) if form else ()
    kind = ending[1:]
    irregular = irregular_forms(head, kind)
    if irregular:
        return irregular
    form = inflect(head, {"verb": "ed", "noun": "s", "adj": "er"}[kind])
    return (form,) if form else ()


CHOICE_TOP = 30  # candidates scored in full (thesaurus closeness), the best by the cheaper features first


# Which candidate a spinner replaced: a conditional logit over a word's candidate originals (``candidates``),
# fitted by bench/fit_inspect.py on Reuters spun with WordNet synonyms and with Moby synonyms taken three ways
# (from the word's entry, mutual ones, headwords listing it), so that no thesaurus and no direction of its links
# is credited for being the spinner's own. Log-linear in P(candidate) x P(neighbours | candidate): its
# frequency, its PMI with each neighbour, how the thesauri link it to the written word. (Whether a candidate is
# one WordNet hypernym, hyponym or similar-to link from the written word fitted to weight -0.03 on these
# spinners, which take any sense of a word, so it is not a feature. Nor is the document's subject: how many of
# its other words the candidate's Moby entry lists raised held-out top-1 by 0.3-1.4 points but, in a heavily
# spun document, whose words are the spinner's, picked "military forces" for "military binds".)
FEATURES = (
    "zipf",  # the candidate's frequency
    "close",  # cosine of its and the written word's Moby lists
    "moby_head",  # its Moby entry lists the written word
    "moby_entry",  # the written word's Moby entry lists it
    "moby_both",  # both
    "same_ending",  # inflected like the written word (-s, -ed, -ing ... or none)
    "left_pmi",  # PMI with the content word before (``expressions.assoc``: web bigrams; a dictionary's expression
    # the table lacks: the most it could have, at least settings "spin_bigram_pmi"; unknown: the most it could have,
    # <= 0)
    "left_web",  # ... the pair is in the web bigram table
    "left_dict",  # ... the pair is only a dictionary's (or the collection's) expression
    "right_pmi",
    "right_web",
    "right_dict",
    "left_glue_pmi",  # PMI with a glue word (or number) before it: "the forces", "to exert"
    "right_glue_pmi",
    "in_doc",  # the document uses it elsewhere
    "log_synonyms",  # log(1 + its Moby list's length): a long list makes any one synonym a less likely pick
    "known",  # how many content neighbours it makes a known expression with
    "zipf_over_5",
    "zipf_under_4",
    "wordnet",  # WordNet lists the two as synonyms (a second thesaurus agreeing on the link)
    "left_collection_pmi",  # with ``db``: PMI of the pair with the content word before in the collection (0: unseen)
    "right_collection_pmi",
    "left_lm",  # PMI with the word before (any word) in CMU's trigram model (``expressions.lm_pmi``); 0 unknown
    "right_lm",  # ... with the word after
    "lm_missing",  # the language model does not know the candidate
    "across_lm",  # log P(next | before, it) - log P(next | it): the trigram over both neighbours adds to the pair
)


WEIGHTS = (
    *(1.5752, 1.0713, -0.1095, 0.0149, 0.7594, 0.3990, 0.0856, -0.2404, 0.4614, 0.0490, -0.1575, 0.4036),
    *(0.2373, 0.3017, 2.1499, -0.2823, 0.4671, -0.6769, -0.2946, 1.9075, 0.4263, 0.4285, 0.6817, 0.6562),
    *(-2.8463, 0.8254),
)


_FROM_MOBY_HEAD, _FROM_MOBY_ENTRY, _FROM_WORDNET = 1, 2, 4


@lru_cache(maxsize=20_000)
def candidates(word: str) -> tuple[tuple[str, int], ...]:
    """Words a spinner may have replaced with ``word``, each with where the link comes from (``_FROM_*`` bits):
    Moby headwords listing it, the words of its own Moby entry, and its WordNet synonyms (a second thesaurus),
    each also read through its bases (``readings``) and inflected like it ("binds" -> "ties", "attaches" ->
    "ties", "drove" -> "led"). Common words only (settings "spin_original_zipf"); inflections of the word
    itself are not candidates."""
    ways = readings(word)
    bases = {word} | {base for base, _ in ways}
    floor = settings.get("spin_original_zipf")
    found: dict[str, int] = {}

    def entry(key: str) -> Iterable[str]:
        raw = thesaurus._lines().get(key)
        return (w for w in raw.split(",") if " " not in w) if raw else ()

    sources = ((moby_reversed().get, _FROM_MOBY_HEAD), (entry, _FROM_MOBY_ENTRY), (wordnet_synonyms, _FROM_WORDNET))
    for lookup, flag in sources:
        for head in _unhyphenated(lookup(word)):
            found[head] = found.get(head, 0) | flag
        for base, suffix in ways:
            for head in _unhyphenated(lookup(base)):
                for form in forms(head, suffix):
                    found[form] = found.get(form, 0) | flag
    return tuple(
        (c, flag)
        for c, flag in sorted(found.items())
        if c not in bases and c.isalpha() and c not in STOPWORDS and zipf(c) >= floor and lemma(c) not in bases
    )


def _unhyphenated(words: Iterable[str] | None) -> Iterable[str]:
    """Thesaurus words with hyphens closed up ("cease-fire" -> "ceasefire"): the old spelling is rare today, so
    only the closed form passes the frequency floor."""
    return (w.replace("-", "") if "-" in w else w for w in words or ())


@lru_cache(maxsize=20_000)
def _table(word: str) -> tuple[tuple[str, ...], np.ndarray]:
    """The candidate originals of ``word`` and the features that do not depend on the context (the others 0)."""
    found = candidates(word)
    rows = np.zeros((len(found), len(FEATURES)))
    written = inflection(word)
    for k, (c, flag) in enumerate(found):
        z = zipf(c)
        head, entry = float(bool(flag & _FROM_MOBY_HEAD)), float(bool(flag & _FROM_MOBY_ENTRY))
        rows[k, [0, 2, 3, 4, 5, 15, 17, 18, 19]] = (
            *(z, head, entry, head * entry, float(inflection(c) == written)),
            *(math.log1p(len(thesaurus.synonyms(c))), max(0.0, z - 5.0), max(0.0, 4.0 - z)),
            float(bool(flag & _FROM_WORDNET)),
        )
    rows.flags.writeable = False
    return tuple(c for c, _ in found), rows


def features(
    word: str, prev: str | None, nxt: str | None, used: frozenset[str] | Counter[str], extra: Lexicon | None = None
) -> tuple[tuple[str, ...], np.ndarray]:
    """The candidate originals of ``word`` between ``prev`` and ``nxt`` (None across punctuation) and their
    features (``FEATURES`` order, all but "close", which ``scores`` adds for the best)."""
    names, table = _table(word)
    rows = table.copy()
    left_content, right_content = is_alpha_content(prev), is_alpha_content(nxt)
    for k, c in enumerate(names):
        row = rows[k]
        known = 0
        if prev is not None:
            known += _pair_features(row, prev, c, left_content, extra, _LEFT_COLUMNS)
        if nxt is not None:
            known += _pair_features(row, c, nxt, right_content, extra, _RIGHT_COLUMNS)
        row[14] = float(c in used)
        row[16] = known
        row[22], row[23], row[25] = expressions.lm_fit(c, prev, nxt)
        row[24] = float(not expressions.lm_knows(c))
    return names, rows


# columns of a neighbour's features in ``FEATURES``: PMI, web, dictionary only, collection PMI, glue PMI
_LEFT_COLUMNS, _RIGHT_COLUMNS = (6, 7, 8, 20, 12), (9, 10, 11, 21, 13)


def _pair_features(
    row: np.ndarray, a: str, b: str, content: bool, extra: Lexicon | None, columns: tuple[int, ...]
) -> int:
    """Fill the features of the pair "a b" (a candidate and its neighbour) into ``row``; 1 when the pair is a
    known expression. A glue-word neighbour ("the", "to") gives only its PMI."""
    pmi_column, web_column, dict_column, collection_column, glue_column = columns
    if not content:
        row[glue_column] = expressions.assoc(a, b)[0]
        return 0
    pmi, listed = expressions.assoc(a, b, extra)
    web = f"{a} {b}" in expressions.bigrams()
    row[pmi_column], row[web_column], row[dict_column] = pmi, float(web), float(listed and not web)
    row[collection_column] = (extra.pmi(a, b) or 0.0) if extra is not None else 0.0
    return int(listed)


def scores(
    word: str,
    prev: str | None,
    nxt: str | None,
    used: frozenset[str] | Counter[str],
    extra: Lexicon | None = None,
    top: int | None = CHOICE_TOP,
) -> list[tuple[float, str]]:
    """The candidate originals of ``word`` with their log-odds scores (``WEIGHTS``), best first: all
    scored on the cheap features, the best ``top`` (None: all) then with thesaurus closeness added."""
    names, rows = features(word, prev, nxt, used, extra)
    return ranked(word, names, rows @ np.asarray(WEIGHTS), top)


def ranked(word: str, names: tuple[str, ...], cheap: np.ndarray, top: int | None) -> list[tuple[float, str]]:
    """``scores`` from the candidates' cheap scores (their ``features`` times ``WEIGHTS``)."""
    best = np.argsort(-cheap, kind="stable")[:top]
    scored = [(float(cheap[k]) + WEIGHTS[1] * closeness(word, names[k]), names[k]) for k in best]
    return sorted(scored, key=lambda item: (-item[0], item[1]))


@lru_cache(maxsize=200_000)
def closeness(a: str, b: str) -> float:
    one, two = _synonyms(a), _synonyms(b)
    return len(one & two) / math.sqrt(len(one) * len(two) + 1)


def _synonyms(word: str) -> frozenset[str]:
    return thesaurus.synonyms(word) or thesaurus.synonyms(lemma(word))


def lm_gain(word: str, prev: str | None, nxt: str | None) -> float:
    """How much better the best-fitting candidate original fits its neighbours than ``word`` by the language model."""
    if not expressions.lm_knows(word):
        return 0.0
    own = expressions.lm_context(word, prev, nxt)
    return max(
        (expressions.lm_context(c, prev, nxt) - own for c, _ in candidates(word) if expressions.lm_knows(c)),
        default=0.0,
    )
