"""Render the rule catalogue and the fact catalogue (text or JSON): the values of screening.tooling.catalogue.

Titles, rationales and sources come from rule packs, which arrive in pull requests: the terminal form
prints them as ``screening.report.lines.Text`` on a console that parses no markup, so a title cannot
make a link, a colour or a control sequence of itself.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

from screening.pack.load import Pack, Rule
from screening.report import Options
from screening.tooling.catalogue import (
    Coverage,
    FactList,
    RegimeList,
    RuleDetail,
    RuleList,
    coverage,
    list_facts,
    list_regimes,
    list_rules,
    show_rule,
)

if TYPE_CHECKING:
    from rich.console import Console


def render(value: RuleList | RuleDetail | RegimeList | FactList, fmt: str, options: Options) -> str:
    """A catalogue view (screening.tooling.catalogue), as text or JSON."""
    if isinstance(value, RuleList):
        return _rules(value, fmt, options)
    if isinstance(value, RuleDetail):
        if value.rule is None:
            return _trigger(value, fmt, options)
        return _rule(value.pack, value.rule, fmt, options)
    if isinstance(value, RegimeList):
        return _regimes(value, fmt, options)
    return _facts(value, fmt, options)


def rule_list(pack: Pack, category: str | None, fmt: str, options: Options) -> str:
    """``screening rules list``: the same as rendering ``list_rules(pack, category)``."""
    return render(list_rules(pack, category), fmt, options)


def rule_detail(pack: Pack, rule_id: str, fmt: str, options: Options) -> str:
    """``screening rules show``: the same as rendering ``show_rule(pack, rule_id)``."""
    return render(show_rule(pack, rule_id), fmt, options)


def regime_list(pack: Pack, fmt: str, options: Options, country: str | None = None) -> str:
    """``screening rules regimes``: the same as rendering ``list_regimes(pack, country)``."""
    return render(list_regimes(pack, country), fmt, options)


def fact_list(fmt: str, options: Options) -> str:
    """``screening facts``: the same as rendering ``list_facts()``."""
    return render(list_facts(), fmt, options)


def _console(options: Options) -> tuple[io.StringIO, Console]:
    from rich.console import Console

    buffer = io.StringIO()
    return buffer, Console(
        file=buffer,
        width=options.width,
        force_terminal=options.color,
        color_system="truecolor" if options.color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )


def _row(*cells: str) -> list[Any]:
    from screening.report.lines import Text

    return [Text(c) for c in cells]


def rule_data(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "title": rule.title,
        "category": rule.category,
        "weight": rule.weight,
        "when": rule.when,
        "condition": rule.condition.describe(),
        "rationale": rule.rationale,
        "legal_basis": [
            {"instrument": r.instrument, "pinpoint": r.pinpoint, "title": r.title, **({"url": r.url} if r.url else {})}
            for r in rule.legal_basis
        ],
        **({"practice": rule.practice} if rule.practice else {}),
        "references": list(rule.references),
        **({"mitigates": list(rule.mitigates)} if rule.mitigates else {}),
        **({"aliases": list(rule.aliases)} if rule.aliases else {}),
        "examples": rule.examples,
        "file": rule.file,
        "line": rule.line,
    }


def _rules(value: RuleList, fmt: str, options: Options) -> str:
    pack, rules = value.pack, value.rules
    if fmt == "json":
        return (
            json.dumps(
                [{"id": r.id, "category": r.category, "weight": r.weight, "title": r.title} for r in rules],
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    from rich.table import Table

    buffer, console = _console(options)
    from screening.report.lines import Text

    table = Table(title=Text(f"{pack.name} {pack.version}: {len(rules)} rules"), title_justify="left")
    for col, just in (("id", "left"), ("category", "left"), ("weight", "right"), ("title", "left")):
        table.add_column(col, justify=just, no_wrap=col != "title")  # type: ignore[arg-type]
    for r in rules:
        table.add_row(*_row(r.id, r.category, f"{r.weight:g}", r.title))
    console.print(table)
    return buffer.getvalue()


def _dates(x: Any) -> str:
    if getattr(x, "planned", False):
        return "planned, not in force"
    return f"{x.valid_from} to {x.valid_to}" if x.valid_to else f"from {x.valid_from}"


def _outcome(t: Any, short: bool = False) -> str:
    """``mandatory``, ``call-in``; ``mandatory, not suspensory (30 days after closing)`` for a filing that does not
    stop closing (``notification`` in a table's narrow column)."""
    if t.suspensory:
        return t.outcome.replace("_", "-")
    if short:
        return "notification"
    due = f" ({t.due_after_closing_days} days after closing)" if t.due_after_closing_days else ""
    return f"mandatory, not suspensory{due}"


def trigger_data(regime: Any, t: Any) -> dict[str, Any]:
    return {
        "id": t.id,
        "regime": regime.id,
        "title": t.title,
        "outcome": t.outcome,
        **({"suspensory": False} if not t.suspensory else {}),
        **({"due_after_closing_days": t.due_after_closing_days} if t.due_after_closing_days else {}),
        "valid_from": t.valid_from,
        **({"valid_to": t.valid_to} if t.valid_to else {}),
        "investor": t.investor.title,
        "condition": t.when.describe(),
        "legal_basis": [str(r) for r in t.legal_basis],
        "verified": t.verified,
        **({"verified_by": t.verified_by} if t.verified_by else {}),
        **({"planned": True} if t.planned else {}),
        **({"rationale": t.rationale} if t.rationale else {}),
        "examples": t.examples,
        "file": t.file,
        "line": t.line,
    }


def _regimes(value: RegimeList, fmt: str, options: Options) -> str:
    """Every regime of the pack (or of one country) with its triggers: outcome, dates in force, title, and how
    far they were checked."""
    if fmt == "json":
        return (
            json.dumps(
                [
                    {
                        "id": g.id,
                        "name": g.name,
                        "title": g.title,
                        "jurisdiction": g.jurisdiction,
                        "authority": g.authority,
                        "valid_from": g.valid_from,
                        **({"valid_to": g.valid_to} if g.valid_to else {}),
                        "coverage": {**coverage(g)._asdict(), "verified_pct": coverage(g).verified_pct},
                        "triggers": [trigger_data(g, t) for t in g.rules],
                    }
                    for g in value.regimes
                ],
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    from rich.table import Table

    from screening.report.lines import Text

    buffer, console = _console(options)
    for g in value.regimes:
        table = Table(
            title=Text(f"{g.id}  {g.title} ({_dates(g)})"),
            title_justify="left",
            caption=Text(checked(coverage(g))),
            caption_justify="left",
        )
        for col in ("id", "outcome", "in force", "checked", "title"):
            table.add_column(col, no_wrap=col != "title")
        for t in g.rules:
            table.add_row(*_row(t.id, _outcome(t, True), _dates(t), t.verified, t.title))
        console.print(table)
    return buffer.getvalue()


def checked(c: Coverage) -> str:
    """``12 triggers, 75% checked against a source: 3 primary, 6 secondary, 3 unverified; 1 planned``."""
    planned = f"; {c.planned} planned" if c.planned else ""
    plural = "" if c.triggers == 1 else "s"
    return (
        f"{c.triggers} trigger{plural}, {c.verified_pct}% checked against a source: {c.primary} primary, "
        f"{c.secondary} secondary, {c.unverified} unverified{planned}"
    )


def _trigger(value: RuleDetail, fmt: str, options: Options) -> str:
    regime, t = value.regime, value.trigger
    assert regime is not None and t is not None
    if fmt == "json":
        return json.dumps(trigger_data(regime, t), indent=2, ensure_ascii=False) + "\n"
    from screening.report.lines import Text

    buffer, console = _console(options)
    console.print(Text(f"{t.id}  {t.title}", style="bold"))
    console.print(
        Text(
            f"{regime.name}: {regime.title}\noutcome {_outcome(t)}, in force {_dates(t)}; investor: {t.investor.title}"
        )
    )
    console.print(Text("\nCondition", style="bold"))
    console.print(Text(t.when.describe()))
    console.print(Text("\nLegal basis", style="bold"))
    for ref in t.legal_basis:
        console.print(Text(f"- {ref}: {ref.title}" + (f" <{ref.url}>" if ref.url else "")))
    console.print(Text(f"Checked: {t.verified}" + (f" ({t.verified_by})" if t.verified_by else "")))
    if t.rationale:
        console.print(Text("\nRationale", style="bold"))
        console.print(Text(t.rationale))
    console.print(Text(f"\n{t.file}" + (f":{t.line}" if t.line else ""), style="dim"))
    return buffer.getvalue()


def _rule(pack: Pack, rule: Rule, fmt: str, options: Options) -> str:
    if fmt == "json":
        return json.dumps(rule_data(rule), indent=2, ensure_ascii=False) + "\n"
    import yaml
    from rich.panel import Panel
    from rich.syntax import Syntax

    from screening.infra.text import visible
    from screening.report.lines import Text

    buffer, console = _console(options)
    head = Text.assemble(
        (rule.title, "bold"),
        f"\n{rule.name} · {rule.category} · weight {rule.weight:g}"
        + (f" · former ids {', '.join(rule.aliases)}" if rule.aliases else ""),
    )
    console.print(Panel(head, title=Text(rule.id), title_align="left"))
    console.print(Text("Condition", style="bold"))
    console.print(
        Syntax(
            visible(yaml.safe_dump(rule.when, sort_keys=False, allow_unicode=True).rstrip()),
            "yaml",
            theme="ansi_dark",
            background_color="default",
        )
    )
    console.print(Text(f"  = {rule.condition.describe()}", style="dim"))
    console.print(Text("\nRationale", style="bold"))
    console.print(Text(rule.rationale))
    if rule.legal_basis:
        console.print(Text("\nLegal basis", style="bold"))
        for ref in rule.legal_basis:
            console.print(Text(f"- {ref}: {ref.title}" + (f" <{ref.url}>" if ref.url else "")))
    if rule.practice:
        console.print(Text("\nAnalyst practice", style="bold"))
        console.print(Text(rule.practice))
    if rule.references:
        console.print(Text("\nSources", style="bold"))
        for sid in rule.references:
            s = pack.sources[sid]
            console.print(
                Text(
                    f"- [{sid}] {s.title}"
                    + (f", {s.publisher}" if s.publisher else "")
                    + (f" ({s.date})" if s.date else "")
                    + (f" <{s.url}>" if s.url else "")
                )
            )
    for kind in ("fires", "quiet"):
        for ex in rule.examples.get(kind, []):
            console.print(Text(f"\nExample ({kind}): ", style="bold") + Text(json.dumps(ex, ensure_ascii=False)))
    console.print(Text(f"\n{rule.file}" + (f":{rule.line}" if rule.line else ""), style="dim"))
    return buffer.getvalue()


def _facts(value: FactList, fmt: str, options: Options) -> str:
    facts = value.facts
    if fmt == "json":
        return (
            json.dumps(
                [
                    {
                        "fact": f.path,
                        "type": f.type,
                        **({"item": f.item} if f.item else {}),
                        **({"values": list(f.values)} if f.values else {}),
                        **({"fields": {k: s.type for k, s in f.subfields.items()}} if f.subfields else {}),
                        "derived": f.derived,
                        "description": f.description,
                        "question": f.question,
                    }
                    for f in facts
                ],
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    from rich.table import Table

    buffer, console = _console(options)
    table = Table(title=f"{len(facts)} facts rules can name", title_justify="left", show_lines=False)
    table.add_column("fact", no_wrap=True)
    table.add_column("type")
    table.add_column("values / fields")
    for f in facts:
        kind = f"list of {f.item}" if f.type == "list" else f.type
        extra = ", ".join(f.values) if f.values else ", ".join(f.subfields)
        table.add_row(f.path + (" *" if f.derived else ""), kind, extra)
    table.caption = "* derived from other facts"
    console.print(table)
    return buffer.getvalue()
