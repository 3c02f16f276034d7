"""The operators a condition leaf applies to a fact: one record each, in one registry, ``OPERATORS``.

An ``Operator`` says everything the rest of the code needs to know of it: the fact types it applies to,
how its argument is checked and normalised, how it tests a value (three-valued, with the items of a list
that bear it out), how the compiled evaluator writes that test as Python, the numeric thresholds margins
measure against, and the values that can satisfy it (for the never-fires lint). The compiler
(screening.conditions.compile), the compiled evaluator (screening.conditions.compiled), the margins,
the canonical text and the docs' operator table (checked by a test) all read ``OPERATORS``, so a new
operator is one record here, or one ``register`` call.

Values: a fact is None (unknown), a plain value, or a value form (screening.case.values): a bound
(``AtLeast``) or a ``PartialList``. Ordered and equality comparisons read a value through ``compare``,
the one function over a value's bounds; list operators treat a ``PartialList`` as finding but never
denying.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from screening.case import countries
from screening.case.catalogue import SCALAR_TYPES, Fact
from screening.case.values import BOUNDS, Ends, PartialList, ends
from screening.conditions.tree import Truth, kleene_all, kleene_any
from screening.infra.clock import iso_day
from screening.infra.errors import closest

if TYPE_CHECKING:
    from screening.conditions.compiled.codegen import Writer

    class Context(Protocol):
        """What an operator's argument check may ask of the compiler."""

        sets: dict[str, list[Any]]

        def set_or_list(self, arg: Any, path: Path) -> list[Any]: ...

        def pattern(self, fact: Fact, key: str, spec: Any, path: Path) -> tuple[str, Any]: ...


Path = tuple[str, ...]
Test = Callable[[Any], Truth]
"""An operator's test of one fact value (None: unknown)."""
Witness = Callable[[Any], list[Any]]
"""The items of a list value that bear a test out (the evidence a report shows)."""
Range = tuple[tuple[float, bool], tuple[float, bool]]
"""(low, low is open), (high, high is open): the numbers that satisfy a comparison."""
ORDERED = ("number", "integer", "date")
LISTS = ("list", "records")


class CompileError(Exception):
    """A problem in a condition, at a path inside the condition."""

    def __init__(self, path: Path, code: str, message: str):
        super().__init__(message)
        self.path, self.code, self.message = path, code, message
        self.all: tuple[CompileError, ...] = (self,)
        """Every problem found in the condition, this one first (a condition reports all of its problems)."""

    @staticmethod
    def many(errors: list[CompileError]) -> CompileError:
        """One error standing for several: the first, carrying them all."""
        found = list(dict.fromkeys(e for error in errors for e in error.all))
        first = found[0]
        first.all = tuple(found)
        return first


class Kinds:
    """Python expressions (usually locals computed once per fact) telling what a value known not to be None is."""

    __slots__ = ("bound", "partial", "islist")

    def __init__(self, bound: str, partial: str, islist: str) -> None:
        self.bound = bound
        """Whether it is a bound (``isinstance(v, Bound)``: read through ``compare``). Asked first, as cheaply,
        whether its class is one of ``Exact``, classes no bound is (text, numbers, booleans: most values)."""
        self.partial = partial
        """Whether it is a ``PartialList``."""
        self.islist = islist
        """Whether it is a list."""

    @classmethod
    def of(cls, v: str, bound: str = "", partial: str = "", islist: str = "") -> Kinds:
        return cls(
            bound or f"({v}.__class__ not in Exact and isinstance({v}, Bound))",
            partial or f"isinstance({v}, PartialList)",
            islist or f"isinstance({v}, list)",
        )


Code = Callable[["Writer", Any, str, str, str, Kinds], None]
"""Emit the test of local ``v`` into local ``out``: (writer, value, hint for a constant's name, v, out, kinds)."""


def _none(value: Any) -> list[Any]:
    return []


