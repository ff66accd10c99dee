"""The verbs on a collection (one SQLite file): index add / ls / stats / import, search, clusters, show."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ._common import (
    EXIT_ERROR,
    EXIT_FOUND,
    EXIT_NOT_FOUND,
    Verbs,
    about,
    console,
    existing,
    sources,
    usage,
    verb,
)

if TYPE_CHECKING:
    from ..collection import Hit

# search relations that say the stored document shares the query's source; "unrelated" and "unverified"
# (beyond the proven candidates) are shown with --all only
RELATED = ("identical", "derived-from", "source-of", "common-source")


def add_verbs(verbs: Verbs) -> None:
    index = verb(
        verbs,
        "index",
        "build a collection: add documents, list them, show its counts",
        ["unspin index add crawl.warc.gz pages/ feed.jsonl --db news.db", "unspin index ls --db news.db"],
    )
    index.set_defaults(run=lambda _: usage(index))
    actions = index.add_subparsers(title="actions", metavar="ACTION")
    add = verb(
        actions,
        "add",
        "index files, folders, .jsonl(.gz) and .warc(.gz) into the collection",
        [
            "unspin index add crawl.warc.gz pages/ feed.jsonl --db news.db",
            "zcat feed.jsonl.gz | unspin index add - --db news.db",
        ],
    )
    add.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="files, folders (recursive), .jsonl(.gz), .warc(.gz); - reads JSONL lines (or one document) "
        "from standard input",
    )
    add.add_argument("--db", required=True, help="the collection file (created when missing)")
    add.add_argument("--verbose", action="store_true", help="list every skipped record, one per line, with why")
    add.set_defaults(run=_index_add)

    ls = verb(
        actions,
        "ls",
        "every stored id, with its title, site and date",
        ["unspin index ls --db news.db", "unspin index ls --db news.db --json | jq -r .id"],
    )
    ls.add_argument("--db", required=True, help="the collection file")
    ls.add_argument("--json", action="store_true", help="one JSON line per document: id, title, site, date")
    ls.set_defaults(run=_index_ls)

    stats = verb(actions, "stats", "documents, duplicates, index sizes", ["unspin index stats --db news.db"])
    stats.add_argument("--db", required=True, help="the collection file")
    stats.set_defaults(run=_index_stats)

    load = verb(
        actions,
        "import",
        "load a finished `unspin crawl` folder into a new collection",
        ["unspin index import crawl-2024-04/ --db crawl.db"],
    )
    load.add_argument("dir", metavar="DIR", help="the crawl folder (unspin crawl --out DIR)")
    load.add_argument("--db", required=True, help="the collection file (new)")
    load.set_defaults(run=_index_import)

    search = verb(
        verbs,
        "search",
        "the stored documents likeliest to share a source with DOC",
        [
            "unspin search copy.txt --db news.db",
            "unspin search queries.jsonl --db news.db --json",
            "unspin search copy.txt --db news.db --all --top 20",
        ],
        exits="0 a related document found, 1 none, 2 error (a query that could not be read)",
    )
    search.add_argument(
        "doc", metavar="DOC", help="a document file, a .jsonl of several documents, or - for standard input"
    )
    search.add_argument("--db", required=True, help="the collection file")
    search.add_argument("--top", type=int, default=10, help="results per document")
    search.add_argument(
        "--all", action="store_true", help="also the nearest unrelated and unproven documents, not only related ones"
    )
    search.add_argument("--json", action="store_true", help="one JSON line per query document")
    search.set_defaults(run=_search)

    clusters = verb(
        verbs,
        "clusters",
        "groups of documents sharing a source, with lineage",
        ["unspin clusters --db news.db", "unspin clusters --db news.db --json --min-size 3"],
        exits="0 a cluster found, 1 none, 2 error",
    )
    clusters.add_argument("--db", required=True, help="the collection file")
    clusters.add_argument("--min-size", type=int, default=2, help="smallest cluster shown")
    clusters.add_argument("--json", action="store_true", help="one JSON line per cluster")
    clusters.set_defaults(run=_clusters)

    show = verb(
        verbs,
        "show",
        "one stored document, its cluster, and the proof against its likeliest source",
        ["unspin show https://example.org/story --db news.db", "unspin show reuters-0001 --db news.db --full"],
    )
    show.add_argument("id", metavar="ID", help="the document's id in the collection (unspin index ls lists them)")
    show.add_argument("--db", required=True, help="the collection file")
    show.add_argument("--full", action="store_true", help="whole passages and every substitution in the proof")
    show.set_defaults(run=_show)


def _index_add(args: argparse.Namespace) -> int:
    from ..collection import Collection
    from ..collection.ingest import summary

    inputs = sources(args.paths)
    with Collection(args.db) as collection:
        report = collection.add(inputs, progress=True)
    if args.verbose:
        for skipped in report.skipped:
            print(f"skipped [{skipped.cause}] {skipped.reason}", file=sys.stderr)
    if report.skipped:
        print(summary(report.skipped) + ("" if args.verbose else " (--verbose lists them)"), file=sys.stderr)
    rate = report.added / report.seconds if report.seconds else 0.0
    model = f"{report.sentences / report.model_seconds:,.0f} sentences/s" if report.model_seconds else "-"
    repeated = f"repeated {report.repeated} (ids given again in the input, same text: kept once), "
    print(
        f"added {report.added + report.duplicates} ({report.duplicates} with a text already stored under another id), "
        f"unchanged {report.unchanged}, "
        + (repeated if report.repeated else "")
        + f"skipped {len(report.skipped)} in {report.seconds:.1f} s ({rate:,.0f} docs/s; "
        f"sentence model {report.model_seconds:.1f} s, {model})"
    )
    return EXIT_FOUND


def _index_ls(args: argparse.Namespace) -> int:
    with existing(args.db) as collection:
        for key, meta in collection.ids():
            if args.json:
                row = {"id": key, **{name: meta.get(name) for name in ("title", "site", "date")}}
                print(json.dumps(row, ensure_ascii=False))
            else:
                print(f"{key}\t{about(meta)}")
    return EXIT_FOUND


def _index_stats(args: argparse.Namespace) -> int:
    with existing(args.db) as collection:
        for name, value in collection.stats().items():
            print(f"{name}: {value}")
    return EXIT_FOUND


def _index_import(args: argparse.Namespace) -> int:
    from ..scale import import_crawl

    report = import_crawl(args.dir, args.db)
    print(
        f"imported {report.documents} documents, {report.duplicates} duplicates, {report.links} links, "
        f"{report.verdicts} verdicts into {args.db}"
    )
    return EXIT_FOUND


def _search(args: argparse.Namespace) -> int:
    from ..collection.ingest import Record, count, records
    from ..progress import Progress, wanted

    queries = sources([args.doc])
    found = failed = False
    with (
        existing(args.db) as collection,
        Progress(True, "searching", "queries", count(queries) if wanted() else None) as bar,
    ):
        for query in records(queries):
            if isinstance(query, Record):
                hits = [h for h in collection.search(query.doc, top=args.top) if args.all or h.relation in RELATED]
                found = found or any(h.relation in RELATED for h in hits)
                _print_hits(query.key, hits, args.json)
            else:
                print(f"skipped {query.id}: {query.reason}", file=sys.stderr)
                failed = True
            bar.advance(1)
    if failed:
        return EXIT_ERROR
    return EXIT_FOUND if found else EXIT_NOT_FOUND


def _print_hits(query: str, hits: list[Hit], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"query": query, "results": [h.to_dict() for h in hits]}, ensure_ascii=False))
        return
    print(f"query: {query}")
    if not hits:
        print("  no related document stored (--all lists the nearest ones)")
    for rank, hit in enumerate(hits, 1):
        same = f"  identical to {hit.identical_to}" if hit.identical_to else ""
        if hit.proven_on:
            same += f"  (proven on the first {hit.proven_on} sentences)"
        print(f"  {rank:>2}. {hit.score:.2f}  {hit.relation:<14} {hit.id}  {', '.join(hit.disguise)}{same}")
        if hit.meta:
            print(f"      {about(hit.meta)}")


def _clusters(args: argparse.Namespace) -> int:
    with existing(args.db) as collection:
        found = collection.clusters(min_size=args.min_size, progress=True)
    for cluster in found:
        if args.json:
            print(json.dumps(cluster.to_dict(), ensure_ascii=False))
            continue
        source = cluster.source or "missing (a common source not in the collection)"
        print(f"cluster {cluster.id}: {len(cluster.members)} documents, source {source}")
        for member in cluster.documents:
            print(f"  - {member['id']}  {about(member)}")
        for group in cluster.identical:
            print(f"  identical texts: {', '.join(group)}")
        for d in cluster.derived:
            print(f"  {d.copy} <- {d.source}  (by {d.by}, {d.score:.2f})")
        for a, b in cluster.siblings:
            print(f"  {a} ~ {b}  (siblings)")
    if not args.json:
        print(f"{len(found)} clusters")
    return EXIT_FOUND if found else EXIT_NOT_FOUND


def _show(args: argparse.Namespace) -> int:
    from ..report import print_terminal

    with existing(args.db) as collection:
        stored = collection.get(args.id)
        cluster = collection.cluster_of(stored.id)
        source = collection.likeliest_source(stored.id)
    doc = stored.document
    dated = f"{stored.date} ({stored.dated_by})" if stored.date else "-"
    print(f"{stored.id}  ({doc.format}, {len(doc.text):,} characters, date {dated})")
    for name, value in doc.meta.items():
        print(f"  {name}: {value}")
    if stored.aliases:
        print(f"  identical text also under: {', '.join(stored.aliases)}")
    print(f"cluster: {', '.join(cluster.members) if cluster else 'none'}")
    if source is None:
        print("likeliest source: none found")
        return EXIT_FOUND
    hit, comparison = source
    print(f"likeliest source: {hit.id} ({hit.relation}, {hit.score:.2f})")
    print_terminal(comparison, console(), full=args.full)
    return EXIT_FOUND
