"""The verbs on documents given as files: compare, inspect, pan."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import UnspinError
from ..report.terminal import SUBSTITUTIONS
from ._common import EXIT_ERROR, EXIT_FOUND, EXIT_NOT_FOUND, STDIN, Verbs, console, document, verb, write_text


def add_verbs(verbs: Verbs) -> None:
    compare = verb(
        verbs,
        "compare",
        "do two documents share a source, and how was each disguised?",
        [
            "unspin compare article.txt copy.html",
            "unspin compare article.txt copy.txt --json | jq .relation",
            "curl -s https://example.org/page | unspin compare article.txt -",
            "unspin compare a.txt b.txt >/dev/null && echo related",
        ],
        exits="0 related, 1 unrelated, 2 error",
    )
    compare.add_argument("a", help="first document: a .txt, .md or .html file, or - for standard input")
    compare.add_argument("b", help="second document (or -)")
    compare.add_argument("--json", action="store_true", help="print the comparison as JSON (Comparison.to_dict())")
    compare.add_argument("--html", metavar="FILE", help="also write a side-by-side HTML report to FILE")
    compare.add_argument("--full", action="store_true", help="whole passages and every substitution in the report")
    compare.add_argument(
        "--substitutions",
        type=int,
        default=SUBSTITUTIONS,
        metavar="N",
        help="substitution pairs listed before 'and N more' (--full lists all)",
    )
    compare.set_defaults(run=_compare)

    inspect = verb(
        verbs,
        "inspect",
        "signs of spinning or machine translation in one document, no source",
        ["unspin inspect page.html", "unspin inspect article.txt --json", "pbpaste | unspin inspect -"],
        exits="0 something flagged (a tortured phrase, a translation trace, or the document reads as spun or "
        "translated), 1 nothing flagged, 2 error",
    )
    inspect.add_argument("doc", help="the document: a .txt, .md or .html file, or - for standard input")
    inspect.add_argument("--json", action="store_true", help="print the inspection as JSON")
    inspect.add_argument("--html", metavar="FILE", help="also write the document with its marks as HTML to FILE")
    inspect.add_argument("--phrases", metavar="FILE", help="your own tortured phrases: 'tortured<TAB>original' lines")
    inspect.add_argument("--db", help="a collection (unspin index): word pairs its documents use often count as known")
    inspect.set_defaults(run=_inspect)

    pan = verb(
        verbs,
        "pan",
        "PAN text-alignment interface: detections as PAN XML, one file per pair",
        ["unspin pan pan13/pairs pan13/src pan13/susp detections/"],
        exits="0 detections written, 1 no detection in any pair, 2 a pair could not be read (the others are written)",
    )
    pan.add_argument("pairs", help="file of 'suspicious.txt source.txt' lines")
    pan.add_argument("src_dir", help="folder of source documents")
    pan.add_argument("susp_dir", help="folder of suspicious documents")
    pan.add_argument("out_dir", help="folder for the detection XML files")
    pan.set_defaults(run=_pan)


def _compare(args: argparse.Namespace) -> int:
    from ..compare import compare
    from ..report import print_terminal, to_html, to_json

    if args.a == args.b == STDIN:
        raise UnspinError("standard input (-) can be only one of the two documents")
    comparison = compare(document(args.a), document(args.b))
    if args.html:
        write_text(Path(args.html), to_html(comparison))
    if args.json:
        print(to_json(comparison))
    else:
        print_terminal(comparison, console(), full=args.full, substitutions=args.substitutions)
        if args.html:
            print(f"HTML report: {args.html}")
    return EXIT_FOUND if comparison.related else EXIT_NOT_FOUND


def _inspect(args: argparse.Namespace) -> int:
    from ..document import load
    from ..inspect import inspect, to_html
    from ._common import existing

    doc = load(document(args.doc))
    if args.db:
        existing(args.db).close()
    result = inspect(doc, phrases=Path(args.phrases) if args.phrases else None, db=args.db)
    if args.html:
        write_text(Path(args.html), to_html(doc, result))
    flagged = bool(result.tortured or result.artefacts or result.spun or result.translated)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return EXIT_FOUND if flagged else EXIT_NOT_FOUND
    print(f"spun score {result.spun_score:.2f}{' (reads as spun)' if result.spun else ''}")
    for t in result.tortured:
        print(f"  {t.span.start}-{t.span.end} {t.span.text!r} <- {t.original!r} ({t.score:.2f}, {t.source})")
    print(f"translated score {result.translated_score:.2f}{' (reads as translated)' if result.translated else ''}")
    for a in result.artefacts:
        print(f"  {a.span.start}-{a.span.end} {a.span.text!r} {a.kind}" + (f" <- {a.original!r}" if a.original else ""))
    if args.html:
        print(f"HTML report: {args.html}")
    return EXIT_FOUND if flagged else EXIT_NOT_FOUND


def _pan(args: argparse.Namespace) -> int:
    from ..evaluation.pan import run_pan

    result = run_pan(Path(args.pairs), Path(args.src_dir), Path(args.susp_dir), Path(args.out_dir), progress=True)
    for susp, src, reason in result.skipped:
        print(f"skipped {susp} {src}: {reason}", file=sys.stderr)
    print(
        f"{result.pairs} pairs: {result.written} detection files written to {args.out_dir} "
        f"({result.detections} detections), {len(result.skipped)} skipped"
    )
    if result.skipped:
        return EXIT_ERROR
    return EXIT_FOUND if result.detections else EXIT_NOT_FOUND
