"""What would change the answer: edits to a case (``--set``) and the margins to the rules' thresholds.

``--set PATH=VALUE`` replaces a value of the case document (``transaction.stake_after_pct=9.9``);
``--set PATH+=VALUE`` appends to a list (``mitigations+={kind: data_localisation, binding: true}``; a
bare word appended to a list of records becomes ``{kind: WORD}``). Paths are dotted keys with list
indices as numbers (``entities.0.country=FR``); values are read as YAML 1.2 scalars or flow
collections, exactly as in a case file. The case is screened before and after, and the difference
(score, level, findings) is reported.

Threshold margins (screening.conditions.margins) say how near the case's facts are to the rules'
numeric thresholds, after the change too.
"""

from __future__ import annotations

import copy
import re
from typing import Any, NamedTuple

from screening.case.names import message, new_path
from screening.conditions.margins import WITHIN, Margin, nearby
from screening.infra.errors import Problem, ScreeningError
from screening.infra.text import num, number
from screening.infra.yamlio import limits, loads

_SET = re.compile(r"^\s*([A-Za-z0-9_.\-]+?)\s*(\+?=)\s*(.*)$", re.S)


class Change(NamedTuple):
    path: tuple[str, ...]
    append: bool
    value: Any
    text: str
    """As the user wrote it."""
    notes: tuple[Problem, ...] = ()
    """Warnings on the expression: a field named by its old name (W380)."""


def parse(expr: str) -> Change:
    """One ``--set`` expression; a malformed one is an input error naming it."""
    match = _SET.match(expr)
    if not match or not match.group(1).strip("."):
        raise _error(expr, "expected PATH=VALUE or PATH+=VALUE, e.g. transaction.stake_after_pct=9.9")
    path = tuple(match.group(1).split("."))
    if any(not part for part in path):
        raise _error(expr, f"empty step in the path '{match.group(1)}'")
    depth = limits().max_depth
    if len(path) > depth:  # a case file could not nest so deep either
        shown = expr if len(expr) <= 80 else expr[:77] + "..."
        raise ScreeningError(
            [
                Problem(
                    f"--set {shown}",
                    None,
                    None,
                    "E111",
                    f"a path of {len(path):,} steps is deeper than the limit of {depth} (SCREENING_MAX_DEPTH)",
                )
            ]
        )
    try:
        value, _ = loads(match.group(3) or "null", f"--set {expr}")
    except ScreeningError as exc:
        raise _error(expr, f"the value is not YAML: {exc.problems[0].message}") from None
    notes: tuple[Problem, ...] = ()
    new = new_path(path)
    if new is not None:  # an old name (transaction.voting_after_pct): the field it names, with a warning
        notes = (Problem(f"--set {expr.strip()}", None, None, "W380", message(path[-1]), path, "warning"),)
        path = new
    return Change(path, match.group(2) == "+=", value, expr.strip(), notes)


def _error(expr: str, message: str) -> ScreeningError:
    return ScreeningError([Problem(f"--set {expr}", None, None, "E106", message)])


def apply(document: Any, changes: list[Change]) -> Any:
    """A copy of the case document with the changes made, in order."""
    out = copy.deepcopy(document)
    for change in changes:
        node = out
        for i, step in enumerate(change.path[:-1]):
            node = _step(node, step, change, create=change.path[i + 1])
        last = change.path[-1]
        if change.append:
            target = _get(node, last, change)
            if target is None:
                target = []
                _put(node, last, target, change)
            if not isinstance(target, list):
                raise _error(change.text, f"'{'.'.join(change.path)}' is not a list: use = instead of +=")
            value = change.value
            if isinstance(value, str) and (not target or isinstance(target[0], dict)) and _records(change.path):
                value = {"kind": value}
            target.append(value)
        else:
            _put(node, last, change.value, change)
    return out


def _records(path: tuple[str, ...]) -> bool:
    """Lists of records whose items have a ``kind``: a bare word appended becomes ``{kind: word}``."""
    return path[-1] in (
        "mitigations",
        "critical_infrastructure",
        "critical_technologies",
        "government_contracts",
        "sensitive_sites",
        "state_links",
        "conduct",
        "listings",
    )


