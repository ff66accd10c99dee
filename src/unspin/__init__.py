"""unspin: find out where a text came from, even when it was spun, translated or wrapped in boilerplate."""

from .compare import Comparison, compare
from .document import Document, Span, load
from .errors import EncodingError, InputError, ModelNotInstalledError, StoreError, UnspinError

__all__ = [
    "Comparison",
    "Document",
    "EncodingError",
    "InputError",
    "ModelNotInstalledError",
    "Span",
    "StoreError",
    "UnspinError",
    "compare",
    "load",
]
__version__ = "0.1.0"
