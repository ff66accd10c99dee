"""Collections: index a crawl, find every copy of a story, and who copied whom (see ``Collection``)."""

from .collection import AddReport, Collection, Hit, StoredDocument
from .ingest import Skipped
from .lineage import Cluster, Derivation
from .story import Story

__all__ = ["AddReport", "Cluster", "Collection", "Derivation", "Hit", "Skipped", "StoredDocument", "Story"]
