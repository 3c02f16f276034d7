"""`screening backtest`: a Backtest (screening.tooling.backtest) as text, JSON, or HTML with a plot."""

from __future__ import annotations

import html
import json
from typing import Any

from screening.infra.text import number
from screening.report import Options
from screening.tooling.backtest import ADVERSE, APART, BLOCKED, CLEARED, DECISIONS, TARGET_AUC, Backtest, Pair, Scored

SHOWN_PAIRS = 15
"""Misranked pairs the text and HTML forms show (JSON lists them all)."""


def render(b: Backtest, fmt: str, options: Options) -> str:
    """How the pack's scores rank the corpus' decisions: text, JSON, or a self-contained HTML page."""
    if fmt == "json":
        return json.dumps(data(b), indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        return _html(b)
    from screening.infra.text import visible  # titles come from case files: nothing in them is obeyed

    return visible(_text(b))


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _case(c: Scored) -> dict[str, Any]:
    return {
        "case": c.case,
        "file": c.file,
        "decision": c.decision,
        "score": number(c.score),
        "level": c.level,
        "rules": sorted(c.points),
        "conditions_left_out": c.left_out,
    }


def _pair(p: Pair) -> dict[str, Any]:
    return {
        "adverse": {"case": p.adverse.case, "decision": p.adverse.decision, "score": number(p.adverse.score)},
        "cleared": {"case": p.cleared.case, "score": number(p.cleared.score)},
        "tie": p.tie,
        "adverse_only": [{"rule": r, "points": number(pts)} for r, pts in p.adverse_only],
        "cleared_only": [{"rule": r, "points": number(pts)} for r, pts in p.cleared_only],
    }


def data(b: Backtest) -> dict[str, Any]:
    """The backtest as JSON-ready data (also what `screening diff --backtest` compares)."""
    iv = b.interval
    return {
        "schema_version": "1.0",
        "pack": {"name": b.pack.name, "version": b.pack.version, "digest": b.pack.digest},
        "corpus": b.corpus,
        "counts": {
            "adverse": len(b.adverse),
            "cleared": len(b.cleared),
            "apart": len(b.apart),
            "not_loaded": _not_loaded(b),
        },
        "auc": b.auc,
        "strict_auc": b.strict_auc,
        "interval": None
        if iv is None
        else {
            "low": iv.low,
            "high": iv.high,
            "level": 0.95,
            "method": "percentile bootstrap, stratified, clustered by deal",
            "replicates": iv.replicates,
            "deals": {"adverse": iv.deals[0], "cleared": iv.deals[1]},
            "seed": iv.seed,
            "degenerate": iv.degenerate,
        },
        "tied_share": b.tied_share,
        "targets": {
            "auc_at_least": TARGET_AUC,
            "auc_met": b.auc is not None and b.auc >= TARGET_AUC,
            "blocked_below_medium": [c.case for c in b.blocked_below_medium()],
            "cleared_at_critical": [c.case for c in b.cleared_at_top()],
        },
        "confusion": b.confusion(),
        "misranked": [_pair(p) for p in b.misranked],
        "lift": [{"rule": lf.rule, "adverse": lf.adverse, "cleared": lf.cleared, "lift": lf.lift} for lf in b.lifts],
        "apart": [_case(c) for c in b.apart],
        "cases": [_case(c) for c in b.cases],
        "problems": [
            {"file": p.file, "line": p.line, "column": p.column, "code": p.code, "message": p.message}
            for p in b.problems
        ],
    }


def _not_loaded(b: Backtest) -> int:
    """The files left out: the problems that are errors (a warning, W380, leaves its case in)."""
    return sum(p.severity == "error" for p in b.problems)


def _rules(items: tuple[tuple[str, float], ...]) -> str:
    return ", ".join(f"{r} +{number(p)}" for r, p in items) or "none"


def _text(b: Backtest) -> str:
    out: list[str] = []
    add = out.append
    add(f"Backtest of {b.pack.name} {b.pack.version} on {b.corpus}")
    add(
        f"  {len(b.cases)} cases: {len(b.adverse)} adverse, {len(b.cleared)} cleared without conditions, "
        f"{len(b.apart)} apart (withdrawn, not reviewed, pending)"
        + (f"; {_not_loaded(b)} not loaded (listed on stderr)" if _not_loaded(b) else "")
    )
    left = [c for c in b.cases if c.left_out]
    if left:
        add(
            f"  left out as the outcome of its own review: {sum(c.left_out for c in left)} undated commitments "
            f"accepted or imposed, in {len(left)} cases"
        )
    add("")
    iv = b.interval
    interval = "" if iv is None else f"  95% interval {_f(iv.low)}-{_f(iv.high)}"
    if iv is not None and iv.degenerate:
        interval += " (degenerate: one class has a single score)"
    add(f"AUC (adverse vs cleared): {_f(b.auc)}{interval}")
    add(f"  strict AUC (blocked, unwound, abandoned vs cleared): {_f(b.strict_auc)}")
    boot = (
        f"{iv.replicates} stratified replicates by deal ({iv.deals[0]} adverse, {iv.deals[1]} cleared), seed {iv.seed}"
        if iv
        else "none (a class is empty)"
    )
    add(f"  tied pairs: {b.tied_share:.1%}; bootstrap: {boot}")
    add("")
    add("Targets")
    met = b.auc is not None and b.auc >= TARGET_AUC
    add(f"  AUC >= {TARGET_AUC}: {'met' if met else 'not met'}")
    low, top = b.blocked_below_medium(), b.cleared_at_top()
    add(f"  no blocked case below medium: {'met' if not low else 'not met: ' + ', '.join(c.case for c in low)}")
    add(f"  no cleared case at critical: {'met' if not top else 'not met: ' + ', '.join(c.case for c in top)}")
    add("")
    add("Level against decision")
    levels = b.levels
    width = max(len(d) for d in DECISIONS)
    add("  " + " " * width + "".join(f"{lv:>10}" for lv in levels))
    for decision, row in b.confusion().items():
        add(f"  {decision:<{width}}" + "".join(f"{row[lv]:>10}" for lv in levels))
    add("")
    ties = sum(1 for p in b.misranked if p.tie)
    add(f"Misranked pairs: {len(b.misranked) - ties} below, {ties} level (of {len(b.adverse) * len(b.cleared)} pairs)")
    for p in b.misranked[:SHOWN_PAIRS]:
        add(
            f"  {p.adverse.case} ({p.adverse.decision}, {number(p.adverse.score)}) "
            f"{'=' if p.tie else '<'} {p.cleared.case} (cleared, {number(p.cleared.score)})"
        )
        add(f"    only in the adverse case: {_rules(p.adverse_only)}")
        add(f"    only in the cleared case: {_rules(p.cleared_only)}")
    if len(b.misranked) > SHOWN_PAIRS:
        add(f"  ... and {len(b.misranked) - SHOWN_PAIRS} more (--format json lists them all)")
    add("")
    add(f"Rule lift (fires in adverse / fires in cleared, of {len(b.adverse)} / {len(b.cleared)})")
    for lf in b.lifts:
        add(f"  {lf.rule:<8} {lf.adverse:>3} / {lf.cleared:<3}  lift {lf.lift:.2f}")
    if b.apart:
        add("")
        add("Apart from the AUC")
        for c in b.apart:
            add(f"  {c.case:<40} {c.decision:<14} {number(c.score):>5}  {c.level}")
    return "\n".join(out) + "\n"


COLOURS = {d: "#b2182b" for d in BLOCKED} | {"cleared_with_conditions": "#ef8a62", "cleared": "#2166ac"}


def plot(b: Backtest) -> str:
    """An inline SVG: each case a dot at its score, one column per decision, the level lines behind."""
    shown = [d for d in DECISIONS if any(c.decision == d for c in b.cases)]
    col, top, height, left = 110, 20, 300, 40
    width = left + col * max(1, len(shown)) + 10
    y = lambda score: top + height - score / 100 * height  # noqa: E731
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{top + height + 60}" '
        f'role="img" aria-label="Score by outcome">'
    ]
    for name, minimum in b.pack.scoring.levels:
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y(minimum):.1f}" y2="{y(minimum):.1f}" stroke="#ccc"/>'
            f'<text x="{left - 4}" y="{y(minimum) - 2:.1f}" font-size="10" text-anchor="end">{html.escape(name)}</text>'
        )
    for i, decision in enumerate(shown):
        x0 = left + col * i + col / 2
        cases = sorted((c for c in b.cases if c.decision == decision), key=lambda c: (c.score, c.case))
        for j, c in enumerate(cases):
            dx = ((j % 7) - 3) * 6  # spread equal scores side by side, deterministically
            parts.append(
                f'<circle cx="{x0 + dx:.1f}" cy="{y(c.score):.1f}" r="4" fill="{COLOURS.get(decision, "#999")}" '
                f'fill-opacity="0.75"><title>{html.escape(c.case)}: {number(c.score)} ({html.escape(c.level)})</title>'
                "</circle>"
            )
        label = html.escape(decision.replace("_", " "))
        parts.append(
            f'<text x="{x0:.1f}" y="{top + height + 16}" font-size="10" text-anchor="middle">{label}</text>'
            f'<text x="{x0:.1f}" y="{top + height + 30}" font-size="10" text-anchor="middle">n={len(cases)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _html(b: Backtest) -> str:
    e = html.escape
    text = _text(b)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Backtest of {e(b.pack.name)} {e(b.pack.version)}</title>"
        "<style>body{font-family:sans-serif;margin:2em;max-width:70em}pre{white-space:pre-wrap}</style>"
        "</head><body>"
        f"<h1>Backtest of {e(b.pack.name)} {e(b.pack.version)}</h1>"
        f"<p>AUC {_f(b.auc)} on {len(b.adverse)} adverse and {len(b.cleared)} cleared cases "
        f"({e(', '.join(ADVERSE))} against {e(', '.join(CLEARED))}; {e(', '.join(APART))} apart).</p>"
        "<h2>Score by outcome</h2>"
        f"<figure>{plot(b)}</figure>"
        "<h2>Figures</h2>"
        f"<pre>{e(text)}</pre>"
        "</body></html>\n"
    )
