"""Compile declarative condition trees into fast three-valued checks.

A condition evaluates to True, False or None (unknown: it needs a fact the case does not give).
Compilation checks every fact name and operator against the fact catalogue (operators:
screening.conditions.operators) and reports every problem with its location; evaluation then runs
plain closures.
"""

from __future__ import annotations

from typing import Any

from screening.case.catalogue import Fact
from screening.conditions.operators import ALIASES, OPERATORS, CompileError, scalar, type_name
from screening.conditions.tree import Node, Truth, all_of, any_of, not_of
from screening.infra.errors import closest

__all__ = ["CompileError", "Compiler"]


class Compiler:
    """Compiles conditions against a fact catalogue and the pack's named sets."""

    def __init__(self, facts: dict[str, Fact], sets: dict[str, list[Any]]):
        self.facts, self.sets = facts, sets

    def compile(self, spec: Any, path: tuple[str, ...] = ()) -> Node:
        if not isinstance(spec, dict) or not spec:
            raise CompileError(path, "E204", "expected a condition: a mapping with all, any, not, or field")
        if "field" not in spec:
            if len(spec) != 1:
                raise CompileError(
                    path, "E204", f"a condition node takes exactly one of all, any, not; found {', '.join(spec)}"
                )
            ((key, body),) = spec.items()
            if key in ("all", "any"):
                if not isinstance(body, list) or not body:
                    raise CompileError(path + (key,), "E204", f"'{key}' expects a non-empty list of conditions")
                children = tuple(self.compile(c, path + (key, str(i))) for i, c in enumerate(body))
                return all_of(children) if key == "all" else any_of(children)
            if key == "not":
                return not_of(self.compile(body, path + ("not",)))
            hint = closest(key, ["all", "any", "not", "field"])
            raise CompileError(
                path + (key,), "E204", f"unknown condition key '{key}'" + (f"; did you mean '{hint}'?" if hint else "")
            )
        return self._leaf(spec, path)

    def _leaf(self, spec: dict[str, Any], path: tuple[str, ...]) -> Node:
        name = spec["field"]
        fact = self.facts.get(name) if isinstance(name, str) else None
        if fact is None:
            hint = closest(str(name), list(self.facts), 0.6)
            raise CompileError(
                path + ("field",),
                "E201",
                f"unknown fact '{name}'" + (f"; did you mean '{hint}'?" if hint else "; see `screening facts`"),
            )
        ops = [k for k in spec if k != "field"]
        if len(ops) != 1:
            raise CompileError(
                path,
                "E204",
                f"'{name}' needs exactly one operator ({', '.join(OPERATORS)})"
                + (f"; found {', '.join(ops)}" if ops else ""),
            )
        raw_op = ops[0]
        op = ALIASES.get(raw_op, raw_op)
        operator = OPERATORS.get(op)
        if operator is None:
            hint = closest(raw_op, list(OPERATORS))
            raise CompileError(
                path + (raw_op,),
                "E202",
                f"unknown operator '{raw_op}'"
                + (f"; did you mean '{hint}'?" if hint else f"; expected one of {', '.join(OPERATORS)}"),
            )
        if fact.type not in operator.types:
            raise CompileError(
                path + (raw_op,), "E202", f"operator '{op}' does not apply to {name}, which is {type_name(fact)}"
            )
        arg = spec[raw_op]
        value = operator.argument(self, fact, arg, path + (raw_op,))
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
