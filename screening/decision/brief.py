"""A case's answer as a batch row shows it, computing nothing the row does not show.

``screen`` (screening.decision.engine) builds a full Result: evidence, gap questions, rule lists per category,
filings judged again under today's law, margins. A batch row shows the score, the level, each category's score,
the rules fired, the names of the facts gaps ask about and each reaching regime's outcome. ``brief`` works out
only those, from the same pieces in the same order, so a row is the same either way (tests/test_batch_fast.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from screening.case.catalogue import catalogue
from screening.case.confidence import at_level, lowest, rank
from screening.case.dated import change_days, first_day, judged_day, on_day, unsure
from screening.case.facts import build_facts
from screening.case.model import Case
from screening.case.values import DayRange, Interval
from screening.conditions.evaluate import evaluate
from screening.decision.engine import _before, _confidence, _known, _question, _record_question, listed_details
from screening.infra.text import number
from screening.pack.load import Pack

if TYPE_CHECKING:
    from screening.case.dated import AsOf
    from screening.pack.waivers import Waiver


_BOUNDED = (Interval, DayRange)
"""The values a gap's question quotes (``engine._known``)."""


class Tables(NamedTuple):
    """What every case of a pack reads of its rules and scoring: worked out once per pack."""

    weights: tuple[float, ...]
    """Each rule's weight, by its index."""
    at_stake: tuple[float, ...]
    """Each rule's points at stake in a gap: its weight, 0 for a mitigation."""
    category: tuple[int, ...]
    """Each rule's category, by its index in the pack's categories."""
    mitigates: tuple[tuple[int, ...], ...]
    """The categories each rule's points are credited against, by index."""
    mitigation: tuple[bool, ...]
    """Per rule: whether it is a mitigation (listed after the risk rules)."""
    floor_rank: int
    floors: tuple[tuple[frozenset[str], str, int], ...]
    """Each floor: its rules, its level, the level's rank."""


_TABLES: dict[int, tuple[Pack, Tables]] = {}


def tables(pack: Pack) -> Tables:
    """The pack's tables, worked out on its first case."""
    found = _TABLES.get(id(pack))
    if found is not None and found[0] is pack:
        return found[1]
    if len(_TABLES) >= 8:  # a long-lived process screening with many packs: keep the last few
        _TABLES.clear()
    made = _tables(pack)
    _TABLES[id(pack)] = (pack, made)
    return made


def _tables(pack: Pack) -> Tables:
    categories = pack.scoring.categories
    at = {c.id: i for i, c in enumerate(categories)}
    mitigation_ids = {c.id for c in categories if c.mitigation}
    rules = pack.rules
    return Tables(
        tuple(r.weight for r in rules),
        tuple(r.weight if r.category not in mitigation_ids else 0.0 for r in rules),
        tuple(at[r.category] for r in rules),
        tuple(tuple(at[m] for m in r.mitigates if m in at) for r in rules),
        tuple(r.category in mitigation_ids for r in rules),
        rank(pack.scoring.floor_confidence),
        tuple((frozenset(f.rules), f.level, pack.scoring.rank(f.level)) for f in pack.scoring.floors),
    )


def brief(
    case: Case,
    pack: Pack,
    today: dt.date,
    waivers: Mapping[tuple[str, str], Waiver] | None = None,
    on: AsOf = None,
    hits: list[Any] | None = None,
) -> dict[str, Any]:
    """The row of ``case``: score, level, categories, fired, gaps (fact names) and filings, as
    screening.batch.work.assess writes them from a full screen; ``hits`` are its watchlist hits (None: no list)."""
    table = tables(pack)
    day = judged_day(case.data, on, today)
    view = on_day(case, day.first, day.last)
    facts = build_facts(view, hits, sources=False)  # a row cites no evidence
    values = facts.values
    outcome = evaluate(pack, values, unknowns=True)
    fired_at = outcome.fired
    worst = lowest(view)
    facts_at = cache(lambda level: build_facts(at_level(view, level), hits, sources=False).values)
    held = _confidence(worst, facts_at, pack, fired_at, "auto")
    waived_on = first_day(on, today)
    fired: list[tuple[int, float, bool, str]] = []  # rule index, points, waived, confidence
    for i in fired_at:
        waived = False
        if waivers:
            waiver = waivers.get((case.id, pack.rules[i].id))
            waived = waiver is not None and waiver.status(waived_on) == "active"
        level = held.get(i, "confirmed")
        points = table.weights[i] * pack.scoring.fraction(level) if level != "confirmed" else table.weights[i]
        fired.append((i, points, waived, level))
    scores, subtotal = _categories(pack, table, [f for f in fired if not f[2]])
    score = max(0.0, min(100.0, subtotal))
    level = pack.scoring.level_of(score)
    floor_at = table.floor_rank
    fired_ids = {pack.rules[i].id for i, _, waived, held_at in fired if not waived and rank(held_at) <= floor_at}
    for rules, floor_level, floor_rank in table.floors:
        if fired_ids & rules and floor_rank > pack.scoring.rank(level):
            level = floor_level
            score = max(score, pack.scoring.minimum(level))
    filings: dict[str, str] = {}
    if pack.regimes:
        from screening.decision.filings import matrix, reached_outcomes

        # the answer on the facts held at the pack's filing confidence, as the full path's row shows it
        limit = pack.scoring.filing_confidence
        sure = rank(worst) > rank(limit)
        segments = None
        changes = change_days(view, day.first, day.last) if day.range else []
        if changes:
            starts = [day.first, *changes]
            ends = [_before(d) for d in changes] + [day.last]
            segments = [
                (
                    a,
                    b,
                    build_facts(
                        at_level(on_day(case, a, b), limit) if sure else on_day(case, a, b), hits, sources=False
                    ).values,
                    tuple(unsure(case, a, b)),
                )
                for a, b in zip(starts, ends, strict=True)
            ]
        filing_values = facts_at(limit) if sure else values
        quick = None if segments else reached_outcomes(filing_values, pack.regimes, on, today)
        if quick is not None:
            filings = quick
        else:
            found = matrix(filing_values, pack.regimes, on, today, explain=False, segments=segments, today_too=False)
            filings = {d.regime.id: d.outcome for d in found.decisions if d.reached}
    key = lambda f: (-abs(f[1]), pack.rules[f[0]].id)  # noqa: E731
    risk = sorted((f for f in fired if not table.mitigation[f[0]]), key=key)
    mitigations = sorted((f for f in fired if table.mitigation[f[0]]), key=key)
    return {
        "score": number(score),
        "level": level,
        "categories": {k: number(s + 0.0) for k, s in scores.items()},
        "fired": [pack.rules[f[0]].id for f in (*risk, *mitigations)],
        "gaps": gap_names(facts.subject, values, outcome.undecided, outcome.unknowns, table, pack),
        "filings": filings,
    }


