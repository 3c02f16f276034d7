"""Regime packs: one jurisdiction's screening law as data (who is foreign, what triggers a filing, when).

A regime file lives in ``regimes/`` inside a rule pack. It says where the regime reaches (``applies``),
who counts as a foreign investor, its review periods, the dates it is in force, and its triggers: rules
whose outcome is a mandatory filing, a voluntary one, or exposure to a call-in. Triggers are compiled
with the same condition compiler as risk rules, over the same facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from screening import EMPTY
from screening.conditions.compile import CompileError, Compiler
from screening.conditions.tree import Node, all_of
from screening.infra.errors import Marks, Problem, ScreeningError, located

OUTCOMES = ("mandatory", "voluntary", "call_in", "undetermined", "out_of_scope", "not_in_force")
"""Every answer a regime can give, strongest first. Triggers give one of the first three."""

RANK = {name: len(OUTCOMES) - i for i, name in enumerate(OUTCOMES)}

NOT_SUSPENSORY = "notification, not suspensory"
"""The answer of a mandatory trigger whose filing does not stop closing, in words (its outcome stays
``mandatory``: the filing is due all the same)."""

OUTCOME_TEXT = {
    "mandatory": "mandatory filing",
    "voluntary": "voluntary filing",
    "call_in": "call-in risk",
    "undetermined": "undetermined",
    "out_of_scope": "out of scope",
    "not_in_force": "not in force",
}


def strength(outcome: str, rule: Trigger | None) -> float:
    """How strongly an answer binds the deal: the outcome's rank, a mandatory filing that stops closing above
    one that does not (a regime with both met shows the suspensory one; an open suspensory trigger is still
    asked about when only a notification is met)."""
    return RANK[outcome] + (0.5 if outcome == "mandatory" and (rule is None or rule.suspensory) else 0.0)


def answer_text(outcome: str, rule: Trigger | None) -> str:
    """The answer in words: ``mandatory filing``, or ``notification, not suspensory`` when the deciding trigger's
    filing does not stop closing."""
    if outcome == "mandatory" and rule is not None and not rule.suspensory:
        return NOT_SUSPENSORY
    return OUTCOME_TEXT[outcome]


def timing_text(rule: Trigger | None) -> str | None:
    """When a filing that does not stop closing is due: ``closing need not wait for it; due within 30 days
    after closing`` (None for a suspensory filing or no trigger)."""
    if rule is None or rule.outcome != "mandatory" or rule.suspensory:
        return None
    due = rule.due_after_closing_days
    return "closing need not wait for it" + (f"; due within {due} days after closing" if due else "")


def timing_problems(raw: dict[str, Any], bad: Callable[[tuple[str, ...], str, str], None]) -> None:
    """E415: ``suspensory`` on a trigger that is not mandatory, ``due_after_closing_days`` on a suspensory one."""
    if "suspensory" in raw and raw.get("outcome") != "mandatory":
        bad(
            ("suspensory",),
            "E415",
            f"suspensory is said of a mandatory trigger only; a {raw.get('outcome')} outcome has no filing to wait for",
        )
    if "due_after_closing_days" in raw and raw.get("suspensory", True) is not False:
        bad(
            ("due_after_closing_days",),
            "E415",
            "due_after_closing_days needs suspensory: false (a suspensory filing is due before closing)",
        )


class Phase(NamedTuple):
    """One review phase: ``Phase 1``, 30, ``calendar days``."""

    phase: str
    days: int
    unit: str
    note: str = ""
    valid_from: str | None = None
    valid_to: str | None = None
    """A phase with dates applies on those days only (review periods changed over time)."""

    def valid(self, day: str) -> bool:
        """Whether the phase is law on ``day`` (YYYY-MM-DD)."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


VERIFIED = ("primary", "secondary", "unverified")
"""How far a trigger was checked: against the text of the law itself, a named secondary source, or neither."""


class Meaning(NamedTuple):
    """What an outcome means on some days only (``outcomes_dated`` of a regime file)."""

    outcome: str
    text: str
    valid_from: str
    valid_to: str | None = None


class InvestorTest(NamedTuple):
    """Who counts as a foreign investor for some triggers of a regime."""

    id: str
    title: str
    condition: Node | None
    """None: every acquirer counts."""


