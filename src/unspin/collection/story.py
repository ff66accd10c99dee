"""Whether two stored documents that share reused text tell one story, or only share stock text.

``compare`` proves that two documents share passages, and a stock paragraph is a shared passage: weekly
jobless-claims reports a year apart repeat their standing sentences verbatim, two quarterly results of one
company share its template, two events of one saga share its background. A collection must not cluster
those. A proven pair is one story when the reused passages, less the collection's stock sentences, cover a
large share of one of the two texts, the numbers of the passages agree, and the dates are close; far apart
in time, the two must share (nearly) their whole text, as a republication of an old story does. Dates
weigh but never veto alone.

Sharing the whole text is not enough when what is shared is stock and each page has text of its own that
the other lacks: a site's debunk pages repeat one template around a paragraph on each rumour (on
fakenewsnet, Gossip Cop's pages on different celebrities share 80-90% of their text, 11-36% of it their
own). The whole text counts when the shared text is the pair's own (a large share of one side not stock),
or neither page has much text of its own (a story syndicated so widely that all of it is stock).

A sentence is stock for a pair when ``collection_stock_documents`` other documents hold it, not counting
those dated within ``collection_story_days`` of either document of the pair: a story re-edited or a timeline
reissued five times that week is one story's text, a sentence found in reports of other weeks is not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from .. import settings
from ..numbers import numbers_in, shared_share
from . import sketch

STOCK_DOCUMENTS = int(settings.get("collection_stock_documents"))
SHARE = settings.get("collection_story_share")
WHOLE = settings.get("collection_story_whole")
DAYS = settings.get("collection_story_days")
NUMBERS = settings.get("collection_story_numbers")
NUMBERS_MIN = int(settings.get("collection_story_numbers_min"))

Spans = Sequence[tuple[int, int]]
# sentence keys -> (doc number, date) of the documents holding each, and the keys too common to be listed
Lookup = Callable[[np.ndarray], tuple[dict[int, list[tuple[int, str | None]]], set[int]]]


@dataclass(frozen=True, slots=True)
class Sentences:
    """A stored document's keyed sentences (``sketch.sentence_keys``) and the documents holding each key."""

    starts: np.ndarray
    ends: np.ndarray
    holders: tuple[np.ndarray, ...]  # per sentence: doc numbers holding its key
    days: tuple[np.ndarray, ...]  # per sentence: their dates in days (nan: undated)
    common: np.ndarray  # per sentence: held by too many documents to list (stock at any date)

    @classmethod
    def of(cls, text: str, lookup: Lookup) -> Sentences:
        keys, starts, ends = sketch.sentence_keys(text)
        found, common = lookup(keys)
        held = [found.get(k, []) for k in keys.tolist()]
        return cls(
            starts,
            ends,
            tuple(np.array([d for d, _ in h], dtype=np.int64) for h in held),
            tuple(np.array([_day(x) for _, x in h], dtype=np.float64) for h in held),
            np.array([k in common for k in keys.tolist()], dtype=bool),
        )

    def stock(self, pair: tuple[int, int], days: Sequence[float]) -> np.ndarray:
        """Which sentences are stock text for the pair of doc numbers ``pair`` dated ``days`` (nan: undated)."""
        out = self.common.copy()
        for i, (docs, at) in enumerate(zip(self.holders, self.days, strict=True)):
            others = (docs != pair[0]) & (docs != pair[1])
            for day in days:
                others &= ~(np.abs(at - day) <= DAYS)  # nan compares False: undated documents count
            out[i] |= int(others.sum()) >= STOCK_DOCUMENTS
        return out


@dataclass(frozen=True, slots=True)
class Side:
    """One document of a pair: its doc number, text, date and sentences."""

    number: int
    text: str
    date: str | None
    sentences: Sentences