def _no_texts(value: Any) -> tuple[str, ...] | None:
    return None


def _no_thresholds(arg: Any) -> list[float]:
    return []


def _no_range(arg: Any) -> Range | None:
    return None


class Operator:
    """One operator of the condition language: a plain record (a class, not a NamedTuple, so that defining it
    costs nothing at start-up); its fields are read, never changed."""

    __slots__ = (
        "name",
        "types",
        "argument",
        "test",
        "code",
        "summary",
        "aliases",
        "in_pattern",
        "sets",
        "total",
        "asks",
        "on_empty_list",
        "witnesses",
        "expr",
        "holds",
        "throughout",
        "texts",
        "thresholds",
        "range",
        "schema",
        "nowhere",
    )

    def __init__(
        self,
        name: str,
        types: tuple[str, ...],
        argument: Callable[[Context, Fact, Any, Path], Any],
        test: Callable[[Fact, Any], tuple[Test, Witness]],
        code: Code,
        *,
        summary: str = "",
        aliases: tuple[str, ...] = (),
        in_pattern: bool = True,
        sets: bool = False,
        total: bool = False,
        asks: tuple[str, ...] = (),
        on_empty_list: Callable[[Any], Truth] | None = None,
        witnesses: bool = False,
        expr: str = "",
        holds: Callable[[Any, Any], bool] | None = None,
        throughout: Callable[[Ends, Any], bool] | None = None,
        nowhere: Callable[[Ends, Any], bool] | None = None,
        texts: Callable[[Any], tuple[str, ...] | None] = _no_texts,
        thresholds: Callable[[Any], list[float]] = _no_thresholds,
        range: Callable[[Any], Range | None] = _no_range,
        schema: Callable[[Fact], dict[str, Any]] | None = None,
    ) -> None:
        self.name = name
        self.types = types
        """The fact types it applies to (screening.case.catalogue: scalars, ``list``, ``records``)."""
        self.argument = argument
        """Check the argument as written against the fact; return it normalised (kept as ``Node.value``)."""
        self.test = test
        """The closure testing a value, and the witness listing the items that bear it out, from the normalised
        argument."""
        self.code = code
        """Write the test as Python for the compiled evaluator: the same answers as ``test``."""
        self.summary = summary
        """What it tests, in a few words."""
        self.aliases = aliases
        self.in_pattern = in_pattern
        """Whether it may test a key inside a records pattern (``contains: {key: {op: value}}``)."""
        self.sets = sets
        """Whether its argument may name one of the pack's sets (whose values the canonical text spells out)."""
        self.total = total
        """Whether it decides an unknown (None) value too (``exists``); the others are unknown on it."""
        self.asks = asks
        """Which of ``Kinds`` its code reads: the compiled evaluator computes those once per fact."""
        self.on_empty_list = on_empty_list
        """Its value on a complete empty list, when it tests lists (the compiled evaluator decides them at once)."""
        self.witnesses = witnesses
        """Whether, on a list, its witness lists the items that made it true (reports show those, not the list)."""
        self.expr = expr
        """For a comparison: the Python expression of the test on an exact value, ``{v}`` and ``{a}`` its parts."""
        self.holds = holds
        """For a comparison: whether it holds for an exact value."""
        self.throughout = throughout
        """For a comparison: whether it holds for every value a bound admits (its ``Ends``; None: no end)."""
        self.nowhere = nowhere
        """For a comparison: whether it holds for no value a bound admits (then it is false on the bound)."""
        self.texts = texts
        """For an equality on text: the texts that make it true (a records scan tests them with one look-up)."""
        self.thresholds = thresholds
        """The numbers, in the argument as written, a fact's value is compared with (margins: how near it is)."""
        self.range = range
        """The numbers that satisfy it, from the argument as written, when that is an interval (the lint)."""
        self.schema = schema or value_schema
        """The JSON Schema of its argument as written for a fact (`screening schema rule`: what editors complete
        and flag); the argument check (``argument``) stays the judge."""

    def __repr__(self) -> str:
        return f"Operator({self.name!r})"


