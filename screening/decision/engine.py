"""Screen a case with a rule pack: evaluate every rule, score, explain, list information gaps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from screening.case.catalogue import catalogue
from screening.case.confidence import LEVELS, at_level, lowest, rank
from screening.case.dated import AsOf, Day, change_days, first_day, judged_day, on_day, unsure
from screening.case.facts import DOC, Facts, build_facts, plain
from screening.case.model import Case
from screening.case.reasons import DOCS
from screening.case.values import DayRange, Interval, describe
from screening.conditions.evaluate import How, evaluate
from screening.conditions.explain import Trace, supporting, trace, unknown_leaves, without_guards
from screening.conditions.margins import Margin, nearby
from screening.conditions.operators import OPERATORS
from screening.infra import clock
from screening.pack.load import Pack, Rule
from screening.pack.scoring import Floor

if TYPE_CHECKING:
    from screening.case.watchlists import Watchlist
    from screening.decision.filings import Matrix
    from screening.pack.waivers import Waiver


class Evidence(NamedTuple):
    """A fact value that made a rule fire, with the sources that back it."""

    field: str
    test: str
    """The condition leaf, as text (``investor.country in [CN]``)."""
    value: Any
    """The fact's value, or the matching records for list tests (plain data)."""
    sources: tuple[str, ...]
    entities: tuple[str, ...] = ()
    """Ids of the group entities the value came from, for a ``group.*`` fact (its sources are theirs)."""
    confidence: str = ""
    """How well the value is established, when below confirmed (reported, alleged, disputed)."""
    disputed_by: tuple[str, ...] = ()
    """The sources that deny or contradict it."""


class Finding(NamedTuple):
    """A rule that fired."""

    rule: Rule
    points: float
    """Its weight, times the fraction for ``confidence`` (pack.scoring) when that is below confirmed."""
    evidence: tuple[Evidence, ...]
    waiver: Waiver | None = None
    """The waiver written for this case and rule, if any (active or expired)."""
    waived: bool = False
    """True when an active waiver applies: the finding is shown but its points do not count."""
    waiver_status: str = ""
    """The waiver's status on the day judged (``active``, ``expired``, ``not_yet_granted``); empty without one."""
    confidence: str = "confirmed"
    """The best confidence level at which the rule still fires (screening.case.confidence)."""


class Gap(NamedTuple):
    """A question whose answer (one or more facts the case does not give) would decide rules."""

    facts: tuple[str, ...]
    question: str
    rules: tuple[str, ...]
    points_at_stake: float
    """Sum of the weights of the undecided risk rules that read this fact (raw rule points, before caps and
    exposure)."""
    could_add: float = 0.0
    """What the score would gain if every undecided risk rule the answer decides fired at its full weight (and no
    mitigation it decides did): the case scored again by the report's own scoring (caps, mitigation credit,
    exposure, floors), less today's score. Never negative."""
    could_take_off: float = 0.0
    """What the score would lose if every undecided mitigation the answer decides fired at its full weight (and
    no risk rule it decides did), scored the same way. Never negative."""


class CategoryScore(NamedTuple):
    """How one category's points add up."""

    id: str
    title: str
    cap: float | None
    raw: float
    """Sum of the points of the rules that fired."""
    capped: float
    credit: float
    """Points removed by mitigations (0 for the mitigation category itself)."""
    score: float
    rules: tuple[str, ...]
    factor: float = 1.0
    """What the target's exposure scales this category by (scoring.yaml ``exposure``): 1 for a category it does
    not scale; the score is ``(capped - credit) x factor``."""


