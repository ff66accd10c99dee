"""The HTML view of an inspection: the document with tortured phrases and translation traces marked."""

from __future__ import annotations

import os

from ..document import Document, load
from .result import Inspection


def to_html(doc: str | os.PathLike[str] | Document, inspection: Inspection) -> str:
    """A self-contained page: the document with tortured phrases and translation traces marked, and a table of each
    phrase's evidence (the counts and probabilities that decided it)."""
    import json
    from html import escape

    document = load(doc)
    text = document.text
    marks = sorted(
        [
            (t.span.start, t.span.end, "tortured " + t.source, f"{t.original} ({t.score:.2f})")
            for t in inspection.tortured
        ]
        + [(a.span.start, a.span.end, "artefact", f"{a.kind}: {a.original}") for a in inspection.artefacts]
    )
    parts, cursor = [], 0
    for start, end, css, title in marks:
        if start < cursor:
            continue
        parts.append(escape(text[cursor:start]))
        parts.append(f'<mark class="{css}" title="{escape(title)}">{escape(text[start:end])}</mark>')
        cursor = end
    parts.append(escape(text[cursor:]))
    rows = "".join(
        f"<tr><td>{escape(t.span.text)}</td><td>{escape(t.original)}</td><td>{t.score:.2f}</td>"
        f"<td><code>{escape(json.dumps(t.evidence, ensure_ascii=False))}</code></td></tr>"
        for t in inspection.tortured
    )
    table = (
        f"<h2>Evidence</h2><table><tr><th>written</th><th>original</th><th>score</th><th>evidence</th></tr>{rows}</table>"
        if rows
        else ""
    )
    status = "" if inspection.assessed else f" · not assessed: {escape(inspection.reason)}"
    return (
        "<!doctype html><meta charset='utf-8'><title>unspin inspect</title><style>"
        "body{font:16px/1.5 sans-serif;max-width:50em;margin:2em auto}pre{white-space:pre-wrap;font:inherit}"
        "mark.tortured{background:#fde68a}mark.user{background:#fca5a5}mark.artefact{background:#bfdbfe}"
        "td{vertical-align:top;padding:0 .5em}code{font-size:12px}</style>"
        f"<h1>{escape(document.name)}</h1><p>language {escape(inspection.language)}{status} · "
        f"spun score {inspection.spun_score:.2f} · translated score "
        f"{inspection.translated_score:.2f} · {len(inspection.tortured)} tortured phrases · "
        f"{len(inspection.artefacts)} translation traces (hover a mark for the likely original)</p>"
        f"<pre>{''.join(parts)}</pre>{table}"
    )