OPERATORS: dict[str, Operator] = {}
"""Every operator by name, in the order messages and docs list them."""
ALIASES: dict[str, str] = {}
"""Other spellings (``>=``) -> operator name."""


def register(op: Operator) -> Operator:
    """Add ``op`` to the registry (replacing one of the same name); return it."""
    OPERATORS[op.name] = op
    for alias in op.aliases:
        ALIASES[alias] = op.name
    return op


def unregister(name: str) -> None:
    """Remove an operator and its aliases (a test's own operator, say)."""
    OPERATORS.pop(name, None)
    for alias in [a for a, n in ALIASES.items() if n == name]:
        del ALIASES[alias]


def compare(name: str, value: Any, arg: Any) -> Truth:
    """The one three-valued comparison of a value known not to be None: an exact value by the operator's
    ``holds``, a bound (screening.case.values: an interval of numbers or of days) by its ``ends``.

    On a bound the answer is True when the comparison holds for every value the bound admits
    (``{at_least: 25}`` is ``gte 25``), False when it holds for none of them (``{at_least: 25}`` is not
    ``lt 10``), and unknown otherwise (``gte 30``). The closures, the generated code and the margins
    all call this for bounds.
    """
    op = OPERATORS[name]
    assert op.holds is not None and op.throughout is not None, name
    if not isinstance(value, BOUNDS):
        return op.holds(value, arg)
    span = ends(value)
    try:
        if op.throughout(span, arg):
            return True
        if op.nowhere is not None and op.nowhere(span, arg):
            return False
    except TypeError:  # a bound where the argument is of another kind (text): nothing follows
        return None
    return None


# ---------------------------------------------------------------------------------------- arguments


def item_fact(fact: Fact) -> Fact:
    """The fact of one item of a list fact."""
    return Fact(fact.path, fact.item or "string", values=fact.values)


def type_name(fact: Fact) -> str:
    """A fact's type in words, for messages."""
    if fact.type == "list":
        return f"a list of {fact.item}"
    return {"records": "a list of records", "enum": "one of a fixed set of values"}.get(fact.type, f"a {fact.type}")


def scalar(fact: Fact, value: Any, path: Path) -> Any:
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
            iso_day(value)
        except ValueError:
            raise CompileError(path, "E106", f"expected a date YYYY-MM-DD, found {value!r}") from None
    elif kind == "country" and not countries.is_country(value):
        hint = countries.suggest(value)
        raise CompileError(path, "E107", f"unknown country code {value!r}" + (f"; {hint}" if hint else ""))
    elif kind == "enum" and fact.values and value not in fact.values:
        close = closest(value, list(fact.values), 0.6)
        raise CompileError(
            path,
            "E106",
            f"'{value}' is not a value of {fact.path}"
            + (f"; did you mean '{close}'?" if close else f"; expected one of: {', '.join(fact.values)}"),
        )
    return value


DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def value_schema(fact: Fact) -> dict[str, Any]:
    """The JSON Schema of one literal of ``fact``'s type (what ``scalar`` accepts)."""
    kind = fact.type
    if kind in ("list", "records"):
        return value_schema(item_fact(fact)) if kind == "list" else {"type": "object"}
    if kind in ("number", "integer", "boolean"):
        return {"type": kind}
    if kind == "date":
        return {"type": "string", "pattern": DATE_PATTERN, "description": "A date, YYYY-MM-DD."}
    if kind == "country":
        return {"type": "string", "pattern": "^[A-Z]{2}$", "description": "An ISO 3166-1 alpha-2 country code."}
    if kind == "enum" and fact.values:
        return {"enum": list(fact.values)}
    return {"type": "string"}


