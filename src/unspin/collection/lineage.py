"""Clusters (documents sharing a source) and lineage inside them (who likely derives from whom).

A link between two documents becomes directed ("copy likely derived from source") by their dates when both
have one and they differ, else by the compare engine's relation. Documents linked only as siblings
(``common-source``) with no stored document they all derive from share a *missing* common source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Edge:
    """A proven (or, unverified, a cheap) link between stored documents ``a`` < ``b`` (doc numbers)."""

    a: int
    b: int
    score: float
    relation: str  # compare(a, b).relation, or "unverified"


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "size": len(self.members),
            "members": list(self.members),
            "source": self.source,
            "missing_source": self.missing_source,
            "derived": [d.to_dict() for d in self.derived],
            "siblings": [list(pair) for pair in self.siblings],
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
        )


def build_clusters(edges: list[Edge], info: dict[int, tuple[str, str | None]]) -> list[Cluster]:
    """Connected components of ``edges`` with their lineage; ``info`` maps doc number -> (id, date)."""
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


def _cluster(edges: list[Edge], info: dict[int, tuple[str, str | None]]) -> Cluster:
    derived: list[Derivation] = []
    siblings: list[tuple[str, str]] = []
    for e in edges:
        (key_a, date_a), (key_b, date_b) = info[e.a], info[e.b]
        if date_a and date_b and date_a != date_b:
            copy, source = (key_a, key_b) if date_a > date_b else (key_b, key_a)
            derived.append(Derivation(copy, source, "date", e.score))
        elif e.relation == "a-from-b":
            derived.append(Derivation(key_a, key_b, "engine", e.score))
        elif e.relation == "b-from-a":
            derived.append(Derivation(key_b, key_a, "engine", e.score))
        else:
            siblings.append((min(key_a, key_b), max(key_a, key_b)))
    members = sorted({info[n][0] for e in edges for n in (e.a, e.b)})
    copies = {d.copy for d in derived}
    roots = [m for m in members if m not in copies]
    root = roots[0] if len(roots) == 1 else None
    return Cluster(
        id=root or members[0],
        members=tuple(members),
        derived=tuple(sorted(derived, key=lambda d: (d.source, d.copy))),
        siblings=tuple(sorted(set(siblings))),
        source=root,
        missing_source=root is None,
    )
