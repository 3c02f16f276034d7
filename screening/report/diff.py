"""`screening diff`: a PackDiff (screening.tooling.diff) as text, JSON or Markdown."""

from __future__ import annotations

import json
from typing import Any

from screening.case.values import jsonable
from screening.infra.text import num, number
from screening.report import Options
from screening.tooling.diff import PackDiff


def render(d: PackDiff, fmt: str, options: Options) -> str:
    """What a rule change does to the cases: text, JSON, or Markdown for a pull request's comment."""
    if fmt == "json":
        return json.dumps(_data(d), indent=2, ensure_ascii=False, default=jsonable) + "\n"
    from screening.infra.text import visible  # titles and ids come from packs: nothing in them is obeyed

    return visible(_markdown(d) if fmt == "markdown" else _text(d))


def _data(d: PackDiff) -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "old": {"name": d.old.name, "version": d.old.version, "digest": d.old.digest},
        "new": {"name": d.new.name, "version": d.new.version, "digest": d.new.digest},
        "rules": [{"rule": r.rule, "change": r.change, "details": list(r.details)} for r in d.rules],
        **({"backtest": _backtest_data(d)} if d.backtest else {}),
        "cases_screened": len(d.cases),
        "cases_not_screened": [{"file": p.file, "line": p.line, "message": p.message} for p in d.unscreened],
        "cases_changed": [
            {
                "case": c.case,
                "file": c.file,
                "level": [c.old_level, c.new_level],
                "score": [number(c.old_score), number(c.new_score)],
                "fires_now": list(c.added),
                "no_longer_fires": list(c.removed),
                "filings": list(c.filings),
            }
            for c in d.changed
        ],
    }


def _summary(d: PackDiff) -> str:
    counts = {k: sum(1 for r in d.rules if r.change == k) for k in ("added", "removed", "renamed", "changed")}
    rules = ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "no rule changed"
    moved = sum(1 for c in d.changed if c.old_level != c.new_level)
    return f"Rules: {rules}. Cases: {len(d.changed)} of {len(d.cases)} change{'s' if len(d.changed) == 1 else ''}" + (
        f", {moved} of them change level." if moved else "."
    )


def _unscreened(d: PackDiff) -> str:
    n = len(d.unscreened)
    return (
        f"Warning: {n} test case{'s' if n != 1 else ''} of the new pack could not be loaded and "
        f"{'were' if n != 1 else 'was'} not screened, so this diff is incomplete."
        if n
        else ""
    )


def _text(d: PackDiff) -> str:
    lines = [
        f"{d.old.name} {d.old.version} ({d.old.digest[:19]}) → {d.new.name} {d.new.version} ({d.new.digest[:19]})",
        _summary(d),
        "",
    ]
    if d.unscreened:
        lines += [_unscreened(d), ""]
    if d.backtest:
        lines += [*_backtest_lines(d), ""]
    for r in d.rules:
        lines.append(f"  {r.change:<8} {r.rule}  {'; '.join(r.details)}")
    if d.rules:
        lines.append("")
    for c in d.changed:
        level = c.new_level if c.old_level == c.new_level else f"{c.old_level} → {c.new_level}"
        lines.append(f"  {c.case}: {level}, score {num(c.old_score)} → {num(c.new_score)}")
        if c.added:
            lines.append(f"      fires now: {', '.join(c.added)}")
        if c.removed:
            lines.append(f"      no longer fires: {', '.join(c.removed)}")
        lines += [f"      filing: {f}" for f in c.filings]
    return "\n".join(lines).rstrip() + "\n"


def _markdown(d: PackDiff) -> str:
    out = [
        f"### Rule-pack change: what it does to {len(d.cases)} case{'s' if len(d.cases) != 1 else ''}",
        "",
        _summary(d),
        "",
    ]
    if d.unscreened:
        out += [f"> **{_unscreened(d)}**", ">"]
        out += [f"> - `{_cell(str(p))}`" for p in d.unscreened[:20]]
        out += [f"> - and {len(d.unscreened) - 20} more"] if len(d.unscreened) > 20 else []
        out.append("")
    if d.backtest:
        out += [f"- {_cell(line.strip())}" for line in _backtest_lines(d)] + [""]
    if d.rules:
        out += ["| rule | change | details |", "|---|---|---|"]
        out += [f"| `{r.rule}` | {r.change} | {_cell('; '.join(r.details))} |" for r in d.rules]
        out.append("")
    if d.changed:
        out += ["| case | level | score | fires now | no longer fires | filings |", "|---|---|---|---|---|---|"]
        for c in d.changed:
            level = c.new_level if c.old_level == c.new_level else f"{c.old_level} → **{c.new_level}**"
            out.append(
                f"| `{c.case}` | {level} | {num(c.old_score)} → {num(c.new_score)} | "
                f"{', '.join(c.added) or '-'} | {', '.join(c.removed) or '-'} | "
                f"{_cell('; '.join(c.filings)) or '-'} |"
            )
        out.append("")
    else:
        out += ["No case changes level, score, fired rules or filings.", ""]
    out.append(f"<sub>old: `{d.old.digest[:19]}` · new: `{d.new.digest[:19]}`</sub>")
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _backtest_data(d: PackDiff) -> dict[str, Any]:
    from screening.report.backtest import data

    old, new = (data(b) for b in d.backtest or ())
    keep = ("counts", "auc", "strict_auc", "interval", "tied_share", "targets", "confusion")
    return {"corpus": new["corpus"], "old": {k: old[k] for k in keep}, "new": {k: new[k] for k in keep}}


def _auc(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _backtest_lines(d: PackDiff) -> list[str]:
    """The backtest before and after: AUC with its interval, the targets, and the cases whose level moved."""
    assert d.backtest is not None
    old, new = d.backtest
    iv = new.interval
    change = "" if old.auc is None or new.auc is None else f" ({new.auc - old.auc:+.3f})"
    lines = [
        f"Backtest on {new.corpus}: AUC {_auc(old.auc)} → {_auc(new.auc)}{change}"
        + ("" if iv is None else f", new 95% interval {_auc(iv.low)}-{_auc(iv.high)}")
        + f"; strict AUC {_auc(old.strict_auc)} → {_auc(new.strict_auc)}; "
        f"{len(new.adverse)} adverse, {len(new.cleared)} cleared"
        + (f", {len(new.problems)} problems loading the corpus" if new.problems else ""),
        f"  blocked cases at the lowest level: {len(old.blocked_below_medium())} → {len(new.blocked_below_medium())}; "
        f"cleared cases at the highest level: {len(old.cleared_at_top())} → {len(new.cleared_at_top())}",
    ]
    before = {c.case: c for c in old.cases}
    for c in new.cases:
        b = before.get(c.case)
        if b is not None and b.level != c.level:
            lines.append(f"  {c.case} ({c.decision}): {b.level} → {c.level}, score {num(b.score)} → {num(c.score)}")
    return lines