def _step(node: Any, step: str, change: Change, create: str) -> Any:
    child = _get(node, step, change)
    if child is None:
        child = [] if create.isdigit() else {}
        _put(node, step, child, change)
    return child


def _get(node: Any, step: str, change: Change) -> Any:
    if isinstance(node, dict):
        return node.get(step)
    if isinstance(node, list) and step.isdigit():
        if int(step) >= len(node):
            raise _error(change.text, f"there is no item {step} in a list of {len(node)}")
        return node[int(step)]
    raise _error(change.text, f"cannot go into '{step}': the value there is not a mapping or list")


def _put(node: Any, step: str, value: Any, change: Change) -> None:
    if isinstance(node, dict):
        node[step] = value
    elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
        node[int(step)] = value
    else:
        raise _error(change.text, f"cannot set '{step}' here")


# ------------------------------------------------------------------------------------------ thresholds


def margins(result: Any, within: float = WITHIN) -> list[Margin]:
    """Numeric comparisons of the rules on facts the case gives, nearest first, within ``within`` (points for
    percentages, a relative 20% for other numbers)."""
    return nearby(result.facts.values, ((rule.id, rule.condition) for rule in result.pack.rules), within)


# ------------------------------------------------------------------------------------------ delta


def delta(before: Any, after: Any, changes: tuple[Change, ...] = ()) -> dict[str, Any]:
    """What the changes did: score, level, findings that appeared or went, the open questions they raised,
    filing answers that moved, and why the rules and filings the changes touch did not move (``unmoved``)."""
    from screening.decision import filings

    fired_before = {f.rule.id: f for f in before.findings + before.mitigations}
    fired_after = {f.rule.id: f for f in after.findings + after.mitigations}
    return {
        "score": [number(before.score), number(after.score)],
        "level": [before.level, after.level],
        "fires_now": [
            {"rule": r, "title": fired_after[r].rule.title, "points": number(fired_after[r].points)}
            for r in sorted(set(fired_after) - set(fired_before))
        ],
        "no_longer_fires": [
            {"rule": r, "title": fired_before[r].rule.title, "points": number(fired_before[r].points)}
            for r in sorted(set(fired_before) - set(fired_after))
        ],
        "gaps": [len(before.gaps), len(after.gaps)],
        "new_questions": new_questions(before, after),
        "filings": filings.changes(before.filings, after.filings),
        "unmoved": unmoved(before, after, changes),
    }


class WhatIf(NamedTuple):
    """Each case screened as written and as changed by ``--set``, with what the changes did."""

    changes: tuple[Change, ...]
    pairs: tuple[tuple[Any, Any], ...]
    """(before, after): screening.decision.engine.Result of each case."""
    deltas: tuple[dict[str, Any], ...]
    """What the changes did to each case (``delta``), in the order of ``pairs``."""


def compare(pairs: list[tuple[Any, Any]], changes: list[Change]) -> WhatIf:
    """The what-if answer for cases screened before and after ``changes``."""
    done = tuple(changes)
    return WhatIf(done, tuple(pairs), tuple(delta(before, after, done) for before, after in pairs))


# ------------------------------------------------------------------------------------------ why nothing moved


def _touched(result: Any, changes: tuple[Change, ...]) -> set[str]:
    """The facts a change can move: the fact it names, and those computed from the place it changes."""
    out = set()
    for change in changes:
        out.add(".".join(change.path))
        n = len(change.path)
        out |= {fact for fact, at in result.facts.origin.items() if tuple(at[:n]) == change.path[: len(at)]}
    return out


def _record_gap(change: Change, arg: Any) -> str | None:
    """What a record added with ``+=`` lacks to match a ``contains`` pattern (``binding: true``), when it
    matches the pattern in part (its ``kind``) and not in whole."""
    value = change.value if isinstance(change.value, dict) else {"kind": change.value}
    if not change.append or not isinstance(arg, dict):
        return None
    shared = [k for k, v in arg.items() if k in value and value[k] == v]
    lacking = {k: v for k, v in arg.items() if value.get(k) != v}
    if not shared or not lacking:
        return None
    from screening.conditions.tree import show

    return ", ".join(f"{k}: {show(v)}" for k, v in lacking.items())


