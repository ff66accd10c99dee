"""What to embed per document: translation recall bought by each choice (lead 1/3/5/10, a spread sample, all).

The collection's vector for a document is the normalised mean of the USE vectors of some of its sentences
(``unspin.collection.vectors``: today the first ``LEAD_SENTENCES`` = 3). Each choice here is applied to both
sides: to N Reuters distractors plus the 62 English NTREX-128 originals (the collection), and to the
professional translations of those 62 (the queries, 11 languages). recall@k: share of translations whose
English original is among the k nearest collection vectors (exact inner product, what faiss ``IndexFlatIP``
computes; vectors rounded to float16 as the store keeps them). Sentences come from ``unspin.segment`` (leads
from ``vectors.lead`` itself), vectors from ``vectors.lead_vectors``, so they are the collection's own.

Every sentence is embedded once: a chunk's sentences (union over the choices) go through the model in one
call and each choice's document vectors are then read from the embed cache; chunks are cached under
``--cache`` so a rerun costs no model time. Model cost per choice is measured apart, on ``--cost-docs``
Reuters articles, embedding just that choice's sentences with the cache cleared (one thread, CPU time).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

from _common import DATA, engine, header, write  # isort: skip - first: one thread before numpy loads

import numpy as np

from unspin import embed
from unspin.collection.vectors import LEAD_SENTENCES, lead, lead_vectors
from unspin.document import Document
from unspin.segment import segment

REUTERS = DATA / "reuters-20k" / "reuters-20k.jsonl.gz"
NTREX = DATA / "ntrex128-dev" / "ntrex128-dev.jsonl"
USE_SET = ("deu", "fra", "spa", "rus", "arb", "tur", "zho-CN")  # USE knows these (the collection bench's set)
E5_SET = ("ind", "ukr", "aze-Latn", "hye")  # unspin's compare switches to e5 for these; the collection does not
CHUNK = 500  # documents per model call (their sentences stay within the embed cache's 50,000)


def spread(sentences: list[str], k: int) -> list[str]:
    """``k`` sentences evenly spread from the first one (the first of each k-th part); all if there are fewer."""
    n = len(sentences)
    return sentences if n <= k else [sentences[i * n // k] for i in range(k)]


Choice = Callable[[Document, list[str]], list[str]]  # (document, all its sentences) -> sentences to embed


def _lead(k: int) -> Choice:
    return lambda doc, _full: lead(doc, k)


def _spread(k: int) -> Choice:
    return lambda doc, full: spread(full, k) or lead(doc, 1)


CHOICES: dict[str, Choice] = {
    "lead 1": _lead(1),
    "lead 3": _lead(3),
    "lead 5": _lead(5),
    "lead 10": _lead(10),
    "spread 5": _spread(5),
    "spread 10": _spread(10),
    "all": lambda doc, full: full or lead(doc, 1),
}
CURRENT = f"lead {LEAD_SENTENCES}"


def read_reuters(n: int) -> list[tuple[str, str]]:
    rows = []
    with gzip.open(REUTERS, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row.get("text", "").strip():
                rows.append((row["id"], row["text"]))
            if len(rows) >= n:
                break
    return rows


def read_ntrex() -> tuple[list[tuple[str, str]], dict[str, list[tuple[str, str]]]]:
    """The English originals and, per language, the translations in the same order."""
    english: dict[str, str] = {}
    translated: dict[str, dict[str, str]] = {}
    for line in NTREX.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["role"] == "source":
            english[row["doc"]] = row["text"]
        else:
            translated.setdefault(row["language"], {})[row["doc"]] = row["text"]
    docs = sorted(english)
    queries = {lang: [(f"{lang}/{d}", translated[lang][d]) for d in docs] for lang in (*USE_SET, *E5_SET)}
    return [(d, english[d]) for d in docs], queries


def texts(name: str, text: str, choices: list[str]) -> dict[str, list[str]]:
    doc = Document(name=name, text=text)
    full = [s.span.text for s in segment(doc).sentences]
    return {c: CHOICES[c](doc, full) for c in choices}


class Stats:
    def __init__(self) -> None:
        self.sentences = 0  # distinct sentences sent to the model
        self.cpu = 0.0
        self.wall = 0.0
        self.cached_chunks = 0


def vectors(
    docs: list[tuple[str, str]], choices: list[str], cache: Path, stats: Stats, label: str
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per choice: document vectors (rows) and sentences used per document."""
    out: dict[str, list[np.ndarray]] = {c: [] for c in choices}
    counts: dict[str, list[np.ndarray]] = {c: [] for c in choices}
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for at in range(0, len(docs), CHUNK):
        chunk = [texts(name, text, choices) for name, text in docs[at : at + CHUNK]]
        key = hashlib.sha1(json.dumps([choices, chunk], ensure_ascii=False).encode()).hexdigest()[:16]
        path = cache / f"{key}.npz"
        if path.exists():
            saved = np.load(path)
            stats.cached_chunks += 1
            for i, c in enumerate(choices):
                out[c].append(saved[f"v{i}"].astype(np.float32))
                counts[c].append(saved[f"n{i}"])
        else:
            union = list(dict.fromkeys(s for doc in chunk for c in choices for s in doc[c]))
            embed.clear_cache()
            cpu, wall = time.process_time(), time.perf_counter()
            embed.encode(union)
            stats.cpu += time.process_time() - cpu
            stats.wall += time.perf_counter() - wall
            stats.sentences += len(union)
            arrays = {}
            for i, c in enumerate(choices):
                arrays[f"v{i}"] = lead_vectors([doc[c] for doc in chunk]).astype(np.float16)  # embed cache hits
                arrays[f"n{i}"] = np.array([len(doc[c]) for doc in chunk], dtype=np.int32)
                out[c].append(arrays[f"v{i}"].astype(np.float32))
                counts[c].append(arrays[f"n{i}"])
            np.savez(path, **arrays)
        done = min(at + CHUNK, len(docs))
        print(f"{label}: {done:,}/{len(docs):,} docs, {time.perf_counter() - started:.0f} s", flush=True)
    return {c: np.concatenate(out[c]) for c in choices}, {c: np.concatenate(counts[c]) for c in choices}


