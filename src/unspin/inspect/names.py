"""Spun names: capitalised runs of common words that a candidate turns into a name WordNet lists or a known
expression ("European Association" -> "European Union"), and an acronym after a name whose initials it fits only
once the name's words are read back through the thesaurus ("Global Lawbreaker Court (ICC)")."""

from __future__ import annotations

import re
from collections import Counter

from ..document import Span
from ..segment import Segmented
from ..words import STOPWORDS, zipf
from . import expressions, originals
from .context import cased, neighbours, token_text
from .lexicon import Lexicon, name_pairs
from .result import Tortured

ACRONYM = re.compile(r"\(([A-Z]{2,6})\)")


_NAME_WORD_ZIPF = 3.5  # a capitalised word this common in lower case is an ordinary word, not a surname


_RUN_PAIR = 10.0  # a known pair in a capitalised run outweighs any candidate's score (``_restore_run``) ...


_RUN_CHANGE = 5.0  # ... and a word read back must make one to pay for itself


def renamed_entities(seg: Segmented) -> list[Tortured]:
    """ "Global Lawbreaker Court (ICC)": the acronym fits the name once its words are read back through the
    thesaurus ("International Criminal Court"), so the name was spun."""
    text = seg.doc.text
    found: list[Tortured] = []
    for m in ACRONYM.finditer(text):
        words = name_words(text, m.start())
        restored = restore_name([w for _, _, w in words], m.group(1))
        if restored:
            evidence = {
                "rule": "acronym",
                "acronym": m.group(1),
                "initials_written": "".join(w[0] for _, _, w in words),
            }
            found.append(Tortured(Span.of(text, words[0][0], words[-1][1]), restored, 1.0, evidence=evidence))
    return found


def restore_name(words: list[str], acronym: str) -> str | None:
    """The name whose initials are ``acronym``, each mismatched word replaced by a thesaurus headword
    with the right initial, when the restored name has more known word pairs than the written one."""
    if len(words) != len(acronym) or "".join(w[0] for w in words) == acronym:
        return None
    restored = []
    for word, letter in zip(words, acronym, strict=True):
        if word[0] == letter:
            restored.append(word.lower())
            continue
        heads = [h for h in originals.headwords(word.lower()) if h[0] == letter.lower()]
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
    return " ".join(cased(r, w) for r, w in zip(restored, words, strict=True)) if changed_ok else None


def _known_pairs(words: list[str], extra: Lexicon | None = None) -> list[bool]:
    return [expressions.known(a, b, extra) for a, b in zip(words, words[1:], strict=False)]


def name_words(text: str, position: int) -> list[tuple[int, int, str]]:
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


def spun_names(seg: Segmented, used: Counter[str], extra: Lexicon | None = None) -> list[Tortured]:
    """ "European Association": a capitalised run of common words none of whose neighbours make a known
    expression, where reading a word back through the thesaurus does ("European Union"). Score: the share
    of the run's word pairs the restoration makes known."""
    text, tokens = seg.doc.text, seg.tokens
    found: list[Tortured] = []
    for sentence in seg.sentences:
        run: list[int] = []
        for i in range(sentence.first_token + 1, sentence.last_token + 1):
            title = i < sentence.last_token and _title_word(seg, i)
            if title and (not run or neighbours(seg, i)[0] is not None):
                run.append(i)
                continue
            if len(run) >= 2:
                restored = _restore_run([tokens[j].norm for j in run], extra, used)
                if restored is not None:
                    names, share = restored
                    start, end = tokens[run[0]].start, tokens[run[-1]].end
                    original = " ".join(cased(n, token_text(seg, j)) for n, j in zip(names, run, strict=True))
                    evidence = {"rule": "name", "known_pairs_share": round(share, 4)}
                    found.append(Tortured(Span.of(text, start, end), original, share, evidence=evidence))
            run = [i] if title else []
    return found


def _title_word(seg: Segmented, i: int) -> bool:
    written = token_text(seg, i)
    word = seg.tokens[i].norm
    return (
        written[:1].isupper()
        and written[1:].islower()
        and word.isalpha()
        and word not in STOPWORDS
        and zipf(word) >= _NAME_WORD_ZIPF
    )


def _restore_run(words: list[str], extra: Lexicon | None, used: Counter[str]) -> tuple[list[str], float] | None:
    """The run whose pairs are all unknown read back as a whole: the words (each as written or one of its best
    candidates by ``originals.scores``) whose adjacent pairs make the most of names WordNet lists (2 each:
    "European Union") and known expressions (1: "collective security"), less half a pair for each word changed,
    then the best scored: chosen jointly, as a name's words were spun together. None unless a pair is known."""
    if any(_known_pairs(words, extra)):
        return None
    names = name_pairs()
    options = []  # per word: (candidate, its score); as written it scores like its best candidate
    for word in words:
        scored = [(c, v) for v, c in originals.scores(word, None, None, used, extra, top=2 * originals.CHOICE_TOP)]
        options.append([(word, scored[0][1] if scored else 0.0), *((c, v - _RUN_CHANGE) for c, v in scored)])

    def link(a: str, b: str) -> float:
        rank = 2 if (a, b) in names else 1 if expressions.known(a, b, extra) else 0
        return _RUN_PAIR * rank + (originals.WEIGHTS[6] * expressions.assoc(a, b, extra)[0] if rank else 0.0)

    # Viterbi over the run: best[j] = (total, path) of the best reading ending in option j of the current word
    best = [(v, [c]) for c, v in options[0]]
    for column in options[1:]:
        best = [
            max(((total + link(path[-1], c) + v, path + [c]) for total, path in best), key=lambda item: item[0])
            for c, v in column
        ]
    restored = max(best, key=lambda item: item[0])[1]
    after = _known_pairs(restored, extra)
    if not any(after):
        return None
    return restored, sum(after) / len(after)
