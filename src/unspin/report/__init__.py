"""Views of a Comparison: JSON (here), a rich terminal report (``terminal``) and a self-contained side-by-side
HTML page (``page``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .page import to_html
from .terminal import print_terminal

if TYPE_CHECKING:
    from ..compare import Comparison

__all__ = ["print_terminal", "to_html", "to_json"]


def to_json(comparison: Comparison) -> str:
    """Exactly ``comparison.to_dict()``, as indented JSON."""
    return json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2)
