"""The crawl's input, cut into shards: runs of JSONL lines, groups of files, WARC files, Parquet row groups.

A shard is a small, picklable description of where its records are: for plain JSONL a byte range; for
gzipped JSONL, which cannot be sought into, the lines themselves (split a big .jsonl.gz into many files so
that the driver holds few of them at once). ``records_of`` reads one into the collection's ``Record`` and
``Skipped`` stream through the collection's own readers, so a crawl and ``unspin index add`` see the same
documents in the same order under the same ids. Shards are numbered in input order, the same numbers on
every run of the same inputs, which is what lets a rerun skip the finished ones.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..collection.ingest import JSONL_SUFFIXES, Record, Skipped, _from_mapping, _from_path

PARQUET_SUFFIXES = (".parquet",)


@dataclass(frozen=True, slots=True)
class Shard:
    number: int
    kind: str  # "lines" (JSONL), "paths" (files read by the collection's readers), "parquet" (one row group)
    path: str  # the input file (the first file of a "paths" shard)
    first: int = 0  # first line number ("lines") or row group ("parquet")
    lines: tuple[bytes, ...] = ()  # a gzipped file's lines; empty for plain JSONL, read from the byte range
    start: int = 0  # byte range of a plain JSONL shard
    end: int = 0
    paths: tuple[str, ...] = ()
    named: tuple[bool, ...] = ()  # per path: given by name (read whatever its suffix), not found in a folder


def plan(inputs: Sequence[str], size: int) -> Iterator[Shard]:
    """The shards of ``inputs`` (files and folders, folders read recursively in name order), in order."""
    number = 0
    files: list[str] = []
    named: list[bool] = []

    def flush() -> Iterator[Shard]:
        nonlocal number, files, named
        if files:
            yield Shard(number, "paths", files[0], paths=tuple(files), named=tuple(named))
            number += 1
            files, named = [], []

    for path, by_name in _files(inputs):
        name = path.name.lower()
        if name.endswith(JSONL_SUFFIXES):
            yield from flush()
            for first, lines, start, end in _line_runs(path, size):
                yield Shard(number, "lines", str(path), first=first, lines=lines, start=start, end=end)
                number += 1
        elif name.endswith(PARQUET_SUFFIXES):
            yield from flush()
            import pyarrow.parquet as pq

            for group in range(pq.ParquetFile(path).num_row_groups):
                yield Shard(number, "parquet", str(path), first=group)
                number += 1
        elif name.endswith((".warc", ".warc.gz")):
            yield from flush()
            yield Shard(number, "paths", str(path), paths=(str(path),), named=(by_name,))
            number += 1
        else:
            files.append(str(path))
            named.append(by_name)
            if len(files) >= size:
                yield from flush()
    yield from flush()


def _files(inputs: Sequence[str]) -> Iterator[tuple[Path, bool]]:
    """Each input file, and whether it was given by name (a folder's files of unknown types are skipped)."""
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not child.name.startswith("."):
                    yield child, False
        else:
            yield path, True  # a missing file becomes a Skipped record with its reason


def _line_runs(path: Path, size: int) -> Iterator[tuple[int, tuple[bytes, ...], int, int]]:
    """(first line number, lines, byte start, byte end) of each run of ``size`` lines; a plain file's runs
    carry no lines (the task reads its byte range), a gzipped file's carry them."""
    gzipped = path.name.lower().endswith(".gz")
    opener = gzip.open if gzipped else open
    run: list[bytes] = []
    first, start, at = 1, 0, 0
    try:
        with opener(path, "rb") as f:
            for number, line in enumerate(f, 1):
                at += len(line)
                run.append(line)
                if len(run) >= size:
                    yield first, tuple(run) if gzipped else (), start, at
                    first, start, run = number + 1, at, []
            if run:
                yield first, tuple(run) if gzipped else (), start, at
    except (OSError, EOFError) as err:  # a damaged gzip: the lines read so far stay, the rest is one skip
        if run:
            yield first, tuple(run) if gzipped else (), start, at
        yield -1, (f"{err}".encode(),), 0, 0


def records_of(shard: Shard) -> Iterator[Record | Skipped]:
    """The shard's records, as ``Collection.add`` would read them."""
    if shard.kind == "paths":
        for path, by_name in zip(shard.paths, shard.named, strict=True):
            yield from _from_path(Path(path), explicit=by_name)
    elif shard.kind == "lines":
        if shard.first < 0:
            yield Skipped(shard.path, f"{shard.path}: cannot read it ({shard.lines[0].decode()})")
            return
        for number, line in enumerate(shard.lines or _byte_range(shard), shard.first):
            if not line.strip():
                continue
            where = f"{shard.path}:{number}"
            try:
                data = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as err:
                yield Skipped(where, f"{where}: not a JSON line ({err.__class__.__name__})")
                continue
            if not isinstance(data, dict):
                yield Skipped(where, f"{where}: a JSON line must be an object with 'id' and 'text'")
                continue
            yield _from_mapping(data, shard.path, number)
    else:
        import pyarrow.parquet as pq

        table = pq.ParquetFile(shard.path).read_row_group(shard.first)
        for number, row in enumerate(table.to_pylist()):
            yield _from_mapping(row, f"{shard.path}#{shard.first}", number)


def _byte_range(shard: Shard) -> list[bytes]:
    with open(shard.path, "rb") as f:
        f.seek(shard.start)
        return f.read(shard.end - shard.start).splitlines(keepends=True)
