"""The ``unspin`` command: one verb per public function; errors become one line and exit code 2."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UnspinError

if TYPE_CHECKING:
    from .collection import Collection

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    # trafilatura logs a line per page it finds no article in; the collection verbs count those pages instead
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except UnspinError as err:
        print(f"unspin: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("unspin: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="unspin", description="Find out where a text came from.")
    verbs = parser.add_subparsers(dest="verb", required=True)

    compare = verbs.add_parser("compare", help="do two documents share a source, and how was each disguised?")
    compare.add_argument("a", help="first document: a .txt, .md or .html file")
    compare.add_argument("b", help="second document")
    compare.add_argument("--json", action="store_true", help="print the comparison as JSON")
    compare.add_argument("--html", metavar="FILE", help="also write a side-by-side HTML report to FILE")
    compare.set_defaults(run=_compare)

    pan = verbs.add_parser("pan", help="PAN text-alignment interface: detections as PAN XML, one file per pair")
    pan.add_argument("pairs", help="file of 'suspicious.txt source.txt' lines")
    pan.add_argument("src_dir", help="folder of source documents")
    pan.add_argument("susp_dir", help="folder of suspicious documents")
    pan.add_argument("out_dir", help="folder for the detection XML files")
    pan.set_defaults(run=_pan)

    serve = verbs.add_parser("serve", help="the web page and HTTP API on this machine (127.0.0.1 by default)")
    serve.add_argument("--db", help="a collection store (created when missing) for the collection endpoints")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8321, help="port (default 8321)")
    serve.add_argument("--max-bytes", type=int, default=10_000_000, help="largest request body in bytes")
    serve.add_argument("--time-budget", type=float, default=30.0, help="seconds one comparison may take")
    serve.add_argument(
        "--max-pending", type=int, default=64, help="comparisons waiting or running before new ones get 503"
    )
    serve.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    serve.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a Host name to answer besides 127.0.0.1, localhost and ::1 (repeatable)",
    )
    serve.add_argument(
        "--token",
        help="require 'Authorization: Bearer TOKEN' on the API (needed to bind beyond loopback; "
        "open the page as http://host:port/#token=TOKEN); default: $UNSPIN_TOKEN",
    )
    serve.set_defaults(run=_serve)
    inspect = verbs.add_parser("inspect", help="signs of spinning or machine translation in one document, no source")
    inspect.add_argument("doc", help="the document: a .txt, .md or .html file")
    inspect.add_argument("--json", action="store_true", help="print the inspection as JSON")
    inspect.add_argument("--html", metavar="FILE", help="also write the document with its marks as HTML to FILE")
    inspect.add_argument("--phrases", metavar="FILE", help="your own tortured phrases: 'tortured<TAB>original' lines")
    inspect.add_argument("--db", help="a collection (unspin index): word pairs its documents use often count as known")
    inspect.set_defaults(run=_inspect)
    _collection_verbs(verbs)
    _crawl_verb(verbs)
    return parser


def _collection_verbs(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    index = verbs.add_parser("index", help="build a collection: add documents, show its counts")
    actions = index.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="index files, folders, .jsonl(.gz) and .warc(.gz) into the collection")
    add.add_argument("paths", nargs="+", metavar="PATH", help="files, folders (recursive), .jsonl(.gz), .warc(.gz)")
    add.add_argument("--db", required=True, help="the collection file (created when missing)")
    add.add_argument("--verbose", action="store_true", help="list every skipped record, one per line, with why")
    add.set_defaults(run=_index_add)
    stats = actions.add_parser("stats", help="documents, duplicates, index sizes")
    stats.add_argument("--db", required=True, help="the collection file")
    stats.set_defaults(run=_index_stats)
    _index_import_verb(actions)

    search = verbs.add_parser("search", help="the stored documents likeliest to share a source with DOC")
    search.add_argument("doc", metavar="DOC", help="a document file, or a .jsonl of several documents")
    search.add_argument("--db", required=True, help="the collection file")
    search.add_argument("--top", type=int, default=10, help="results per document (default 10)")
    search.add_argument("--json", action="store_true", help="one JSON line per query document")
    search.set_defaults(run=_search)

    clusters = verbs.add_parser("clusters", help="groups of documents sharing a source, with lineage")
    clusters.add_argument("--db", required=True, help="the collection file")
    clusters.add_argument("--min-size", type=int, default=2, help="smallest cluster shown (default 2)")
    clusters.add_argument("--json", action="store_true", help="one JSON line per cluster")
    clusters.set_defaults(run=_clusters)

    show = verbs.add_parser("show", help="one stored document, its cluster, and the proof against its likeliest source")
    show.add_argument("id", metavar="ID", help="the document's id in the collection")
    show.add_argument("--db", required=True, help="the collection file")
    show.set_defaults(run=_show)


def _crawl_verb(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    crawl = verbs.add_parser(
        "crawl", help="the collection's pipeline over a whole crawl, in shards, on a process pool or a Ray cluster"
    )
    crawl.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders, .jsonl(.gz), .warc(.gz), .parquet")
    crawl.add_argument("--out", required=True, metavar="DIR", help="crawl folder (a rerun of the command resumes it)")
    crawl.add_argument(
        "--engine", choices=("local", "ray"), default="local", help="local process pool (default) or Ray"
    )
    crawl.add_argument(
        "--address", help="a running Ray cluster (e.g. ray://head:10001 or auto); default: start one here"
    )
    crawl.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    crawl.add_argument("--gpus", type=float, default=0.0, help="GPUs shared by the model actors (ray engine)")
    crawl.add_argument("--shard-size", type=int, default=1000, help="records per shard (default 1000)")
    crawl.add_argument(
        "--fast-model",
        action="store_true",
        help="lead vectors from the sentence model's int8 form: ~1.6x faster, vectors at cosine ~0.9999 "
        "(pip install 'unspin[fast]')",
    )
    crawl.add_argument("--json", action="store_true", help="print the crawl report as JSON")
    crawl.set_defaults(run=_crawl)


def _crawl(args: argparse.Namespace) -> int:
    import json

    from .scale import crawl

    if args.shard_size < 1 or (args.workers is not None and args.workers < 0):
        raise UnspinError("--shard-size must be 1 or more and --workers 0 or more")
    report = crawl(
        args.inputs,
        args.out,
        engine=args.engine,
        workers=args.workers,
        address=args.address,
        gpus=args.gpus,
        shard_size=args.shard_size,
        progress=True,
        fast_model=args.fast_model,
    )
    for skipped in report.skipped:
        print(f"skipped {skipped.id}: {skipped.reason}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
        return 0
    rate = report.documents / report.seconds if report.seconds else 0.0
    print(
        f"crawled {report.documents} documents (duplicates {report.duplicates}, skipped {len(report.skipped)}) "
        f"in {report.seconds:.1f} s ({rate:,.0f} docs/s, {report.engine} engine, {report.workers} workers): "
        f"{report.pairs} candidate pairs proven, {report.links} one story, {len(report.clusters)} clusters; "
        f"tables in {report.out}"
    )
    return 0


def _index_import_verb(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    load = actions.add_parser("import", help="load a finished `unspin crawl` folder into a new collection")
    load.add_argument("dir", metavar="DIR", help="the crawl folder (unspin crawl --out DIR)")
    load.add_argument("--db", required=True, help="the collection file (new)")
    load.set_defaults(run=_index_import)


def _index_import(args: argparse.Namespace) -> int:
    from .scale import import_crawl

    report = import_crawl(args.dir, args.db)
    print(
        f"imported {report.documents} documents, {report.duplicates} duplicates, {report.links} links, "
        f"{report.verdicts} verdicts into {args.db}"
    )
    return 0


def _index_add(args: argparse.Namespace) -> int:
    from .collection import Collection
    from .collection.ingest import summary

    _need_paths(args.paths)
    with Collection(args.db) as collection:
        report = collection.add(args.paths, progress=True)
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
    return 0


def _index_stats(args: argparse.Namespace) -> int:
    with _existing(args.db) as collection:
        for name, value in collection.stats().items():
            print(f"{name}: {value}")
    return 0


def _search(args: argparse.Namespace) -> int:
    import json

    from .collection.ingest import Record, records

    _need_paths([args.doc])
    queries = list(records([args.doc]))
    with _existing(args.db) as collection:
        for query in queries:
            if not isinstance(query, Record):
                print(f"skipped {query.id}: {query.reason}", file=sys.stderr)
                continue
            hits = collection.search(query.doc, top=args.top)
            if args.json:
                print(json.dumps({"query": query.key, "results": [h.to_dict() for h in hits]}, ensure_ascii=False))
                continue
            print(f"query: {query.key}")
            for rank, hit in enumerate(hits, 1):
                same = f"  identical to {hit.identical_to}" if hit.identical_to else ""
                if hit.proven_on:
                    same += f"  (proven on the first {hit.proven_on} sentences)"
                print(f"  {rank:>2}. {hit.score:.2f}  {hit.relation:<14} {hit.id}  {', '.join(hit.disguise)}{same}")
                if hit.meta:
                    print(f"      {_about(hit.meta)}")
    return 0


def _clusters(args: argparse.Namespace) -> int:
    import json

    with _existing(args.db) as collection:
        found = collection.clusters(min_size=args.min_size, progress=True)
    for cluster in found:
        if args.json:
            print(json.dumps(cluster.to_dict(), ensure_ascii=False))
            continue
        source = cluster.source or "missing (a common source not in the collection)"
        print(f"cluster {cluster.id}: {len(cluster.members)} documents, source {source}")
        for member in cluster.documents:
            print(f"  - {member['id']}  {_about(member)}")
        for group in cluster.identical:
            print(f"  identical texts: {', '.join(group)}")
        for d in cluster.derived:
            print(f"  {d.copy} <- {d.source}  (by {d.by}, {d.score:.2f})")
        for a, b in cluster.siblings:
            print(f"  {a} ~ {b}  (siblings)")
    if not args.json:
        print(f"{len(found)} clusters")
    return 0


def _show(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .report import print_terminal

    with _existing(args.db) as collection:
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
        return 0
    hit, comparison = source
    print(f"likeliest source: {hit.id} ({hit.relation}, {hit.score:.2f})")
    print_terminal(comparison, Console())
    return 0


def _about(meta: dict[str, object]) -> str:
    """A document's metadata on one line: title, site, date (and which date it is)."""
    date = f"{meta['date']} ({meta.get('dated_by') or 'date'})" if meta.get("date") else "undated"
    return " | ".join(str(v) for v in (meta.get("title"), meta.get("site"), date) if v)


