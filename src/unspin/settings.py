"""Every threshold in one table: name, default and why, shared by the CLI, the API and the docs.

Scores are model-specific (DESIGN.md): the sentence thresholds below are calibrated for
USE multilingual v3 on the data in ../shared/data (see BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: float
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("max_bytes", 20_000_000, "largest input file accepted, in bytes"),
    Setting("max_token_chars", 64, "longest token; a longer run of letters or digits is cut into tokens this long"),
    Setting("max_sentence_tokens", 250, "most tokens in one sentence; a run-on sentence is cut into pieces this long"),
    Setting("max_sentence_chars", 2500, "most characters in one sentence; a longer one is cut at a token boundary"),
    Setting("max_tokens", 400_000, "most tokens in one document; a longer one is refused (InputError)"),
    Setting("inspect_max_tokens", 20_000, "most tokens in a document given to inspect (its cost per word is high)"),
    Setting("verbatim_ngram", 5, "tokens in the exact n-grams that seed verbatim runs"),
    Setting("verbatim_gap", 12, "tokens of noise allowed inside one verbatim passage, on either side"),
    Setting("verbatim_min_tokens", 15, "shortest verbatim passage reported, in tokens"),
    Setting("lexical_accept", 0.45, "thesaurus-aware word overlap that aligns two sentences without the model"),
    Setting("lexical_margin", 0.12, "lead the best lexical partner needs over the runner-up to skip the model"),
    Setting("lexical_floor", 0.10, "word overlap below which a same-language sentence pair is never embedded"),
    Setting("model_accept", 0.62, "sentence-vector cosine that aligns two same-language sentences"),
    Setting("model_accept_translated", 0.50, "sentence-vector cosine that aligns two sentences across languages"),
    Setting(
        "model_accept_translated_e5",
        0.84,
        "multilingual-e5 cosine that aligns two sentences across languages USE does not know",
    ),
    Setting("model_max_sentences", 400, "most sentences per side sent to the model across languages"),
    Setting("model_max_pairs", 40, "most same-language sentence pairs sent to the model in one comparison"),
    Setting(
        "model_probe_pairs",
        3,
        "where no sentence pair is aligned yet (verbatim runs aside), the strongest candidates embedded first",
    ),
    Setting(
        "model_probe_cosine",
        0.5,
        "cosine one of the first candidates must reach for the rest to be embedded (below model_accept)",
    ),
    Setting("min_content_words", 3, "content words a sentence needs before it can be paired on its own"),
    Setting("passage_min_words", 10, "content words a sentence-tier passage needs on each side (longer documents)"),
    Setting("lone_pair_coverage", 0.5, "share of content words matched in order for a lone sentence pair to count"),
    Setting("passage_gap", 2, "unaligned sentences allowed inside one passage"),
    Setting("fit_margin", 1.0, "nats by which one side's wording must fit its context worse to count as swapped"),
    Setting("direction_confidence", 0.8, "confidence from which the side whose swaps fit worse is said to be spun"),
    Setting("swap_share", 0.7, "share of substitutions that must be word-for-word swaps to call a side spun"),
    Setting("fit_weight", 0.6, "log-likelihood ratio of a side being spun per nat its swap fits worse"),
    Setting("fit_cap", 4.0, "most log-likelihood ratio one swap's context fit can weigh in the direction test"),
    Setting("obfuscated_characters", 2, "invisible or look-alike characters inside words that mark a side obfuscated"),
    Setting("related_score", 0.5, "document score from which two documents are said to be related"),
    Setting("evidence_tokens", 40, "passage length (tokens) at which one passage alone is full evidence"),
    Setting("substitution_max_tokens", 6, "longest phrase, in tokens, reported as one substitution"),
    Setting("spin_phrase_score", 10.0, "word score (PMI gain + rarity) from which a phrase is reported as tortured"),
    Setting("spin_doc_gain", 7.0, "word score from which a word counts as evidence towards spun_score"),
    Setting("spin_rarity_weight", 2.0, "weight of 'the headword is more common (zipf)' in a word's score"),
    Setting("spin_bigram_pmi", 3.0, "PMI the restored bigram needs with its neighbour to count as an expression"),
    Setting("spin_original_zipf", 3.0, "zipf frequency a candidate original word needs (writers use common words)"),
    Setting("spin_known_base", 0.60, "share of word pairs the bigram table knows below which text looks spun"),
    Setting("spin_known_weight", 10.0, "weight of the known-bigram shortfall in spun evidence"),
    Setting("spin_rarity_gap", 2.0, "zipf gap to its commonest thesaurus headword from which a word counts as rare"),
    Setting("spin_rare_base", 0.08, "share of content words with a much commoner headword above which text looks spun"),
    Setting("spin_rare_weight", 40.0, "weight of the excess share of such words in spun evidence"),
    Setting("spin_doc_threshold", 0.5, "spun_score from which inspect says a document reads as spun"),
    Setting("translated_doc_threshold", 0.5, "translated_score from which inspect says a document reads as translated"),
    Setting(
        "ingest_min_article_chars",
        200,
        "shortest article text (characters) a web page needs to become a collection document",
    ),
    Setting("store_busy_timeout", 120, "seconds a collection command waits for another one writing to the same file"),
    Setting("collection_candidates", 50, "candidates drawn from each signal before scoring"),
    Setting("collection_common_posting", 50, "a sketch key shared by more documents than this is no evidence"),
    Setting(
        "collection_vector_low",
        0.5,
        "lead-vector cosine mapped to 0 in the cheap score (cross-language relatives reach ~0.7)",
    ),
    Setting(
        "collection_edge_sketch", 0.2, "MinHash or anchor similarity from which two documents are linked for clustering"
    ),
    Setting("collection_edge_vector", 0.85, "lead-vector cosine that links two documents in the same language"),
    Setting(
        "collection_edge_vector_cross",
        0.6,
        "lead-vector cosine that links two documents in different languages (unrelated stay near 0.3)",
    ),
    Setting("collection_edge_neighbours", 10, "nearest documents considered for links when a document is added"),
    Setting("collection_verify", 5, "top candidates of a search proven by the compare engine"),
    Setting(
        "collection_prove_sketch",
        0.03,
        "MinHash or anchor similarity from which a search candidate is proven by the engine (else: unrelated)",
    ),
    Setting("collection_prove_vector", 0.7, "lead-vector cosine from which a same-language candidate is proven"),
    Setting("collection_prove_vector_cross", 0.6, "lead-vector cosine from which a cross-language candidate is proven"),
    Setting(
        "collection_prove_vector_weak",
        0.3,
        "lead-vector cosine from which a candidate is proven for a query in a language the lead model does not know",
    ),
    Setting(
        "collection_identical_min_chars",
        200,
        "shortest text whose identical copies are one story in clusters (shorter: page furniture, e.g. an error page)",
    ),
    Setting(
        "collection_identical_retitled_chars",
        1000,
        "shortest text whose identical copies under other titles are one story (shorter: a notice many pages carry)",
    ),
    Setting("collection_prove_weak_max", 3, "most candidates proven for a query in such a language (e5 is slow)"),
    Setting(
        "collection_exact_vectors",
        50_000,
        "stored lead vectors up to which vector search is exact; beyond, an inverted file (faiss IVF)",
    ),
    Setting("collection_vector_probes", 24, "inverted-file lists searched per query (of sqrt(n))"),
    Setting(
        "collection_stock_documents",
        3,
        "other documents holding a sentence (not dated near the pair) from which it is stock text, no story evidence",
    ),
    Setting(
        "collection_story_share",
        0.5,
        "share of one document's text in reused, non-stock passages that makes a pair one story (dates close)",
    ),
    Setting(
        "collection_story_whole",
        0.8,
        "share of both documents' text in reused passages that makes a pair one story at any date (republication)",
    ),
    Setting("collection_story_days", 3, "days apart from which two dated documents need to share their whole text"),
    Setting(
        "collection_story_numbers",
        0.5,
        "share of the numbers of the reused passages (smaller side) the other side must carry too",
    ),
    Setting(
        "collection_story_numbers_min",
        3,
        "numbers each side's reused passages need before their agreement counts (fewer: no evidence either way)",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> float:
    """The default value of one setting (KeyError names an unknown setting)."""
    return _BY_NAME[name].default
