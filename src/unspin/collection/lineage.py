"""Clusters (documents sharing a source) and lineage inside them (who likely derives from whom).

A link between two documents becomes directed ("copy likely derived from source") by their dates when both
have one and they differ (``by``: "published date" when both dates are publication dates, else "crawl date"),
else by the compare engine's relation. Documents linked only as siblings (``common-source``) with no stored
document they all derive from share a *missing* common source. Identical copies (one text arriving under
several ids) are members like any other, linked by an ``identical`` edge and ordered by date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import settings


@dataclass(frozen=True, slots=True)
class Edge:
    """A proven (or, unverified, a cheap) link between stored documents ``a`` < ``b`` (doc numbers)."""

    a: int
    b: int
    score: float
    relation: str  # compare(a, b).relation, "identical" (one text under two ids), or "unverified"


@dataclass(frozen=True, slots=True)
class Node:
    """A cluster member as lineage needs it: its id, its lineage date and which date that is."""

    id: str
    date: str | None
    dated_by: str | None = None  # "published" or "crawled" (None: undated)
    text: int = 0  # the stored text's number: members with the same one are identical copies
    meta: dict[str, Any] = field(default_factory=dict, compare=False)  # title, site, url, ... for display


@dataclass(frozen=True, slots=True)
class Derivation:
    """``copy`` likely derives from ``source``; ``by`` says how that was decided (date or engine)."""

    copy: str
    source: str
    by: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"copy": self.copy, "source": self.source, "by": self.by, "score": round(self.score, 4)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Derivation:
        return cls(str(data["copy"]), str(data["source"]), str(data["by"]), float(data["score"]))


@dataclass(frozen=True, slots=True)
class Cluster:
    id: str
    members: tuple[str, ...]
    derived: tuple[Derivation, ...]
    siblings: tuple[tuple[str, str], ...]  # pairs sharing a source, neither copying the other (or undirected)
    source: str | None  # the stored document every member derives from, when there is one
    missing_source: bool  # True when members share a source that is not in the collection
    identical: tuple[tuple[str, ...], ...] = ()  # groups of members with one and the same text
    documents: tuple[dict[str, Any], ...] = field(default=(), compare=False)  # id, date, dated_by, title, site

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "size": len(self.members),
            "members": list(self.members),
            "source": self.source,
            "missing_source": self.missing_source,
            "derived": [d.to_dict() for d in self.derived],
            "siblings": [list(pair) for pair in self.siblings],
            "identical": [list(group) for group in self.identical],
            "documents": [dict(d) for d in self.documents],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cluster:
        return cls(
            id=str(data["id"]),
            members=tuple(data["members"]),
            derived=tuple(Derivation.from_dict(d) for d in data.get("derived", ())),
            siblings=tuple((str(a), str(b)) for a, b in data.get("siblings", ())),
            source=data.get("source"),
            missing_source=bool(data.get("missing_source")),
            identical=tuple(tuple(g) for g in data.get("identical", ())),
            documents=tuple(dict(d) for d in data.get("documents", ())),
        )


IDENTICAL_MIN = int(settings.get("collection_identical_min_chars"))
IDENTICAL_RETITLED = int(settings.get("collection_identical_retitled_chars"))


def identical_story(length: int, title_a: str | None, title_b: str | None) -> bool:
    """Whether one text of ``length`` characters arriving under two ids is one story told twice (a copy,
    syndication) rather than page furniture (an error page, a login or cookie notice, a disclaimer) that many
    pages carry: too short, or short and under other titles, it is furniture and links nothing."""
    if length < IDENTICAL_MIN:
        return False
    retitled = bool(title_a and title_b and " ".join(title_a.lower().split()) != " ".join(title_b.lower().split()))
    return not retitled or length >= IDENTICAL_RETITLED


def lineage_date(meta: Mapping[str, Any]) -> str | None:
    """The date lineage orders a document by: the published date, else the crawl date."""
    value = meta.get("date") or meta.get("crawled")
    return str(value) if value else None


def dated_by(meta: Mapping[str, Any]) -> str | None:
    """Which date ``lineage_date`` took: "published", "crawled", or None."""
    return "published" if meta.get("date") else "crawled" if meta.get("crawled") else None


def node(key: str, date: str | None, meta: Mapping[str, Any], text: int) -> Node:
    """The lineage node of a document with id ``key``, lineage ``date`` and metadata, of stored text ``text``."""
    shown = {k: meta[k] for k in ("title", "site") if meta.get(k)}
    return Node(key, date, dated_by(meta) if date else None, text, shown)


def build_clusters(edges: list[Edge], info: dict[int, Node]) -> list[Cluster]:
    """Connected components of ``edges`` with their lineage; ``info`` maps node number -> Node."""
    parent = {n: n for n in info}

    def find(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for e in edges:
        parent[find(e.a)] = find(e.b)
    groups: dict[int, list[Edge]] = {}
    for e in edges:
        groups.setdefault(find(e.a), []).append(e)
    clusters = [_cluster(group, info) for group in groups.values()]
    clusters.sort(key=lambda c: (-len(c.members), c.id))
    return clusters


def _cluster(edges: list[Edge], info: dict[int, Node]) -> Cluster:
    derived: list[Derivation] = []
    siblings: list[tuple[str, str]] = []
    for e in edges:
        a, b = info[e.a], info[e.b]
        if a.date and b.date and a.date != b.date:
            copy, source = (a, b) if a.date > b.date else (b, a)
            by = "published date" if a.dated_by == b.dated_by == "published" else "crawl date"
            derived.append(Derivation(copy.id, source.id, by, e.score))
        elif e.relation == "a-from-b":
            derived.append(Derivation(a.id, b.id, "engine", e.score))
        elif e.relation == "b-from-a":
            derived.append(Derivation(b.id, a.id, "engine", e.score))
        else:
            siblings.append((min(a.id, b.id), max(a.id, b.id)))
    nodes = {n: info[n] for e in edges for n in (e.a, e.b)}
    members = sorted(node.id for node in nodes.values())
    copies = {d.copy for d in derived}
    roots = [m for m in members if m not in copies]
    root = roots[0] if len(roots) == 1 else None
    texts: dict[int, list[Node]] = {}
    for node in nodes.values():
        texts.setdefault(node.text, []).append(node)
    identical = sorted(tuple(n.id for n in sorted(group, key=_by_date)) for group in texts.values() if len(group) > 1)
    return Cluster(
        id=root or members[0],
        members=tuple(members),
        derived=tuple(sorted(derived, key=lambda d: (d.source, d.copy))),
        siblings=tuple(sorted(set(siblings))),
        source=root,
        missing_source=root is None,
        identical=tuple(identical),
        documents=tuple(
            {"id": n.id, "date": n.date, "dated_by": n.dated_by, **n.meta} for n in sorted(nodes.values(), key=_by_date)
        ),
    )


def _by_date(node: Node) -> tuple[bool, str, str]:
    """Oldest first, undated last."""
    return (node.date is None, node.date or "", node.id)
