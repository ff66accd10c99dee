"""What the verbs share: the help layout, standard input as ``-``, collections that must exist, safe writes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UnspinError

if TYPE_CHECKING:
    from ..collection import Collection
    from ..collection.ingest import Source
    from ..document import Document

EXIT_FOUND, EXIT_NOT_FOUND, EXIT_ERROR = 0, 1, 2
STDIN = "-"
Verbs = argparse._SubParsersAction  # type: ignore[type-arg]


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Examples kept as written, and every option's default said (a flag's False and an unset None are not)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if "%(default)" in text or default is None or default is False or default == argparse.SUPPRESS or default == []:
            return text
        if action.option_strings or action.nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE):
            return f"{text} (default: %(default)s)"
        return text


def verb(verbs: Verbs, name: str, summary: str, examples: Sequence[str], exits: str = "") -> argparse.ArgumentParser:
    """A command with its one-line summary and its examples (and exit statuses when they say more than 0/2)."""
    epilog = "examples:\n" + "".join(f"  {line}\n" for line in examples)
    if exits:
        epilog += f"\nexit status: {exits}\n"
    return verbs.add_parser(name, help=summary, description=summary, epilog=epilog, formatter_class=Formatter)


def usage(parser: argparse.ArgumentParser) -> int:
    """No command (or action) given: the help, on stderr, and the exit status of a usage error."""
    parser.print_help(sys.stderr)
    return EXIT_ERROR


def document(path: str) -> Document | Path:
    """A document argument: a path, or ``-``: the document on standard input."""
    if path != STDIN:
        return Path(path)
    from .. import settings
    from ..document import from_bytes

    limit = int(settings.get("max_bytes"))
    return from_bytes(sys.stdin.buffer.read(limit + 1), name="<stdin>")


def sources(paths: Sequence[str]) -> list[Source]:
    """Input paths of a batch, ``-`` (standard input: JSONL records, or one document) among them."""
    from ..collection.ingest import Stream

    if paths.count(STDIN) > 1:
        raise UnspinError("standard input (-) can be given only once")
    need_paths([p for p in paths if p != STDIN])
    return [Stream(sys.stdin.buffer) if p == STDIN else p for p in paths]


def need_paths(paths: Sequence[str]) -> None:
    """Refuse a missing input path up front (a typo), before anything is read or written."""
    for path in paths:
        if not os.path.lexists(path):
            raise UnspinError(f"{path}: no such file or folder; check the path")


def existing(db: str) -> Collection:
    """A collection that must exist already: a read command never creates an empty one from a typo."""
    from ..collection import Collection

    if not Path(db).exists():
        raise UnspinError(f"{db}: no such collection; check the --db path (`unspin index add` creates one)")
    return Collection(db)


def write_text(path: Path, text: str) -> None:
    """Write through a temporary file, so a failed write never leaves half a report."""
    try:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        raise UnspinError(f"{path}: cannot write the report ({err.strerror}); check the folder exists") from None


def about(meta: dict[str, Any]) -> str:
    """A document's metadata on one line: title, site, date (and which date it is)."""
    date = f"{meta['date']} ({meta.get('dated_by') or 'date'})" if meta.get("date") else "undated"
    return " | ".join(str(v) for v in (meta.get("title"), meta.get("site"), date) if v)


def console() -> Any:
    """A rich console on stdout that prints text as it is (ids and passages are never read as markup)."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:  # rich exits 1 here, which a script reads as "unrelated"
            self.quiet = True
            raise BrokenPipeError

    return _Console(highlight=False)
