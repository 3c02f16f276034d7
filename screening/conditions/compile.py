"""Compile declarative condition trees into fast three-valued checks.

A condition evaluates to True, False or None (unknown: it needs a fact the case does not
give). Compilation checks every fact name and operator against the fact catalogue and
reports every problem with its location; evaluation then runs plain closures.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from screening import EMPTY
from screening.case import countries
from screening.case.catalogue import SCALAR_TYPES, Fact
from screening.case.facts import AtLeast, PartialList
from screening.infra.errors import closest

Truth = bool | None
Check = Callable[[dict[str, Any]], Truth]

ALIASES = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "==": "equals"}
OPERATORS = ("equals", "in", "not_in", "gt", "gte", "lt", "lte", "between", "matches", "contains",
             "contains_any", "empty", "exists")
_ORDERED = ("number", "integer", "date")
_ALLOWED = {
    "equals": SCALAR_TYPES, "in": SCALAR_TYPES, "not_in": SCALAR_TYPES, "gt": _ORDERED, "gte": _ORDERED, "lt": _ORDERED,
    "lte": _ORDERED, "between": _ORDERED, "matches": ("string", "list", "enum", "country"),
    "contains": ("list", "records"), "contains_any": ("list",), "empty": ("list", "records"),
    "exists": SCALAR_TYPES + ("list", "records"),
}


class CompileError(Exception):
    """A problem in a condition, at a path inside the condition."""

    def __init__(self, path: tuple[str, ...], code: str, message: str):
        super().__init__(message)
        self.path, self.code, self.message = path, code, message


def kleene_all(values: Iterable[Truth]) -> Truth:
    result: Truth = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def kleene_any(values: Iterable[Truth]) -> Truth:
    result: Truth = False
    for v in values:
        if v is True:
            return True
        if v is None:
            result = None
    return result


class Node(NamedTuple):
    """A compiled condition: ``check`` evaluates fast, the tree explains."""

    kind: str
    """``all``, ``any``, ``not`` or ``leaf``."""
    check: Check
    children: tuple[Node, ...] = ()
    field: str = ""
    op: str = ""
    arg: Any = None
    test: Callable[[Any], Truth] | None = None
    witness: Callable[[Any], list[Any]] | None = None
    spec: dict[str, Any] = EMPTY
    value: Any = None
    """The argument as checked and normalised: a frozenset for ``in``, a compiled pattern for ``matches``,
    (low, high) for ``between``, and for a records pattern ``{key: (operator, value)}``."""

    def fields(self) -> list[str]:
        """Every fact the condition reads, in order."""
        if self.kind == "leaf":
            return [self.field]
        return [f for c in self.children for f in c.fields()]

    def describe(self) -> str:
        """The condition as one readable line."""
        if self.kind == "leaf":
            return f"{self.field} {self.op} {_show(self.arg)}"
        if self.kind == "not":
            return f"not ({self.children[0].describe()})"
        joint = " and " if self.kind == "all" else " or "
        return "(" + joint.join(c.describe() for c in self.children) + ")"


def _show(arg: Any) -> str:
    if isinstance(arg, (list, tuple, frozenset, set)):
        return "[" + ", ".join(_show(a) for a in (sorted(arg) if isinstance(arg, (set, frozenset)) else arg)) + "]"
    if isinstance(arg, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in arg.items()) + "}"
    if isinstance(arg, bool):
        return str(arg).lower()
    return str(arg)


class Compiler:
    """Compiles conditions against a fact catalogue and the pack's named sets."""

    def __init__(self, facts: dict[str, Fact], sets: dict[str, list[Any]]):
        self.facts, self.sets = facts, sets

    def compile(self, spec: Any, path: tuple[str, ...] = ()) -> Node:
        if not isinstance(spec, dict) or not spec:
            raise CompileError(path, "E204", "expected a condition: a mapping with all, any, not, or field")
        if "field" not in spec:
            if len(spec) != 1:
                raise CompileError(path, "E204", f"a condition node takes exactly one of all, any, not; "
                                   f"found {', '.join(spec)}")
            (key, body), = spec.items()
            if key in ("all", "any"):
                if not isinstance(body, list) or not body:
                    raise CompileError(path + (key,), "E204", f"'{key}' expects a non-empty list of conditions")
                children = tuple(self.compile(c, path + (key, str(i))) for i, c in enumerate(body))
                checks = tuple(c.check for c in children)
                if key == "all":
                    return Node("all", lambda v: kleene_all(c(v) for c in checks), children)
                return Node("any", lambda v: kleene_any(c(v) for c in checks), children)
            if key == "not":
                child = self.compile(body, path + ("not",))
                inner = child.check
                return Node("not", lambda v: None if (r := inner(v)) is None else not r, (child,))
            hint = closest(key, ["all", "any", "not", "field"])
            raise CompileError(path + (key,), "E204", f"unknown condition key '{key}'"
                               + (f"; did you mean '{hint}'?" if hint else ""))
        return self._leaf(spec, path)

    def _leaf(self, spec: dict[str, Any], path: tuple[str, ...]) -> Node:
        name = spec["field"]
        fact = self.facts.get(name) if isinstance(name, str) else None
        if fact is None:
            hint = closest(str(name), list(self.facts), 0.6)
            raise CompileError(path + ("field",), "E201", f"unknown fact '{name}'"
                               + (f"; did you mean '{hint}'?" if hint else "; see `screening facts`"))
        ops = [k for k in spec if k != "field"]
        if len(ops) != 1:
            raise CompileError(path, "E204", f"'{name}' needs exactly one operator ({', '.join(OPERATORS)})"
                               + (f"; found {', '.join(ops)}" if ops else ""))
        raw_op = ops[0]
        op = ALIASES.get(raw_op, raw_op)
        if op not in OPERATORS:
            hint = closest(raw_op, list(OPERATORS))
            raise CompileError(path + (raw_op,), "E202", f"unknown operator '{raw_op}'"
                               + (f"; did you mean '{hint}'?" if hint
                                  else f"; expected one of {', '.join(OPERATORS)}"))
        if fact.type not in _ALLOWED[op]:
            raise CompileError(path + (raw_op,), "E202", f"operator '{op}' does not apply to {name}, "
                               f"which is {_type_name(fact)}")
        arg = spec[raw_op]
        value = self._value_arg(op, fact, arg, path + (raw_op,))
        test, witness = _make_test(op, fact, value)
        key = name

        def check(values: dict[str, Any]) -> Truth:
            return test(values.get(key))

        return Node("leaf", check, field=name, op=op, arg=arg, test=test, witness=witness, spec=spec,
                    value=value)

    def _value_arg(self, op: str, fact: Fact, arg: Any, path: tuple[str, ...]) -> Any:
        """Validate and normalise an operator's argument against the fact's type."""
        if op in ("exists", "empty"):
            if not isinstance(arg, bool):
                raise CompileError(path, "E204", f"'{op}' expects true or false")
            return arg
        if op in ("in", "not_in", "contains_any"):
            values = self._set_or_list(arg, path)
            item = _item_fact(fact) if op == "contains_any" else fact
            return frozenset(_scalar(item, v, path + (str(i),)) for i, v in enumerate(values))
        if op == "between":
            if not isinstance(arg, list) or len(arg) != 2:
                raise CompileError(path, "E204", "'between' expects [low, high]")
            low, high = (_scalar(fact, v, path) for v in arg)
            if low > high:
                raise CompileError(path, "E204", f"'between' bounds are reversed: {low} > {high}")
            return (low, high)
        if op == "matches":
            if not isinstance(arg, str):
                raise CompileError(path, "E203", "'matches' expects a regular expression as text")
            try:
                return re.compile(arg)
            except re.error as exc:
                raise CompileError(path, "E203", f"invalid regular expression: {exc}") from None
        if op == "contains":
            if fact.type == "records":
                if not isinstance(arg, dict) or not arg:
                    raise CompileError(path, "E204", f"{fact.path} holds records: 'contains' expects "
                                       "a pattern such as {kind: airport}")
                return {k: self._pattern(fact, k, v, path + (k,)) for k, v in arg.items()}
            return _scalar(_item_fact(fact), arg, path)
        return _scalar(fact, arg, path)

    def _set_or_list(self, arg: Any, path: tuple[str, ...]) -> list[Any]:
        if isinstance(arg, str):
            if arg not in self.sets:
                hint = closest(arg, list(self.sets))
                raise CompileError(path, "E108", f"unknown set '{arg}'"
                                   + (f"; did you mean '{hint}'?" if hint else "; sets are defined in pack.yaml"))
            return list(self.sets[arg])
        if not isinstance(arg, list) or not arg:
            raise CompileError(path, "E204", "expected a non-empty list of values or the name of a set")
        return arg

    def _pattern(self, fact: Fact, key: str, spec: Any, path: tuple[str, ...]) -> tuple[str, Any]:
        """The operator and normalised argument one key of a records pattern is tested with."""
        sub = fact.subfields.get(key)
        if sub is None:
            hint = closest(key, list(fact.subfields))
            raise CompileError(path, "E201", f"records of {fact.path} have no field '{key}'"
                               + (f"; did you mean '{hint}'?" if hint else f"; fields: {', '.join(fact.subfields)}"))
        if isinstance(spec, dict):
            if len(spec) != 1:
                raise CompileError(path, "E204", "a pattern operator mapping holds exactly one operator")
            (raw, arg), = spec.items()
            op = ALIASES.get(raw, raw)
            if op not in OPERATORS or op in ("contains", "contains_any", "empty"):
                raise CompileError(path + (raw,), "E202", f"operator '{raw}' cannot be used inside a pattern")
            if sub.type not in _ALLOWED[op]:
                raise CompileError(path + (raw,), "E202", f"operator '{op}' does not apply to '{key}', "
                                   f"which is {_type_name(sub)}")
            return op, self._value_arg(op, sub, arg, path + (raw,))
        if isinstance(spec, list):
            return "in", self._value_arg("in", sub, spec, path)
        return "equals", _scalar(sub, spec, path)