@dataclass(frozen=True, slots=True)
class Story:
    """The evidence on one proven pair, and the decision."""

    share_a: float  # share of a's sentences (by characters) inside reused passages, stock sentences left out
    share_b: float
    whole_a: float  # the same, stock sentences included
    whole_b: float
    numbers: float | None  # share of the smaller side's passage numbers the other carries; None: too few
    days: float | None  # days between the two dates, when both have one
    own_a: float = 0.0  # share of a's sentences (by characters) that are not stock text, reused or not
    own_b: float = 0.0

    @property
    def one(self) -> bool:
        return self.reason in ("whole text", "shared story")

    @property
    def reason(self) -> str:
        """Why the pair is (the first two) or is not one story."""
        if self.numbers is not None and self.numbers < NUMBERS:
            return "numbers differ"  # the same template filled with other figures
        if min(self.whole_a, self.whole_b) >= WHOLE and (
            max(self.share_a, self.share_b) >= SHARE or max(self.own_a, self.own_b) < 1.0 - WHOLE
        ):
            return "whole text"  # the whole text again, its own text included: a copy, however old
        if self.days is not None and self.days > DAYS:
            return "far apart"
        if max(self.share_a, self.share_b) >= SHARE:
            return "shared story"
        if max(self.whole_a, self.whole_b) >= SHARE:
            return "stock text"  # enough shared, but mostly the collection's stock sentences
        return "little shared"

    def to_dict(self) -> dict[str, Any]:
        def rounded(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "one_story": self.one,
            "reason": self.reason,
            "share_a": rounded(self.share_a),
            "share_b": rounded(self.share_b),
            "whole_a": rounded(self.whole_a),
            "whole_b": rounded(self.whole_b),
            "numbers": rounded(self.numbers),
            "days": rounded(self.days),
            "own_a": rounded(self.own_a),
            "own_b": rounded(self.own_b),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Story:
        def number(x: Any) -> float | None:
            return None if x is None else float(x)

        return cls(
            float(data["share_a"]),
            float(data["share_b"]),
            float(data["whole_a"]),
            float(data["whole_b"]),
            number(data.get("numbers")),
            number(data.get("days")),
            float(data.get("own_a", 0.0)),
            float(data.get("own_b", 0.0)),
        )


def judge(a: Side, spans_a: Spans, b: Side, spans_b: Spans) -> Story:
    """The story evidence of a pair whose reused passages are ``spans_a`` in a and ``spans_b`` in b."""
    days = [_day(a.date), _day(b.date)]
    pair = (a.number, b.number)
    share_a, whole_a, own_a = _shares(a.text, a.sentences, a.sentences.stock(pair, days), spans_a)
    share_b, whole_b, own_b = _shares(b.text, b.sentences, b.sentences.stock(pair, days), spans_b)
    apart = abs(days[0] - days[1])
    return Story(
        share_a,
        share_b,
        whole_a,
        whole_b,
        _numbers(a.text, spans_a, b.text, spans_b),
        None if np.isnan(apart) else float(apart),
        own_a,
        own_b,
    )


def _shares(text: str, sentences: Sentences, stock: np.ndarray, spans: Spans) -> tuple[float, float, float]:
    """Shares of the keyed sentences (by characters) mostly inside ``spans``, stock ones left out and all, and
    the share that is not stock at all."""
    if len(sentences.starts) == 0:  # no sentence long enough to key: the share of the text itself
        whole = sum(end - start for start, end in spans) / max(len(text), 1)
        return whole, whole, 1.0
    length = (sentences.ends - sentences.starts).astype(np.float64)
    inside = np.zeros(len(length))
    for start, end in spans:
        inside += np.clip(np.minimum(sentences.ends, end) - np.maximum(sentences.starts, start), 0, None)
    reused = inside >= 0.5 * length
    total = length.sum()
    return (
        float(length[reused & ~stock].sum() / total),
        float(length[reused].sum() / total),
        float(length[~stock].sum() / total),
    )


def _numbers(text_a: str, spans_a: Spans, text_b: str, spans_b: Spans) -> float | None:
    """Share of the smaller side's numbers (in the passages) found on the other side."""
    na = set().union(*(numbers_in(text_a[s:e]) for s, e in spans_a))
    nb = set().union(*(numbers_in(text_b[s:e]) for s, e in spans_b))
    if min(len(na), len(nb)) < NUMBERS_MIN:
        return None
    return shared_share(na, nb)


def _day(value: str | None) -> float:
    """An ISO date as days since 1970 (UTC when it names no zone); nan when missing or unreadable."""
    if not value:
        return float("nan")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return float("nan")
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp() / 86400
