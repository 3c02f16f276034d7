"""`screening batch`'s end-of-run summary (screening.batch.summary.Summary), as plain text for stderr."""

from __future__ import annotations

from typing import TYPE_CHECKING

from screening.infra.errors import CODES
from screening.infra.text import num, visible
from screening.report import Options

if TYPE_CHECKING:
    from screening.batch.summary import Summary


def render(summary: Summary, fmt: str, options: Options) -> str:
    """The summary as plain text for stderr."""
    levels = summary.level_order
    lines = [
        f"{summary.cases:,} case{'s' if summary.cases != 1 else ''}: "
        + ", ".join(f"{summary.levels.get(lv, 0):,} {lv}" for lv in reversed(levels))
        + f", {summary.errors:,} error{'s' if summary.errors != 1 else ''}"
    ]
    others = sorted(set(summary.levels) - set(levels))
    if others:
        lines[0] += "".join(f", {summary.levels[lv]:,} {lv}" for lv in others)
    if summary.resumed:
        lines.append(f"{summary.resumed:,} already in the results from an earlier run (not screened again)")
    if summary.top:
        lines.append(f"top {len(summary.top)} by score:")
        width = max(len(i) for _, i, _, _ in summary.top)
        lines += [f"  {num(score):>5}  {level:<8}  {id:<{width}}  {source}" for score, id, level, source in summary.top]
    if summary.errors:
        lines.append(f"errors ({summary.errors:,}), by problem and column:")
        for code, column, rows, example in summary.error_groups:
            what = f"{code} {CODES.get(code, 'internal-error')}" if code else "internal error"
            where = f" in '{column}'" if column else ""
            lines.append(f"  {rows:,} row{'s' if rows != 1 else ''}: {what}{where}, e.g. {example}")
    if summary.duplicates:
        lines.append(
            f"case ids given to more than one row ({summary.duplicates:,}; first {len(summary.first_duplicates)}):"
        )
        lines += [f"  {id}: {', '.join(sources)}" for id, sources in summary.first_duplicates]
    lines.append(f"{summary.screened:,} screened in {summary.elapsed:.1f} s ({summary.rate:,.0f} cases/s)")
    # ids and file names come from the inputs: nothing in them is obeyed
    return visible("\n".join(lines)) + "\n"
