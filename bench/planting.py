"""Real tortured phrases planted into clean real news (for bench_inspect.py and the thresholds' tuning slice).

The Problematic Paper Screener's phrases (../shared/data/pps-dev: measuring only, never read by the package) whose
expected phrase occurs in a Reuters article are planted in place of that occurrence, the casing of the words they
replace kept (a capitalised or upper-case first word makes the phrase so). Rows split by a hash of the expected
phrase: the "tune" half sets the thresholds of ``unspin.inspect.phrase_evidence``, the "report" half is reported.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass

from _common import DATA

PPS = DATA / "pps-dev" / "tortured-phrases.tsv"
WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z' -]*[A-Za-z]")


@dataclass(frozen=True)
class Planted:
    text: str
    start: int  # the planted phrase's span in ``text``
    end: int
    tortured: str
    expected: str


def pps_rows(part: str) -> list[tuple[str, str]]:
    """(tortured, expected) rows of pps-dev with plain word phrases on both sides, in the "tune" or "report" part."""
    with PPS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    out = []
    for row in rows:
        tortured, expected = row["tortured"].strip(), row["expected"].strip()
        if not (_PLAIN.fullmatch(tortured) and _PLAIN.fullmatch(expected)) or tortured.lower() == expected.lower():
            continue
        tune = int(hashlib.sha1(expected.lower().encode()).hexdigest(), 16) % 4 == 0
        if (part == "tune") == tune:
            out.append((tortured, expected))
    return out


def _cased(tortured: str, written: str) -> str:
    if written.isupper() and len(written) > 1:
        return tortured.upper()
    words, like = tortured.split(" "), written.split(" ")
    if len(words) == len(like):
        return " ".join(w[:1].upper() + w[1:] if v[:1].isupper() else w for w, v in zip(words, like, strict=True))
    return tortured[:1].upper() + tortured[1:] if written[:1].isupper() else tortured


def plant(rows: list[tuple[str, str]], articles: list[str], n: int) -> list[Planted]:
    """Up to ``n`` rows, each planted in the first unused article that has its expected phrase (word boundaries,
    any case, spaces or hyphens between its words)."""
    used: set[int] = set()
    planted: list[Planted] = []
    lowered = [a.lower() for a in articles]
    for tortured, expected in rows:
        words = WORD.findall(expected.lower())
        pattern = re.compile(r"(?<![\w-])" + r"[ -]".join(map(re.escape, words)) + r"(?![\w-])", re.IGNORECASE)
        for k, text in enumerate(articles):
            if k in used or words[0] not in lowered[k]:
                continue
            m = pattern.search(text)
            if m is None:
                continue
            new = _cased(tortured, m.group())
            used.add(k)
            planted.append(
                Planted(text[: m.start()] + new + text[m.end() :], m.start(), m.start() + len(new), new, expected)
            )
            break
        if len(planted) == n:
            break
    return planted
