"""The filing matrix: for each regime, must the deal be filed, may it be, can it be called in, or neither?

A case is judged by the law in force on one day: ``--as-of`` when given, else its signing date, else
its completion date, else today. When that day is not today, the answer under today's law is given
too, so a deal that predates a regime shows both what applied then and what would apply now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from screening.case import territory
from screening.case.catalogue import catalogue
from screening.case.dated import DAY_FACTS, AsOf
from screening.case.facts import plain
from screening.case.values import BOUND_KEYS, DayRange, shown
from screening.conditions.explain import Trace, deciding, failing, trace, unknown_leaves, without_guards
from screening.conditions.margins import Margin, nearby
from screening.conditions.operators import OPERATORS
from screening.conditions.text import describe
from screening.conditions.tree import Node
from screening.infra import clock
from screening.infra.kept import Kept
from screening.pack.regimes import NOT_SUSPENSORY, RANK, Regime, Trigger, strength


class Used(NamedTuple):
    """A fact that decided the answer: the test it met and its value."""

    field: str
    test: str
    value: Any


class Question(NamedTuple):
    """Facts the case does not give whose answer could make the outcome stronger."""

    facts: tuple[str, ...]
    question: str
    could_be: str
    """The strongest outcome the answer could lead to."""
    rules: tuple[str, ...]


class Decision(NamedTuple):
    """One regime's answer for one case on one day."""

    regime: Regime
    on: str
    """The day whose law was applied (YYYY-MM-DD)."""
    outcome: str
    rule: Trigger | None
    """The trigger that decided a mandatory, voluntary or call-in outcome."""
    used: tuple[Used, ...]
    why: tuple[str, ...]
    """Why the outcome is what it is, in sentences (for out of scope and not in force above all)."""
    questions: tuple[Question, ...]
    near: tuple[Margin, ...]
    """Thresholds of the triggers the case is close to."""
    today: Decision | None = None
    """The answer under today's law, when the case is judged on another day and the answer differs."""
    reached: bool = True
    """False when the case is outside the regime's reach (a target in another country)."""
    via: str | None = None
    """What brings a target established elsewhere into the regime's territory: a part there (``Aixtron, Inc.
    (US subsidiary)``) or its activities there (screening.case.territory)."""
    unconfirmed: Unconfirmed | None = None
    """The answer the case's facts held below the filing confidence would give, when it differs (the outcome
    itself rests only on facts held at that confidence or better)."""


class Unconfirmed(NamedTuple):
    """The answer a regime gives when facts held below the filing confidence (scoring.yaml
    ``filing_confidence``) are taken as true: ``mandatory (US-001) if the reported facts hold``."""

    outcome: str
    rule: Trigger | None
    level: str
    """The best confidence at which that answer holds (reported, alleged or disputed)."""
    facts: tuple[str, ...]
    """The facts it rests on that are held below the filing confidence (empty when not singled out: an answer
    over a range of days)."""

    def text(self) -> str:
        """``mandatory (US-001) if the reported facts hold``."""
        rule = f" ({self.rule.id})" if self.rule else ""
        return f"{word(self.outcome, self.rule)}{rule} if the {self.level} facts hold"


class Matrix(NamedTuple):
    """Every regime's answer for one case."""

    on: str
    basis: str
    """What fixed the day: ``as_of``, ``transaction.signing_date``, ``transaction.completion_date`` or ``today``."""
    decisions: tuple[Decision, ...]


def judgement_day(values: dict[str, Any], as_of: AsOf, today: dt.date | None = None) -> tuple[str, str]:
    """The day a case is judged on, and what fixed it; a date given as a range of days is its first day (see
    ``judgement_days`` for the range)."""
    first, _, basis = judgement_days(values, as_of, today)
    return first, basis


def judgement_days(values: dict[str, Any], as_of: AsOf, today: dt.date | None = None) -> tuple[str, str, str]:
    """The first and last day a case is judged on (the same day unless its date is a year, a month or a range),
    and what fixed them."""
    if isinstance(as_of, DayRange):
        return as_of.first, as_of.last, "as_of"
    if as_of is not None:
        return as_of.isoformat(), as_of.isoformat(), "as_of"
    for key in DAY_FACTS:
        value = values.get(key)
        if isinstance(value, DayRange):
            return value.first, value.last, key
        if value:
            return str(value), str(value), key
    day = (today or clock.today()).isoformat()
    return day, day, "today"