def unmoved(before: Any, after: Any, changes: tuple[Change, ...]) -> list[dict[str, Any]]:
    """Why rules that read what the changes touch came out as before: a rule that still fires, and the tests
    that still hold; a rule a record added was meant to meet, and what the record lacks (``binding: true``)."""
    from screening.conditions.explain import failing, trace, unknown_leaves

    touched = _touched(after, changes)
    replaced = _touched(after, tuple(c for c in changes if not c.append))  # an added record is explained apart
    fired_before = {f.rule.id for f in before.findings + before.mitigations}
    fired_after = {f.rule.id for f in after.findings + after.mitigations}
    out: list[dict[str, Any]] = []
    for rule in after.pack.rules:
        reads = set(rule.condition.fields())
        if not reads & touched or (rule.id in fired_before) != (rule.id in fired_after):
            continue
        t = trace(rule.condition, after.facts.values)
        if rule.id in fired_after:
            held = _holding(t, replaced)
            tests = [f"{leaf.node.describe()} ({_shown(after.facts.values.get(leaf.node.field))})" for leaf in held]
            if tests:
                out.append({"rule": rule.id, "outcome": "still fires", "because": tests})
            continue
        for change in changes:
            for leaf in (unknown_leaves(t) if t.value is None else failing(t)) if change.append else ():
                lacks = _record_gap(change, leaf.node.arg) if leaf.node.field == ".".join(change.path) else None
                if lacks:
                    out.append(
                        {
                            "rule": rule.id,
                            "outcome": "undecided" if t.value is None else "does not fire",
                            "because": [f"{leaf.node.describe()}: the record added does not give {lacks}"],
                        }
                    )
    moved = {c["regime"] for c in _filing_changes(before, after)}
    for d in after.filings.decisions if after.filings is not None else ():
        if d.rule is None or d.regime.id in moved or not set(d.rule.condition.fields()) & touched:
            continue
        held = _holding(trace(d.rule.condition, after.facts.values), replaced)
        tests = [f"{leaf.node.describe()} ({_shown(after.facts.values.get(leaf.node.field))})" for leaf in held[:3]]
        if tests:
            out.append({"regime": d.regime.id, "rule": d.rule.id, "outcome": d.outcome, "because": tests})
    return out


def _holding(t: Any, touched: set[str]) -> list[Any]:
    """The tests that keep a true condition true although the changes touched it: a test on a changed fact that
    still holds, or, in an ``any`` with a test on a changed fact, the other tests that hold."""
    from screening.conditions.explain import supporting
    from screening.conditions.tree import leaves

    if t.value is not True:
        return []
    if t.node.kind == "leaf":
        return [t] if t.node.field in touched else []
    if t.node.kind == "any":
        if not any(leaf.field in touched for leaf in leaves(t.node)):
            return []
        return [leaf for c in t.children if c.value is True for leaf in supporting(c)]
    if t.node.kind == "all":
        return [leaf for c in t.children for leaf in _holding(c, touched)]
    return []


def _filing_changes(before: Any, after: Any) -> list[dict[str, Any]]:
    from screening.decision.filings import changes

    return changes(before.filings, after.filings)


def _shown(value: Any) -> str:
    """A fact's value in a few words (the reports show the whole of it)."""
    if isinstance(value, list):
        text = "; ".join(_shown(v) for v in value) or "none"
    elif isinstance(value, dict):
        text = ", ".join(f"{k}: {_shown(v)}" for k, v in value.items() if not str(k).startswith("@"))
    elif isinstance(value, bool) or value is None:
        text = {True: "true", False: "false", None: "unknown"}[value]
    else:
        text = num(value)
    return text if len(text) <= 60 else text[:57] + "..."


def new_questions(before: Any, after: Any) -> list[dict[str, Any]]:
    """The open questions the changes raised: gaps after that were not gaps before."""
    known = {g.question for g in before.gaps}
    return [
        {
            "question": g.question,
            "facts": list(g.facts),
            "rules": list(g.rules),
            "points_at_stake": number(g.points_at_stake),
            "could_add": number(g.could_add),
            "could_take_off": number(g.could_take_off),
        }
        for g in after.gaps
        if g.question not in known
    ]