class Trigger(NamedTuple):
    """One filing rule of a regime."""

    id: str
    title: str
    outcome: str
    investor: InvestorTest
    condition: Node
    """The whole test: the regime reaches the deal, the investor counts, and ``when`` holds."""
    when: Node
    legal_basis: tuple[Any, ...]
    valid_from: str
    valid_to: str | None = None
    rationale: str = ""
    verified: str = "unverified"
    """primary, secondary or unverified (see VERIFIED)."""
    verified_by: str = ""
    """The source the status rests on."""
    planned: bool = False
    """Announced, not known to be in force: listed, never applied."""
    suspensory: bool = True
    """For a mandatory trigger: whether closing must wait for the filing. False for a notification that may
    follow closing or a post-investment report (Canada's notice, ICA s.12; Japan's report, FEFTA Art. 27-2)."""
    due_after_closing_days: int | None = None
    """With ``suspensory`` false: the latest day the filing is due, in calendar days after closing."""
    examples: dict[str, list[dict[str, Any]]] = EMPTY
    file: str = ""
    line: int | None = None
    column: int | None = None
    keys: dict[str, tuple[int, int]] = EMPTY

    def valid(self, day: str) -> bool:
        """Whether the trigger is law on ``day`` (YYYY-MM-DD); a planned trigger never is."""
        return not self.planned and self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def at(self, key: str) -> tuple[str, int | None, int | None]:
        """File, line and column of one of the trigger's keys (its start when unknown)."""
        line, column = self.keys.get(key, (self.line, self.column))
        return self.file, line, column


class Regime(NamedTuple):
    """A jurisdiction's screening regime."""

    id: str
    name: str
    title: str
    jurisdiction: str
    authority: str
    legal_basis: tuple[Any, ...]
    valid_from: str
    valid_to: str | None
    applies: Node
    applies_text: str
    investors: Sequence[InvestorTest]
    review: tuple[Phase, ...]
    outcomes: dict[str, str]
    scope_note: str
    rules: Sequence[Trigger]
    """The triggers, in file order (compiled on first use for a pack read from the cache)."""
    sets: dict[str, list[Any]] = EMPTY
    """The named value sets the regime's conditions can use (the pack's and its own)."""
    file: str = ""
    dated: tuple[Meaning, ...] = ()
    """Outcome texts that apply on some days only, overriding ``outcomes`` then."""
    earlier_law: str = ""
    """What applied before ``valid_from`` that the pack does not encode (empty: nothing did). A case judged
    before ``valid_from`` is then undetermined, never "not in force"."""
    law_day: str = "signing"
    """Which day's law the regime applies: ``signing`` (the case's day: signing, else completion, else
    announcement) or ``completion`` (the day the investment is implemented, as the Investment Canada Act's
    thresholds read: the completion date, and without it every day from signing to today)."""

    def in_force(self, day: str) -> bool:
        """Whether the regime is law on ``day`` (YYYY-MM-DD)."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def review_on(self, day: str) -> tuple[Phase, ...]:
        """The review phases in force on ``day``."""
        return tuple(p for p in self.review if p.valid(day))

    def meaning(self, outcome: str, day: str) -> str | None:
        """What ``outcome`` means under the law of ``day``: a dated text when one applies, else the regime's."""
        for m in self.dated:
            if m.outcome == outcome and m.valid_from <= day and (m.valid_to is None or day <= m.valid_to):
                return m.text
        return self.outcomes.get(outcome)


class Deferred(Sequence[Any]):
    """A tuple built on first use: the triggers of a regime a case never reaches are never compiled."""

    def __init__(self, build: Callable[[], tuple[Any, ...]]) -> None:
        self._build: Callable[[], tuple[Any, ...]] | None = build
        self._items: tuple[Any, ...] = ()

    def _all(self) -> tuple[Any, ...]:
        if self._build is not None:
            self._items, self._build = self._build(), None
        return self._items

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._all())


Report = Callable[[tuple[str, ...], str, str], None]
"""Reports a problem: (key path, code, message)."""


def under(prefix: tuple[str, ...], report: Report) -> Report:
    """``report`` for problems found under ``prefix``."""
    return lambda sub, code, message: report(prefix + sub, code, message)