def _next_day(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def change_points(regime: Regime, first: str, last: str) -> list[str]:
    """The days from ``first`` to ``last`` on which the regime's law changes (a trigger or the regime comes into
    force or ceases to apply, or a condition on the day judged, ``case.day``, turns), ``first`` included: each
    starts a segment judged as one."""
    return [first, *(day for day in _law_changes(regime) if first < day <= last)]


_LAW_CHANGES = Kept(64)


def _law_changes(regime: Regime) -> tuple[str, ...]:
    """Every day on which the regime's law may change (``change_points`` on any days), in order: worked out once
    per regime, not for every case judged on a range of days."""
    kept = _LAW_CHANGES.get(regime)
    if kept is not None:
        return kept
    days: set[str] = set(_day_turns(regime))
    for start, end in [(regime.valid_from, regime.valid_to)] + [(t.valid_from, t.valid_to) for t in regime.rules]:
        for day in (start, _next_day(end) if end else None):
            if day is not None:
                days.add(day)
    return _LAW_CHANGES.put(regime, tuple(sorted(days)))


_DAY_TURNS = Kept(64)


def _day_turns(regime: Regime) -> tuple[str, ...]:
    """The days on which a condition of the regime on ``case.day`` may turn: each date it names, and the day
    after (``lt`` turns on the date, ``lte`` the day after); empty for a regime that does not read the day."""
    kept = _DAY_TURNS.get(regime)
    if kept is not None:
        return kept
    found: set[str] = set()
    nodes = [regime.applies, *(t.condition for t in regime.rules)]
    while nodes:
        node = nodes.pop()
        if node.kind != "leaf":
            nodes.extend(node.children)
        elif node.field == "case.day":
            value = node.value
            for day in value if isinstance(value, (tuple, list, frozenset, set)) else (value,):
                if isinstance(day, (str, dt.date)) and len(str(day)) == 10:
                    found.update((str(day), _next_day(str(day))))
    return _DAY_TURNS.put(regime, tuple(sorted(found)))


def read_on(values: dict[str, Any], regime: Regime, on: str) -> dict[str, Any]:
    """The facts as ``regime`` reads them on day ``on``: for a regime whose conditions read the day judged,
    ``case.day`` is ``on`` (one day of a range, or today under today's law), not the case's own date."""
    if values.get("case.day") == on or not _day_turns(regime):
        return values
    return {**values, "case.day": on}


def _over_range(judge: Any, segments: Segments, regime: Regime, text: str, basis: str) -> Decision:
    """One regime's answer over every day of ``segments`` (days from, days to, the case's facts on them: they
    differ where a dated record starts or ends): the same throughout, or undetermined with the answer on each
    part and the question of the day."""
    parts: list[tuple[str, str, Decision]] = []
    doubts: dict[str, tuple[str, ...]] = {}
    for first, last, values, *more in segments:
        starts = change_points(regime, first, last)
        ends = [_previous_day(day) for day in starts[1:]] + [last]
        parts += [(start, end, judge(values, regime, start)) for start, end in zip(starts, ends, strict=True)]
        for start in starts:
            doubts[start] = tuple(more[0]) if more else ()
    key = lambda d: (d.outcome, _id(d.rule))  # noqa: E731
    merged: list[tuple[str, str, Decision]] = []
    unsure: dict[str, list[str]] = {}  # the records possibly in force on an undetermined part, by its first day
    for start, end, d in parts:  # neighbouring parts with the same answer are one
        if merged and key(merged[-1][2]) == key(d):
            merged[-1] = (merged[-1][0], end, merged[-1][2])
        else:
            merged.append((start, end, d))
        if d.outcome == "undetermined":
            found = unsure.setdefault(merged[-1][0], [])
            found += [r for r in doubts.get(start, ()) if r not in found]
    if len(merged) == 1:
        d = merged[0][2]
        return d._replace(on=text, why=d.why + (f"The same throughout {text}.",))
    starts = [start for start, _, _ in merged]
    answers = [d for _, _, d in merged]
    lines = tuple(
        f"{_span(start, end)}: {word(d.outcome, d.rule)}"
        + (f" ({d.rule.id})" if d.rule else "")
        + (f" (possibly in force then: {', '.join(unsure[start])})" if unsure.get(start) else "")
        for start, end, d in merged
    )
    said = {word(d.outcome, d.rule) for d in answers}
    if answers[0].outcome != "undetermined" and len(said) == 1:
        # the same filing on every day, under the trigger in force on each (a threshold of each year): decided,
        # by the first day's trigger, with the others named
        d = answers[0]
        return d._replace(
            on=text, why=d.why + (f"The same throughout {text}, under the trigger of each day: {'; '.join(lines)}.",)
        )
    strongest = max(answers, key=lambda d: RANK[d.outcome])
    changes = [
        day for day, before, after in zip(starts[1:], answers, answers[1:], strict=False) if key(before) != key(after)
    ]
    fact = basis if basis in DAY_FACTS else "transaction.signing_date"
    verb = {"transaction.completion_date": "completed", "transaction.announcement_date": "announced"}.get(
        fact, "signed"
    )
    doubted = sorted({r for found in unsure.values() for r in found})
    also = f", and on which day did {', '.join(doubted)} start or stop holding" if doubted else ""
    question = Question(
        (fact,),
        f"On which day was the deal {verb}{also}? The answer changes on {', '.join(changes)}.",
        strongest.outcome,
        tuple(sorted({d.rule.id for d in answers if d.rule})),
    )
    return Decision(
        regime,
        text,
        "undetermined",
        None,
        (),
        (f"The day decides: {'; '.join(lines)}.",),
        (question,),
        (),
    )


@lru_cache(maxsize=4096)
def _previous_day(day: str) -> str:
    return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()


def _span(start: str, end: str) -> str:
    return start if start == end else f"{start} to {end}"


Segments = Sequence[tuple[Any, ...]]
"""Parts of the days a case is judged on, each with the case's facts on it: (first day, last day, values), and
optionally the dated records possibly in force on it (their dates being partial), in words."""


def matrix(
    values: dict[str, Any],
    regimes: Iterable[Regime],
    as_of: AsOf = None,
    today: dt.date | None = None,
    explain: bool = True,
    segments: Segments | None = None,
    today_too: bool = True,
) -> Matrix:
    """Decide every regime for a case given by its fact ``values``.

    Without ``explain`` only the outcome and the deciding trigger are worked out (no reasons, questions
    or margins): what a batch of thousands of cases needs, at a tenth of the cost. When the case is judged on
    a range of days in which dated records start or end, ``segments`` gives its facts on each part of it.
    With ``today_too`` a case judged on another day is judged under today's law as well (shown beside the
    outcome when it differs); a batch row, which shows only the outcome, goes without.
    """
    today = today or clock.today()
    on, last, basis = judgement_days(values, as_of, today)
    now = today.isoformat()
    text = on
    if last != on:
        found = values.get(basis) if basis in DAY_FACTS else as_of
        text = (
            f"every day of {found}"
            if isinstance(found, DayRange) and found.text[:1].isdigit()
            else f"every day from {on} to {last}"
        )
    if explain:
        judge: Any = decide
    else:
        brief = _BRIEF.get(regimes)
        if brief is not None:  # compiled: every condition in one generated pass
            truth = brief.truth(values)
            judge = lambda values, regime, on: outcome_only(values, regime, on, truth)  # noqa: E731
        else:
            judge = outcome_only
    decisions = []
    views: dict[str, tuple[dict[str, Any], str | None]] = {}
    case_day = (on, last, basis, text, segments)
    for regime in regimes:
        # each regime reads the target as it lies in its territory: the target there, or its parts there
        key = regime.jurisdiction
        if key not in views:
            views[key] = territory.view(values, territory.territory(key))
        seen, via = views[key]
        rule = judge if seen is values else (decide if explain else outcome_only)
        on, last, basis, text, segments = case_day
        if regime.law_day == "completion" and as_of is None:
            on, last, basis, text, segments = _completion_days(values, case_day, now)
        if last == on:
            first = rule(seen, regime, on)
        else:
            area = territory.territory(key)
            parts = [(a, b, territory.view(v, area)[0], *more) for a, b, v, *more in segments or [(on, last, values)]]
            by_part = judge if segments is None and seen is values else (decide if explain else outcome_only)
            first = _over_range(by_part, parts, regime, text, basis)
        if today_too and on != now:
            current = rule(seen, regime, now)
            if (current.outcome, _id(current.rule)) != (first.outcome, _id(first.rule)):
                first = first._replace(today=current)
        decisions.append(first._replace(via=via) if via and first.reached else first)
    return Matrix(text, basis, tuple(decisions))


def _completion_days(values: dict[str, Any], case_day: tuple[Any, ...], now: str) -> tuple[Any, ...]:
    """The days a regime that applies the law of the day of completion (``law_day: completion``) judges the case
    on: its completion date; else, every day from its signing (or announcement) to today, since a deal done by now
    was done on one of them and one still pending is judged under today's law as well. Dated records are
    read as they stood on the case's own day."""
    on, last, basis, text, segments = case_day
    if basis == "transaction.completion_date" or basis == "today":
        return case_day
    done = values.get("transaction.completion_date")
    if isinstance(done, DayRange):
        found = f"every day of {done}" if done.text[:1].isdigit() else f"every day from {done.first} to {done.last}"
        return done.first, done.last, "transaction.completion_date", found, None
    if done:
        return str(done), str(done), "transaction.completion_date", str(done), None
    end = max(last, now)
    return on, end, "transaction.completion_date", f"every day from {on} to {end} (the day of completion)", None


def word(outcome: str, rule: Trigger | None) -> str:
    """An outcome in a sentence: ``mandatory``, ``call in``; ``notification, not suspensory`` for a filing that
    does not stop closing."""
    if outcome == "mandatory" and rule is not None and not rule.suspensory:
        return NOT_SUSPENSORY
    return outcome.replace("_", " ")


def could_suspend(outcome: str, suspensory: bool, could_be: Iterable[str]) -> bool:
    """Whether a notification that does not stop closing could still be a filing that does: a ``mandatory``
    answer whose trigger is not suspensory, while an open question could make the filing ``mandatory`` (only
    a stronger trigger is asked about). One test for the answer's words, the one-line answer and the
    question's words; ``could_be`` holds the open questions' ``could_be``."""
    return outcome == "mandatory" and not suspensory and "mandatory" in could_be


def _suspends(d: Decision) -> bool:
    """Whether a decision's filing stops closing: false only for a mandatory one whose trigger does not."""
    return not (d.outcome == "mandatory" and d.rule is not None and not d.rule.suspensory)


def _id(rule: Trigger | None) -> str | None:
    return rule.id if rule else None


def _key(d: Decision) -> tuple[str, str | None]:
    return d.outcome, _id(d.rule)


def differing(sure: Matrix, full: Matrix) -> list[int]:
    """The regimes (by position) whose answer on the facts held at the filing confidence (``sure``) differs from
    the answer on every fact of the case (``full``), on the day judged or under today's law."""
    return [
        i
        for i, (s, f) in enumerate(zip(sure.decisions, full.decisions, strict=True))
        if _key(s) != _key(f) or _key(s.today or s) != _key(f.today or f)
    ]


def qualify(sure: Matrix, full: Matrix, levels: dict[int, str], doubted: set[str], limit: str) -> Matrix:
    """The matrix of the facts held at the filing confidence, each regime whose answer on every fact differs
    carrying that answer (``levels``: the best confidence at which it holds, by position) and the question that
    would settle it: confirm the facts it rests on that are held below (``doubted``: the facts that differ
    between the two views)."""
    decisions = list(sure.decisions)
    for i, level in levels.items():
        s, f = sure.decisions[i], full.decisions[i]
        if _key(s) == _key(f):  # differs only under today's law: the answer on the day judged stands
            continue
        facts = tuple(dict.fromkeys(u.field for u in f.used if u.field in doubted))
        unconfirmed = Unconfirmed(f.outcome, f.rule, level, facts)
        named = f": {', '.join(facts)}" if facts else ""
        question = Question(
            facts or tuple(sorted(doubted)),
            f"Are the {level} facts confirmed{f' ({named[2:]})' if named else ''}? The answer is "
            f"{word(unconfirmed.outcome, f.rule)}{f' ({f.rule.id})' if f.rule else ''} if they hold.",
            f.outcome,
            (f.rule.id,) if f.rule else (),
        )
        held = f"the {limit} facts" + ("" if limit == "confirmed" else " or better")
        why = (f"{s.outcome.replace('_', ' ').capitalize()} on {held}; {unconfirmed.text()}.",)
        decisions[i] = s._replace(unconfirmed=unconfirmed, questions=(question, *s.questions), why=why + s.why)
    return sure._replace(decisions=tuple(decisions))


def outcome_only(
    values: dict[str, Any], regime: Regime, on: str, truth: dict[int, bool | None] | None = None
) -> Decision:
    """One regime's outcome and deciding trigger on day ``on``, without the explanation.

    ``truth`` gives each condition's value by the node's id, when they were evaluated together
    (see ``compile_brief``); otherwise each condition is checked here.
    """
    outcome, best, reached = _settle(values, regime, on, truth)
    if not reached:
        return Decision(regime, on, "out_of_scope", None, (), ("Outside its reach.",), (), (), reached=False)
    return Decision(regime, on, outcome, best, (), (), (), ())


def _settle(
    values: dict[str, Any], regime: Regime, on: str, truth: dict[int, bool | None] | None
) -> tuple[str, Trigger | None, bool]:
    """``outcome_only``'s answer as (outcome, deciding trigger, whether the case is within the regime's reach)."""
    day_values = read_on(values, regime, on)
    if day_values is not values:  # evaluated together on the case's own day: this day's answer differs
        values, truth = day_values, None
    if truth is None:
        reach = regime.applies.check(values)
    else:
        reach = truth[id(regime.applies)]
    if reach is False:
        return "out_of_scope", None, False
    if not regime.in_force(on):
        if on < regime.valid_from and regime.earlier_law:
            return "undetermined", None, True
        return "not_in_force", None, True
    best, unknown = None, reach is None
    for rule in regime.rules:
        if rule.valid(on):
            met = rule.condition.check(values) if truth is None else truth[id(rule.condition)]
            if met is True and (best is None or strength(rule.outcome, rule) > strength(best.outcome, best)):
                best = rule
            unknown = unknown or met is None
    if best is not None:
        return best.outcome, best, True
    return ("undetermined" if unknown else "out_of_scope"), None, True


def reached_outcomes(
    values: dict[str, Any], regimes: Sequence[Regime], as_of: AsOf, today: dt.date
) -> dict[str, str] | None:
    """Each regime's outcome for the regimes whose reach the case falls in or may fall in, by regime id: what
    ``matrix(..., explain=False, today_too=False)`` decides, without its decisions (a batch row shows only the
    outcomes). None when the regimes are not compiled together (``compile_brief``) or the case is judged on a
    range of days: ``matrix`` then. A regime judged on a range of days of its own (the law of the day of
    completion) is decided by ``matrix`` alone."""
    brief = _BRIEF.get(regimes)
    if brief is None:
        return None
    on, last, basis = judgement_days(values, as_of, today)
    if last != on:
        return None
    now = today.isoformat()
    truth: dict[int, bool | None] | None = None
    views: dict[str, tuple[dict[str, Any], str | None]] = {}
    out: dict[str, str] = {}
    for regime in regimes:
        key = regime.jurisdiction
        if key not in views:
            views[key] = territory.view(values, territory.territory(key))
        seen = views[key][0]
        day = on
        if seen is values and truth is None:
            truth = brief.truth(values)
        if regime.law_day == "completion" and as_of is None:
            day, end, basis_of, text = _completion_days(values, (on, last, basis, on, None), now)[:4]
            if end != day:  # every day from signing to today: as ``matrix`` judges it, the conditions compiled
                known = truth if seen is values else None
                judge = lambda v, r, d, known=known: outcome_only(v, r, d, known)  # noqa: E731
                found = _over_range(judge, [(day, end, seen)], regime, text, basis_of)
                if found.reached:
                    out[regime.id] = found.outcome
                continue
        outcome, _, reached = _settle(seen, regime, day, truth if seen is values else None)
        if reached:
            out[regime.id] = outcome
    return out


class _Condition(NamedTuple):
    """A regime's reach or a trigger's condition, as a rule of a rule set (screening.conditions.evaluate)."""

    id: str
    name: str
    condition: Node


class _Set(NamedTuple):
    """Conditions compiled together (screening.conditions.compiled), and the id of each one's node, in order."""

    run: Any
    """The compiled evaluator's outcome-only pass: (fired, undecided) by position."""
    keys: tuple[int, ...]

    def put(self, values: dict[str, Any], out: dict[int, bool | None]) -> None:
        """Each condition's value on the case, into ``out`` by its node's id."""
        fired, undecided = self.run(values)
        keys = self.keys
        for key in keys:
            out[key] = False
        for i in fired:
            out[keys[i]] = True
        for i in undecided:
            out[keys[i]] = None


class _Brief(NamedTuple):
    """The regimes' reaches compiled as one set, and each regime's triggers as another: a case's triggers are
    evaluated only for the regimes whose reach it does not rule out (on most cases, all but one or two)."""

    reach: _Set
    triggers: tuple[tuple[int, _Set], ...]
    """Per regime, in order: the id of its reach's node, its triggers."""

    def truth(self, values: dict[str, Any]) -> dict[int, bool | None]:
        """The value of every reach, and of the triggers of each regime reached or possibly reached (the only
        ones ``outcome_only`` reads), by node id."""
        out: dict[int, bool | None] = {}
        self.reach.put(values, out)
        for reach, triggers in self.triggers:
            if out[reach] is not False:
                triggers.put(values, out)
        return out


_BRIEF = Kept(8)


def compile_brief(regimes: Sequence[Regime]) -> None:
    """Compile the regimes' conditions into generated functions: every reach in one, each regime's triggers in
    another.

    ``matrix(..., explain=False)`` on these very regimes then evaluates the reaches in one pass, and the
    triggers of the regimes the case may fall under, as the rule pack's rules are (screening.conditions.evaluate).
    A batch calls this once per worker; one case does not pay for it.
    """
    from screening.conditions.compiled.evaluator import compile_pack

    def compiled(nodes: list[tuple[str, str, Node]]) -> _Set:
        return _Set(compile_pack([_Condition(*n) for n in nodes]).run, tuple(id(node) for _, _, node in nodes))

    reach = compiled([(r.id, "applies", r.applies) for r in regimes])
    triggers = tuple(
        (id(r.applies), compiled([(t.id, t.title, t.condition) for t in r.rules])) for r in regimes if r.rules
    )
    _BRIEF.put(regimes, _Brief(reach, triggers))


def decide(values: dict[str, Any], regime: Regime, on: str) -> Decision:
    """One regime's answer on day ``on`` (YYYY-MM-DD)."""
    reach = None if "case.day" in regime.applies.fields() else trace(regime.applies, values)
    if reach is None or reach.value is not False:  # out of a reach that does not read the day: the regime's
        values = read_on(values, regime, on)  # triggers are not read, nor compiled (they are, on first use)
        reach = trace(regime.applies, values)
    if reach.value is False:
        # only the tests that failed (a target in another country: its country, not how it lies there)
        used = _used(values, reach, [leaf for leaf in failing(reach) if leaf.node.kind == "leaf"])
        return Decision(
            regime,
            on,
            "out_of_scope",
            None,
            used,
            (
                f"Outside its reach ({regime.applies_text or describe(regime.applies)}): "
                + "; ".join(_fact_text(u) for u in used)
                + ".",
            ),
            (),
            (),
            reached=False,
        )
    if not regime.in_force(on):
        if on < regime.valid_from and regime.earlier_law:
            law = (
                f"This pack encodes {regime.name}'s law from {regime.valid_from}; the case is judged on {on}, "
                f"when earlier law applied that the pack does not encode (a description, not checked against "
                f"its text): {regime.earlier_law}"
            )
            question = Question(
                ("case.day",),
                f"Under the law of {regime.name} in force on {on}, which the pack does not encode, did the deal "
                "need a filing?",
                "mandatory",
                (),
            )
            return Decision(regime, on, "undetermined", None, (), (law,), (question,), ())
        if on < regime.valid_from:
            law = f"{regime.name}'s regime applies from {regime.valid_from}; the case is judged on {on}."
        else:
            law = f"{regime.name}'s regime ceased to apply after {regime.valid_to}; the case is judged on {on}."
        return Decision(regime, on, "not_in_force", None, (), (law,), (), ())
    valid = [r for r in regime.rules if r.valid(on)]
    traces = [(r, trace(r.condition, values)) for r in valid]
    met = [(r, t) for r, t in traces if t.value is True]
    if met:
        best = max(strength(r.outcome, r) for r, _ in met)  # a suspensory filing before a notification
        rule, t = next((r, t) for r, t in met if strength(r.outcome, r) == best)
        outcome = rule.outcome
        why: tuple[str, ...] = (f"{rule.id}: {rule.title}.",)
        used = _used(values, Trace(t.node, t.value, t.children[1:]))  # the reach is implied
    else:
        rule, used = None, ()
        outcome = "undetermined" if any(t.value is None for _, t in traces) or reach.value is None else "out_of_scope"
        reasons: dict[str, list[str]] = {}
        for r, t in traces:
            if t.value is False:
                reasons.setdefault(_not_met(values, t, regime.sets), []).append(r.id)
        why = tuple(f"{', '.join(ids)} not met: {reason}." for reason, ids in reasons.items())
        if outcome == "out_of_scope" and regime.scope_note:
            why += (regime.scope_note,)
    open_rules = [(r, t) for r, t in traces if t.value is None and strength(r.outcome, r) > strength(outcome, rule)]
    near = tuple(
        m
        for m in nearby(values, ((r.id, r.when) for r in valid))
        if _decisive(values, next(r for r in valid if r.id == m.rule), m)
    )
    return Decision(regime, on, outcome, rule, used, why, _questions(open_rules, values), near)


def changes(before: Matrix | None, after: Matrix | None, today: str | None = None) -> list[dict[str, Any]]:
    """Regimes whose answer differs between two matrices: on the day judged, and under today's law.

    Each change is ``{"regime", "law": "case day" | "today", "outcome": [old, new], "rule": [old, new]}``;
    a regime only one matrix has is ``no_regime`` on the other side.
    """
    now = today or clock.today().isoformat()

    def answers(m: Matrix | None) -> dict[tuple[str, str], tuple[str, str | None]]:
        out: dict[tuple[str, str], tuple[str, str | None]] = {}
        for d in m.decisions if m is not None else ():
            out[(d.regime.id, "case day")] = (d.outcome, _id(d.rule))
            suspends[(d.regime.id, d.outcome, _id(d.rule))] = _suspends(d)
            if m is not None and m.on != now:
                current = d.today or d
                out[(d.regime.id, "today")] = (current.outcome, _id(current.rule))
                suspends[(d.regime.id, current.outcome, _id(current.rule))] = _suspends(current)
        return out

    suspends: dict[tuple[str, str, str | None], bool] = {}
    old, new = answers(before), answers(after)
    out: list[dict[str, Any]] = []
    for key in sorted(set(old) | set(new), key=lambda k: (k[0], k[1] != "case day")):
        was, now_ = old.get(key, ("no_regime", None)), new.get(key, ("no_regime", None))
        change: dict[str, Any] = {
            "regime": key[0],
            "law": key[1],
            "outcome": [was[0], now_[0]],
            "rule": [was[1], now_[1]],
        }
        # a mandatory filing that does not stop closing (a notification after it) is told apart from one that does
        stops = [suspends.get((key[0], *side), True) for side in (was, now_)]
        if not all(stops):
            change["suspensory"] = stops
        same_as_case_day = out and {**out[-1], "law": key[1]} == change  # today's law moved it the same way
        if was != now_ and not same_as_case_day:
            out.append(change)
    return out


def change_text(change: dict[str, Any]) -> str:
    """``DE: mandatory (DE-003) → out of scope`` (``BE today: ...`` for the answer under today's law)."""

    def side(i: int) -> str:
        rule = change["rule"][i]
        outcome = change["outcome"][i].replace("_", " ")
        if outcome == "mandatory" and change.get("suspensory", [True, True])[i] is False:
            outcome = NOT_SUSPENSORY
        return outcome + (f" ({rule})" if rule else "")

    when = " today" if change.get("law") == "today" else ""
    return f"{change['regime']}{when}: {side(0)} → {side(1)}"


def _decisive(values: dict[str, Any], rule: Trigger, margin: Margin) -> bool:
    """Whether moving the fact just across the threshold changes whether the trigger is met."""
    step = 0.01 if margin.fact.endswith("_pct") else max(abs(margin.threshold) * 1e-6, 1e-6)
    now = rule.condition.check(values)
    for candidate in (margin.threshold - step, margin.threshold, margin.threshold + step):
        if candidate != margin.value:
            moved = rule.condition.check({**values, margin.fact: candidate})
            if (moved is True) != (now is True):
                return True
    return False


def _used(values: dict[str, Any], t: Trace, leaves: list[Trace] | None = None) -> tuple[Used, ...]:
    """The facts that made ``t`` come out as it did (``leaves`` when given)."""
    out: dict[str, Used] = {}
    for leaf in without_guards(deciding(t) if leaves is None else leaves):
        node = leaf.node
        value = values.get(node.field)
        if OPERATORS[node.op].witnesses and isinstance(value, list) and node.witness:
            value = node.witness(value)
        # a test that holds by failing (under a `not`) says so: `not investor.country in ca_trade_agreement`
        test = describe(node) if leaf.value is not False else f"not {describe(node)}"
        out.setdefault(test, Used(node.field, test, plain(value)))
    return tuple(out.values())


def _fact_text(u: Used) -> str:
    return f"{u.field} is {_show(u.value)}"


def _show(value: Any) -> str:
    if value is None:
        return "not given"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]" if value else "none"
    if isinstance(value, dict) and value and set(value) <= set(BOUND_KEYS):  # a bound as written: "at least 63"
        return shown(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _not_met(values: dict[str, Any], t: Trace, sets: dict[str, list[Any]]) -> str:
    """Why a trigger is not met: ``transaction.kind is lease_or_concession (needs transaction.kind in [...])``."""
    parts = []
    for leaf in failing(t)[:2]:
        node: Node = leaf.node
        if node.kind == "leaf":
            parts.append(f"{node.field} is {_show(plain(values.get(node.field)))} (needs {describe(node, sets)})")
        else:
            parts.append(f"needs {describe(node, sets)}")
    return "; ".join(parts)


def _question(node: Node, values: dict[str, Any]) -> str:
    """The question that settles an unknown leaf: for a records pattern left open by a key its records do
    not give (a contract's classification), that key's own question; else the fact's."""
    fact = catalogue()[node.field]
    records = values.get(node.field)
    if fact.type == "records" and isinstance(node.value, dict) and isinstance(records, list) and records:
        for key in node.value:
            sub = fact.subfields.get(key)
            if sub is not None and sub.question and any(isinstance(r, dict) and key not in r for r in records):
                return sub.question
    return (fact.question or f"What is {node.field}?").replace("{name}", "the investor")


def _questions(open_rules: list[tuple[Trigger, Trace]], values: dict[str, Any]) -> tuple[Question, ...]:
    by_question: dict[str, tuple[list[str], str, list[str]]] = {}
    for rule, t in open_rules:
        for leaf in unknown_leaves(t):
            name, question = leaf.node.field, _question(leaf.node, values)
            names, could, rules = by_question.setdefault(question, ([], rule.outcome, []))
            if name not in names:
                names.append(name)
            if rule.id not in rules:
                rules.append(rule.id)
            if RANK[rule.outcome] > RANK[could]:
                by_question[question] = (names, rule.outcome, rules)
    out = [Question(tuple(n), q, c, tuple(r)) for q, (n, c, r) in by_question.items()]
    return tuple(sorted(out, key=lambda q: (-RANK[q.could_be], q.facts)))


def uncaught(matrix: Matrix, level: str, levels: Sequence[str], country: str | None) -> bool:
    """Whether a risk in the top two ``levels`` is caught by no mandatory filing, on the day judged nor under
    today's law: only where the pack knows the target country's own law (a regime of its jurisdiction
    reaches the case)."""
    national = [d for d in matrix.decisions if d.reached and d.regime.jurisdiction == country]
    mandatory = any(_may_be_mandatory(d) or _may_be_mandatory(d.today or d) for d in matrix.decisions)
    return bool(national) and list(levels).index(level) >= len(levels) - 2 and not mandatory


def uncaught_open(
    matrix: Matrix, level: str, levels: Sequence[str], country: str | None
) -> tuple[tuple[str, str], ...]:
    """For a risk in the top two ``levels`` that no mandatory filing catches but some regime leaves
    undetermined: each such regime's id and the question that would decide it ("" when it has none), so that
    "no filing required" and "filing not determinable" are told apart. Empty otherwise, and where the pack
    does not know the target country's own law (as ``uncaught``)."""
    national = [d for d in matrix.decisions if d.reached and d.regime.jurisdiction == country]
    if not national or list(levels).index(level) < len(levels) - 2:
        return ()
    if any(d.outcome == "mandatory" or (d.today or d).outcome == "mandatory" for d in matrix.decisions):
        return ()
    out: list[tuple[str, str]] = []
    for d in matrix.decisions:
        for one in (d, d.today):
            if one is not None and one.reached and one.outcome == "undetermined":
                out.append((d.regime.id, one.questions[0].question if one.questions else ""))
                break
    return tuple(out)


def _may_be_mandatory(d: Decision) -> bool:
    """A mandatory filing, or an undetermined answer that an open question could make one (the outcome
    alone decides, so that a batch, which does not explain its answers, flags the same cases)."""
    return d.outcome in ("mandatory", "undetermined")


class Filings(NamedTuple):
    """The filing matrices of screened cases, as `screening filings` shows them (``regimes``: only those ids)."""

    results: tuple[Any, ...]
    """screening.decision.engine.Result of each case."""
    regimes: tuple[str, ...] = ()