class Result(NamedTuple):
    """The outcome of screening one case."""

    case: Case
    pack: Pack
    facts: Facts
    findings: tuple[Finding, ...]
    """Risk rules that fired, highest points first."""
    mitigations: tuple[Finding, ...]
    categories: tuple[CategoryScore, ...]
    subtotal: float
    """Sum of category scores before clamping to 0-100."""
    score_from_rules: float
    level_from_score: str
    floors: tuple[Floor, ...]
    """Floors that raised the level."""
    score: float
    level: str
    gaps: tuple[Gap, ...]
    """The questions whose answers would decide undecided rules, the most an answer could move the score first
    (``valued``)."""
    undecided: tuple[str, ...]
    """Rules whose condition is unknown on this case."""
    waivers_on: str | None = None
    """The day waivers were judged on (YYYY-MM-DD), when waivers were given."""
    filings: Matrix | None = None
    """Each regime's filing answer, when the pack has regimes."""
    uncaught_risk: bool = False
    """A risk in the top two levels that no mandatory filing catches where the pack knows the target country's
    law (screening.decision.filings.uncaught)."""
    uncaught_open: tuple[tuple[str, str], ...] = ()
    """Such a risk whose filing is not determinable: each undetermined regime and the question that would
    decide it (screening.decision.filings.uncaught_open)."""
    day: Day | None = None
    """The day (or range of days) the case is judged on, and what fixed it (screening.case.dated)."""

    @property
    def margins(self) -> tuple[Margin, ...]:
        """The rules' numeric thresholds the case's facts are near, nearest first (screening.conditions.margins)."""
        return tuple(nearby(self.facts.values, ((rule.id, rule.condition) for rule in self.pack.rules)))


def _confidence(
    worst: str, facts_at: Callable[[str], dict[str, Any]], pack: Pack, fired: Sequence[int], how: How
) -> dict[int, str]:
    """For each rule that fires on the whole case, the best confidence level at which it still fires (only for a
    case that holds something below confirmed, ``worst``: the views at each level, ``facts_at``, cost a build of
    the facts each)."""
    if worst == "confirmed" or not fired:
        return {}
    out: dict[int, str] = {}
    left = set(fired)
    for level in LEVELS[: LEVELS.index(worst)]:
        firing = set(evaluate(pack, facts_at(level), how=how).fired)
        for i in left & firing:
            out[i] = level
        left -= firing
        if not left:
            break
    return {**out, **dict.fromkeys(left, worst)}


def _filings(
    case: Case,
    view: Case,
    values: dict[str, Any],
    hits: Any,
    pack: Pack,
    on: AsOf,
    day: Day,
    evidence: bool,
    worst: str,
    facts_at: Callable[[str], dict[str, Any]],
    law_today: bool = True,
) -> Matrix:
    """The filing matrix of the facts held at the pack's filing confidence or better; a regime whose answer on
    every fact of the case differs carries that answer, the best confidence at which it holds, and the question
    that would settle it (screening.decision.filings.qualify). Without ``law_today`` a case judged on another
    day is not judged under today's law as well."""
    from screening.decision.filings import differing, matrix, qualify

    changes = change_days(view, day.first, day.last) if day.range else []

    def build(level: str | None, values: dict[str, Any]) -> Matrix:
        held = (lambda c: c) if level is None else (lambda c: at_level(c, level))  # noqa: E731
        segments = None
        if changes:  # dated records start or end within the days judged: the facts on each part
            starts = [day.first, *changes]
            ends = [_before(d) for d in changes] + [day.last]
            segments = [
                (a, b, build_facts(held(on_day(case, a, b)), hits).values, tuple(unsure(case, a, b)))
                for a, b in zip(starts, ends, strict=True)
            ]
        return matrix(values, pack.regimes, on, explain=evidence, segments=segments, today_too=law_today)

    full = build(None, values)
    limit = pack.scoring.filing_confidence
    if rank(worst) <= rank(limit):
        return full
    sure_values = facts_at(limit)
    sure = build(limit, sure_values)
    left = differing(sure, full)
    if not left:
        return full
    levels: dict[int, str] = {}
    for level in LEVELS[rank(limit) + 1 : rank(worst)]:  # the best level at which each answer holds
        if not left:
            break
        other = set(differing(build(level, facts_at(level)), full))
        levels.update((i, level) for i in left if i not in other)
        left = [i for i in left if i in other]
    levels.update(dict.fromkeys(left, worst))
    doubted = {k for k, v in values.items() if type(v) is not type(sure_values.get(k)) or v != sure_values.get(k)}
    return qualify(sure, full, levels, doubted, limit)


