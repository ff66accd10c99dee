"""The user's own tortured phrases (``tortured<TAB>original`` lines, the CLI's ``--phrases FILE``), reported
with ``source: "user"``."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from ..document import Span
from ..errors import InputError
from ..segment import Segmented
from .result import Tortured


def read_phrases(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """``tortured<TAB>original`` lines of a file (blank lines and ``#`` comments skipped)."""
    where = str(path)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{where}: no such file; give a file of 'tortured<TAB>original' lines") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{where}: cannot read the phrases ({err}); give a UTF-8 text file") from None
    pairs = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        tortured, tab, original = line.partition("\t")
        if not tab or not tortured.strip():
            raise InputError(f"{where}:{number}: expected 'tortured<TAB>original', got {line.strip()[:60]!r}")
        pairs.append((tortured.strip(), original.strip()))
    return pairs


def _pairs(phrases: object) -> list[tuple[str, str]]:
    """The (tortured, original) pairs of a Python value, or an InputError naming what is wrong with it."""
    what = "phrases: expected a file path or (tortured, original) pairs of strings"
    try:
        items = list(phrases)  # type: ignore[call-overload]
    except TypeError:
        raise InputError(f"{what}, got {type(phrases).__name__}") from None
    for number, item in enumerate(items, 1):
        if not (isinstance(item, tuple | list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
            raise InputError(f"{what}; item {number} is {item!r:.60}")
    return [(t, o) for t, o in items]


def user_phrases(seg: Segmented, phrases: Iterable[tuple[str, str]] | str | os.PathLike[str]) -> list[Tortured]:
    pairs = read_phrases(phrases) if isinstance(phrases, str | os.PathLike) else _pairs(phrases)
    text = seg.doc.text
    found: list[Tortured] = []
    for tortured, original in pairs:
        words = [re.escape(w) for w in tortured.split()]
        if not words:
            continue
        pattern = re.compile(r"(?<!\w)" + r"[\s-]+".join(words) + r"(?!\w)", re.IGNORECASE)
        for m in pattern.finditer(text):
            found.append(Tortured(Span.of(text, m.start(), m.end()), original, 1.0, "user", {"rule": "user phrase"}))
    found.sort(key=lambda t: (t.span.start, -t.span.end))
    kept: list[Tortured] = []
    for t in found:
        if not kept or t.span.start >= kept[-1].span.end:
            kept.append(t)
    return kept