def values_schema(items: bool) -> Callable[[Fact], dict[str, Any]]:
    """A non-empty list of literals (of the fact, or of its items), or the name of a pack set."""

    def schema(fact: Fact) -> dict[str, Any]:
        one = value_schema(item_fact(fact) if items else fact)
        return {
            "anyOf": [
                {"type": "array", "minItems": 1, "items": one},
                {"type": "string", "description": "The name of a set of pack.yaml."},
            ]
        }

    return schema


def _pair_schema(fact: Fact) -> dict[str, Any]:
    one = value_schema(fact)
    return {"type": "array", "items": [one, one], "minItems": 2, "maxItems": 2, "additionalItems": False}


def _flag_schema(fact: Fact) -> dict[str, Any]:
    return {"type": "boolean"}


def _regex_schema(fact: Fact) -> dict[str, Any]:
    return {"type": "string", "format": "regex", "description": "A regular expression (Python syntax)."}


def pattern_schema(fact: Fact) -> dict[str, Any]:
    """A records pattern: each key a field of the records, its value a literal, a list of them (any of), or a
    mapping of one operator that may test a key inside a pattern."""
    keys: dict[str, Any] = {}
    for key, sub in fact.subfields.items():
        one = value_schema(sub)
        ops = {n: o.schema(sub) for n, o in OPERATORS.items() if o.in_pattern and sub.type in o.types and n != "exists"}
        keys[key] = {
            "anyOf": [
                one,
                {"type": "array", "minItems": 1, "items": one},
                {
                    "type": "object",
                    "minProperties": 1,
                    "maxProperties": 1,
                    "properties": ops,
                    "additionalProperties": False,
                },
            ],
            **({"description": sub.description} if sub.description else {}),
        }
    return {"type": "object", "minProperties": 1, "properties": keys, "additionalProperties": False}


def _item_or_pattern_schema(fact: Fact) -> dict[str, Any]:
    return pattern_schema(fact) if fact.type == "records" else value_schema(item_fact(fact))


def _flag(name: str) -> Callable[[Context, Fact, Any, Path], Any]:
    def argument(ctx: Context, fact: Fact, arg: Any, path: Path) -> Any:
        if not isinstance(arg, bool):
            raise CompileError(path, "E204", f"'{name}' expects true or false")
        return arg

    return argument


def _value(ctx: Context, fact: Fact, arg: Any, path: Path) -> Any:
    return scalar(fact, arg, path)


def _values(items: bool) -> Callable[[Context, Fact, Any, Path], Any]:
    """The argument of ``in``, ``not_in`` (values of the fact) or ``contains_any`` (values of its items)."""

    def argument(ctx: Context, fact: Fact, arg: Any, path: Path) -> Any:
        values = ctx.set_or_list(arg, path)
        item = item_fact(fact) if items else fact
        errors: list[CompileError] = []
        out = []
        for i, v in enumerate(values):
            try:
                out.append(scalar(item, v, path + (str(i),)))
            except CompileError as exc:
                errors.extend(exc.all)
        if errors:
            raise CompileError.many(errors)
        return frozenset(out)

    return argument


def _pair(ctx: Context, fact: Fact, arg: Any, path: Path) -> Any:
    if not isinstance(arg, list) or len(arg) != 2:
        raise CompileError(path, "E204", "'between' expects [low, high]")
    low, high = (scalar(fact, v, path) for v in arg)
    if low > high:
        raise CompileError(path, "E204", f"'between' bounds are reversed: {low} > {high}")
    return (low, high)


def _regex(ctx: Context, fact: Fact, arg: Any, path: Path) -> Any:
    if not isinstance(arg, str):
        raise CompileError(path, "E203", "'matches' expects a regular expression as text")
    try:
        return re.compile(arg)
    except re.error as exc:
        raise CompileError(path, "E203", f"invalid regular expression: {exc}") from None