def _evidence(
    case: Case, facts: Facts, leaf: Trace, worst: str = "confirmed", facts_at: Callable[[str], Any] | None = None
) -> Evidence:
    """A supporting leaf as evidence: the value shown, its sources, and its confidence below confirmed (a value
    computed from others, a group's or an ownership fact, is held at the best level whose view gives it)."""
    node = leaf.node
    value = facts.get(node.field)
    sources: list[str] = []
    witness = node.witness if node.witness and OPERATORS[node.op].witnesses else None
    if isinstance(value, list):  # records cite their own sources, whatever the test on them
        shown: Any = witness(value) if witness else value
        for item in shown:
            if isinstance(item, dict):
                for path in ((item[DOC],) if DOC in item else ()) + item.get(DOCS, ()):
                    sources += [s for s in case.sources_at(path) if s not in sources]
    else:
        shown = value
    came = facts.by_value.get(node.field)
    entities: list[str] = []
    level, against = "", ()
    if not sources and came:  # a group fact: the entities that gave the value shown, not the investor
        for item in shown if isinstance(shown, list) else [shown]:
            for path in came.get(item, ()):
                sources += [s for s in case.sources_at(path) if s not in sources]
                eid = case.data["entities"][int(path[1])]["id"]
                entities += [eid] if eid not in entities else []
    if not sources and node.field in facts.origin:
        sources = list(case.sources_at(facts.origin[node.field]))
        meta = case.fact_meta.get(facts.origin[node.field]) or {}
        level, against = meta.get("confidence", ""), tuple(meta.get("disputed_by", ()))
    elif isinstance(shown, list):  # records: the weakest of those shown, and every source against them
        levels = [str(r["confidence"]) for r in shown if isinstance(r, dict) and r.get("confidence")]
        level = max(levels, key=rank, default="")
        against = tuple(dict.fromkeys(s for r in shown if isinstance(r, dict) for s in r.get("disputed_by") or ()))
    if not level and worst != "confirmed" and facts_at is not None:
        level = _held_at(node.field, plain(shown), witness, worst, facts_at)
    if level == "confirmed":
        level = ""
    return Evidence(node.field, node.describe(), plain(shown), tuple(sources), tuple(entities), level, against)


def _held_at(field: str, shown: Any, witness: Any, worst: str, facts_at: Callable[[str], dict[str, Any]]) -> str:
    """The best confidence level whose view of the case gives ``field`` the value shown (``worst`` when none
    better does): what a value computed from facts below confirmed is worth."""
    for level in LEVELS[: rank(worst)]:
        value = facts_at(level).get(field)
        if isinstance(value, list) and witness is not None:
            value = witness(value)
        if type(plain(value)) is type(shown) and plain(value) == shown:
            return level
    return worst