def _categories(
    pack: Pack, table: Tables, counted: list[tuple[int, float, bool, str]]
) -> tuple[dict[str, float], float]:
    """Each category's score (risk categories first, then mitigations) and the sum of the risk categories', as
    screening.decision.engine._categories adds them (the same sums in the same order)."""
    categories = pack.scoring.categories
    raws: list[list[float]] = [[] for _ in categories]
    credits = [0.0] * len(categories)
    for i, points, _, _ in counted:
        raws[table.category[i]].append(points)
        for m in table.mitigates[i]:
            credits[m] += abs(points)
    risk: dict[str, float] = {}
    removed: list[float] = []
    for k, cat in enumerate(categories):
        if not cat.mitigation:
            raw = float(sum(raws[k]))
            capped = min(raw, cat.cap) if cat.cap is not None else raw
            risk[cat.id] = max(0.0, capped - credits[k])
            removed.append(capped - risk[cat.id])
    exposure = pack.scoring.exposure
    if exposure is not None:
        factor = exposure.factor(sum(score for cat, score in risk.items() if cat in exposure.by))
        risk = {cat: score * factor if cat in exposure.scales else score for cat, score in risk.items()}
    credit = -sum(removed)
    subtotal = sum(risk.values())
    return {**risk, **{c.id: credit for c in categories if c.mitigation}}, subtotal


def gap_names(
    subject: str,
    values: dict[str, Any],
    undecided: list[int] | tuple[int, ...],
    unknowns: Any,
    table: Tables,
    pack: Pack,
) -> list[str]:
    """The names of the facts the gaps ask about, in the order of the gaps (most points at stake first), without
    their questions or rules: facts that share a question are one gap (screening.decision.engine._gaps), a list
    of records that leaves out details a rule needs asked about those details."""
    where: dict[str, list[int]] = {}  # each fact's undecided rules, by position, in the order first asked
    for pos, fields in enumerate(unknowns):
        for name in fields:
            found = where.get(name)
            if found is None:
                where[name] = [pos]
            elif found[-1] != pos:
                found.append(pos)
    asked: dict[str, str] = {}
    for name in where:
        value = values.get(name)
        question = _question(name).replace("{name}", subject)
        # what the case says of a fact given as a bound (engine._known: nothing for any other value)
        asked[name] = question + _known(value) if isinstance(value, _BOUNDED) else question
    for name, keys in _details(values, undecided, unknowns, pack, asked).items():
        if keys and name in asked:
            asked[name] = _record_question(name, values.get(name) or [], keys)
    by_question: dict[str, list[str]] = {}  # question -> its facts, in the order first asked
    for name, question in asked.items():
        names = by_question.get(question)
        if names is None:
            by_question[question] = [name]
        else:
            names.append(name)
    at_stake = table.at_stake
    ordered = []
    for names in by_question.values():
        # a rule's points count once for a question, however many of its facts the rule reads, added in the
        # rules' order as screening.decision.engine._gaps adds them (the same float sums)
        spots = where[names[0]] if len(names) == 1 else sorted({p for name in names for p in where[name]})
        points = 0.0
        for pos in spots:
            points += at_stake[undecided[pos]]
        ordered.append((-points, tuple(names)))
    ordered.sort()
    return [name for _, names in ordered for name in names]


@cache
def _written() -> frozenset[str]:
    """The facts that are lists the case writes (not ones the tool computes, whose details no gap asks for:
    screening.decision.engine._missing_details)."""
    return frozenset(
        name for name, fact in catalogue().items() if fact.type in ("records", "list") and not fact.derived
    )


def _details(
    values: dict[str, Any], undecided: list[int] | tuple[int, ...], unknowns: Any, pack: Pack, asked: dict[str, str]
) -> dict[str, set[str]]:
    """The details of listed records a gap asks for (screening.decision.engine.listed_details), found only where
    they may change which facts share a gap: a list of records whose unknown details leave a rule undecided is
    asked about on its own (``_record_question`` names the list), so the rules are traced only for a list whose
    plain question (``asked``: each fact's) another fact asks too, or whose name ends as another list's does."""
    written = _written()
    listed = {n for n in asked if n in written and isinstance(values.get(n), list) and values[n]}
    if not listed:
        return {}
    asked_by = Counter(asked.values())
    endings = Counter(name.rsplit(".", 1)[-1] for name in listed)
    doubtful = {n for n in listed if asked_by[asked[n]] > 1 or endings[n.rsplit(".", 1)[-1]] > 1}
    if not doubtful:
        return {}
    pairs = zip(undecided, unknowns, strict=True)
    return listed_details(values, ((pack.rules[i], names) for i, names in pairs if doubtful.intersection(names)))