def build_regime(
    data: dict[str, Any],
    marks: Marks,
    name: str,
    compiler: Compiler,
    legal: Callable[[list[str], Callable[[tuple[str, ...], str, str], None]], tuple[Any, ...]],
    problems: list[Problem],
    seen: dict[str, str],
    lazy: bool = False,
) -> Regime | None:
    """The regime of a validated regime file, or None when a condition of the regime itself is wrong.

    ``legal`` resolves citations against the pack's legal.yaml, reporting unknown instruments; ``seen``
    maps trigger ids already used in the pack to their file. With ``lazy`` (a pack read from the cache,
    which loaded cleanly before) the triggers' conditions are compiled when first used.
    """
    meta = data["regime"]
    compiler = Compiler(compiler.facts, {**compiler.sets, **(meta.get("sets") or {})})

    def report(path: tuple[str, ...], code: str, message: str, rule: str | None = None) -> None:
        severity = "warning" if code.startswith("W") else "error"
        problems.append(located(name, marks, path, code, message, severity, rule))

    def compile_at(spec: Any, path: tuple[str, ...], rule: str | None = None) -> Node | None:
        notes: list[CompileError] = []
        try:
            return compiler.compile(spec, (), notes)
        except CompileError as exc:
            for error in exc.all:
                report(path + error.path, error.code, error.message, rule)
            return None
        finally:
            for note in notes:  # an old fact name (W380): read as the new one
                report(path + note.path, note.code, note.message, rule)

    applies = compile_at(meta["applies"], ("regime", "applies"))
    specs: dict[str, tuple[str, Any, tuple[str, ...]]] = {}  # investor test id -> title, condition, path
    earlier: dict[str, tuple[str, str]] = {}  # investor test id -> (its first day, the test that applies before)
    for i, raw in enumerate(meta.get("investors") or ()):
        base: tuple[str, ...] = ("regime", "investors", str(i))
        if raw["id"] in specs:
            report(base + ("id",), "E109", f"duplicate investor test id '{raw['id']}'")
        specs[raw["id"]] = (raw["title"], raw.get("when"), base + ("when",))
        if "valid_from" in raw:
            earlier[raw["id"]] = (raw["valid_from"], raw.get("before", ""))
    for key, (_, before) in earlier.items():
        if before not in specs or before in earlier:
            i = next(i for i, r in enumerate(meta["investors"]) if r["id"] == key)
            report(
                ("regime", "investors", str(i), "before"),
                "E108",
                f"an investor test with valid_from names, in `before`, an undated test of the regime: "
                f"'{before}' is not one",
            )
    if not specs:
        specs["anyone"] = ("any acquirer", None, ())
    compiled: dict[str, InvestorTest] = {}

    def investors() -> dict[str, InvestorTest]:
        """The investor tests, compiled once (with the triggers, when they are compiled)."""
        if not compiled:
            for key, (title, spec, path) in specs.items():
                compiled[key] = InvestorTest(key, title, None if spec is None else compile_at(spec, path))
        return compiled

    first = next(iter(specs))
    regime_refs = legal(meta["legal_basis"], under(("regime", "legal_basis"), report))
    valid_to = meta.get("valid_to")
    if valid_to is not None and valid_to < meta["valid_from"]:
        report(("regime", "valid_to"), "E106", f"valid_to {valid_to} is before valid_from {meta['valid_from']}")
    pending: list[tuple[dict[str, Any], tuple[str, ...], str, str, str | None, tuple[Any, ...]]] = []
    for i, raw in enumerate(data["rules"]):
        base = ("rules", str(i))
        rid = raw["id"]

        def bad(sub: tuple[str, ...], code: str, message: str, base: tuple[str, ...] = base, rid: str = rid) -> None:
            report(base + sub, code, message, rid)

        if rid in seen:
            bad(("id",), "E109", f"duplicate rule id (also in {seen[rid]})")
        seen[rid] = name
        if not rid.startswith(meta["id"] + "-"):
            bad(("id",), "E106", f"a trigger id starts with its regime's id: {meta['id']}-NNN")
        test = raw.get("investor", first)
        if test not in specs:
            bad(
                ("investor",),
                "E108",
                f"unknown investor test '{raw['investor']}'; the regime defines " + ", ".join(specs),
            )
            test = first
        start, end = raw.get("valid_from", meta["valid_from"]), raw.get("valid_to", valid_to)
        if start < meta["valid_from"]:
            bad(("valid_from",), "E106", f"valid_from {start} is before the regime's {meta['valid_from']}")
        if end is not None and end < start and ("valid_from" in raw or "valid_to" in raw):
            bad(("valid_to",), "E106", f"valid_to {end} is before valid_from {start}")
        refs = legal(raw["legal_basis"], under(("legal_basis",), bad))
        timing_problems(raw, bad)
        if not lazy:  # a cached pack was checked when it was cached
            from screening.pack.examples import example_problems

            example_problems(raw, bad)
        pending.append((raw, base, test, start, end, refs))
    usable = applies is not None
    if not lazy:  # a pack being checked: compile everything now, so that every problem is reported
        usable = usable and all(
            spec is None or investors()[key].condition is not None for key, (_, spec, _) in specs.items()
        )
    if not usable:
        for raw, base, *_ in pending:  # the regime is unusable, but each trigger's own problems are reported
            compile_at(raw["when"], base + ("when",), raw["id"])
        return None

    def periods(investor: str, start: str, end: str | None) -> list[tuple[str, str, str | None]]:
        """The trigger's investor test by period: a dated test gives way to its ``before`` test earlier."""
        if investor not in earlier or earlier[investor][1] not in specs:
            return [(investor, start, end)]
        first_day, before = earlier[investor]
        out: list[tuple[str, str, str | None]] = []
        if start < first_day:
            last = (dt.date.fromisoformat(first_day) - dt.timedelta(days=1)).isoformat()
            out.append((before, start, last if end is None or end > last else end))
        if end is None or end >= first_day:
            out.append((investor, max(start, first_day), end))
        return out

    def triggers() -> tuple[Trigger, ...]:
        tests = investors()
        out = []
        for raw, base, key, first_start, last_end, refs in pending:
            when = compile_at(raw["when"], base + ("when",), raw["id"])
            for investor, start, end in periods(key, first_start, last_end):
                test = tests[investor]
                if when is None or applies is None or (specs[investor][1] is not None and test.condition is None):
                    continue
                out.append(trigger(raw, base, test, when, refs, start, end))
        if lazy and problems:  # a cached pack loaded cleanly once: a problem now means the cache is stale
            raise ScreeningError(list(problems))
        return tuple(out)

    def trigger(
        raw: dict[str, Any],
        base: tuple[str, ...],
        test: InvestorTest,
        when: Node,
        refs: tuple[Any, ...],
        start: str,
        end: str | None,
    ) -> Trigger:
        assert applies is not None
        parts = (applies,) + ((test.condition,) if test.condition is not None else ()) + (when,)
        return Trigger(
            id=raw["id"],
            title=raw["title"],
            outcome=raw["outcome"],
            investor=test,
            condition=all_of(parts),
            when=when,
            legal_basis=refs,
            valid_from=start,
            valid_to=end,
            rationale=(raw.get("rationale") or "").strip(),
            verified=raw.get("verified", "unverified"),
            verified_by=(raw.get("verified_by") or "").strip(),
            planned=bool(raw.get("planned", False)),
            suspensory=raw.get("suspensory", True),
            due_after_closing_days=raw.get("due_after_closing_days"),
            examples=raw.get("examples") or {},
            file=name,
            line=marks.get(base, (None, None))[0],
            column=marks.get(base, (None, None))[1],
            keys={
                **{k: marks[base + (k,)] for k in raw if base + (k,) in marks},
                **example_keys(raw, marks, base),
            },
        )

    assert applies is not None  # else the regime is unusable (above)
    return Regime(
        id=meta["id"],
        name=meta["name"],
        title=meta["title"],
        jurisdiction=meta["jurisdiction"],
        authority=meta["authority"],
        legal_basis=regime_refs,
        valid_from=meta["valid_from"],
        valid_to=valid_to,
        applies=applies,
        applies_text=meta.get("applies_text", ""),
        investors=Deferred(lambda: tuple(investors().values())) if lazy else tuple(investors().values()),
        review=tuple(
            Phase(p["phase"], p["days"], p["unit"], p.get("note", ""), p.get("valid_from"), p.get("valid_to"))
            for p in meta["review"]
        ),
        outcomes=dict(meta.get("outcomes") or {}),
        dated=tuple(
            Meaning(m["outcome"], m["text"].strip(), m["valid_from"], m.get("valid_to"))
            for m in meta.get("outcomes_dated") or ()
        ),
        scope_note=(meta.get("scope_note") or "").strip(),
        earlier_law=(meta.get("earlier_law") or "").strip(),
        law_day=meta.get("law_day", "signing"),
        rules=Deferred(triggers) if lazy else triggers(),
        sets=compiler.sets,
        file=name,
    )


def example_keys(raw: Any, marks: dict[tuple[str, ...], tuple[int, int]], base: tuple[str, ...]) -> dict[str, Any]:
    """Where each example of a rule (or trigger) is written: ``{"examples.fires.0": (line, column)}``."""
    out = {}
    examples = raw.get("examples") if isinstance(raw, dict) else None
    for kind in ("fires", "quiet"):
        for j, _ in enumerate((examples or {}).get(kind) or ()):
            at = marks.get((*base, "examples", kind, str(j)))
            if at is not None:
                out[f"examples.{kind}.{j}"] = at
    return out
