"""The verbs that run for long: serve (the web page and API) and crawl (the pipeline over a whole crawl)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from ..errors import UnspinError
from ._common import EXIT_FOUND, Verbs, verb


def add_verbs(verbs: Verbs) -> None:
    serve = verb(
        verbs,
        "serve",
        "the web page and HTTP API on this machine (127.0.0.1 by default)",
        [
            "unspin serve                       # then open http://127.0.0.1:8321/",
            "unspin serve --db news.db --port 9000",
            "unspin serve --host 0.0.0.0 --token s3cret",
        ],
    )
    serve.add_argument("--db", help="a collection store (created when missing) for the collection endpoints")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8321, help="port")
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

    crawl = verb(
        verbs,
        "crawl",
        "the collection's pipeline over a whole crawl, in shards, on a process pool or a Ray cluster",
        [
            "unspin crawl warc/*.warc.gz --out crawl-2024-04",
            "unspin crawl /shared/warc --out /shared/crawl --engine ray --address auto",
        ],
    )
    crawl.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders, .jsonl(.gz), .warc(.gz), .parquet")
    crawl.add_argument("--out", required=True, metavar="DIR", help="crawl folder (a rerun of the command resumes it)")
    crawl.add_argument("--engine", choices=("local", "ray"), default="local", help="local process pool or Ray")
    crawl.add_argument(
        "--address", help="a running Ray cluster (e.g. ray://head:10001 or auto); default: start one here"
    )
    crawl.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    crawl.add_argument("--gpus", type=float, default=0.0, help="GPUs shared by the model actors (ray engine)")
    crawl.add_argument("--shard-size", type=int, default=1000, help="records per shard")
    crawl.add_argument(
        "--fast-model",
        action="store_true",
        help="lead vectors from the sentence model's int8 form: ~1.6x faster, vectors at cosine ~0.9999 "
        "(pip install 'unspin[fast]')",
    )
    crawl.add_argument("--json", action="store_true", help="print the crawl report as JSON")
    crawl.set_defaults(run=_crawl)


def _serve(args: argparse.Namespace) -> int:
    import ipaddress

    from ..service import make_app
    from ..service.server import serve

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
    return EXIT_FOUND


def _crawl(args: argparse.Namespace) -> int:
    from ..scale import crawl

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
        return EXIT_FOUND
    rate = report.documents / report.seconds if report.seconds else 0.0
    print(
        f"crawled {report.documents} documents (duplicates {report.duplicates}, skipped {len(report.skipped)}) "
        f"in {report.seconds:.1f} s ({rate:,.0f} docs/s, {report.engine} engine, {report.workers} workers): "
        f"{report.pairs} candidate pairs proven, {report.links} one story, {len(report.clusters)} clusters; "
        f"tables in {report.out}"
    )
    return EXIT_FOUND
