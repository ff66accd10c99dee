"""The crawl's input, cut into shards: runs of JSONL lines, groups of files, WARC files, Parquet row groups.

A shard is a small, picklable description of where its records are (the lines themselves for JSONL, which a
gzip stream cannot seek into); ``records_of`` reads one into the collection's ``Record``/``Skipped`` stream,
through the collection's own readers, so a crawl and ``unspin index add`` see the same documents in the same
order under the same ids. Shards are numbered in input order, the same numbers on every run of the same
inputs, which is what lets a rerun skip the finished ones.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..collection.ingest import JSONL_SUFFIXES, Record, Skipped, _from_mapping, records

PARQUET_SUFFIXES = (".parquet",)


@dataclass(frozen=True, slots=True)
class Shard:
    number: int
    kind: str  # "lines" (JSONL), "paths" (files read by the collection's readers), "parquet" (one row group)
    path: str  # the input file (the first file of a "paths" shard)
    first: int = 0  # first line number ("lines") or row group ("parquet")
    lines: tuple[bytes, ...] = ()
    paths: tuple[str, ...] = ()


def plan(inputs: Sequence[str], size: int) -> Iterator[Shard]:
    """The shards of ``inputs`` (files and folders, folders read recursively in name order), in order."""
    number = 0
    files: list[str] = []

    def flush() -> Iterator[Shard]:
        nonlocal number, files
        if files:
            yield Shard(number, "paths", files[0], paths=tuple(files))
            number += 1
            files = []

    for path in _files(inputs):
        name = path.name.lower()
        if name.endswith(JSONL_SUFFIXES):
            yield from flush()
            for first, lines in _line_runs(path, size):
                yield Shard(number, "lines", str(path), first=first, lines=lines)
                number += 1
        elif name.endswith(PARQUET_SUFFIXES):
            yield from flush()
            import pyarrow.parquet as pq

            for group in range(pq.ParquetFile(path).num_row_groups):
                yield Shard(number, "parquet", str(path), first=group)
                number += 1
        elif name.endswith((".warc", ".warc.gz")):
            yield from flush()
            yield Shard(number, "paths", str(path), paths=(str(path),))
            number += 1
        else:
            files.append(str(path))
            if len(files) >= size:
                yield from flush()
    yield from flush()


def _files(inputs: Sequence[str]) -> Iterator[Path]:
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            yield from (p for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith("."))
        else:
            yield path  # a missing file becomes a Skipped record with its reason


def _line_runs(path: Path, size: int) -> Iterator[tuple[int, tuple[bytes, ...]]]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    run: list[bytes] = []
    first = 1
    try:
        with opener(path, "rb") as f:
            for number, line in enumerate(f, 1):
                run.append(line)
                if len(run) >= size:
                    yield first, tuple(run)
                    first, run = number + 1, []
            if run:
                yield first, tuple(run)
    except (OSError, EOFError) as err:  # a damaged gzip: the lines read so far stay, the rest is one skip
        if run:
            yield first, tuple(run)
        yield -1, (f"{err}".encode(),)


def records_of(shard: Shard) -> Iterator[Record | Skipped]:
    """The shard's records, as ``Collection.add`` would read them."""
    if shard.kind == "paths":
        yield from records(shard.paths)
    elif shard.kind == "lines":
        if shard.first < 0:
            yield Skipped(shard.path, f"{shard.path}: cannot read it ({shard.lines[0].decode()})")
            return
        for number, line in enumerate(shard.lines, shard.first):
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
