"""Browsing the catalogues: a pack's rules and regimes, one rule or trigger, the facts rules can name.

Each command's answer is a plain value (screening.report.catalogue renders it); a name that finds nothing is
an input error here (E108), before anything is rendered.
"""

from __future__ import annotations

import difflib
from typing import NamedTuple

from screening.case.catalogue import Fact, catalogue
from screening.infra.errors import Problem, ScreeningError
from screening.pack.load import Pack, Rule
from screening.pack.regimes import Regime, Trigger


class RuleList(NamedTuple):
    """The rules of a pack, all or one category's (`screening rules list`)."""

    pack: Pack
    rules: tuple[Rule, ...]


class RuleDetail(NamedTuple):
    """One rule, or one filing trigger with its regime (`screening rules show`)."""

    pack: Pack
    rule: Rule | None = None
    trigger: Trigger | None = None
    regime: Regime | None = None


class RegimeList(NamedTuple):
    """The filing regimes of a pack, with their triggers (`screening rules regimes`)."""

    pack: Pack


class FactList(NamedTuple):
    """The facts rule conditions can name (`screening facts`)."""

    facts: tuple[Fact, ...]


def list_rules(pack: Pack, category: str | None = None) -> RuleList:
    """The pack's rules, or those of ``category`` (E108 when it has none)."""
    rules = tuple(r for r in pack.rules if category is None or r.category == category)
    if category is not None and not rules:
        known = sorted({r.category for r in pack.rules})
        raise ScreeningError(
            [
                Problem(
                    pack.path, None, None, "E108", f"no rules in category '{category}'; categories: {', '.join(known)}"
                )
            ]
        )
    return RuleList(pack, rules)


def show_rule(pack: Pack, rule_id: str) -> RuleDetail:
    """The rule of ``rule_id`` (or a former id), else the trigger of that id (E108 when neither exists)."""
    rule = pack.rule(rule_id)
    if rule is not None:
        return RuleDetail(pack, rule)
    found = [(g, t) for g in pack.regimes for t in g.rules if t.id == rule_id]
    if found:
        regime, trigger = found[0]
        return RuleDetail(pack, trigger=trigger, regime=regime)
    ids = [r.id for r in pack.rules] + [t.id for g in pack.regimes for t in g.rules]
    hint = difflib.get_close_matches(rule_id, ids, n=1)
    raise ScreeningError(
        [
            Problem(
                pack.path,
                None,
                None,
                "E108",
                f"no rule '{rule_id}' in pack {pack.name}" + (f"; did you mean '{hint[0]}'?" if hint else ""),
            )
        ]
    )


def list_regimes(pack: Pack) -> RegimeList:
    """The pack's filing regimes."""
    return RegimeList(pack)


def list_facts() -> FactList:
    """Every fact of the catalogue."""
    return FactList(tuple(catalogue().values()))