def _item_fact(fact: Fact) -> Fact:
    return Fact(fact.path, fact.item or "string", values=fact.values)


def _type_name(fact: Fact) -> str:
    if fact.type == "list":
        return f"a list of {fact.item}"
    return {"records": "a list of records", "enum": "one of a fixed set of values"}.get(fact.type, f"a {fact.type}")


def _scalar(fact: Fact, value: Any, path: tuple[str, ...]) -> Any:
    """Check one literal against a fact's type; return it normalised."""
    kind = fact.type
    if kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CompileError(path, "E103", f"{fact.path} is a number; found {value!r}")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise CompileError(path, "E103", f"{fact.path} is true or false; found {value!r}")
        return value
    if not isinstance(value, str):
        raise CompileError(path, "E103", f"{fact.path} is text; found {value!r}")
    if kind == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise CompileError(path, "E106", f"expected a date YYYY-MM-DD, found {value!r}") from None
    elif kind == "country" and not countries.is_country(value):
        hint = countries.suggest(value)
        raise CompileError(path, "E107", f"unknown country code {value!r}" + (f"; {hint}" if hint else ""))
    elif kind == "enum" and fact.values and value not in fact.values:
        hint = closest(value, list(fact.values), 0.6)
        raise CompileError(path, "E106", f"'{value}' is not a value of {fact.path}"
                           + (f"; did you mean '{hint}'?" if hint
                              else f"; expected one of: {', '.join(fact.values)}"))
    return value


