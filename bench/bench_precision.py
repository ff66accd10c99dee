"""Precision on Reuters: natural re-edits clustered, unrelated articles on the same company or market kept apart.

Labels: bench/labels/reuters_pairs.tsv, 100 pairs of ../shared/data/reuters-20k articles labelled by hand.
Labelling rule (also at the top of the TSV): *same-story* when the two articles are versions of one report
(re-edit, update, correction, reissue, a rewrite that keeps its facts and quotes) or one reuses a passage of
the other's own text (a factbox, timeline or paragraph); *different* when they report separate news events,
even on the same company, market or saga, including recurring reports (weekly claims, monthly sales, daily
market wraps) of different dates. Standing template wording or a one-line company description in common does
not make a pair the same story. Reasons marked "borderline:" needed judgement.

How the pairs were drawn (seed 5, from all of reuters-20k indexed by unspin c2ab974): 50 the collection linked
(10 each from the verified cluster links by shared word 8-gram overlap: none, (0, 0.1), [0.1, 0.5), >= 0.5,
and 10 pairs in one cluster without a direct link) and 50 it did not (15 cheap links the engine rejected,
20 pairs naming the same company, by RIC code in the lead, at most 3 days apart, 15 nearest lead-vector
neighbours at most 7 days apart with no cheap link). The sample is stratified, so precision and recall over
it are not those of the whole collection; the per-stratum table shows where the errors are.

Measured, with whatever unspin is importable (the working tree's src unless PYTHONPATH says otherwise):
* the collection's decision: both articles in one cluster of ``Collection.clusters()`` over all of
  reuters-20k (and, apart, whether the pair is one of the clusters' direct links), which links only pairs
  that are one story (``Collection.story``: how much of the texts the reused passages cover once stock
  sentences are left out, numbers, dates); the reasons are counted over all proven links;
* ``unspin.compare(a, b).related`` on the pair alone.
The collection is indexed once into ``--db`` (about 5 minutes here) and reused; the engine that built it is
written beside it (``<db>.engine``) and the result says when it differs from the engine measured, since the
links and the cached verdicts then belong to the older engine (``--rebuild`` indexes afresh).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import math
import statistics
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _common import DATA, engine, header, load_models, write  # isort: skip - first: one thread before numpy loads

import unspin
from unspin import Collection, Document

REUTERS = DATA / "reuters-20k" / "reuters-20k.jsonl.gz"
ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "bench" / "labels" / "reuters_pairs.tsv"
SAME, DIFFERENT = "same-story", "different"


def read_labels(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    for row in rows:
        if row["label"] not in (SAME, DIFFERENT):
            raise SystemExit(f"{path}: unknown label {row['label']!r} for {row['id_a']} / {row['id_b']}")
    return rows


def read_articles(ids: set[str]) -> dict[str, dict[str, Any]]:
    found = {}
    with gzip.open(REUTERS, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["id"] in ids:
                found[row["id"]] = row
    missing = ids - found.keys()
    if missing:
        raise SystemExit(f"{len(missing)} labelled ids not in {REUTERS}, e.g. {sorted(missing)[0]}")
    return found


def measured_engine() -> str:
    """The engine measured: ``_common.engine()`` for this checkout's src, else the commit of the src imported."""
    src = Path(unspin.__file__).resolve().parents[1]
    if src == ROOT / "src":
        return engine()

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=src, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    diff = git("diff", "HEAD", "--", ".")
    return f"{commit} + uncommitted src diff {hashlib.sha1(diff.encode()).hexdigest()[:8]}" if diff else commit


