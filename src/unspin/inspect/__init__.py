"""Source-free signs of spinning and machine translation in one document: ``inspect(doc)``.

The package's modules: ``word_model`` (is a word a swap?), ``document_score`` (is the document spun?),
``originals`` (a written word's candidate originals and the chooser among them), ``reading`` (which words to
report and what they read back to), ``names`` (spun names), ``expressions`` (how expected a word pair is),
``lexicon`` (the dictionaries' and a collection's known expressions), ``traces`` (translation traces),
``user_phrases`` (``--phrases FILE``), ``result`` (what is reported) and ``view`` (the HTML page).

Spinning. A spinner swaps words for thesaurus entries, so a phrase comes out whose words are each a
synonym of the words of a common expression while the phrase itself is rare ("curve enemies" for
"arch rivals", "Global Lawbreaker Court" for "International Criminal Court"). We read the Moby
thesaurus backwards (spun word -> the headwords that list it) to get candidate originals for each
content word, and know an expression when the web bigram table (Peter Norvig's counts from the Google
Web Trillion Word Corpus, shipped in ``wordsegment``, Apache-2.0), a dictionary's multi-word entry
(WordNet 3.0 and Moby, ``lexicon``) or, with ``db``, the user's own collection has it.

Each content word gets a log likelihood ratio "a spinner put it there" : "the writer did" (``word_model``),
and the share of swapped words that best explains a document's ratios, with how far its share of known word
pairs falls below clean text's, is ``spun_score`` (``document_score``). Reporting follows the document
(``reading``): where it reads as clearly spun, every likely swap, each read back through the thesauri
(``originals.scores``: a conditional logit over the candidates, on their frequency, their PMI with the
neighbours in the web table and in CMU's generic English trigram model shipped with ``pocketsphinx``, how the
thesauri link them, use elsewhere in the document), and spun names (``names``); elsewhere only words whose
ratio alone makes a swap likely and whose restored form makes a known expression. No sentence model is
used: adding the USE cosine of the sentence with each candidate to the logit chose the original less often on
spun Reuters (Moby-spun: 45% -> 43% top-1 at weight 5, worse above; WordNet-spun: no gain).

Translation. Traces that translation and find-and-replace tools leave: a word that exists in no
dictionary but ends like a real word whose beginning is the thesaurus headword of the phrase before it
("once morest": "again" -> "once more" replaced inside "against"), a doubled word that starts such a
phrase ("once once more"), an acronym in parentheses that fits no name before it
("International Criminal Court (PPI)"), and a newsroom's editor code after an agency ("(AFP/Z-3)").

No list of known tortured phrases ships with unspin; ``phrases`` (``tortured<TAB>original`` lines, the
CLI's ``--phrases FILE``) adds the user's own, reported with ``source: "user"``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable

from ..document import Document, load
from ..segment import INSPECT_MAX_TOKENS, segment
from . import expressions, languages, originals
from .document_score import known_pair_rate, spin_rate, spun_score_of
from .lexicon import Lexicon, wordnet_synonyms
from .names import renamed_entities, spun_names
from .phrase_evidence import phrase_finds
from .reading import REPORT_SCORE, STRONG_LLR, likely_swaps, merge, word_phrases
from .result import Inspection, Tortured, Trace
from .traces import find_traces, translated_score_of
from .user_phrases import read_phrases, user_phrases
from .view import to_html
from .word_model import PRIOR, posterior, word_evidence

__all__ = ["Inspection", "Tortured", "Trace", "inspect", "load_data", "read_phrases", "to_html"]


def inspect(
    doc: str | os.PathLike[str] | Document,
    phrases: Iterable[tuple[str, str]] | str | os.PathLike[str] | None = None,
    db: str | os.PathLike[str] | Lexicon | None = None,
) -> Inspection:
    """Signs of spinning and of machine translation in ``doc`` (a path, a text or a Document), without its source.

    ``phrases``: extra tortured phrases of the user's, as (tortured, original) pairs or a file of
    ``tortured<TAB>original`` lines; found ones are reported with ``source="user"``.
    ``db``: a collection store (the path of an ``unspin index`` database) or a ``lexicon.Lexicon``: word pairs
    that its documents use often count as known expressions too.
    """
    document = load(doc)
    seg = segment(document, max_tokens=INSPECT_MAX_TOKENS, task="inspect")
    code = languages.document_language(document.text)
    reason = languages.not_assessed_reason(code)
    user = user_phrases(seg, phrases) if phrases is not None else []
    if reason:  # English rules never run on another language: only the user's own phrases are looked for
        return Inspection(0.0, 0.0, tuple(user), (), code, False, reason)
    traces = find_traces(seg)
    extra = expressions.extra_pairs(db)
    foreign = languages.foreign_tokens(seg)
    words = word_evidence(seg, extra, foreign)
    acronyms = renamed_entities(seg)
    strong = phrase_finds(seg, foreign, extra)  # judged on their own, whatever the document score
    rate, posteriors = spin_rate([w.llr for w in words], len(acronyms) + len(user) + len(strong))
    spun_score = spun_score_of(rate, known_pair_rate(seg))
    used = Counter(t.norm for t in seg.tokens)
    if spun_score >= REPORT_SCORE:  # clearly spun: every likely swap is reported
        chosen = likely_swaps(seg, words, posteriors, extra)
        found = spun_names(seg, used, extra) + word_phrases(seg, chosen, used, extra)
    else:  # names are far more often real than spun, and rare words are mostly the writer's own
        chosen = [(w, posterior(w.llr, PRIOR), True) for w in words if w.llr >= STRONG_LLR]
        found = word_phrases(seg, chosen, used, extra, need_fit=True)
    found = merge(acronyms + strong + found)
    spans = [(seg.tokens[i].start, seg.tokens[i].end) for i in foreign]
    taken = [(t.span.start, t.span.end) for t in user] + spans
    found = [t for t in found if not any(s < t.span.end and t.span.start < e for s, e in taken)]
    return Inspection(
        spun_score=spun_score,
        translated_score=translated_score_of(traces),
        tortured=tuple(sorted(found + user, key=lambda t: t.span.start)),
        artefacts=tuple(traces),
        language=code,
    )


def load_data() -> None:
    """Read the thesaurus, the bigram table and the dictionaries' expressions now (a few seconds) rather than
    in the first ``inspect``."""
    expressions.unigrams()
    expressions.bigrams()
    originals.moby_reversed()
    expressions.neighbour_sets()
    expressions.language_model()
    wordnet_synonyms("")