class Pattern(dict[str, Any]):
    """A records pattern, normalised: ``{key: (operator name, normalised argument)}``; true of a list of
    records when some record satisfies every key."""


def _item_or_pattern(ctx: Context, fact: Fact, arg: Any, path: Path) -> Any:
    if fact.type == "records":
        if not isinstance(arg, dict) or not arg:
            raise CompileError(
                path, "E204", f"{fact.path} holds records: 'contains' expects a pattern such as {{kind: airport}}"
            )
        errors: list[CompileError] = []
        keys = {}
        for k, v in arg.items():
            try:
                keys[k] = ctx.pattern(fact, k, v, path + (k,))
            except CompileError as exc:
                errors.extend(exc.all)
        if errors:
            raise CompileError.many(errors)
        return Pattern(keys)
    return scalar(item_fact(fact), arg, path)


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


# ---------------------------------------------------------------------------------------- comparisons


def _constants(w: Writer, value: Any, hint: str) -> Any:
    return tuple(w.constant(a) for a in value) if isinstance(value, tuple) else w.constant(value, hint)


def compared(w: Writer, op: Operator, value: Any, hint: str, v: str) -> tuple[str, str]:
    """A comparison's test of local ``v`` (not None) as two expressions: on an exact value (its ``expr``), and on
    a bound (through ``compare``). The compiled evaluator picks one by what the value is."""
    return _compared(w, op.name, op.expr, value, hint, v)


def _compared(w: Writer, name: str, expr: str, value: Any, hint: str, v: str) -> tuple[str, str]:
    a = _constants(w, value, hint)
    literal = f"({a[0]}, {a[1]})" if isinstance(a, tuple) else a
    return expr.format(v=v, a=a), f"compare({name!r}, {v}, {literal})"


def comparison(
    name: str,
    expr: str,
    holds: Callable[[Any, Any], bool],
    throughout: Callable[[Ends, Any], bool],
    nowhere: Callable[[Ends, Any], bool],
    **fields: Any,
) -> Operator:
    """An operator that compares a scalar with its argument: exact values by ``holds`` (written ``expr`` in
    generated code), bounds by ``throughout`` and ``nowhere`` (both through ``compare``)."""

    def test(fact: Fact, arg: Any) -> tuple[Test, Witness]:
        def check(v: Any) -> Truth:
            if v is None:
                return None
            if not isinstance(v, BOUNDS):
                return holds(v, arg)
            return compare(name, v, arg)

        return check, _none

    def code(w: Writer, value: Any, hint: str, v: str, out: str, kinds: Kinds) -> None:
        exact, bound = _compared(w, name, expr, value, hint, v)
        w.emit(f"{out} = {exact} if not {kinds.bound} else {bound}")

    fields.setdefault("argument", _value)
    fields.setdefault("types", ORDERED)
    return Operator(
        name,
        test=test,
        code=code,
        asks=("bound",),
        expr=expr,
        holds=holds,
        throughout=throughout,
        nowhere=nowhere,
        **fields,
    )


def _point(holds: Callable[[Any, Any], bool]) -> Callable[[Ends, Any], bool]:
    """An equality holds throughout a bound only when its ends meet."""
    return lambda e, arg: e.high is not None and e.low == e.high and holds(e.low, arg)


def _admits(e: Ends, x: Any) -> bool:
    """Whether the bound admits the value ``x``."""
    above = e.low is None or e.low < x or (e.low == x and not e.low_open)
    below = e.high is None or x < e.high or (x == e.high and not e.high_open)
    return above and below


def _above(e: Ends, t: Any, strict: bool) -> bool:
    """Every value admitted is > t (``strict``) or >= t."""
    if e.low is None:
        return False
    return e.low > t or (e.low == t and (e.low_open or not strict))


def _below(e: Ends, t: Any, strict: bool) -> bool:
    """Every value admitted is < t (``strict``) or <= t."""
    if e.high is None:
        return False
    return e.high < t or (e.high == t and (e.high_open or not strict))


