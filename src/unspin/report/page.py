"""The HTML view of a Comparison: one self-contained page, both texts side by side."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, cast

from ..differences import word_differences

if TYPE_CHECKING:
    from ..compare import Comparison
    from ..document import Document

_COLOURS = ("#ffe08a", "#a8e6cf", "#bcd4ff", "#ffc3a0", "#d7b8f3", "#c1f0f6", "#f6d1e1", "#dcedc1")


def to_html(comparison: Comparison) -> str:
    """One page, no external requests: both texts side by side, passages coloured alike, each side's coverage,
    substitutions highlighted with the counterpart on hover (a toggle hides them), the words that differ inside
    verbatim passages marked, boilerplate struck through; it prints the verdict and both texts side by side."""
    c = comparison
    differences = word_differences(c)
    sides = []
    for name, doc, other_name in (("a", c.a, "b"), ("b", c.b, "a")):
        marks: list[tuple[int, int, str, object]] = []
        for n, p in enumerate(c.passages):
            span = p.a if name == "a" else p.b
            marks.append((span.start, span.end, "p", n))
        for n, s in enumerate(c.substitutions):
            mine, theirs = (s.a, s.b) if name == "a" else (s.b, s.a)
            marks.append((mine.start, mine.end, "s", (n, theirs.text)))
        for d in differences:
            for span in d.a if name == "a" else d.b:
                marks.append((span.start, span.end, "d", None))
        seg = c.segmented_a if name == "a" else c.segmented_b
        for b in seg.boilerplate:
            marks.append((b.span.start, b.span.end, "bp", b.reason))
        sides.append((name, doc, other_name, _render(doc.text, marks)))
    verdict = (
        f"<strong>{'Same source' if c.related else 'Unrelated'}</strong> · score {c.score:.2f} · "
        f"relation <strong>{html.escape(c.relation)}</strong>"
    )
    panes = []
    for (name, doc, _, body), side in zip(sides, (c.side_a, c.side_b), strict=True):
        evidence = "".join(f"<li>{html.escape(e)}</li>" for e in side.evidence)
        panes.append(
            f'<section class="pane" id="pane-{name}"><h2>{name.upper()}: {html.escape(side_name(doc))}</h2>'
            f'<p class="coverage" id="coverage-{name}">{html.escape(coverage_line(c, name))}</p>'
            f'<p class="disguise">{html.escape(side.language)} · disguise: '
            f"<strong>{html.escape(', '.join(side.disguise) or 'none')}</strong></p>"
            f'<ul class="evidence">{evidence}</ul><div class="text">{body}</div></section>'
        )
    rows = "".join(
        f'<li><a href="#" data-p="{n}">{n + 1}. {html.escape(p.kind)} {p.score:.2f}</a> '
        f"<span>{html.escape(_flat(p.a.text, 80))}</span></li>"
        for n, p in enumerate(c.passages)
    )
    toggle = (
        f'<label class="toggle"><input type="checkbox" id="show-subs" checked> outline substitutions '
        f"({len(c.substitutions)})</label>"
    )
    return _PAGE.format(verdict=verdict, toggle=toggle, panes="".join(panes), passages=rows, css=_CSS, js=_JS)


def side_name(doc: Document) -> str:
    """What a side is called: its title, else its path or name (a stored document's id, a file name)."""
    return str(doc.meta.get("title") or doc.path or doc.name)


def coverage_line(comparison: Comparison, side: str) -> str:
    """ "61% of B's text is found in A: 4 passages, 2,310 of 3,790 characters" """
    cov = comparison.coverage(side)
    other = "B" if side == "a" else "A"
    passages = f"{cov.passages} passage{'' if cov.passages == 1 else 's'}"
    return (
        f"{cov.percent}% of {side.upper()}’s text is found in {other}: {passages}, "
        f"{cov.chars:,} of {cov.total:,} characters"
    )


def _render(text: str, marks: list[tuple[int, int, str, object]]) -> str:
    """Text as HTML with each character range inside the spans that cover it (no nesting needed)."""
    cuts = sorted({0, len(text), *(m[0] for m in marks), *(m[1] for m in marks)})
    out = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        piece = html.escape(text[start:end])
        covering = [m for m in marks if m[0] <= start and end <= m[1]]
        classes, attrs = [], []
        for _, _, kind, value in covering:
            if kind == "p":
                classes.append("passage")
                attrs.append(f'data-p="{value}" style="background:{_COLOURS[int(value) % len(_COLOURS)]}"')  # type: ignore[call-overload]
            elif kind == "d":
                classes.append("diff")
                attrs.append('title="differs from the other side in this verbatim passage"')
            elif kind == "s":
                number, counterpart = cast(tuple[int, str], value)
                classes.append("sub")
                shown = html.escape(counterpart)
                attrs.append(f'data-s="{number}" title="{shown}" data-counterpart="{shown}"')
            else:
                classes.append("boilerplate")
                attrs.append(f'title="boilerplate: {html.escape(str(value))}"')
        if classes:
            out.append(f'<span class="{" ".join(classes)}" {" ".join(attrs)}>{piece}</span>')
        else:
            out.append(piece)
    return "".join(out)


def _flat(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222}
header{padding:.8em 1.2em;background:#263238;color:#fff}
main{display:grid;grid-template-columns:1fr 1fr;gap:1em;padding:1em}
.pane{overflow:auto;max-height:78vh;border:1px solid #ccc;border-radius:6px;padding:0 1em}
.text{white-space:pre-wrap}
.sub{outline:2px solid #d32f2f;border-radius:2px;cursor:help;position:relative}
.sub:hover::after{content:"↔ " attr(data-counterpart);position:absolute;left:0;top:1.6em;z-index:9;
 background:#212121;color:#fff;padding:.2em .5em;border-radius:4px;white-space:nowrap;font-size:13px}
.boilerplate{color:#999;text-decoration:line-through}
.diff{background:#ffab91!important;text-decoration:underline 2px #bf360c}
.hide-subs .sub{outline:none}.hide-subs .sub:hover::after{display:none}
.coverage{font-weight:600;margin:.3em 0}.toggle{margin-left:1.5em;font-size:14px}
@media print{@page{size:A4 landscape;margin:12mm}nav,.toggle{display:none}
 main{display:grid;grid-template-columns:1fr 1fr}.pane{max-height:none;overflow:visible;border:none}
 .passage,.diff,.sub,header{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
.passage.active{box-shadow:0 0 0 2px #1565c0}
nav{padding:0 1.2em}nav ol{columns:2;font-size:14px}
.evidence{font-size:13px;color:#555}
"""

_JS = """
document.getElementById('show-subs').addEventListener('change',function(ev){
 document.body.classList.toggle('hide-subs',!ev.target.checked);});
document.querySelectorAll('[data-p]').forEach(function(el){el.addEventListener('click',function(ev){
 ev.preventDefault();var n=el.getAttribute('data-p');
 document.querySelectorAll('.passage.active').forEach(function(x){x.classList.remove('active')});
 ['a','b'].forEach(function(side){var hit=document.querySelector('#pane-'+side+' .passage[data-p="'+n+'"]');
  if(hit){document.querySelectorAll('#pane-'+side+' .passage[data-p="'+n+'"]')
   .forEach(function(x){x.classList.add('active')});
  hit.scrollIntoView({block:'center'});}});});});
"""

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>unspin compare</title><style>{css}</style></head>
<body><header>{verdict}{toggle}</header>
<nav><h3>Passages</h3><ol>{passages}</ol></nav>
<main>{panes}</main>
<script>{js}</script></body></html>
"""
