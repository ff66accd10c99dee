"""Would e5 lead vectors find the translations USE cannot (Armenian above all), and what would they cost?

The collection's lead vectors are USE vectors (``unspin.collection.vectors``); USE was not trained on
Armenian, Azerbaijani, Indonesian or Ukrainian, and for Armenian translations the English original is
rarely among the nearest (BENCHMARKS.md, answers). This measures the alternative the collection does not
ship: a second vector per document from multilingual-e5-small (``embed.encode(..., model="e5")``), the
first 1 or 3 lead sentences (``vectors.lead``) joined, for ``--n`` Reuters distractors plus the 62 English
NTREX-128 originals, and the same for every translation in those four languages (the queries). recall@k:
the original among the k nearest (exact inner product). Beside it, the USE lead vectors (what the
collection stores) on the same documents. Cost: CPU seconds of this process per collection document for
each model, one thread, embed cache cleared, which is what indexing would pay on top.
"""

from __future__ import annotations

import argparse
import json
import time

from _common import DATA, engine, header, read_reuters, write  # isort: skip - first: one thread before numpy loads

import numpy as np

from unspin import embed
from unspin.collection.vectors import lead, lead_vectors
from unspin.document import Document

NTREX = DATA / "ntrex128-dev" / "ntrex128-dev.jsonl"
LANGUAGES = ("hye", "aze-Latn", "ind", "ukr")


def leads(texts: list[str]) -> list[list[str]]:
    return [lead(Document(name="doc", text=t)) for t in texts]


def e5_vectors(leads_: list[list[str]], k: int) -> np.ndarray:
    return embed.encode([" ".join(sentences[:k]) for sentences in leads_], model="e5")


def recall(collection: np.ndarray, queries: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Rank (1 = first) of each query's target row among the collection rows."""
    sims = queries @ collection.T
    return (sims > sims[np.arange(len(queries)), targets][:, None]).sum(axis=1) + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=1000, help="Reuters distractors (the collection bench has 20,000)")
    args = parser.parse_args()

    rows = [json.loads(line) for line in NTREX.read_text(encoding="utf-8").splitlines()]
    english = [r for r in rows if r["role"] == "source"]
    docs = [r["text"] for r in english] + [r["text"] for r in read_reuters(args.n)]
    position = {r["doc"]: i for i, r in enumerate(english)}
    doc_leads = leads(docs)
    embed.load()
    embed.encode(["warm up"], model="e5")

    cost: dict[str, float] = {}
    collection: dict[str, np.ndarray] = {}
    embed.clear_cache()
    start = time.process_time()
    collection["USE lead 3 (stored today)"] = lead_vectors(doc_leads)
    cost["USE lead 3 (stored today)"] = time.process_time() - start
    for k in (1, 3):
        embed.clear_cache()
        start = time.process_time()
        collection[f"e5 lead {k}"] = e5_vectors(doc_leads, k)
        cost[f"e5 lead {k}"] = time.process_time() - start
        print(f"e5 lead {k}: {cost[f'e5 lead {k}'] / len(docs) * 1000:.0f} ms CPU/doc", flush=True)

    table: dict[str, dict[str, tuple[float, float]]] = {}
    for lang in LANGUAGES:
        queries = [r for r in rows if r.get("language") == lang]
        targets = np.array([position[r["doc"]] for r in queries])
        query_leads = leads([r["text"] for r in queries])
        for name, matrix in collection.items():
            if name.startswith("USE"):
                vectors = lead_vectors(query_leads)
            else:
                vectors = e5_vectors(query_leads, int(name.split()[-1]))
            ranks = recall(matrix, vectors, targets)
            table.setdefault(name, {})[lang] = (float((ranks == 1).mean()), float((ranks <= 10).mean()))

    lines = [
        header(f"e5 lead vectors for languages USE does not know: recall and index cost, {len(docs):,} documents"),
        f"Collection: the 62 English NTREX-128 originals plus the first {args.n:,} Reuters articles of "
        "../shared/data/reuters-20k with text; queries: every NTREX-128 translation in "
        f"{', '.join(LANGUAGES)} (62 each). Not what the collection ships (it stores USE lead vectors only): an "
        "experiment on whether a second, e5 vector per document would be worth its cost. Fewer distractors "
        f"than the 20k collection: recall at 20k would be lower. unspin {engine()}.\n",
        "| vectors | CPU ms/doc (index cost) | " + " | ".join(f"{lang} first / top 10" for lang in LANGUAGES) + " |",
        "|---|---|" + "---|" * len(LANGUAGES),
    ]
    for name in collection:
        cells = " | ".join(f"{table[name][lang][0]:.3f} / {table[name][lang][1]:.3f}" for lang in LANGUAGES)
        lines.append(f"| {name} | {cost[name] / len(docs) * 1000:.1f} | {cells} |")
    lines += [
        "",
        "CPU ms/doc: this process, one thread, embed cache cleared, the documents' leads only (the queries' "
        "not counted). For scale: indexing the 20k collection costs about 8 ms/doc in all "
        "(BENCHMARKS.md, collection).",
        "",
    ]
    write("e5_lead", "\n".join(lines))


if __name__ == "__main__":
    main()
