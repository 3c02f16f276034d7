"""`screening backtest`: does the score rank real cases the way screening authorities decided them?

Every case of a corpus carries its ``outcome`` (the decision an authority took, for the record; rules never
read it). The cases are screened with a pack and the scores compared with the decisions:

* **AUC**: the probability that an adverse case (prohibited, partially prohibited, divestment ordered,
  annulled, abandoned under pressure, cleared with conditions) scores higher than a case cleared without
  conditions, ties counting one half. That is the Mann-Whitney U statistic divided by n_adverse * n_cleared.
  A *strict* AUC leaves conditional clearances out of the adverse side.
* **Interval**: a percentile bootstrap, stratified (adverse and cleared cases resampled apart, each at its
  own size, so that no replicate lacks a class) and clustered by deal (the files of one deal, reviewed under
  several regimes, share ``outcome.deal`` and are drawn together: they are one observation, not several),
  with a fixed seed so that the same corpus and pack always give the same interval.
* **Withdrawn, not reviewed, pending** cases are left out of the AUC (a withdrawal is usually procedural; a
  deal never reviewed is not a deal cleared) and listed apart.
* The **confusion** of level against decision, the **misranked pairs** (an adverse case scoring below a
  cleared one) with the rules that fire in one and not the other, and each rule's **lift** (how often it
  fires in adverse cases against cleared ones, with add-one-half smoothing).

Files that cannot be loaded are reported as located problems and left out; the rest are still measured.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from screening.case.dated import AT, DAY_FACTS, STANDING, STARTS, AsOf
from screening.case.model import Case
from screening.case.values import DayRange, PartialList
from screening.infra.errors import Problem, ScreeningError
from screening.pack.load import Pack

ADVERSE = (
    "prohibited",
    "partially_prohibited",
    "divestment_ordered",
    "annulled",
    "abandoned_under_pressure",
    "cleared_with_conditions",
)
"""Decisions counted as adverse: the authority blocked, unwound, forced out or conditioned the deal."""
BLOCKED = ADVERSE[:-1]
"""Adverse decisions other than conditions: the deal did not go ahead as proposed."""
CLEARED = ("cleared",)
"""Cleared without conditions: the comparison class."""
APART = ("withdrawn", "not_reviewed", "pending")
"""Decisions outside the AUC, reported separately."""
DECISIONS = (*BLOCKED, "cleared_with_conditions", "cleared", *APART)
"""Every decision, in the order reports show them (most adverse first)."""

REPLICATES = 2000
"""Bootstrap replicates (the default of R's pROC ``ci.auc``)."""
SEED = 20260
"""The bootstrap's fixed seed: the same corpus and pack give the same interval every time."""
TARGET_AUC = 0.85


class Scored(NamedTuple):
    """One case of the corpus, screened."""

    case: str
    file: str
    title: str
    decision: str
    authority: str
    score: float
    level: str
    points: dict[str, float]
    """Rule id -> points, for every risk rule that fired (waived findings left out)."""
    deal: str = ""
    """The deal the file is one review of (``outcome.deal``, else the case id): the bootstrap's cluster."""
    left_out: int = 0
    """Commitments accepted or imposed in the review measured, left out of its score (``before_decision``)."""


class Pair(NamedTuple):
    """An adverse case that scores below (or level with) a case cleared without conditions."""

    adverse: Scored
    cleared: Scored
    adverse_only: tuple[tuple[str, float], ...]
    """Rules firing in the adverse case only, with their points, highest first."""
    cleared_only: tuple[tuple[str, float], ...]
    """Rules firing in the cleared case only, with their points, highest first."""

    @property
    def tie(self) -> bool:
        return self.adverse.score == self.cleared.score


class Lift(NamedTuple):
    """How often one rule fires in adverse cases against cleared ones."""

    rule: str
    adverse: int
    """Adverse cases in which it fires."""
    cleared: int
    """Cleared cases in which it fires."""
    lift: float
    """P(fires | adverse) / P(fires | cleared), each with add-one-half smoothing (Haldane-Anscombe)."""


class Interval(NamedTuple):
    low: float
    high: float
    replicates: int
    seed: int
    degenerate: bool
    """Every case of one class has the same score: the interval says nothing about the spread."""
    deals: tuple[int, int] = (0, 0)
    """The clusters resampled: adverse deals, cleared deals (as many as cases when no file shares a deal)."""


class Backtest(NamedTuple):
    """The backtest of one pack on one corpus."""

    pack: Pack
    corpus: str
    cases: tuple[Scored, ...]
    """Every case screened, in file order."""
    problems: tuple[Problem, ...]
    """Files that could not be loaded or carry no outcome: left out of every figure."""
    auc: float | None
    """None when either class is empty."""
    strict_auc: float | None
    interval: Interval | None
    tied_share: float
    """Share of adverse-cleared pairs whose scores are equal."""
    misranked: tuple[Pair, ...]
    """Adverse-cleared pairs with the adverse case scoring lower or equal, the widest gap first."""
    lifts: tuple[Lift, ...]

    @property
    def adverse(self) -> tuple[Scored, ...]:
        return tuple(c for c in self.cases if c.decision in ADVERSE)

    @property
    def cleared(self) -> tuple[Scored, ...]:
        return tuple(c for c in self.cases if c.decision in CLEARED)

    @property
    def apart(self) -> tuple[Scored, ...]:
        return tuple(c for c in self.cases if c.decision in APART)

    @property
    def levels(self) -> tuple[str, ...]:
        return self.pack.scoring.names

    def confusion(self) -> dict[str, dict[str, int]]:
        """Decision -> level -> number of cases (every decision and level present, zeros included)."""
        table = {d: dict.fromkeys(self.levels, 0) for d in DECISIONS}
        for c in self.cases:
            table[c.decision][c.level] += 1
        return {d: row for d, row in table.items() if any(row.values()) or d in ADVERSE + CLEARED}

    def blocked_below_medium(self) -> tuple[Scored, ...]:
        """Blocked, unwound or abandoned cases at the lowest level (the target: none)."""
        lowest = self.levels[0]
        return tuple(c for c in self.cases if c.decision in BLOCKED and c.level == lowest)

    def cleared_at_top(self) -> tuple[Scored, ...]:
        """Cases cleared without conditions at the highest level (the target: none)."""
        top = self.levels[-1]
        return tuple(c for c in self.cases if c.decision in CLEARED and c.level == top)


def auc(positive: Sequence[float], negative: Sequence[float]) -> float | None:
    """P(a positive scores above a negative) + 1/2 P(tie): Mann-Whitney U / (n1 n0). None if a side is empty."""
    if not positive or not negative:
        return None
    ranked = sorted(negative)
    wins = 0.0
    for p in positive:
        below, upto = bisect_left(ranked, p), bisect_right(ranked, p)
        wins += below + (upto - below) / 2
    return wins / (len(positive) * len(negative))


def tied_share(positive: Sequence[float], negative: Sequence[float]) -> float:
    if not positive or not negative:
        return 0.0
    ranked = sorted(negative)
    ties = sum(bisect_right(ranked, p) - bisect_left(ranked, p) for p in positive)
    return ties / (len(positive) * len(negative))


def clusters(scores: Sequence[float], deals: Sequence[str] | None) -> list[list[float]]:
    """The scores grouped by deal, in order of first appearance (each score its own group without deals)."""
    if deals is None:
        return [[s] for s in scores]
    groups: dict[str, list[float]] = {}
    for score, deal in zip(scores, deals, strict=True):
        groups.setdefault(deal, []).append(score)
    return list(groups.values())


def bootstrap(
    positive: Sequence[float],
    negative: Sequence[float],
    replicates: int = REPLICATES,
    seed: int = SEED,
    deals: tuple[Sequence[str], Sequence[str]] | None = None,
) -> Interval | None:
    """The 95% percentile interval of the AUC, resampling each class apart (stratified) with a fixed seed.

    ``deals`` names the deal of each positive and each negative score: the files of one deal are drawn
    together, as one cluster, as many clusters as the class has deals (a deal adverse under one regime and
    cleared under another is a cluster in each class). Without shared deals this is the plain stratified
    bootstrap, draw for draw."""
    if not positive or not negative:
        return None
    rng = random.Random(seed)
    pos = clusters(positive, deals[0] if deals else None)
    neg = clusters(negative, deals[1] if deals else None)
    values = []
    for _ in range(replicates):
        drawn_pos = [s for group in rng.choices(pos, k=len(pos)) for s in group]
        drawn_neg = [s for group in rng.choices(neg, k=len(neg)) for s in group]
        values.append(auc(drawn_pos, drawn_neg) or 0.0)
    values.sort()
    low = values[int(0.025 * (replicates - 1))]
    high = values[int(round(0.975 * (replicates - 1)))]
    degenerate = len(set(positive)) == 1 or len(set(negative)) == 1
    return Interval(low, high, replicates, seed, degenerate, (len(pos), len(neg)))


def lifts(adverse: Sequence[Scored], cleared: Sequence[Scored], rules: Iterable[str]) -> tuple[Lift, ...]:
    """Each rule that fires somewhere in the two classes, with its smoothed lift, highest lift first."""
    out = []
    n1, n0 = len(adverse), len(cleared)
    for rule in rules:
        a = sum(1 for c in adverse if rule in c.points)
        b = sum(1 for c in cleared if rule in c.points)
        if a or b:
            out.append(Lift(rule, a, b, ((a + 0.5) / (n1 + 1)) / ((b + 0.5) / (n0 + 1))))
    return tuple(sorted(out, key=lambda lf: (-lf.lift, lf.rule)))


def misranked(adverse: Sequence[Scored], cleared: Sequence[Scored]) -> tuple[Pair, ...]:
    """Adverse-cleared pairs with the adverse case at or below the cleared one, the widest gap first."""
    out = []
    for a in adverse:
        for c in cleared:
            if a.score <= c.score:
                only_a = sorted(((r, p) for r, p in a.points.items() if r not in c.points), key=lambda x: (-x[1], x[0]))
                only_c = sorted(((r, p) for r, p in c.points.items() if r not in a.points), key=lambda x: (-x[1], x[0]))
                out.append(Pair(a, c, tuple(only_a), tuple(only_c)))
    return tuple(sorted(out, key=lambda p: (p.adverse.score - p.cleared.score, p.adverse.case, p.cleared.case)))


def corpus_files(directory: Path) -> list[Path]:
    """The case files of a corpus directory (YAML, searched recursively), in name order."""
    if not directory.is_dir():
        raise ScreeningError([Problem(str(directory), None, None, "E001", "no such directory of case files")])
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _id_line(path: Path) -> tuple[int | None, int | None]:
    """The line and column of a case file's top-level ``id:`` key (None, None when it cannot be found)."""
    try:
        lines = path.read_text("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None, None
    return next(((n, 1) for n, line in enumerate(lines, 1) if re.match(r"id\s*:", line)), (None, None))


def score_corpus(files: Sequence[Path], pack: Pack) -> tuple[list[Scored], list[Problem]]:
    """Screen every file that loads and carries an outcome; the others become problems (nothing is raised), as
    do the warnings of the files that load."""
    from screening.case.load import load_case
    from screening.decision.engine import screen

    scored, problems = [], []
    seen: dict[str, str] = {}
    for path in files:
        try:
            case = load_case(path)
        except ScreeningError as exc:
            problems += exc.problems
            continue
        problems += case.notes  # warnings of the reading (W380): the case is measured all the same
        if case.id in seen:  # counted once: a copy of a case would weigh its outcome twice in the AUC
            problems.append(
                Problem(str(path), *_id_line(path), "E109", f"case id '{case.id}' is also used by {seen[case.id]}")
            )
            continue
        seen[case.id] = str(path)
        outcome = case.data.get("outcome")
        if not outcome:
            problems.append(Problem(str(path), None, None, "E406", "a backtest case needs an `outcome` (the decision)"))
            continue
        found = before_decision(case)
        # the decision is judged by the law of its own day: neither today's law nor a gap's figure is shown
        result = screen(found, pack, on=decision_day(case.data), evidence=False, value_gaps=False, law_today=False)
        points = {f.rule.id: f.points for f in result.findings if not f.waived}
        scored.append(
            Scored(
                case.id,
                str(path),
                str(case.data.get("title") or case.data["target"].get("name") or case.id),
                str(outcome["decision"]),
                str(outcome.get("authority") or ""),
                float(result.score),
                result.level,
                points,
                str(outcome.get("deal") or case.id),
                len(case.data.get("mitigations") or ()) - len(found.data.get("mitigations") or ()),
            )
        )
    return scored, problems


def before_decision(case: Case) -> Case:
    """The case as the authority found it, before its decision. A commitment ``accepted`` or ``imposed`` that
    carries no date of its own (``agreed``, ``since``, ``until``) was agreed in the review the outcome ends:
    the conditions of a conditional clearance are that outcome. It is left out, so that the remedies an
    authority imposed do not lower the score of the very case whose risk they answered (the corpus keeps facts
    known only after the decision out of the case). A dated commitment counts on the days it held, and an
    offer never counts (screening.case.dated)."""
    records = case.data.get("mitigations")
    if not records:
        return case
    kept = [
        {**r, AT: r.get(AT, i)} if isinstance(r, dict) else r
        for i, r in enumerate(records)
        if not (isinstance(r, dict) and r.get("status") in STANDING and not any(k in r for k in (*STARTS, "until")))
    ]
    if len(kept) == len(records):
        return case
    standing = PartialList(kept) if isinstance(records, PartialList) else kept
    return case._replace(data={**case.data, "mitigations": standing})


def decision_day(data: dict[str, Any]) -> AsOf:
    """The day a case without a date of its own is judged on: the day its facts describe (``as_of``), else the
    decision's date; ``None`` (the case's own deal dates) when the case gives a signing, completion or
    announcement date. A backtest measures a decision taken under the law of its day: judging an undated 2017
    case as of today would apply rules dated since (a designation of 2021) to a decision that could not know
    them, and no deal is judged on its outcome's facts, only on its day."""
    tx = data.get("transaction") or {}
    if any(tx.get(name.split(".", 1)[1]) is not None for name in DAY_FACTS):
        return None
    for value in (data.get("as_of"), (data.get("outcome") or {}).get("date")):
        if isinstance(value, DayRange):
            return value
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
    return None


def backtest(
    directory: Path, pack: Pack, replicates: int = REPLICATES, seed: int = SEED, files: Sequence[Path] | None = None
) -> Backtest:
    """Screen the corpus in ``directory`` with ``pack`` and measure how the scores rank the decisions."""
    scored, problems = score_corpus(files if files is not None else corpus_files(directory), pack)
    return measure(str(directory), scored, problems, pack, replicates, seed)


def measure(
    corpus: str,
    scored: Sequence[Scored],
    problems: Sequence[Problem],
    pack: Pack,
    replicates: int = REPLICATES,
    seed: int = SEED,
) -> Backtest:
    """The backtest figures of cases already screened."""
    adverse = [c for c in scored if c.decision in ADVERSE]
    cleared = [c for c in scored if c.decision in CLEARED]
    pos, neg = [c.score for c in adverse], [c.score for c in cleared]
    strict = [c.score for c in adverse if c.decision in BLOCKED]
    rules = sorted({r for c in scored for r in c.points})
    return Backtest(
        pack,
        corpus,
        tuple(scored),
        tuple(problems),
        auc(pos, neg),
        auc(strict, neg),
        bootstrap(
            pos, neg, replicates, seed, ([c.deal or c.case for c in adverse], [c.deal or c.case for c in cleared])
        ),
        tied_share(pos, neg),
        misranked(adverse, cleared),
        lifts(adverse, cleared, rules),
    )
