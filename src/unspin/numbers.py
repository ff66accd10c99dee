"""Numbers as evidence against reuse.

A spinner leaves digits alone and a translator carries them over ("$1.45 trillion" / "1,45 Billionen
Dollar"), so a passage that really was reused keeps its numbers. Two same-template stories of different
events ("Kodak reported a loss of $151 million" / "... a profit of $495 million") share wording but not
numbers: when both sides of a non-verbatim passage carry numbers and few of them agree, it is not reuse.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f ]\d+)*")


def numbers_in(text: str) -> set[str]:
    """The significant digits of each number of ``text``: separators dropped so that 1,500 / 1.500 / 1 500
    are one number, in ASCII digits whatever the script (int() reads Arabic-Indic or Devanagari digits too),
    trailing zeros dropped because a translator rescales with the unit ("$200 billion" / "200.000 millones"
    / "2000亿美元")."""
    return {str(int(re.sub(r"\D", "", m.group())[:40])).rstrip("0") or "0" for m in _NUMBER.finditer(text)}


def shared_share(na: set[str], nb: set[str]) -> float:
    """Share of the smaller set of numbers found in the other (1.0 when either is empty: no evidence)."""
    if not na or not nb:
        return 1.0
    return len(na & nb) / min(len(na), len(nb))


def numbers_agree(a: str, b: str, least: float = 0.5) -> bool:
    """False when both texts carry numbers and under ``least`` of the smaller set is found in the other."""
    return shared_share(numbers_in(a), numbers_in(b)) >= least