def _members(arg: Any) -> list[Any]:
    """The members of an ``in`` set a bound can be compared with: numbers, and days (``2018-06-01``) for a
    range of days. An equality on a bound is decided false only against these; against other text it stays
    unknown."""
    return [x for x in arg if _number(x) or _day(x)]


def _day(x: Any) -> bool:
    return isinstance(x, str) and len(x) == 10 and _DAY.fullmatch(x) is not None


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _one_number(arg: Any) -> list[float]:
    return [float(arg)] if _number(arg) else []


def _ranged(make: Callable[[float], Range]) -> Callable[[Any], Range | None]:
    """The range of a comparison with one number, made from the number; None for any other argument."""
    return lambda arg: make(float(arg)) if _number(arg) else None


def _between_range(arg: Any) -> Range | None:
    if isinstance(arg, list) and len(arg) == 2 and all(_number(a) for a in arg):
        return (float(arg[0]), False), (float(arg[1]), False)
    return None


def _text_of(value: Any) -> tuple[str, ...] | None:
    return (value,) if isinstance(value, str) else None


def _texts_in(value: Any) -> tuple[str, ...] | None:
    return tuple(value) if all(isinstance(a, str) for a in value) else None


INF = math.inf
_equals = comparison(
    "equals",
    "{v} == {a}",
    lambda v, a: v == a,
    _point(lambda v, a: v == a),
    lambda e, a: (_number(a) or _day(a)) and not _admits(e, a),
    types=SCALAR_TYPES,
    aliases=("==",),
    texts=_text_of,
    range=_ranged(lambda x: ((x, False), (x, False))),
    summary="the fact equals V",
)
_in = comparison(
    "in",
    "{v} in {a}",
    lambda v, a: v in a,
    _point(lambda v, a: v in a),
    lambda e, a: not any(_admits(e, x) for x in _members(a)) and len(_members(a)) == len(a),
    types=SCALAR_TYPES,
    argument=_values(items=False),
    schema=values_schema(items=False),
    sets=True,
    texts=_texts_in,
    summary="the fact is one of the values (or of the pack set named SET)",
)
_not_in = comparison(
    "not_in",
    "{v} not in {a}",
    lambda v, a: v not in a,
    lambda e, a: not any(_admits(e, x) for x in _members(a)) and len(_members(a)) == len(a),
    _point(lambda v, a: v in a),
    types=SCALAR_TYPES,
    argument=_values(items=False),
    schema=values_schema(items=False),
    sets=True,
    summary="the fact is known and none of the values",
)
_gt = comparison(
    "gt",
    "{v} > {a}",
    lambda v, a: v > a,
    lambda e, a: _above(e, a, True),
    lambda e, a: _below(e, a, False),
    aliases=(">",),
    thresholds=_one_number,
    range=_ranged(lambda x: ((x, True), (INF, False))),
    summary="the comparison holds",
)
_gte = comparison(
    "gte",
    "{v} >= {a}",
    lambda v, a: v >= a,
    lambda e, a: _above(e, a, False),
    lambda e, a: _below(e, a, True),
    aliases=(">=",),
    thresholds=_one_number,
    range=_ranged(lambda x: ((x, False), (INF, False))),
    summary="the comparison holds",
)
_lt = comparison(
    "lt",
    "{v} < {a}",
    lambda v, a: v < a,
    lambda e, a: _below(e, a, True),
    lambda e, a: _above(e, a, False),
    aliases=("<",),
    thresholds=_one_number,
    range=_ranged(lambda x: ((-INF, False), (x, True))),
    summary="the comparison holds",
)
_lte = comparison(
    "lte",
    "{v} <= {a}",
    lambda v, a: v <= a,
    lambda e, a: _below(e, a, False),
    lambda e, a: _above(e, a, True),
    aliases=("<=",),
    thresholds=_one_number,
    range=_ranged(lambda x: ((-INF, False), (x, False))),
    summary="the comparison holds",
)
_between = comparison(
    "between",
    "{a[0]} <= {v} <= {a[1]}",
    lambda v, a: a[0] <= v <= a[1],
    lambda e, a: _above(e, a[0], False) and _below(e, a[1], False),
    lambda e, a: _below(e, a[0], True) or _above(e, a[1], True),
    argument=_pair,
    schema=_pair_schema,
    thresholds=lambda arg: [float(a) for a in arg if _number(a)] if isinstance(arg, list) and len(arg) == 2 else [],
    range=_between_range,
    summary="LOW <= fact <= HIGH",
)


