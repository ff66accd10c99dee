"""Wrap an article in scraper-site boilerplate, as content farms do: for tests and benchmarks.

The lines are the kinds DESIGN.md describes (navigation, share bars, "Also read:" links, comment forms,
hashtags), written here; the article text is kept verbatim between them.
"""

from __future__ import annotations

import random

_TOP = (
    "Home | News | Business | Markets | World",
    "Share: Facebook Twitter WhatsApp Email",
    "Advertisement",
)
_READ_MORE = (
    "Also read: Ten stocks to watch this week",
    "Also read: Why gold prices keep climbing",
    "Read more: Central banks and the dollar",
    "Also read: The best savings accounts of the month",
)
_BOTTOM = (
    "Share this:",
    "Facebook",
    "Twitter",
    "#news #business #markets",
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
    "Copyright © 2024 All rights reserved",
)


def wrap(text: str, seed: int = 0) -> str:
    """``text`` with boilerplate lines above, below and between its paragraphs (the paragraphs untouched)."""
    rng = random.Random(seed)
    paragraphs = [p for p in text.split("\n") if p.strip()]
    out = list(_TOP[: rng.randint(1, len(_TOP))])
    for i, paragraph in enumerate(paragraphs):
        out.append(paragraph)
        if i in (1, len(paragraphs) // 2) and i < len(paragraphs) - 1:
            out.append(rng.choice(_READ_MORE))
    out.extend(_BOTTOM[: rng.randint(3, len(_BOTTOM))])
    return "\n".join(out) + "\n"