def screen(
    case: Case,
    pack: Pack,
    waivers: Mapping[tuple[str, str], Waiver] | None = None,
    on: AsOf = None,
    watchlist: Watchlist | None = None,
    threshold: float = 90.0,
    evidence: bool = True,
    how: How = "auto",
    value_gaps: bool = True,
    law_today: bool = True,
) -> Result:
    """Screen ``case`` with ``pack``.

    ``waivers`` (by case id and rule id) apply when active on day ``on``: a waived finding is kept,
    marked, and does not count towards scores or floors. An expired waiver waives nothing.
    Every entity of the group is matched against ``watchlist`` (name similarity >= ``threshold``).
    With ``evidence=False`` findings carry no evidence (a quarter of the work, for callers that show
    only scores, levels, rule ids and gaps); everything else is the same. ``how`` chooses the evaluator of
    the conditions (screening.conditions.evaluate: the same answers either way). With ``value_gaps=False`` the
    gaps are not valued (each ``could_add`` and ``could_take_off`` is left at 0, the case not scored again per
    gap): they come most rule points at stake first, for callers that show no gap's figure (a batch row, a
    backtest); everything else is the same. With ``law_today=False`` a case judged on another day than today is
    judged only on that day, not under today's law as well (no decision carries ``today``), for callers that
    show only the answer on the day judged (a batch row, a backtest); the answers on that day are the same.
    """
    waivers = waivers or {}
    hits = None
    if watchlist is not None:
        from screening.case.model import group_of
        from screening.case.watchlists import entity_names, match

        hits = match(entity_names(e for e, _ in group_of(case)), watchlist, threshold)
    day = judged_day(case.data, on, clock.today())
    view = on_day(case, day.first, day.last)
    facts = build_facts(view, hits)
    values = facts.values
    fired: list[Finding] = []
    # rows without evidence: one pass also names the unknown facts (the compiled evaluator does it in one go)
    outcome = evaluate(pack, values, how=how, unknowns=not evidence)
    fired_at, undecided_at = outcome.fired, outcome.undecided
    record_keys: dict[str, set[str]] = {}  # listed records whose unknown details leave a rule undecided
    if evidence:
        unknown = []
        for i in undecided_at:
            leaves = unknown_leaves(trace(pack.rules[i].condition, values))
            unknown.append((pack.rules[i], tuple(leaf.node.field for leaf in leaves)))
            for leaf in leaves:
                missing = _missing_details(leaf.node, values.get(leaf.node.field))
                if missing:
                    record_keys.setdefault(leaf.node.field, set()).update(missing)
    else:
        unknown = [(pack.rules[i], names) for i, names in zip(undecided_at, outcome.unknowns, strict=True)]
        record_keys = listed_details(values, unknown)
    worst = lowest(view)
    facts_at = cache(lambda level: build_facts(at_level(view, level), hits).values)
    held = _confidence(worst, facts_at, pack, fired_at, how)
    for i in fired_at:
        rule = pack.rules[i]
        shown: tuple[Evidence, ...] = ()
        if evidence:
            shown = tuple(
                _evidence(case, facts, leaf, worst, facts_at)
                for leaf in without_guards(supporting(trace(rule.condition, values)))
            )
        waiver = waivers.get((case.id, rule.id))
        status = waiver.status(first_day(on, clock.today())) if waiver is not None else ""
        level = held.get(i, "confirmed")
        points = rule.weight * pack.scoring.fraction(level) if level != "confirmed" else rule.weight
        fired.append(Finding(rule, points, shown, waiver, status == "active", status, level))
    counted = [f for f in fired if not f.waived]
    scored = score_of(pack, counted)
    categories, subtotal, score_from_rules, level_from_score, score, level, floors = scored
    mitigation_ids = {c.id for c in pack.scoring.categories if c.mitigation}
    filings, uncaught_risk = None, False
    open_filings: tuple[tuple[str, str], ...] = ()
    if pack.regimes:
        from screening.decision.filings import uncaught, uncaught_open

        filings = _filings(case, view, values, hits, pack, on, day, evidence, worst, facts_at, law_today)
        target_country = case.data["target"].get("country")
        uncaught_risk = uncaught(filings, level, pack.scoring.names, target_country)
        open_filings = uncaught_open(filings, level, pack.scoring.names, target_country)
    key = lambda f: (-abs(f.points), f.rule.id)  # noqa: E731
    return Result(
        case=case,
        pack=pack,
        facts=facts,
        findings=tuple(sorted((f for f in fired if f.rule.category not in mitigation_ids), key=key)),
        mitigations=tuple(sorted((f for f in fired if f.rule.category in mitigation_ids), key=key)),
        categories=categories,
        subtotal=subtotal,
        score_from_rules=score_from_rules,
        level_from_score=level_from_score,
        floors=tuple(floors),
        score=score,
        level=level,
        gaps=valued(
            _gaps(facts, unknown, mitigation_ids, record_keys),
            pack,
            counted,
            _waived(waivers, case.id, (rule.id for rule, _ in unknown), first_day(on, clock.today())),
        )
        if value_gaps
        else by_points(_gaps(facts, unknown, mitigation_ids, record_keys)),
        undecided=tuple(pack.rules[i].id for i in undecided_at),
        waivers_on=first_day(on, clock.today()).isoformat() if waivers else None,
        filings=filings,
        uncaught_risk=uncaught_risk,
        uncaught_open=open_filings,
        day=day,
    )


class Scored(NamedTuple):
    """A set of findings scored: what ``screen`` reports as the score and level and how they were reached."""

    categories: tuple[CategoryScore, ...]
    subtotal: float
    score_from_rules: float
    level_from_score: str
    score: float
    level: str
    floors: tuple[Floor, ...]


def score_of(pack: Pack, counted: Sequence[Finding]) -> Scored:
    """Score the findings that count (not waived): category caps, mitigation credit and exposure, the sum clamped
    to 0-100, then the floors of the rules that fired at the pack's floor confidence or better."""
    categories, subtotal = _categories(pack, counted)
    score_from_rules = max(0.0, min(100.0, subtotal))
    level_from_score = pack.scoring.level_of(score_from_rules)
    score, level, floors = score_from_rules, level_from_score, []
    floor_rank = rank(pack.scoring.floor_confidence)
    fired_ids = {f.rule.id for f in counted if rank(f.confidence) <= floor_rank}
    for floor in pack.scoring.floors:
        if fired_ids & set(floor.rules) and pack.scoring.rank(floor.level) > pack.scoring.rank(level):
            level = floor.level
            score = max(score, pack.scoring.minimum(level))
            floors.append(floor)
    return Scored(categories, subtotal, score_from_rules, level_from_score, score, level, tuple(floors))


