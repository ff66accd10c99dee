"""unspin: find out where a text came from, even when it was spun, translated or wrapped in boilerplate."""

from .collection import Collection
from .compare import Comparison, compare
from .document import Document, Span, load
from .errors import EncodingError, InputError, ModelNotInstalledError, StoreError, UnspinError
from .inspect import Inspection, inspect
from .scale import crawl

__all__ = [
    "Collection",
    "Comparison",
    "Document",
    "EncodingError",
    "InputError",
    "Inspection",
    "ModelNotInstalledError",
    "Span",
    "StoreError",
    "UnspinError",
    "compare",
    "crawl",
    "inspect",
    "load",
]
__version__ = "0.1.0"
