"""The ``unspin`` command: one verb per public function.

Exit status, as grep's: 0 when something was found (``compare``: related; ``inspect``: something flagged;
``search``: a related document; ``clusters``: a cluster), 1 when nothing was, 2 on an error (one line on
stderr, never a traceback); 130 when interrupted; a closed pipe (``| head``) ends it quietly.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import UnspinError
from . import _collection, _documents, _serve
from ._common import EXIT_ERROR, Formatter, usage

__all__ = ["main"]

EXIT_INTERRUPTED = 130
EXIT_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader went away


def main(argv: Sequence[str] | None = None) -> int:
    # trafilatura logs a line per page it finds no article in; the collection verbs count those pages instead
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here at the latest, not at exit
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_PIPE
    except UnspinError as err:
        print(f"unspin: error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("unspin: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of what is left finds no closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is no file (a test's capture): nothing to flush at exit
        pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="unspin",
        description="Find out where a text came from: spun, translated or copied news.",
        epilog=(
            "examples:\n  unspin compare article.txt copy.html\n  unspin index add crawl.warc.gz --db news.db\n"
            "  unspin search copy.txt --db news.db\n\n"
            "exit status: 0 something found, 1 nothing found, 2 error; `unspin COMMAND --help` for each command"
        ),
        formatter_class=Formatter,
    )
    parser.add_argument("--version", action="version", version=f"unspin {__version__}")
    parser.set_defaults(run=lambda _: usage(parser))
    verbs = parser.add_subparsers(title="commands", metavar="COMMAND")
    _documents.add_verbs(verbs)
    _collection.add_verbs(verbs)
    _serve.add_verbs(verbs)
    return parser
