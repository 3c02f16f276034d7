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
    """The filing regimes of a pack, or of one country, with their triggers (`screening rules regimes`)."""

    pack: Pack
    regimes: tuple[Regime, ...]
    country: str | None = None
    """The country asked for (``--country``), None for every regime."""


class Coverage(NamedTuple):
    """How far a regime's triggers were checked: each trigger once (a trigger split at a dated investor test
    counts once), planned ones apart (they are never applied)."""

    triggers: int
    primary: int
    secondary: int
    unverified: int
    planned: int

    @property
    def verified_pct(self) -> int:
        """The share of triggers (planned ones left out) checked against a primary or named secondary source."""
        return round(100 * (self.primary + self.secondary) / self.triggers) if self.triggers else 0


def coverage(regime: Regime) -> Coverage:
    """How far ``regime``'s triggers were checked (`screening rules regimes`, the README's coverage table)."""
    once = {t.id: t for t in regime.rules}.values()
    applied = [t for t in once if not t.planned]
    count = lambda status: sum(t.verified == status for t in applied)  # noqa: E731
    return Coverage(len(applied), count("primary"), count("secondary"), count("unverified"), len(once) - len(applied))


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
    same = [i for i in ids if i.casefold() == rule_id.strip().casefold()]  # ci-001: CI-001, not US-001
    hint = same or difflib.get_close_matches(rule_id.strip().upper(), ids, n=1)
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


def list_regimes(pack: Pack, country: str | None = None) -> RegimeList:
    """The pack's filing regimes, or those that reach a target in ``country`` (an ISO code, or a regime's id):
    its own and a frame over it (the EU's for a member state). E108 when none does."""
    if country is None:
        return RegimeList(pack, tuple(pack.regimes))
    from screening.case import countries
    from screening.case.territory import territory

    code = country.strip().upper()
    code = countries.ALIASES.get(code, code)  # UK: the regimes of GB
    found = tuple(g for g in pack.regimes if code == g.id or code in territory(g.jurisdiction))
    if not found and not countries.is_country(code):  # Germany, not DE: a code is asked for, say which
        hint = countries.suggest(country.strip())
        raise ScreeningError(
            [
                Problem(
                    pack.path,
                    None,
                    None,
                    "E107",
                    f"unknown country code {country.strip()!r}"
                    + (f"; {hint}" if hint else "; expected an ISO 3166-1 alpha-2 code (DE) or a regime's id (CAN)"),
                )
            ]
        )
    if not found:
        covered = sorted({g.jurisdiction for g in pack.regimes})
        raise ScreeningError(
            [
                Problem(
                    pack.path,
                    None,
                    None,
                    "E108",
                    f"no regime in pack {pack.name} covers {countries.name(code)} ({code}); "
                    f"it covers {', '.join(covered) or 'no country'}",
                )
            ]
        )
    return RegimeList(pack, found, code)


def regime_ids(pack: Pack, given: list[str]) -> tuple[list[str], list[str]]:
    """The pack's ids of the regimes ``given`` (in any case: ``de`` is DE), and a line for each that names none:
    ``Germany (did you mean DE?)`` when it is a country's name or code the pack has regimes for."""
    from screening.case import countries

    ids = {g.id.upper(): g.id for g in pack.regimes}
    found: list[str] = []
    unknown: list[str] = []
    for name in given:
        if name.strip().upper() in ids:
            found.append(ids[name.strip().upper()])
            continue
        code = name.strip().upper()
        code = countries.ALIASES.get(code, code)
        if not countries.is_country(code):
            code = countries.named(name) or ""
        meant = [g.id for g in pack.regimes if code and g.jurisdiction == code]
        unknown.append(f"{name} (did you mean {' or '.join(meant)}?)" if meant else name)
    return found, unknown


def list_facts() -> FactList:
    """Every fact of the catalogue."""
    return FactList(tuple(catalogue().values()))
