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

from screening.conditions.margins import WITHIN, Margin, nearby
from screening.infra.errors import Problem, ScreeningError
from screening.infra.text import number
from screening.infra.yamlio import limits, loads

_SET = re.compile(r"^\s*([A-Za-z0-9_.\-]+?)\s*(\+?=)\s*(.*)$", re.S)


class Change(NamedTuple):
    path: tuple[str, ...]
    append: bool
    value: Any
    text: str
    """As the user wrote it."""


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
    return Change(path, match.group(2) == "+=", value, expr.strip())


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


def delta(before: Any, after: Any) -> dict[str, Any]:
    """What the changes did: score, level, findings that appeared or went, filing answers that moved."""
    from screening.decision.filings import changes

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
        "filings": changes(before.filings, after.filings),
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
    return WhatIf(tuple(changes), tuple(pairs), tuple(delta(before, after) for before, after in pairs))
