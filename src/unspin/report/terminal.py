"""The terminal view of a Comparison (rich): verdict, each side's disguise, passages side by side, substitutions."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from ..compare import Comparison


def print_terminal(comparison: Comparison, console: Console) -> None:
    """Verdict, each side's disguise with its evidence, passages side by side, substitutions."""
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    c = comparison
    colour = "green" if c.related else "dim"
    headline = (
        f"[bold {colour}]{'RELATED' if c.related else 'UNRELATED'}[/]  score {c.score:.2f}  "
        f"relation [bold]{c.relation}[/]"
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
        for p in c.passages:
            table.add_row(
                f"[dim]{p.a.start}–{p.a.end}[/] " + _short(p.a.text),
                f"[dim]{p.b.start}–{p.b.end}[/] " + _short(p.b.text),
                f"{p.kind}\n{p.score:.2f} ({p.method})",
            )
        console.print(table)
    if c.substitutions:
        subs = Table(title=f"{len(c.substitutions)} substitutions (* fits its context worse)", expand=False)
        subs.add_column("A")
        subs.add_column("B")
        for s in c.substitutions:  # direction comes from context fit, not rarity: mark what the verdict weighed
            subs.add_row(
                escape(html.unescape(s.a.text)) + (" *" if s.worse == "a" else ""),
                escape(html.unescape(s.b.text)) + (" *" if s.worse == "b" else ""),
            )
        console.print(subs)


def _short(text: str, limit: int = 240) -> str:
    from rich.markup import escape

    flat = " ".join(text.split())
    return escape(flat if len(flat) <= limit else flat[: limit - 1] + "…")
