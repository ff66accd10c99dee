"""A token's place in its clause: its neighbours, its text as written, and a word cased like another."""

from __future__ import annotations

from ..segment import Segmented


def neighbours(seg: Segmented, i: int) -> tuple[str | None, str | None]:
    """The words just before and after token ``i`` in its clause (None across punctuation)."""
    text, tokens = seg.doc.text, seg.tokens
    prev = nxt = None
    if i > 0 and is_joined(text[tokens[i - 1].end : tokens[i].start]):
        prev = tokens[i - 1].norm
    if i + 1 < len(tokens) and is_joined(text[tokens[i].end : tokens[i + 1].start]):
        nxt = tokens[i + 1].norm
    return prev, nxt


def is_joined(gap: str) -> bool:
    return gap in (" ", "-") or (gap.isspace() and "\n" not in gap)


def token_text(seg: Segmented, i: int) -> str:
    token = seg.tokens[i]
    return seg.doc.text[token.start : token.end]


def cased(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word