# ---------------------------------------------------------------------------------------- lists and the rest


def list_test(item: Callable[[Any], Truth]) -> Test:
    """True when some item passes ``item``; a partial list is never false, only unknown."""

    def test(v: Any) -> Truth:
        if v is None:
            return None
        result = kleene_any(item(x) for x in v)
        if result is not True and isinstance(v, PartialList):
            return None
        return result

    return test


def _matches_test(fact: Fact, pattern: Any) -> tuple[Test, Witness]:
    def test(v: Any) -> Truth:
        if v is None:
            return None
        if isinstance(v, list):
            return (
                True
                if any(isinstance(x, str) and pattern.search(x) for x in v)
                else (None if isinstance(v, PartialList) else False)
            )
        return bool(pattern.search(str(v)))

    return test, lambda v: [x for x in (v if isinstance(v, list) else [v]) if isinstance(x, str) and pattern.search(x)]


def _matches_code(w: Writer, value: Any, hint: str, v: str, out: str, kinds: Kinds) -> None:
    pattern, x = w.constant(value), w.fresh("x")
    w.emit(f"if {kinds.islist}:")
    w.emit(f"    {out} = False")
    w.emit(f"    for {x} in {v}:")
    w.emit(f"        if isinstance({x}, str) and {pattern}.search({x}):")
    w.emit(f"            {out} = True")
    w.emit("            break")
    w.emit(f"    if {out} is False and {kinds.partial}:")
    w.emit(f"        {out} = None")
    w.emit("else:")
    w.emit(f"    {out} = {pattern}.search(str({v})) is not None")


def covered(v: Any, pattern: Pattern) -> bool:
    """Whether a partial list is complete for what ``pattern`` asks: it is known to hold every record whose
    key ``k`` has one of the values ``v.complete_on[k]``, and the pattern accepts only such values of some key
    (``{list: eu_sanctions}`` on the listings of a case that checked the EU list)."""
    complete = getattr(v, "complete_on", None)
    if not complete:
        return False
    for key, (op, arg) in pattern.items():
        texts = OPERATORS[op].texts(arg)
        if texts is not None and key in complete and set(texts) <= complete[key]:
            return True
    return False


def _contains_test(fact: Fact, value: Any) -> tuple[Test, Witness]:
    if isinstance(value, Pattern):
        keys = {k: OPERATORS[op].test(fact, arg)[0] for k, (op, arg) in value.items()}

        def record(x: dict[str, Any]) -> Truth:
            return kleene_all(p(x.get(k)) for k, p in keys.items())

        partly = list_test(record)

        def test(v: Any) -> Truth:
            result = partly(v)
            if result is None and isinstance(v, PartialList) and covered(v, value):
                return kleene_any(record(x) for x in v)  # complete for what the pattern asks
            return result

        return test, lambda v: [x for x in v or [] if record(x)]
    return list_test(lambda x: x == value), lambda v: [x for x in v or [] if x == value]