def cost(docs: list[tuple[str, str]]) -> dict[str, dict[str, float]]:
    """Per choice, on these documents: segmenting ms/doc, model ms/doc (CPU and wall), model sentences/s."""
    out = {}
    for c, choose in CHOICES.items():
        cpu = time.process_time()
        chosen = []
        for name, text in docs:
            doc = Document(name=name, text=text)
            full = [s.span.text for s in segment(doc).sentences] if not c.startswith("lead") else []
            chosen.append(choose(doc, full))
        segment_cpu = time.process_time() - cpu
        embed.clear_cache()
        cpu, wall = time.process_time(), time.perf_counter()
        lead_vectors(chosen)
        model_cpu, model_wall = time.process_time() - cpu, time.perf_counter() - wall
        distinct = len({s for sentences in chosen for s in sentences})
        out[c] = {
            "segment_ms": segment_cpu / len(docs) * 1000,
            "model_ms": model_cpu / len(docs) * 1000,
            "model_wall_ms": model_wall / len(docs) * 1000,
            "sentences_s": distinct / model_cpu,
            "sentences_s_wall": distinct / model_wall,
        }
        print(f"cost {c}: {out[c]['model_ms']:.1f} model ms/doc (CPU)", flush=True)
    embed.clear_cache()
    return out