def valued(gaps: Iterable[Gap], pack: Pack, counted: Sequence[Finding], waived: Iterable[str] = ()) -> tuple[Gap, ...]:
    """The gaps with what each answer could do to the score (``Gap.could_add``, ``Gap.could_take_off``), the
    most it could move the score first (then the most it could add, the most rule points, the facts' names).

    Each figure is the case scored again by ``score_of`` with the gap's undecided rules added at their full
    weight, risk rules for what it could add and mitigations for what it could take off, less today's score:
    a question about the target's exposure counts what it would do to the threat categories it scales, and a
    question whose rules sit in a category already at its cap adds nothing. ``counted`` are today's findings
    that count; rules with an active waiver (``waived``) would not count and are left out.
    """
    by_id = {r.id: r for r in pack.rules}
    mitigation_ids = {c.id for c in pack.scoring.categories if c.mitigation}
    today = score_of(pack, counted).score
    skip = set(waived) | {f.rule.id for f in counted}
    out = []
    for gap in gaps:
        rules = [by_id[r] for r in gap.rules if r in by_id and r not in skip]
        risk = [Finding(r, r.weight, ()) for r in rules if r.category not in mitigation_ids]
        relief = [Finding(r, r.weight, ()) for r in rules if r.category in mitigation_ids]
        add = score_of(pack, [*counted, *risk]).score - today if risk else 0.0
        off = today - score_of(pack, [*counted, *relief]).score if relief else 0.0
        out.append(gap._replace(could_add=round(max(0.0, add), 9), could_take_off=round(max(0.0, off), 9)))
    return tuple(
        sorted(
            out,
            key=lambda g: (-max(g.could_add, g.could_take_off), -g.could_add, -g.points_at_stake, g.facts),
        )
    )


def by_points(gaps: Iterable[Gap]) -> tuple[Gap, ...]:
    """The gaps, not valued, the most rule points at stake first (then by the facts' names)."""
    return tuple(sorted(gaps, key=lambda g: (-g.points_at_stake, g.facts)))


def _waived(waivers: Mapping[tuple[str, str], Waiver], case: str, rules: Iterable[str], day: dt.date) -> set[str]:
    """Those of ``rules`` an active waiver covers for ``case`` on ``day``: were they to fire, they would not count."""
    if not waivers:
        return set()
    return {r for r in rules if (w := waivers.get((case, r))) is not None and w.status(day) == "active"}


def _categories(pack: Pack, fired: Sequence[Finding]) -> tuple[tuple[CategoryScore, ...], float]:
    """Category scores (capped, less mitigation credit) and their sum; mitigation rows report the credit."""
    credits: dict[str, float] = {}
    by_category: dict[str, list[Finding]] = {}
    for f in fired:
        by_category.setdefault(f.rule.category, []).append(f)
        for mitigated in f.rule.mitigates:
            credits[mitigated] = credits.get(mitigated, 0.0) + abs(f.points)
    risk: list[CategoryScore] = []
    for cat in (c for c in pack.scoring.categories if not c.mitigation):
        mine = by_category.get(cat.id, [])
        raw = float(sum(f.points for f in mine))
        capped = min(raw, cat.cap) if cat.cap is not None else raw
        score = max(0.0, capped - credits.get(cat.id, 0.0))
        risk.append(
            CategoryScore(
                cat.id, cat.title, cat.cap, raw, capped, capped - score, score, tuple(f.rule.id for f in mine)
            )
        )
    exposure = pack.scoring.exposure
    if exposure is not None:
        factor = exposure.factor(sum(c.score for c in risk if c.id in exposure.by))
        risk = [c._replace(score=c.score * factor, factor=factor) if c.id in exposure.scales else c for c in risk]
    removed = sum(c.credit for c in risk)
    mitigation = []
    for cat in (c for c in pack.scoring.categories if c.mitigation):
        mine = by_category.get(cat.id, [])
        raw = float(sum(f.points for f in mine))
        mitigation.append(
            CategoryScore(cat.id, cat.title, None, raw, raw, 0.0, -removed, tuple(f.rule.id for f in mine))
        )
    return tuple(risk + mitigation), sum(c.score for c in risk)


