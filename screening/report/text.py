"""Terminal report, drawn with rich: header, score arithmetic, findings, ownership, gaps, sources."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from screening import countries
from screening.engine import Finding, Result
from screening.report import Options
from screening.report.data import number

LEVEL_STYLE = {"low": "bold green", "medium": "bold yellow", "high": "bold dark_orange", "critical": "bold red"}
KIND = {"state_body": "state body", "soe": "state-owned enterprise", "sovereign_fund": "sovereign fund",
        "listed_company": "listed company", "private_company": "private company", "fund": "fund",
        "individual": "individual"}


def render(results: list[Result], options: Options) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=options.width, force_terminal=options.color, color_system=(
        "truecolor" if options.color else None), legacy_windows=False, highlight=False, emoji=False)
    if len(results) > 1:
        console.print(_comparison(results))
        console.print()
    for i, result in enumerate(results):
        if i:
            console.rule(style="dim")
        for part in _case(result):
            console.print(part)
            console.print()
    return buffer.getvalue().rstrip() + "\n"


def _fmt(x: float) -> str:
    return str(number(x))


def _level(level: str) -> Text:
    return Text(level.upper(), style=LEVEL_STYLE.get(level, "bold"))


def _comparison(results: list[Result]) -> Table:
    table = Table(title="Cases by score", title_justify="left", expand=False)
    for col in ("case", "level", "score", "top findings"):
        table.add_column(col, justify="right" if col == "score" else "left")
    for r in sorted(results, key=lambda r: (-r.score, r.case.id)):
        top = ", ".join(f.rule.id for f in r.findings[:4]) or "none"
        table.add_row(r.case.id, _level(r.level), _fmt(r.score), top)
    return table


def _case(result: Result) -> list[Any]:
    parts: list[Any] = [_header(result), _math(result)]
    findings = _findings(result)
    parts += findings
    if result.mitigations:
        parts.append(_finding_table("Mitigations", result.mitigations, result))
    parts.append(_ownership(result))
    parts.append(_gaps(result))
    sources = _sources(result)
    if sources is not None:
        parts.append(sources)
    return parts


def _header(result: Result) -> Panel:
    case, pack = result.case, result.pack
    target = case.data["target"]
    head = Text.assemble(_level(result.level), f"  score {_fmt(result.score)}/100", style="")
    lines = [head,
             Text(f"{case.investor.name} ({case.investor.country or '?'}) → {target['name']} "
                  f"({target.get('country') or '?'})"),
             Text(f"rule pack {pack.name} {pack.version} · {pack.digest[:19]}", style="dim")]
    if case.summary:
        lines.append(Text(" ".join(case.summary.split()), style="italic"))
    return Panel(Group(*lines), title=f"{case.id}: {case.title}", title_align="left")


def _math(result: Result) -> Table:
    table = Table(title="Score: from rule points to level", title_justify="left")
    table.add_column("category")
    table.add_column("rules fired")
    table.add_column("points", justify="right")
    table.add_column("cap", justify="right")
    table.add_column("mitigated", justify="right")
    table.add_column("score", justify="right")
    for c in result.categories:
        if c.cap is None and c.score <= 0 and not c.rules:
            continue
        table.add_row(c.title, ", ".join(c.rules) or "-", _fmt(c.raw),
                      "-" if c.cap is None else _fmt(c.cap),
                      f"-{_fmt(c.credit)}" if c.credit else "", _fmt(c.score))
    table.add_section()
    levels = ", ".join(f"{name} ≥ {_fmt(m)}" for name, m in result.pack.scoring.levels)
    table.add_row("total", "", "", "", "", _fmt(result.score_from_rules))
    caption = f"sum {_fmt(result.subtotal)}, clamped to 0-100 = {_fmt(result.score_from_rules)} → " \
              f"{result.level_from_score} ({levels})"
    for floor in result.floors:
        caption += f"\nfloor {floor.id}: {', '.join(floor.rules)} fired → at least {floor.level}, " \
                   f"score raised to {_fmt(result.score)}. {floor.reason}"
    table.caption, table.caption_justify = caption, "left"
    return table


def _findings(result: Result) -> list[Table]:
    out = []
    for cat in result.categories:
        mine = [f for f in result.findings if f.rule.category == cat.id]
        if mine:
            out.append(_finding_table(f"{cat.title}: {_fmt(cat.score)}", mine, result))
    if not out:
        out.append(Table(title="No risk rule fired", title_justify="left", show_header=False))
    return out


def _finding_table(title: str, findings: tuple[Finding, ...] | list[Finding], result: Result) -> Table:
    table = Table(title=title, title_justify="left", show_lines=True, expand=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("finding", ratio=3)
    table.add_column("pts", justify="right")
    table.add_column("evidence", ratio=3)
    for f in findings:
        legal = "; ".join(str(r) for r in f.rule.legal_basis) or (f"practice: {f.rule.practice}" if
                                                                  f.rule.practice else "")
        what = Text(f.rule.title)
        if legal:
            what.append(f"\n{legal}", style="dim")
        table.add_row(f.rule.id, what, _fmt(f.points), _evidence_text(f))
    return table


def _evidence_text(f: Finding) -> Text:
    text = Text()
    for i, e in enumerate(f.evidence):
        if i:
            text.append("\n")
        text.append(f"{e.field} = ", style="bold")
        text.append(_value(e.value))
        if e.sources:
            text.append(f" [{', '.join(e.sources)}]", style="cyan")
    return text


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_value(v) for v in value) or "[]"
    if isinstance(value, dict):
        keep = {k: v for k, v in value.items() if k not in ("sources", "note", "description")}
        return ", ".join(f"{k}: {_value(v)}" for k, v in keep.items())
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return _fmt(value)
    return str(value)


def _entity_label(result: Result, entity_id: str, edge: Any = None) -> Text:
    e = result.case.entities[entity_id]
    state = e.kind in ("state_body", "soe", "sovereign_fund")
    label = Text()
    if edge is not None:
        share = []
        if edge.equity_pct is not None:
            share.append(f"{_fmt(edge.equity_pct)}% equity")
        if edge.voting_pct is not None and edge.voting_pct != edge.equity_pct:
            share.append(f"{_fmt(edge.voting_pct)}% votes")
        share += [r.replace("_", " ") for r in edge.rights]
        if edge.controlling:
            share.append("controls")
        label.append(f"{', '.join(share) or 'stake unknown'} ← ",
                     style="bold magenta" if edge.controlling else "")
    label.append(e.name, style="bold red" if state else "bold")
    where = countries.name(e.country) if e.country else "country unknown"
    label.append(f"  {KIND.get(e.kind or '', 'kind unknown')}, {where}", style="dim")
    for link in e.state_links or ():
        label.append(f"\n  state link: {link['kind'].replace('_', ' ')} ({link['state']})", style="red")
        if link.get("sources"):
            label.append(f" [{', '.join(link['sources'])}]", style="cyan")
    for listing in e.listings or ():
        label.append(f"\n  listed: {listing['list']}", style="bold red")
    return label


def _ownership(result: Result) -> Tree:
    case = result.case
    complete = result.facts.get("group.complete")
    note = {True: "documented to the ultimate owners", False: "incomplete", None: "completeness unknown"}[complete]
    tree = Tree(Text(f"Ownership chain ({note}); owners above the investor, controlling links marked", style="bold"))
    root = tree.add(_entity_label(result, case.investor_id))
    seen = {case.investor_id}

    def grow(node: Tree, entity_id: str) -> None:
        for edge in case.owners_of(entity_id):
            child = node.add(_entity_label(result, edge.owner, edge))
            if edge.owner in seen:
                child.add(Text("(cycle: already shown)", style="dim"))
                continue
            seen.add(edge.owner)
            grow(child, edge.owner)

    grow(root, case.investor_id)
    return tree


def _gaps(result: Result) -> Table:
    if not result.gaps:
        return Table(title="Information gaps: none; every rule was decided", title_justify="left")
    table = Table(title="Information gaps: questions to put to the investor", title_justify="left", expand=True)
    table.add_column("#", justify="right")
    table.add_column("question", ratio=4)
    table.add_column("decides", ratio=2)
    table.add_column("pts at stake", justify="right")
    for i, g in enumerate(result.gaps, 1):
        table.add_row(str(i), Text(g.question) + Text(f"\n{', '.join(g.facts)}", style="dim"), ", ".join(g.rules),
                      _fmt(g.points_at_stake))
    return table


def _sources(result: Result) -> Table | None:
    cited = sorted({s for f in result.findings + result.mitigations for e in f.evidence for s in e.sources})
    if not cited:
        return None
    table = Table(title="Sources cited", title_justify="left", show_header=False, expand=True)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("source", overflow="fold")
    for sid in cited:
        s = result.case.sources.get(sid)
        if s is None:
            continue
        line = Text(s.title)
        meta = ", ".join(x for x in (s.publisher, s.date) if x)
        if meta:
            line.append(f" ({meta})", style="dim")
        if s.url:
            line.append(f"\n{s.url}", style="blue")
            line.overflow = "fold"
        table.add_row(sid, line)
    return table
