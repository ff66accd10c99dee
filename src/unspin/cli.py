"""The ``unspin`` command: one verb per public function; errors become one line and exit code 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import UnspinError

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
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

    pan = verbs.add_parser(
        "pan", help="PAN text-alignment interface: detections as PAN XML, one file per pair"
    )
    pan.add_argument("pairs", help="file of 'suspicious.txt source.txt' lines")
    pan.add_argument("src_dir", help="folder of source documents")
    pan.add_argument("susp_dir", help="folder of suspicious documents")
    pan.add_argument("out_dir", help="folder for the detection XML files")
    pan.set_defaults(run=_pan)
    return parser


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


def _write_text(path: Path, text: str) -> None:
    """Write through a temporary file, so a failed write never leaves half a report."""
    try:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        raise UnspinError(
            f"{path}: cannot write the report ({err.strerror}); check the folder exists"
        ) from None


if __name__ == "__main__":
    sys.exit(main())