def _missing_details(node: Any, value: Any) -> list[str]:
    """The keys of a records pattern (``contains: {classified: true}``) that some record the case lists
    leaves out: the details a gap must ask for, not the records themselves."""
    if not isinstance(node.value, dict) or not isinstance(value, list) or not value:
        return []
    fact = catalogue().get(node.field)
    if fact is None or fact.derived:  # records the tool computes (state holders) are asked about as written
        return []
    records = [r for r in value if isinstance(r, dict)]
    return sorted(k for k in node.value if any(r.get(k) is None for r in records))


def listed_details(values: dict[str, Any], unknown: Iterable[tuple[Rule, tuple[str, ...]]]) -> dict[str, set[str]]:
    """For each list of records the case gives whose unknown details leave a rule undecided, those details (the
    questions the gaps ask with evidence): only the rules on listed records are traced."""
    found: dict[str, set[str]] = {}
    for rule, names in unknown:
        if any(isinstance(values.get(n), list) and values.get(n) for n in names):
            for leaf in unknown_leaves(trace(rule.condition, values)):
                missing = _missing_details(leaf.node, values.get(leaf.node.field))
                if missing:
                    found.setdefault(leaf.node.field, set()).update(missing)
    return found


def _record_question(name: str, records: list[Any], keys: set[str]) -> str:
    """``The case lists government contracts (defence: maintenance of vehicles) but leaves out, for some, the
    detail a rule needs (classified): what is it for each?``: the question for details of listed records."""
    label = name.rsplit(".", 1)[-1].replace("_", " ")
    lacking = [r for r in records if isinstance(r, dict) and any(r.get(k) is None for k in keys)]
    shown = []
    for r in lacking[:3]:
        words = [str(r[k]) for k in ("name", "customer", "kind", "category") if r.get(k)][:1]
        if r.get("description"):
            about = " ".join(str(r["description"]).split())
            words.append(about if len(about) <= 50 else about[:49].rstrip() + "…")
        shown.append(": ".join(words) or "one unnamed")
    more = f" and {len(lacking) - 3} more" if len(lacking) > 3 else ""
    details = ", ".join(k.replace("_", " ") for k in sorted(keys))
    return (
        f"The case lists {label} ({'; '.join(shown)}{more}) but leaves out, for some, the detail a rule needs "
        f"({details}): what is it for each?"
    )


def _gaps(
    facts: Facts,
    undecided: list[tuple[Rule, tuple[str, ...]]],
    mitigation_ids: set[str],
    record_keys: Mapping[str, set[str]] | None = None,
) -> tuple[Gap, ...]:
    """One gap per question: facts that share a question are asked about once.

    ``undecided`` pairs each undecided rule with the facts of its unknown leaves (repeats allowed);
    ``record_keys`` names, for a list of records the case gives, the details of them a rule needs and some
    record leaves out: the gap asks for those, not for the list the case already states.
    """
    asked: dict[str, str] = {}
    by_question: dict[str, list[Any]] = {}  # question -> [fact names, rule ids, points at stake]
    subject = facts.subject
    for rule, fields in undecided:
        seen: set[str] = set()
        points = rule.weight if rule.category not in mitigation_ids else 0.0
        for name in fields:
            question = asked.get(name)
            if question is None:
                keys = (record_keys or {}).get(name)
                if keys:
                    question = asked[name] = _record_question(name, facts.values.get(name) or [], keys)
                else:
                    question = asked[name] = _question(name).replace("{name}", subject) + _known(facts.values.get(name))
            entry = by_question.get(question)
            if entry is None:
                entry = by_question[question] = [[name], [], 0.0]
            elif name not in entry[0]:
                entry[0].append(name)
            if question not in seen:
                seen.add(question)
                entry[1].append(rule.id)
                entry[2] += points
    gaps = [Gap(tuple(names), q, tuple(rules), points) for q, (names, rules, points) in by_question.items()]
    return tuple(sorted(gaps, key=lambda g: (-g.points_at_stake, g.facts)))


def _before(day: str) -> str:
    return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()


def _known(value: Any) -> str:
    """What the case already says of a fact a gap asks about, when it says part of it (a bound)."""
    return f" (the case says {describe(value)})" if isinstance(value, (Interval, DayRange)) else ""


@cache
def _question(name: str) -> str:
    """The question a gap on fact ``name`` asks, before the subject's name is put in."""
    return catalogue()[name].question or f"What is {name}?"
