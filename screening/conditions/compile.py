"""Compile declarative condition trees into fast three-valued checks.

A condition evaluates to True, False or None (unknown: it needs a fact the case does not give).
Compilation checks every fact name and operator against the fact catalogue (operators:
screening.conditions.operators) and reports every problem with its location; evaluation then runs
plain closures.
"""

from __future__ import annotations

from typing import Any

from screening.case.catalogue import Fact
from screening.case.names import OLD_FACTS, message
from screening.conditions.operators import ALIASES, OPERATORS, CompileError, scalar, type_name
from screening.conditions.tree import Node, Truth, all_of, any_of, not_of
from screening.infra.errors import closest

__all__ = ["CompileError", "Compiler", "applicable"]


def applicable(fact: Fact | None) -> list[str]:
    """The operators that apply to ``fact`` (every operator when the fact is unknown), in registry order."""
    return [n for n, o in OPERATORS.items() if fact is None or fact.type in o.types]


def _operators_for(name: str, fact: Fact | None, applies: list[str]) -> str:
    """The operators that apply, as the end of a message."""
    if fact is None:
        return f"; the operators are {', '.join(applies)}"
    return f"; the operators for {name} ({type_name(fact)}) are {', '.join(applies)}"


class Compiler:
    """Compiles conditions against a fact catalogue and the pack's named sets."""

    def __init__(self, facts: dict[str, Fact], sets: dict[str, list[Any]]):
        self.facts, self.sets = facts, sets
        self.notes: list[CompileError] = []

    def compile(self, spec: Any, path: tuple[str, ...] = (), notes: list[CompileError] | None = None) -> Node:
        """The condition as a tree; a CompileError carrying every problem of the condition (``.all``), so that
        the first mistake hides none of the others. ``notes`` gets its warnings: a fact under its old name
        (W380, ``transaction.voting_after_pct``), read as the new one."""
        errors: list[CompileError] = []
        self.notes = notes if notes is not None else []
        node = self._node(spec, path, errors)
        if errors or node is None:
            raise CompileError.many(errors)
        return node

    def _node(self, spec: Any, path: tuple[str, ...], errors: list[CompileError]) -> Node | None:
        if not isinstance(spec, dict) or not spec:
            errors.append(CompileError(path, "E204", "expected a condition: a mapping with all, any, not, or field"))
            return None
        if "field" in spec:
            return self._leaf(spec, path, errors)
        if len(spec) != 1:
            errors.append(
                CompileError(
                    path, "E204", f"a condition node takes exactly one of all, any, not; found {', '.join(spec)}"
                )
            )
            return None
        ((key, body),) = spec.items()
        if key in ("all", "any"):
            if not isinstance(body, list) or not body:
                errors.append(CompileError(path + (key,), "E204", f"'{key}' expects a non-empty list of conditions"))
                return None
            children = [self._node(c, path + (key, str(i)), errors) for i, c in enumerate(body)]
            if any(c is None for c in children):
                return None
            return all_of(tuple(children)) if key == "all" else any_of(tuple(children))  # type: ignore[arg-type]
        if key == "not":
            child = self._node(body, path + ("not",), errors)
            return None if child is None else not_of(child)
        hint = closest(key, ["all", "any", "not", "field"])
        errors.append(
            CompileError(
                path + (key,), "E204", f"unknown condition key '{key}'" + (f"; did you mean '{hint}'?" if hint else "")
            )
        )
        return None

    def _leaf(self, spec: dict[str, Any], path: tuple[str, ...], errors: list[CompileError]) -> Node | None:
        name = spec["field"]
        if isinstance(name, str) and name in OLD_FACTS and name not in self.facts:
            self.notes.append(CompileError(path + ("field",), "W380", message(name.rsplit(".", 1)[1])))
            name = OLD_FACTS[name]
            spec = {**spec, "field": name}
        fact = self.facts.get(name) if isinstance(name, str) else None
        if fact is None:
            hint = closest(str(name), list(self.facts), 0.6)
            errors.append(
                CompileError(
                    path + ("field",),
                    "E201",
                    f"unknown fact '{name}'" + (f"; did you mean '{hint}'?" if hint else "; see `screening facts`"),
                )
            )
        ops = [k for k in spec if k != "field"]
        applies = applicable(fact)
        if len(ops) != 1:
            errors.append(
                CompileError(
                    path,
                    "E204",
                    f"'{name}' needs exactly one operator ({', '.join(applies)})"
                    + (f"; found {', '.join(map(str, ops))}" if ops else ""),
                )
            )
            return None
        raw_op = ops[0]
        op = ALIASES.get(raw_op, raw_op)
        operator = OPERATORS.get(op)
        if operator is None:
            hint = closest(str(raw_op), applies)
            errors.append(
                CompileError(
                    path + (raw_op,),
                    "E202",
                    f"unknown operator '{raw_op}'"
                    + (f"; did you mean '{hint}'?" if hint else "")
                    + _operators_for(name, fact, applies),
                )
            )
            return None
        if fact is None:
            return None
        if fact.type not in operator.types:
            errors.append(
                CompileError(
                    path + (raw_op,),
                    "E202",
                    f"operator '{op}' does not apply to {name}, which is {type_name(fact)}"
                    + _operators_for(name, fact, applies),
                )
            )
            return None
        arg = spec[raw_op]
        try:
            value = operator.argument(self, fact, arg, path + (raw_op,))
        except CompileError as exc:
            errors.extend(exc.all)
            return None
        test, witness = operator.test(fact, value)
        key = name

        def check(values: dict[str, Any]) -> Truth:
            return test(values.get(key))

        return Node("leaf", check, field=name, op=op, arg=arg, test=test, witness=witness, spec=spec, value=value)

    def set_or_list(self, arg: Any, path: tuple[str, ...]) -> list[Any]:
        """The values of a list argument, or of the pack set it names."""
        if isinstance(arg, str):
            if arg not in self.sets:
                hint = closest(arg, list(self.sets))
                raise CompileError(
                    path,
                    "E108",
                    f"unknown set '{arg}'"
                    + (f"; did you mean '{hint}'?" if hint else "; sets are defined in pack.yaml"),
                )
            return list(self.sets[arg])
        if not isinstance(arg, list) or not arg:
            raise CompileError(path, "E204", "expected a non-empty list of values or the name of a set")
        return arg

    def pattern(self, fact: Fact, key: str, spec: Any, path: tuple[str, ...]) -> tuple[str, Any]:
        """The operator and normalised argument one key of a records pattern is tested with."""
        sub = fact.subfields.get(key)
        if sub is None:
            hint = closest(key, list(fact.subfields))
            raise CompileError(
                path,
                "E201",
                f"records of {fact.path} have no field '{key}'"
                + (f"; did you mean '{hint}'?" if hint else f"; fields: {', '.join(fact.subfields)}"),
            )
        if isinstance(spec, dict):
            if len(spec) != 1:
                raise CompileError(path, "E204", "a pattern operator mapping holds exactly one operator")
            ((raw, arg),) = spec.items()
            op = ALIASES[raw] if raw in ALIASES else raw
            operator = OPERATORS.get(op)
            if operator is None or not operator.in_pattern:
                raise CompileError(path + (raw,), "E202", f"operator '{raw}' cannot be used inside a pattern")
            if sub.type not in operator.types:
                raise CompileError(
                    path + (raw,), "E202", f"operator '{op}' does not apply to '{key}', which is {type_name(sub)}"
                )
            return op, operator.argument(self, sub, arg, path + (raw,))
        if isinstance(spec, list):
            return "in", OPERATORS["in"].argument(self, sub, spec, path)
        return "equals", scalar(sub, spec, path)
