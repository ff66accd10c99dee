"""The terminal view of a Comparison (rich): verdict, each side's disguise, passages side by side, substitutions."""

from __future__ import annotations

import html
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from ..compare import Comparison
    from ..substitute import Substitution

PASSAGE_LINES = 12  # lines of each passage side shown without --full (a wider terminal shows more characters)
SUBSTITUTIONS = 15  # substitution pairs listed without --full

_GLOSS = {
    "a-from-b": "A derives from B",
    "b-from-a": "B derives from A",
    "common-source": "both derive from a common source",
    "identical": "the same text",
    "unrelated": "no shared source found",
}


def print_terminal(
    comparison: Comparison, console: Console, *, full: bool = False, substitutions: int = SUBSTITUTIONS
) -> None:
    """Verdict, each side's disguise with its evidence, passages side by side (cut unless ``full``), and the
    substitutions, each pair once with its count, the first ``substitutions`` of them unless ``full``."""
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    c = comparison
    colour = "green" if c.related else "dim"
    headline = (
        f"[bold {colour}]{'RELATED' if c.related else 'UNRELATED'}[/]  score {c.score:.2f}  "
        f"relation [bold]{escape(c.relation)}[/] ({_GLOSS.get(c.relation, '')})"
    )
    console.print(Panel(headline, title="unspin compare", expand=False))
    for label, doc, side in (("A", c.a, c.side_a), ("B", c.b, c.side_b)):
        disguise = ", ".join(side.disguise) or "none"
        console.print(f"[bold]{label}[/] {escape(doc.path or doc.name)} ({side.language}): [bold]{disguise}[/]")
        for line in side.evidence:
            console.print(f"    · {line}", markup=False)
    if c.passages:
        table = Table(title=f"{len(c.passages)} passages", show_lines=True, expand=True)
        table.add_column("A", ratio=1)
        table.add_column("B", ratio=1)
        table.add_column("kind / score", no_wrap=True)
        limit = None if full else PASSAGE_LINES * max(console.width // 2 - 8, 20)
        for p in c.passages:
            table.add_row(
                f"[dim]{p.a.start}–{p.a.end}[/] " + _short(p.a.text, limit),
                f"[dim]{p.b.start}–{p.b.end}[/] " + _short(p.b.text, limit),
                f"{p.kind}\n{p.score:.2f} ({p.method})",
            )
        console.print(table)
        if limit is not None and any(
            len(" ".join(t.split())) > limit for p in c.passages for t in (p.a.text, p.b.text)
        ):
            console.print(f"[dim]passages cut at {limit:,} characters: --full shows them whole[/]")
    if c.substitutions:
        _substitutions(c.substitutions, console, None if full else substitutions)


def group_substitutions(subs: list[Substitution]) -> list[tuple[str, str, str | None, int]]:
    """Each (A wording, B wording) pair once: (a, b, which side fits its context worse, count), the pairs the
    verdict weighed first (a worse-fitting side), then the most frequent, then in text order."""
    counts: Counter[tuple[str, str]] = Counter()
    worse: dict[tuple[str, str], str | None] = {}
    for s in subs:
        pair = (" ".join(html.unescape(s.a.text).split()), " ".join(html.unescape(s.b.text).split()))
        counts[pair] += 1
        worse[pair] = worse.get(pair) or s.worse
    order = {pair: i for i, pair in enumerate(counts)}  # a Counter keeps first-seen order
    ranked = sorted(counts, key=lambda pair: (worse[pair] is None, -counts[pair], order[pair]))
    return [(a, b, worse[(a, b)], counts[(a, b)]) for a, b in ranked]


def _substitutions(subs: list[Substitution], console: Console, limit: int | None) -> None:
    from rich.table import Table
    from rich.text import Text

    grouped = group_substitutions(subs)
    shown = grouped if limit is None else grouped[: max(limit, 0)]
    title = f"{len(subs)} substitutions, {len(grouped)} distinct (* fits its context worse)"
    table = Table(title=title, expand=False)
    table.add_column("A")
    table.add_column("B")
    table.add_column("×", justify="right")
    for a, b, worse, n in shown:  # direction comes from context fit, not rarity: mark what the verdict weighed
        table.add_row(Text(a + (" *" if worse == "a" else "")), Text(b + (" *" if worse == "b" else "")), str(n))
    console.print(table)
    if len(shown) < len(grouped):
        console.print(f"and {len(grouped) - len(shown)} more (--full lists them all)", markup=False)


def _short(text: str, limit: int | None) -> str:
    from rich.markup import escape

    flat = " ".join(text.split())
    return escape(flat if limit is None or len(flat) <= limit else flat[: limit - 1] + "…")