def _contains_code(w: Writer, value: Any, hint: str, v: str, out: str, kinds: Kinds) -> None:
    """An item of a list of scalars (a records pattern is scanned by the code generator: codegen.scan)."""
    literal, x = w.constant(value), w.fresh("x")
    if not (isinstance(value, float) and math.isnan(value)):  # `in` on a list also takes identity for equality
        w.emit(f"if {kinds.islist}:")
        w.emit(f"    {out} = True if {literal} in {v} else (None if {kinds.partial} else False)")
        w.emit("else:")
    else:
        w.emit("if True:")
    w.emit(f"    {out} = False")
    w.emit(f"    for {x} in {v}:")
    w.emit(f"        if {x} == {literal}:")
    w.emit(f"            {out} = True")
    w.emit("            break")


def _contains_any_test(fact: Fact, value: Any) -> tuple[Test, Witness]:
    return list_test(lambda x: True if x in value else False), lambda v: [x for x in v or [] if x in value]


def _contains_any_code(w: Writer, value: Any, hint: str, v: str, out: str, kinds: Kinds) -> None:
    w.emit(f"if {w.constant(value, hint)}.isdisjoint({v}):")
    w.emit(f"    {out} = None if {kinds.partial} else False")
    w.emit("else:")
    w.emit(f"    {out} = True")


def _empty_test(fact: Fact, value: Any) -> tuple[Test, Witness]:
    def test(v: Any) -> Truth:
        if v is None:
            return None
        if isinstance(v, PartialList):
            return (False if value else True) if v else None
        return (len(v) == 0) == value

    return test, _none


def _empty_code(w: Writer, value: Any, hint: str, v: str, out: str, kinds: Kinds) -> None:
    w.emit(f"if {kinds.partial}:")
    w.emit(f"    {out} = {'False' if value else 'True'} if {v} else None")
    w.emit("else:")
    w.emit(f"    {out} = (len({v}) == 0) is {value}")


def _exists_test(fact: Fact, value: Any) -> tuple[Test, Witness]:
    return (lambda v: (v is not None) == value), _none


def _exists_code(w: Writer, value: Any, hint: str, v: str, out: str, kinds: Kinds) -> None:
    w.emit(f"{out} = {v} is {'not ' if value else ''}None")


for _op in (
    _equals,
    _in,
    _not_in,
    _gt,
    _gte,
    _lt,
    _lte,
    _between,
    Operator(
        "matches",
        ("string", "list", "enum", "country"),
        _regex,
        _matches_test,
        _matches_code,
        schema=_regex_schema,
        summary="the regex matches (any item)",
        asks=("partial", "islist"),
        on_empty_list=lambda value: False,
        witnesses=True,
    ),
    Operator(
        "contains",
        LISTS,
        _item_or_pattern,
        _contains_test,
        _contains_code,
        schema=_item_or_pattern_schema,
        in_pattern=False,
        summary="V is an item; or some record matches every key of the pattern",
        asks=("partial", "islist"),
        on_empty_list=lambda value: False,
        witnesses=True,
    ),
    Operator(
        "contains_any",
        ("list",),
        _values(items=True),
        _contains_any_test,
        _contains_any_code,
        schema=values_schema(items=True),
        sets=True,
        in_pattern=False,
        summary="some item is one of the values",
        asks=("partial",),
        on_empty_list=lambda value: False,
        witnesses=True,
    ),
    Operator(
        "empty",
        LISTS,
        _flag("empty"),
        _empty_test,
        _empty_code,
        schema=_flag_schema,
        in_pattern=False,
        summary="the list is known and empty / non-empty",
        asks=("partial",),
        on_empty_list=lambda value: bool(value),
    ),
    Operator(
        "exists",
        SCALAR_TYPES + LISTS,
        _flag("exists"),
        _exists_test,
        _exists_code,
        schema=_flag_schema,
        total=True,
        summary="the fact is known / unknown (never itself unknown)",
    ),
):
    register(_op)


def operator(raw: str) -> Operator | None:
    """The operator written ``raw`` (a name or an alias), or None."""
    return OPERATORS.get(ALIASES.get(raw, raw))