def ranks(collection: np.ndarray, queries: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """1-based rank of each query's target among the collection rows (exact inner product)."""
    collection = collection.astype(np.float16).astype(np.float32)  # the store keeps float16
    scores = queries @ collection.T
    own = scores[np.arange(len(queries)), targets]
    return (scores > own[:, None]).sum(axis=1) + 1


Share = Callable[[dict[str, np.ndarray], tuple[str, ...], int], float]


def recommend(
    names: list[str],
    costs: dict[str, dict[str, float]],
    at_n: dict[str, dict[str, np.ndarray]],
    large: dict[str, dict[str, np.ndarray]],
    large_n: int,
    n: int,
    share: Share,
) -> str:
    """One paragraph, from the numbers: the cheapest choice near the best, and what it means for the current one."""
    ms = {c: costs[c]["model_ms"] for c in names}
    r1 = {c: share(at_n[c], USE_SET, 1) for c in names}
    r1_all = {c: share(at_n[c], (*USE_SET, *E5_SET), 1) for c in names}
    best = max(names, key=lambda c: (r1[c], -ms[c]))
    cheapest = min((c for c in names if r1[c] >= r1[best] - 0.01), key=lambda c: ms[c])
    text = [
        f"On the 7 languages USE was trained on, **{cheapest}** is the cheapest choice within 1 point of the "
        f"best recall@1 ({r1[best]:.3f}, {best}): {r1[cheapest]:.3f} at {ms[cheapest]:.1f} model ms per document "
        f"({1000 / ms[cheapest]:.0f} docs/s on one thread), {ms['all'] / ms[cheapest]:.1f}x the documents per "
        f"model second of embedding every sentence (all: {r1['all']:.3f}, {1000 / ms['all']:.0f} docs/s)."
    ]
    leads = [c for c in names if c.startswith("lead")]
    steps = [
        f"{a} -> {b} {(r1_all[b] - r1_all[a]) * 100:+.1f} points for +{ms[b] - ms[a]:.1f} ms"
        for a, b in zip(leads, leads[1:], strict=False)
    ]
    text.append(f"Each longer lead buys (recall@1, all 11 languages, {n:,} distractors): {'; '.join(steps)}.")
    r10 = {c: share(at_n[c], USE_SET, 10) for c in names}
    full10 = [c for c in names if r10[c] >= 1.0]
    if full10:
        cheap10 = min(full10, key=lambda c: ms[c])
        text.append(
            f"recall@10 on those languages is 1.000 from {cheap10} up, and the collection ranks more candidates "
            "than one before proof, so the points of recall@1 beyond it change a candidate's rank, not whether "
            "it is found."
        )
    if cheapest == CURRENT:
        text.append(f"The current {CURRENT} is that choice: keep it.")
    elif ms[cheapest] < ms[CURRENT]:
        text.append(
            f"The current {CURRENT} costs {ms[CURRENT] / ms[cheapest]:.1f}x as much as {cheapest} for "
            f"{(r1[CURRENT] - r1[cheapest]) * 100:+.1f} points of recall@1 on the USE languages."
        )
    else:
        text.append(
            f"The current {CURRENT} is {(r1[cheapest] - r1[CURRENT]) * 100:.1f} points of recall@1 below it on the "
            f"USE languages, at {ms[CURRENT] / ms[cheapest]:.2f}x its model time."
        )
    other = {c: share(at_n[c], E5_SET, 1) for c in names}
    best_other = max(names, key=lambda c: (other[c], -ms[c]))
    text.append(
        f"On the 4 languages USE was not trained on, more text does not help: recall@1 is best with {best_other} "
        f"({other[best_other]:.3f}) and falls to {other['all']:.3f} with every sentence (more sentences of a "
        "language the model reads poorly probably average towards a generic news vector)."
    )
    if large:
        grown = ", ".join(
            f"{c} {share(large[c], USE_SET, 1):.3f} / {share(large[c], (*USE_SET, *E5_SET), 1):.3f}" for c in large
        )
        text.append(f"With {large_n:,} distractors, recall@1 USE / all 11: {grown}.")
    lost = [lang for lang in E5_SET if max(share(at_n[c], (lang,), 10) for c in names) < 0.5]
    if lost:
        text.append(
            f"No choice rescues {', '.join(lost)} (recall@10 below 0.5 whatever is embedded): USE was not trained on "
            "it, so no choice of sentences helps; finding those translations needs e5 lead vectors (about 20x the "
            "model time), not a longer lead."
        )
    return " ".join(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=10_000, help="Reuters distractors embedded under every choice")
    parser.add_argument("--large-n", type=int, default=20_000, help="distractors for the cheap near-best choices")
    parser.add_argument(
        "--large-choices", default="lead 1,lead 3,lead 5", help="choices also run on --large-n (comma-separated)"
    )
    parser.add_argument("--large-budget", type=int, default=120_000, help="most sentences to embed for --large-n")
    parser.add_argument("--cost-docs", type=int, default=300, help="Reuters articles the model cost is timed on")
    parser.add_argument("--cache", default="/tmp/unspin-bench-lead", help="cached chunk vectors (npz)")
    args = parser.parse_args()
    run_cpu, run_wall = time.process_time(), time.perf_counter()
    cache = Path(args.cache)

    load_start = time.perf_counter()
    embed.load()
    load_s = time.perf_counter() - load_start
    reuters = read_reuters(max(args.n, args.large_n))
    english, queries = read_ntrex()
    names = list(CHOICES)

    costs = cost(reuters[: args.cost_docs])
    stats = Stats()
    distractors, used = vectors(reuters[: args.n], names, cache, stats, "distractors")
    originals, _ = vectors(english, names, cache, stats, "ntrex english")
    asked = {lang: vectors(docs, names, cache, stats, f"ntrex {lang}") for lang, docs in queries.items()}

    def recall(choice: str, n: int, extra: np.ndarray | None = None) -> dict[str, np.ndarray]:
        base = distractors[choice][:n] if extra is None else np.concatenate([distractors[choice], extra])[:n]
        collection = np.concatenate([base, originals[choice]])
        targets = np.arange(len(english)) + len(base)
        return {lang: ranks(collection, asked[lang][0][choice], targets) for lang in queries}

    def share(rank_by_lang: dict[str, np.ndarray], langs: tuple[str, ...], k: int) -> float:
        return float(np.mean(np.concatenate([rank_by_lang[lang] for lang in langs]) <= k))

    everything = (*USE_SET, *E5_SET)
    at_n = {c: recall(c, args.n) for c in names}
    sizes = sorted({n for n in (1_000, 3_000, args.n) if n <= args.n})
    by_size = {c: {n: recall(c, n) for n in sizes} for c in names}

    # the cheapest choices near the best (recall@1 over the USE languages within 1 point), on more distractors
    best_use = max(share(at_n[c], USE_SET, 1) for c in names)
    mean_sentences = {c: float(used[c].mean()) for c in names}
    near = [c for c in names if share(at_n[c], USE_SET, 1) >= best_use - 0.01]
    cheapest = min(near, key=lambda c: costs[c]["model_ms"])
    large_choices = list(dict.fromkeys([cheapest, CURRENT, *args.large_choices.split(",")]))
    more = reuters[args.n : args.large_n]
    large_n = args.n + len(more)
    large: dict[str, dict[str, np.ndarray]] = {}
    while large_choices and sum(mean_sentences[c] for c in large_choices) * len(more) > args.large_budget:
        large_choices.remove(max(large_choices[1:] or large_choices, key=lambda c: mean_sentences[c]))
    if more and large_choices:
        extra, _ = vectors(more, large_choices, cache, stats, "more distractors")
        large = {c: recall(c, args.large_n, extra[c]) for c in large_choices}

    run_cpu, run_wall = time.process_time() - run_cpu, time.perf_counter() - run_wall

    # ------------------------------------------------------------------ report
    manifest = cache / "run.json"  # what the run that embedded the cached chunks cost
    this_run = {"sentences": stats.sentences, "model_cpu_s": stats.cpu, "run_cpu_s": run_cpu, "run_wall_s": run_wall}
    if stats.cached_chunks == 0:
        manifest.write_text(json.dumps(this_run), encoding="utf-8")
        first = this_run
    else:
        first = json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else {}
    if first.get("sentences"):
        model_line = (
            f"the whole run embedded {first['sentences']:,} distinct sentences in {first['model_cpu_s']:.0f} s CPU "
            f"({first['sentences'] / first['model_cpu_s']:.0f}/s)"
        )
    else:
        model_line = "the model cost of the cached chunks was not recorded"
    sample = costs["all"]
    lines = [
        header(f"What to embed per document: translation recall per choice, {args.n:,} distractors"),
        f"Collection: the first {args.n:,} articles of ../shared/data/reuters-20k with text, plus the "
        f"{len(english)} English NTREX-128 articles; queries: their professional translations (62 per language). "
        "The same choice of sentences makes the vector of each collection document and of each query "
        "(normalised mean of USE vectors, `vectors.lead_vectors`; leads from `vectors.lead`, other choices from "
        "`segment`, boilerplate lines skipped). recall@k: the original among the k nearest of "
        f"{args.n + len(english):,} vectors (exact inner product, float16 as stored). spread k: the first "
        "sentence of each k-th part of the article. The collection embeds leads with USE whatever the language "
        f"(only `compare` switches to e5 for {', '.join(E5_SET)}), so those rows are USE on languages it was "
        f"not trained on. unspin {engine()}; model loaded in {load_s * 1000:.0f} ms.\n",
        f"Model cost: measured per choice on the first {args.cost_docs} Reuters articles, that choice's "
        "sentences only, embed cache cleared, one thread, CPU time of the process (wall time on this shared "
        "machine in brackets). docs/s = 1000 / model ms per doc.\n",
        f"### Cost and recall, {args.n:,} distractors + 62 originals\n",
        "| embedded per document | sentences/doc | model ms/doc (wall) | docs/s (model, 1 thread) | "
        "segment ms/doc | recall@1 USE langs (7) | recall@10 USE langs | recall@1 other (4) | "
        "recall@10 other | recall@1 all 11 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in names:
        k = costs[c]
        mark = " (current)" if c == CURRENT else ""
        lines.append(
            f"| {c}{mark} | {mean_sentences[c]:.1f} | {k['model_ms']:.1f} ({k['model_wall_ms']:.1f}) | "
            f"{1000 / k['model_ms']:.0f} | {k['segment_ms']:.2f} | {share(at_n[c], USE_SET, 1):.3f} | "
            f"{share(at_n[c], USE_SET, 10):.3f} | {share(at_n[c], E5_SET, 1):.3f} | "
            f"{share(at_n[c], E5_SET, 10):.3f} | {share(at_n[c], everything, 1):.3f} |"
        )
    lines += [
        "",
        f"sentences/doc: mean over the {args.n:,} distractors. The model ran at "
        f"{sample['sentences_s']:.0f} sentences/s CPU ({sample['sentences_s_wall']:.0f} wall) on all sentences "
        f"of the sample, {costs['lead 1']['sentences_s']:.0f} on first sentences (longer: dateline and lede); "
        f"{model_line}.\n",
        f"### recall@1 (recall@10) per language, {args.n:,} distractors\n",
        "| embedded per document | " + " | ".join(everything) + " |",
        "|---|" + "---|" * len(everything),
    ]
    for c in names:
        cells = [f"{share(at_n[c], (lang,), 1):.2f} ({share(at_n[c], (lang,), 10):.2f})" for lang in everything]
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    head = " | ".join(f"{n:,}" for n in sizes)
    lines += [
        "",
        "### recall@1 over the 7 USE languages / all 11 as the collection grows\n",
        "| embedded per document | " + head + (f" | {large_n:,}" if large else "") + " |",
        "|---|" + "---|" * (len(sizes) + (1 if large else 0)),
    ]
    for c in names:
        cells = [f"{share(by_size[c][n], USE_SET, 1):.3f} / {share(by_size[c][n], everything, 1):.3f}" for n in sizes]
        if large:
            cells.append(
                f"{share(large[c], USE_SET, 1):.3f} / {share(large[c], everything, 1):.3f}" if c in large else "–"
            )
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    if large:
        lines.append(
            f"\n{large_n:,} distractors (all of reuters-20k with text up to --large-n): only for {', '.join(large)}."
        )
    lines += ["", "### Recommendation\n", recommend(names, costs, at_n, large, large_n, args.n, share)]
    run = f"\nRun: {run_wall / 60:.1f} min wall, {run_cpu / 60:.1f} min CPU (one thread; model time dominates)"
    if stats.cached_chunks:
        run += f", {stats.cached_chunks} chunks of vectors read from --cache"
        if first.get("run_wall_s"):
            run += (
                f"; the run that embedded them took {first['run_wall_s'] / 60:.1f} min wall, "
                f"{first['run_cpu_s'] / 60:.1f} min CPU"
            )
    lines.append(run + ".")
    write("lead", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
