"""Web boilerplate inside plain text: which lines are not the article.

Trafilatura removes page chrome from HTML but keeps "Also read: ..." lines (DESIGN.md), and scraped
plain text carries share bars, comment forms, hashtag lines and photo captions. We never rewrite
the text: ``find_boilerplate`` returns spans of the original text, so every offset stays valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .document import Span

_READ_MORE = re.compile(
    r"^\s*(also read|read also|read more|see also|related( articles?| stories| news)?|recommended|"
    r"baca juga|lihat juga|simak juga|lesen sie auch|lire aussi|à lire aussi|leer también|lea también|"
    r"leia também|читайте также|ayrıca okuyun|click here|subscribe|sign up for|follow us)\b\s*[:\-–—|]",
    re.IGNORECASE,
)
_SOCIAL = {
    "facebook",
    "twitter",
    "x",
    "pinterest",
    "linkedin",
    "whatsapp",
    "telegram",
    "reddit",
    "tumblr",
    "email",
    "e-mail",
    "print",
    "vk",
    "instagram",
    "youtube",
    "tiktok",
    "share",
    "share:",
    "tweet",
    "share this",
    "share this:",
    "share this article",
    "copy link",
    "like this:",
    "like",
    "comments",
    "advertisement",
    "scroll to continue",
    "scroll to continue with content",
}
_COMMENT_FORM = re.compile(
    r"^\s*(leave a (reply|comment)|cancel reply|post comment|your email address will not be published|"
    r"required fields are marked|this site uses akismet|learn how your comment data is processed|"
    r"save my name, email|you must be logged in|comments are closed|copyright ©|© \d{4}|all rights reserved)",
    re.IGNORECASE,
)
_CAPTION_START = re.compile(
    r"^\s*(illustration|ilustrasi|photo|foto|image|file photo|picture|caption|gambar)\s*[:\-–—|]",
    re.IGNORECASE,
)
_CAPTION_CREDIT = re.compile(
    r"\((afp|reuters|ap|ap photo|getty images|epa|xinhua|antara|photo[^)]{0,40})\)\s*$", re.IGNORECASE
)
_HASHTAG = re.compile(r"#\w+")
# a wire credit line: "(Reporting by ...; Editing by ...)"; two unrelated stories by one desk share it
_CREDIT = re.compile(
    r"\(\s*(additional\s+)?(reporting|writing|editing|edited|compiled|research)(\s+and\s+\w+)?\s+by\b[^()]*\)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Boilerplate:
    """A line that is page furniture, not article text, and why we think so."""

    span: Span
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.span.start, "end": self.span.end, "text": self.span.text, "reason": self.reason}


def find_boilerplate(text: str) -> tuple[Boilerplate, ...]:
    """Boilerplate lines of ``text``, and wire credits ending a line, as spans of it (line breaks excluded)."""
    found = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        reason = _reason(body)
        credit = None if reason else _CREDIT.search(body)
        if reason:
            start = offset + (len(body) - len(body.lstrip()))
            found.append(Boilerplate(Span.of(text, start, offset + len(body.rstrip())), reason))
        elif credit:  # most often at the end of the last paragraph, not on a line of its own
            found.append(
                Boilerplate(Span.of(text, offset + credit.start(), offset + len(body.rstrip())), "credit line")
            )
        offset += len(line)
    return tuple(found)


def _reason(line: str) -> str | None:
    stripped = line.strip()
    if not stripped:
        return None
    if _READ_MORE.match(stripped):
        return "read-more link"
    if stripped.lower().rstrip(" :") in _SOCIAL or stripped.lower() in _SOCIAL:
        return "share bar"
    if _COMMENT_FORM.match(stripped):
        return "comment form"
    words = stripped.split()
    hashtags = len(_HASHTAG.findall(stripped))
    if hashtags >= 2 and hashtags >= 0.6 * len(words):
        return "hashtags"
    if _CAPTION_START.match(stripped):
        return "photo caption"
    if len(words) <= 40 and _CAPTION_CREDIT.search(stripped) and not stripped.endswith(('."', ".”")):
        return "photo caption"
    return None
