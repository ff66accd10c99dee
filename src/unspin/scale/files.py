"""The crawl folder's files: atomic writes and completion markers, so a rerun skips finished work.

Every output is written to a temporary name and renamed into place; the marker (``NAME.done``, a small JSON
summary of the task) is written last. A task whose marker exists is finished: its outputs are whole. A task
killed half-way leaves at most a temporary file, which the next run overwrites.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa


def done(path: Path) -> dict[str, Any] | None:
    """The marker of the task whose main output is ``path``, or None when it has not finished."""
    marker = _marker(path)
    if not marker.exists():
        return None
    return dict(json.loads(marker.read_text(encoding="utf-8")))


def finish(path: Path, summary: dict[str, Any]) -> dict[str, Any]:
    """Mark the task whose main output is ``path`` finished, with its summary (returned)."""
    _atomic(_marker(path), json.dumps(summary, ensure_ascii=False).encode("utf-8"))
    return summary


def write_table(path: Path, columns: dict[str, Any], schema: pa.Schema | None = None) -> int:
    """Write a Parquet table atomically; returns its size in bytes."""
    import pyarrow as pa  # here, not at import: `import unspin` stays fast
    import pyarrow.parquet as pq

    table = pa.table(columns, schema=schema)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return _atomic(path, sink.getvalue())


def read_table(path: Path, columns: list[str] | None = None) -> pa.Table:
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=columns)


def write_arrays(path: Path, **arrays: np.ndarray) -> int:
    """Write numpy arrays (an uncompressed .npz) atomically; returns its size in bytes."""
    sink = io.BytesIO()
    np.savez(sink, **arrays)  # type: ignore[arg-type]
    return _atomic(path, sink.getvalue())


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as data:
        return {name: data[name] for name in data.files}


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".done")


def _atomic(path: Path, data: bytes) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)
    return len(data)