def _compare(args: argparse.Namespace) -> int:
    from .compare import compare
    from .report import print_terminal, to_html, to_json

    comparison = compare(Path(args.a), Path(args.b))
    if args.html:
        _write_text(Path(args.html), to_html(comparison))
    if args.json:
        print(to_json(comparison))
    else:
        from rich.console import Console

        print_terminal(comparison, Console())
        if args.html:
            print(f"HTML report: {args.html}")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    import json

    from .document import load
    from .inspect import inspect, to_html

    doc = load(Path(args.doc))
    if args.db:
        _existing(args.db).close()
    result = inspect(doc, phrases=Path(args.phrases) if args.phrases else None, db=args.db)
    if args.html:
        _write_text(Path(args.html), to_html(doc, result))
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"spun score {result.spun_score:.2f}{' (reads as spun)' if result.spun else ''}")
    for t in result.tortured:
        print(f"  {t.span.start}-{t.span.end} {t.span.text!r} <- {t.original!r} ({t.score:.2f}, {t.source})")
    print(f"translated score {result.translated_score:.2f}{' (reads as translated)' if result.translated else ''}")
    for a in result.artefacts:
        print(f"  {a.span.start}-{a.span.end} {a.span.text!r} {a.kind}" + (f" <- {a.original!r}" if a.original else ""))
    if args.html:
        print(f"HTML report: {args.html}")
    return 0


