"""``crawl``: the collection's pipeline over shards, on a local process pool or a Ray cluster (engines only
schedule; the stages in ``stages`` import no engine), and ``import_crawl`` to load a finished crawl into a
collection."""

from .crawl import CrawlReport, crawl, read_clusters
from .load import import_crawl

__all__ = ["CrawlReport", "crawl", "import_crawl", "read_clusters"]
