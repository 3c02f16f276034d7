"""Regime packs: one jurisdiction's screening law as data (who is foreign, what triggers a filing, when).

A regime file lives in ``regimes/`` inside a rule pack. It says where the regime reaches (``applies``),
who counts as a foreign investor, its review periods, the dates it is in force, and its triggers: rules
whose outcome is a mandatory filing, a voluntary one, or exposure to a call-in. Triggers are compiled
with the same condition compiler as risk rules, over the same facts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from screening import EMPTY
from screening.conditions import CompileError, Compiler, Node, kleene_all
from screening.errors import Marks, Problem, located

OUTCOMES = ("mandatory", "voluntary", "call_in", "undetermined", "out_of_scope", "not_in_force")
"""Every answer a regime can give, strongest first. Triggers give one of the first three."""

RANK = {name: len(OUTCOMES) - i for i, name in enumerate(OUTCOMES)}

OUTCOME_TEXT = {
    "mandatory": "mandatory filing",
    "voluntary": "voluntary filing",
    "call_in": "call-in risk",
    "undetermined": "undetermined",
    "out_of_scope": "out of scope",
    "not_in_force": "not in force",
}


class Phase(NamedTuple):
    """One review phase: ``Phase 1``, 30, ``calendar days``."""

    phase: str
    days: int
    unit: str
    note: str = ""


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
    examples: dict[str, list[dict[str, Any]]] = EMPTY
    file: str = ""
    line: int | None = None
    column: int | None = None
    keys: dict[str, tuple[int, int]] = EMPTY

    def valid(self, day: str) -> bool:
        """Whether the trigger is law on ``day`` (YYYY-MM-DD)."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

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
    investors: tuple[InvestorTest, ...]
    review: tuple[Phase, ...]
    outcomes: dict[str, str]
    scope_note: str
    rules: tuple[Trigger, ...]
    sets: dict[str, list[Any]] = EMPTY
    """The named value sets the regime's conditions can use (the pack's and its own)."""
    file: str = ""

    def in_force(self, day: str) -> bool:
        """Whether the regime is law on ``day`` (YYYY-MM-DD)."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def _node(kind: str, children: tuple[Node, ...]) -> Node:
    checks = tuple(c.check for c in children)
    return Node(kind, lambda v: kleene_all(c(v) for c in checks), children)


def build_regime(data: dict[str, Any], marks: Marks, name: str, compiler: Compiler,
                 legal: Callable[[list[str], Callable[[tuple[str, ...], str, str], None]], tuple[Any, ...]],
                 problems: list[Problem], seen: dict[str, str]) -> Regime | None:
    """The regime of a validated regime file, or None when a condition of the regime itself is wrong.

    ``legal`` resolves citations against the pack's legal.yaml, reporting unknown instruments; ``seen``
    maps trigger ids already used in the pack to their file.
    """
    meta = data["regime"]
    compiler = Compiler(compiler.facts, {**compiler.sets, **(meta.get("sets") or {})})

    def report(path: tuple[str, ...], code: str, message: str, rule: str | None = None) -> None:
        problems.append(located(name, marks, path, code, message, rule=rule))

    def compile_at(spec: Any, path: tuple[str, ...], rule: str | None = None) -> Node | None:
        try:
            return compiler.compile(spec, ())
        except CompileError as exc:
            report(path + exc.path, exc.code, exc.message, rule)
            return None

    applies = compile_at(meta["applies"], ("regime", "applies"))
    investors: dict[str, InvestorTest] = {}
    ok = applies is not None
    for i, raw in enumerate(meta.get("investors") or ()):
        base = ("regime", "investors", str(i))
        if raw["id"] in investors:
            report(base + ("id",), "E109", f"duplicate investor test id '{raw['id']}'")
        condition = compile_at(raw["when"], base + ("when",)) if "when" in raw else None
        ok = ok and ("when" not in raw or condition is not None)
        investors[raw["id"]] = InvestorTest(raw["id"], raw["title"], condition)
    if not investors:
        investors["anyone"] = InvestorTest("anyone", "any acquirer", None)
    first = next(iter(investors.values()))
    regime_refs = legal(meta["legal_basis"], lambda sub, code, msg: report(("regime", "legal_basis") + sub, code, msg))
    valid_to = meta.get("valid_to")
    if valid_to is not None and valid_to < meta["valid_from"]:
        report(("regime", "valid_to"), "E106", f"valid_to {valid_to} is before valid_from {meta['valid_from']}")
    triggers: list[Trigger] = []
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
        test = investors.get(raw.get("investor", first.id))
        if test is None:
            bad(("investor",), "E108", f"unknown investor test '{raw['investor']}'; the regime defines "
                + ", ".join(investors))
            test = first
        start, end = raw.get("valid_from", meta["valid_from"]), raw.get("valid_to", valid_to)
        if start < meta["valid_from"]:
            bad(("valid_from",), "E106", f"valid_from {start} is before the regime's {meta['valid_from']}")
        if end is not None and end < start and ("valid_from" in raw or "valid_to" in raw):
            bad(("valid_to",), "E106", f"valid_to {end} is before valid_from {start}")
        refs = legal(raw["legal_basis"], lambda sub, code, msg, bad=bad: bad(("legal_basis",) + sub, code, msg))
        when = compile_at(raw["when"], base + ("when",), rid)
        if when is None or applies is None:
            continue
        parts = (applies,) + ((test.condition,) if test.condition is not None else ()) + (when,)
        triggers.append(Trigger(
            id=rid, title=raw["title"], outcome=raw["outcome"], investor=test, condition=_node("all", parts),
            when=when, legal_basis=refs, valid_from=start, valid_to=end, rationale=(raw.get("rationale") or "").strip(),
            examples=raw.get("examples") or {}, file=name, line=marks.get(base, (None, None))[0],
            column=marks.get(base, (None, None))[1],
            keys={k: marks[base + (k,)] for k in raw if base + (k,) in marks}))
    if not ok or applies is None:
        return None
    return Regime(
        id=meta["id"], name=meta["name"], title=meta["title"], jurisdiction=meta["jurisdiction"],
        authority=meta["authority"], legal_basis=regime_refs, valid_from=meta["valid_from"], valid_to=valid_to,
        applies=applies, applies_text=meta.get("applies_text", ""), investors=tuple(investors.values()),
        review=tuple(Phase(p["phase"], p["days"], p["unit"], p.get("note", "")) for p in meta["review"]),
        outcomes=dict(meta.get("outcomes") or {}), scope_note=(meta.get("scope_note") or "").strip(),
        rules=tuple(triggers), sets=compiler.sets, file=name)