def _pan(args: argparse.Namespace) -> int:
    from .evaluation.pan import run_pan

    result = run_pan(Path(args.pairs), Path(args.src_dir), Path(args.susp_dir), Path(args.out_dir))
    for susp, src, reason in result.skipped:
        print(f"skipped {susp} {src}: {reason}", file=sys.stderr)
    print(
        f"{result.pairs} pairs: {result.written} detection files written to {args.out_dir} "
        f"({result.detections} detections), {len(result.skipped)} skipped"
    )
    return 1 if result.skipped else 0


def _serve(args: argparse.Namespace) -> int:
    import ipaddress

    from .service import make_app
    from .service.server import serve

    token = args.token or os.environ.get("UNSPIN_TOKEN") or None
    try:
        loopback = ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = args.host == "localhost"
    if not loopback and not token:
        raise UnspinError(
            f"--host {args.host} lets other machines in: give --token (or set UNSPIN_TOKEN) so only you can use it"
        )
    hosts = list(args.allow_host)
    if not loopback and args.host not in ("0.0.0.0", "::"):
        hosts.append(args.host)  # the address it is bound to is one of its names
    app = make_app(
        db=args.db,
        max_bytes=args.max_bytes,
        time_budget_s=args.time_budget,
        max_pending=args.max_pending,
        workers=args.workers,
        allow_hosts=hosts,
        token=token,
    )
    page = f"http://{args.host}:{args.port}/" + (f"#token={token}" if token else "")
    print(f"unspin serve: {page}  (Ctrl+C to stop)", flush=True)
    serve(app, args.host, args.port)
    return 0


def _need_paths(paths: Sequence[str]) -> None:
    """Refuse a missing input path up front (a typo), before anything is read or written."""
    for path in paths:
        if not os.path.lexists(path):
            raise UnspinError(f"{path}: no such file or folder; check the path")


def _existing(db: str) -> Collection:
    """A collection that must exist already: a read command never creates an empty one from a typo."""
    from .collection import Collection

    if not Path(db).exists():
        raise UnspinError(f"{db}: no such collection; check the --db path (`unspin index add` creates one)")
    return Collection(db)


def _write_text(path: Path, text: str) -> None:
    """Write through a temporary file, so a failed write never leaves half a report."""
    try:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        raise UnspinError(f"{path}: cannot write the report ({err.strerror}); check the folder exists") from None


if __name__ == "__main__":
    sys.exit(main())
