"""Old names of case fields, still read: a case that writes one is read as if it wrote the new name, with a
W380 warning; one that gives a field under both names with different values is an error (E114)."""

from __future__ import annotations

from typing import Any

from screening.infra.errors import Marks, Problem, located

RENAMED: dict[str, str] = {"voting_after_pct": "votes_after_pct", "voting_before_pct": "votes_before_pct"}
"""Old name -> new name of a field: one name for one quantity, the one rules, reports and ``--set`` use."""

PLACES: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (("transaction",), frozenset(RENAMED)),
    (("transaction", "steps", "*"), frozenset({"voting_after_pct"})),
    (("transaction", "co_investors", "*"), frozenset({"voting_after_pct"})),
)
"""Where each old name may stand (``*``: every item of a list), and which."""

OLD_FACTS: dict[str, str] = {f"transaction.{old}": f"transaction.{new}" for old, new in RENAMED.items()}
"""The same renames as dotted names (a mapping's field, a ``--set`` path)."""


def message(old: str) -> str:
    """The W380 message for a field written under its old name."""
    return f"`{old}` is the old name of `{RENAMED[old]}`; rename it"


def new_path(path: tuple[str, ...]) -> tuple[str, ...] | None:
    """The path with its last key renamed, when it names a field by an old name where that field stands."""
    if not path or path[-1] not in RENAMED:
        return None
    for place, names in PLACES:
        fits = len(path) == len(place) + 1 and all(p in ("*", k) for p, k in zip(place, path[:-1], strict=True))
        if fits and path[-1] in names:
            return path[:-1] + (RENAMED[path[-1]],)
    return None


def renamed(data: Any, marks: Marks, name: str) -> tuple[Any, list[Problem]]:
    """``data`` with each old field name written as the new one (the mappings that change copied, the rest
    shared), and its problems: a W380 warning for each old name, an E114 error for a field given under both
    names with different values (the same value under both: the warning only). ``marks`` gets the new paths."""
    problems: list[Problem] = []
    if not isinstance(data, dict) or not isinstance(data.get("transaction"), dict):
        return data, problems
    tx = data["transaction"]
    out = _rename(tx, ("transaction",), PLACES[0][1], marks, name, problems)
    for key, (_, names) in (("steps", PLACES[1]), ("co_investors", PLACES[2])):
        items = out.get(key)
        if not isinstance(items, list):
            continue
        at = ("transaction", key)
        done = [
            _rename(item, at + (str(i),), names, marks, name, problems) if isinstance(item, dict) else item
            for i, item in enumerate(items)
        ]
        if any(a is not b for a, b in zip(done, items, strict=True)):
            out = dict(out) if out is tx else out
            out[key] = done
    return (data if out is tx else {**data, "transaction": out}), problems


def _rename(
    node: dict[str, Any], at: tuple[str, ...], names: frozenset[str], marks: Marks, name: str, problems: list[Problem]
) -> dict[str, Any]:
    found = [key for key in node if key in names]
    if not found:
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        new = RENAMED.get(key) if key in names else None
        if new is None:
            out[key] = value
            continue
        problems.append(located(name, marks, at + (key,), "W380", message(key), severity="warning"))
        _move_marks(marks, at + (key,), at + (new,))
        if new in node and node[new] != value:
            problems.append(
                located(
                    name,
                    marks,
                    at + (key,),
                    "E114",
                    f"`{key}` and `{new}` name one quantity, given here as {value!r} and {node[new]!r}; keep `{new}`",
                )
            )
        elif new not in node:
            out[new] = value
    return out


def _move_marks(marks: Marks, old: tuple[str, ...], new: tuple[str, ...]) -> None:
    """Place the new path (and everything under it) where the old one was written, unless the new is written
    too (the document gives both names)."""
    if dict.__contains__(marks, new):
        return
    n = len(old)
    for path in [p for p in dict.keys(marks) if p[:n] == old]:
        marks[new + path[n:]] = marks[path]
    if not dict.__contains__(marks, new) and old in marks:
        found = marks.get(old)
        if found is not None:
            marks[new] = found