def open_collection(db: Path, rebuild: bool, measured: str) -> tuple[Collection, str, str]:
    """The reuters-20k collection in ``db`` (indexed here when missing), the engine that built it, and a note."""
    stamp = Path(str(db) + ".engine")
    if rebuild:
        for suffix in ("", "-wal", "-shm", ".engine"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    note = ""
    if not db.exists():
        start = time.perf_counter()
        collection = Collection(db)
        report = collection.add(REUTERS)
        stamp.write_text(measured + "\n", encoding="utf-8")
        note = (
            f"Indexed here: {report.added:,} documents ({report.duplicates} identical texts kept as aliases, "
            f"{len(report.skipped)} skipped) in {time.perf_counter() - start:.0f} s."
        )
        return collection, measured, note
    built = stamp.read_text(encoding="utf-8").strip() if stamp.exists() else "unknown (no .engine file)"
    return Collection(db), built, note


def wilson(hits: int, n: int, z: float = 1.96) -> str:
    if n == 0:
        return "n/a"
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return f"{max(0.0, centre - half):.2f}–{min(1.0, centre + half):.2f}"


def scores(rows: list[dict[str, Any]], key: str) -> tuple[str, list[str]]:
    """The summary line (precision, recall, 95% intervals) and the confusion table for one decision."""
    tp = sum(1 for r in rows if r[key] and r["label"] == SAME)
    fp = sum(1 for r in rows if r[key] and r["label"] == DIFFERENT)
    fn = sum(1 for r in rows if not r[key] and r["label"] == SAME)
    tn = sum(1 for r in rows if not r[key] and r["label"] == DIFFERENT)
    precision = f"{tp / (tp + fp):.2f}" if tp + fp else "n/a"
    recall = f"{tp / (tp + fn):.2f}" if tp + fn else "n/a"
    line = (
        f"precision **{precision}** ({tp} of {tp + fp}, 95% CI {wilson(tp, tp + fp)}), "
        f"recall **{recall}** ({tp} of {tp + fn}, 95% CI {wilson(tp, tp + fn)})"
    )
    table = [
        "| | labelled same-story | labelled different |",
        "|---|---|---|",
        f"| unspin: yes | {tp} | {fp} |",
        f"| unspin: no | {fn} | {tn} |",
    ]
    return line, table


def story_note(story: Any) -> str:
    if story is None:
        return "same text"
    days = "undated" if story.days is None else f"{story.days:.0f} d"
    return f"{story.reason} ({story.share_a:.2f}/{story.share_b:.2f}, {days})"


def short(key: str) -> str:
    return key.split("/", 1)[1] if key.startswith("rfn/") else key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", type=Path, required=True, help="collection of all of reuters-20k (made if missing)")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--rebuild", action="store_true", help="index reuters-20k into --db afresh")
    args = parser.parse_args()

    labels = read_labels(args.labels)
    articles = read_articles({r[k] for r in labels for k in ("id_a", "id_b")})
    measured = measured_engine()
    load_s = load_models()
    collection, built, note = open_collection(args.db, args.rebuild, measured)

    start = time.perf_counter()
    clusters = collection.clusters()
    cluster_s = time.perf_counter() - start
    cluster_of: dict[str, int] = {}
    direct: set[frozenset[str]] = set()
    for number, cluster in enumerate(clusters):
        for member in cluster.members:
            cluster_of[member] = number
        direct.update(frozenset((d.copy, d.source)) for d in cluster.derived)
        direct.update(frozenset(pair) for pair in cluster.siblings)

    reasons: Counter[str] = Counter()
    db = collection.store.db
    for a, b in db.execute("SELECT a, b FROM edges").fetchall():
        key_a, key_b = (db.execute("SELECT key FROM docs WHERE id = ?", (n,)).fetchone()[0] for n in (a, b))
        verdict = db.execute("SELECT related FROM verdicts WHERE a = ? AND b = ?", (a, b)).fetchone()
        reasons[collection.story(key_a, key_b).reason if verdict and verdict[0] else "compare: unrelated"] += 1

    rows: list[dict[str, Any]] = []
    compare_ms: list[float] = []
    for label in labels:
        a, b = (collection.get(label[k]).id for k in ("id_a", "id_b"))  # an alias resolves to its stored text
        docs = [
            Document(name=k, text=articles[k]["text"], meta={f: articles[k].get(f) for f in ("title", "date")})
            for k in (label["id_a"], label["id_b"])
        ]
        tick = time.perf_counter()
        comparison = unspin.compare(docs[0], docs[1])
        compare_ms.append((time.perf_counter() - tick) * 1000)
        rows.append(
            {
                **label,
                "clustered": a == b or (a in cluster_of and cluster_of.get(a) == cluster_of.get(b)),
                "direct": a == b or frozenset((a, b)) in direct,
                "story": collection.story(a, b) if a != b else None,
                "related": comparison.related,
                "relation": comparison.relation,
                "score": comparison.score,
            }
        )

    counts = Counter((r["drawn_from"], r["label"]) for r in rows)
    lines = [
        header("Precision on Reuters: 100 hand-labelled pairs"),
        f"unspin {measured}; models loaded in {load_s * 1000:.0f} ms. Collection `{args.db}`: "
        f"{collection.stats()['documents']:,} documents of ../shared/data/reuters-20k, indexed by unspin {built}"
        + (
            " — **not the engine measured**: its links and cached verdicts are the older engine's "
            "(rerun with `--rebuild`)."
            if built != measured
            else "."
        )
        + (f" {note}" if note else "")
        + f" `clusters()`: {len(clusters):,} clusters in {cluster_s:.1f} s.\n",
        "Labels: `bench/labels/reuters_pairs.tsv`, read by hand (titles, dates, texts). Rule: *same-story* when the "
        "two are versions of one report (re-edit, update, correction, reissue, a rewrite keeping its facts and "
        "quotes) or one reuses a passage of the other's own text (factbox, timeline, paragraph); *different* "
        "when they report separate events, even on the same company, market or saga, or are recurring reports "
        "(weekly claims, monthly sales, market wraps) of different dates. Drawn with seed 5 from the links of "
        "unspin c2ab974 (see the script's docstring): "
        f"linked stratum {counts['linked', SAME]} same-story / {counts['linked', DIFFERENT]} different, "
        f"unlinked stratum {counts['unlinked', SAME]} same-story / {counts['unlinked', DIFFERENT]} different. "
        "The sample is stratified: these figures are over it, not over the whole collection.\n",
    ]
    decisions = [
        ("clustered", "Collection: both in one cluster (`Collection.clusters()`, transitive)"),
        ("direct", "Collection: a direct cluster link between the two"),
        ("related", "`unspin.compare(a, b).related` on the pair alone"),
    ]
    for key, title in decisions:
        line, table = scores(rows, key)
        lines += [f"### {title}\n", line + "\n", *table, ""]

    order = ["whole text", "shared story", "numbers differ", "far apart", "stock text", "little shared"]
    lines += [
        "### Why the collection's cheap links were kept or dropped (all of reuters-20k)\n",
        f"{sum(reasons.values()):,} cheap links found at add time; `compare` proves them, and `Collection.story` "
        "keeps those that are one story (the first two reasons):\n",
        "| reason | links |",
        "|---|---|",
        *(f"| {r} | {reasons[r]:,} |" for r in [*order, "compare: unrelated"] if reasons[r]),
        "",
    ]
    lines += [
        "### By stratum (as drawn)\n",
        "| drawn from | stratum | n | same-story | clustered (of them same-story) | compare related (same-story) |",
        "|---|---|---|---|---|---|",
    ]
    strata: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        strata.setdefault((r["drawn_from"], r["stratum"]), []).append(r)
    for (drawn, stratum), group in strata.items():
        same = [r for r in group if r["label"] == SAME]
        lines.append(
            f"| {drawn} | {stratum} | {len(group)} | {len(same)} "
            f"| {sum(r['clustered'] for r in group)} ({sum(r['clustered'] for r in same)}) "
            f"| {sum(r['related'] for r in group)} ({sum(r['related'] for r in same)}) |"
        )

    wrong = [r for r in rows if r["clustered"] != (r["label"] == SAME) or r["related"] != (r["label"] == SAME)]
    lines += [
        "",
        f"### Disagreements with the labels ({len(wrong)} pairs)\n",
        "Collection = one cluster; compare = relation and score. The note is the labeller's reason.\n",
        "Story: why `Collection.story` says the pair is or is not one story (share of each text in reused "
        "non-stock passages, days apart).\n",
        "| id a | id b | label | collection | story | compare | labeller's note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in sorted(wrong, key=lambda r: (r["label"], r["drawn_from"], r["stratum"])):
        collection_says = ("clustered" + (", direct link" if r["direct"] else "")) if r["clustered"] else "apart"
        lines.append(
            f"| {short(r['id_a'])} | {short(r['id_b'])} | {r['label']} | {collection_says} | {story_note(r['story'])} "
            f"| {r['relation']} {r['score']:.2f} | {r['reason']} |"
        )
    lines += [
        "",
        f"compare: median {statistics.median(compare_ms):.0f} ms a pair, "
        f"max {max(compare_ms):.0f} ms (shared 2-core machine, one thread).",
    ]
    write("precision", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