def _make_test(op: str, fact: Fact, arg: Any) -> tuple[Callable[[Any], Truth], Callable[[Any], list[Any]]]:
    """Return (test, witness) for one operator on one fact; the witness lists matching items."""
    none: Callable[[Any], list[Any]] = lambda v: []  # noqa: E731
    if op == "exists":
        return (lambda v: (v is not None) == arg), none
    if op in ("gt", "gte", "lt", "lte", "between", "equals", "in", "not_in"):
        compare = _comparison(op, arg)
        upward = op in ("gt", "gte")

        def test(v: Any) -> Truth:
            if v is None:
                return None
            r = compare(v)
            if isinstance(v, AtLeast) and not (r and upward):
                return None  # only a lower bound is known
            return r

        return test, none
    if op == "matches":
        def match_test(v: Any) -> Truth:
            if v is None:
                return None
            if isinstance(v, list):
                return True if any(isinstance(x, str) and arg.search(x) for x in v) else (
                    None if isinstance(v, PartialList) else False)
            return bool(arg.search(str(v)))
        return match_test, lambda v: [x for x in (v if isinstance(v, list) else [v]) if
                                      isinstance(x, str) and arg.search(x)]
    if op == "empty":
        def empty_test(v: Any) -> Truth:
            if v is None:
                return None
            if isinstance(v, PartialList):
                return (False if arg else True) if v else None
            return (len(v) == 0) == arg
        return empty_test, none
    if op == "contains_any":
        return _list_test(lambda x: (True if x in arg else False)), \
            lambda v: [x for x in v or [] if x in arg]
    if fact.type == "records":  # contains with a pattern
        pattern = {k: _make_test(key_op, fact, key_arg)[0] for k, (key_op, key_arg) in arg.items()}
        def record(x: dict[str, Any]) -> Truth:
            return kleene_all(p(x.get(k)) for k, p in pattern.items())
        return _list_test(record), lambda v: [x for x in v or [] if record(x)]
    return _list_test(lambda x: x == arg), lambda v: [x for x in v or [] if x == arg]


def _list_test(item: Callable[[Any], Truth]) -> Callable[[Any], Truth]:
    def test(v: Any) -> Truth:
        if v is None:
            return None
        result = kleene_any(item(x) for x in v)
        if result is not True and isinstance(v, PartialList):
            return None
        return result
    return test


def _comparison(op: str, arg: Any) -> Callable[[Any], bool]:
    if op == "equals":
        return lambda v: v == arg
    if op == "in":
        return lambda v: v in arg
    if op == "not_in":
        return lambda v: v not in arg
    if op == "between":
        low, high = arg
        return lambda v: low <= v <= high
    return {"gt": lambda v: v > arg, "gte": lambda v: v >= arg,
            "lt": lambda v: v < arg, "lte": lambda v: v <= arg}[op]
