"""Run the examples a rule carries: fragments on which it must fire, and on which it must stay quiet."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from screening.case.catalogue import catalogue
from screening.case.facts import derive_foreign_states, with_list_type
from screening.case.names import OLD_FACTS, message
from screening.conditions.tree import Truth

if TYPE_CHECKING:
    from screening.pack.load import Pack, Rule
    from screening.pack.regimes import Trigger

EXPECTED: dict[str, Truth] = {"fires": True, "quiet": False}


class ExampleResult(NamedTuple):
    """The outcome of one example."""

    rule: str
    kind: str
    """``fires`` or ``quiet``."""
    index: int  # type: ignore[assignment]  # a field, where a tuple has a method
    fragment: dict[str, Any]
    actual: Truth
    error: str = ""
    unknown: tuple[str, ...] = ()
    """The facts whose being known could decide an undecided rule."""

    @property
    def passed(self) -> bool:
        return not self.error and self.actual is EXPECTED[self.kind]

    @property
    def message(self) -> str:
        if self.error:
            return self.error
        word = {True: "fired", False: "stayed quiet", None: f"was undecided: {undecided(self.unknown)}"}
        return f"expected the rule to {'fire' if self.kind == 'fires' else 'stay quiet'}; it {word[self.actual]}"


def undecided(facts: tuple[str, ...]) -> str:
    """``transaction.stake_after_pct is unknown in the example`` (named, so the author knows what to add)."""
    if not facts:
        return "a fact it reads is unknown in the example"
    names = ", ".join(facts)
    return f"{names} {'is' if len(facts) == 1 else 'are'} unknown in the example"


def fragment_values(fragment: dict[str, Any]) -> dict[str, Any]:
    """Flatten a fragment in the catalogue's shape (``{investor: {country: CN}}``) into fact values."""
    facts = catalogue()
    values: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else key
            path = OLD_FACTS.get(path, path) if path not in facts else path  # an old name, read as the new one
            if path in facts:
                if facts[path].type == "records" and isinstance(value, list):
                    value = [with_list_type(r) if isinstance(r, dict) else r for r in value]
                values[path] = value
            elif isinstance(value, dict) and any(f.startswith(path + ".") for f in facts):
                walk(value, path)
            else:
                raise KeyError(path)

    walk(fragment, "")
    return values


def run_rule_examples(rule: Rule | Trigger) -> list[ExampleResult]:
    """Evaluate each example of ``rule``."""
    out = []
    for kind in ("fires", "quiet"):
        for i, fragment in enumerate(rule.examples.get(kind) or ()):
            try:
                values = derive_foreign_states(fragment_values(fragment))
            except KeyError as exc:
                out.append(ExampleResult(rule.id, kind, i, fragment, None, f"unknown fact {exc.args[0]!r} in example"))
                continue
            wrong = [w for w in fragment_problems(fragment) if not w[1].startswith("W")]
            if wrong:  # `check` reports these; evaluating them could only raise (a text compared with a number)
                place, _, message = wrong[0]
                out.append(ExampleResult(rule.id, kind, i, fragment, None, f"{'.'.join(place)}: {message}"))
                continue
            actual = rule.condition.check(values)
            unknown: tuple[str, ...] = ()
            if actual is None:
                from screening.conditions.explain import trace, unknown_leaves

                leaves = unknown_leaves(trace(rule.condition, values))
                unknown = tuple(dict.fromkeys(t.node.field for t in leaves if t.node.field))
            out.append(ExampleResult(rule.id, kind, i, fragment, actual, unknown=unknown))
    return out


Place = tuple[str, ...]


def fragment_problems(fragment: dict[str, Any]) -> list[tuple[Place, str, str]]:
    """(key path inside the fragment, code, message) for each fact of a fragment of facts (a rule's example, a
    pack test's ``facts``) that the catalogue does not know (E201) or whose value is of the wrong type (E103),
    which a condition could not compare: what ``screening test`` would choke on, ``screening check`` reports;
    and a warning (W380) for a fact under its old name (``transaction.voting_after_pct``), read as the new one."""
    from screening.infra.errors import closest

    facts = catalogue()
    out: list[tuple[Place, str, str]] = []

    def walk(node: dict[str, Any], prefix: str, place: Place) -> None:
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else key
            if path in OLD_FACTS and path not in facts:  # an old name: a warning, and read as the new one
                out.append(((*place, key), "W380", message(key)))
                path = OLD_FACTS[path]
            if path in facts:
                wrong = value_problem(facts[path], value)
                if wrong:
                    out.append(((*place, key), "E103", wrong))
            elif isinstance(value, dict) and any(f.startswith(path + ".") for f in facts):
                walk(value, path, (*place, key))
            else:
                hint = closest(path, facts)
                out.append(
                    ((*place, key), "E201", f"unknown fact '{path}'" + (f"; did you mean '{hint}'?" if hint else ""))
                )

    walk(fragment, "", ())
    return out


_SCALARS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "country": (str,),
    "enum": (str,),
    "date": (str,),
    "boolean": (bool,),
    "number": (int, float),
    "integer": (int,),
}
_WORDS = {
    "string": "text",
    "country": "a country code",
    "enum": "one of its values",
    "date": "a date YYYY-MM-DD",
    "boolean": "true or false",
    "number": "a number",
    "integer": "a whole number",
    "list": "a list",
    "records": "a list of records",
}


def value_problem(fact: Any, value: Any) -> str | None:
    """Why ``value`` cannot be a value of ``fact`` (a Fact of the catalogue), or None when it can (None, unknown,
    always can)."""
    from screening.infra.schemacheck import describe

    if value is None:
        return None
    kind = fact.type
    if kind in ("list", "records"):
        if not isinstance(value, list):
            return f"expected {_WORDS[kind]}, found {describe(value)}"
        for j, item in enumerate(value):
            wrong = _scalar_problem(fact.item or "string", item) if kind == "list" else _record_problem(fact, item)
            if wrong:
                return f"item {j + 1}: {wrong}"
        return None
    return _scalar_problem(kind, value)


def _scalar_problem(kind: str, value: Any) -> str | None:
    from screening.infra.schemacheck import describe

    types = _SCALARS.get(kind, (str,))
    if value is None or (isinstance(value, types) and not (isinstance(value, bool) and bool not in types)):
        if kind == "date" and isinstance(value, str):
            import datetime as dt

            try:
                dt.date.fromisoformat(value)
            except ValueError:
                return f"expected {_WORDS[kind]}, found {describe(value)}"
        return None
    return f"expected {_WORDS.get(kind, 'text')}, found {describe(value)}"


def _record_problem(fact: Any, record: Any) -> str | None:
    from screening.infra.schemacheck import describe

    if not isinstance(record, dict):
        return f"expected a record (a mapping), found {describe(record)}"
    for key, value in record.items():
        sub = fact.subfields.get(key)
        if sub is None:
            continue  # a record may carry more than the conditions read (sources, notes)
        if sub.type == "records" and isinstance(value, dict):  # a nested object (a site's location, say)
            wrong = _record_problem(sub, value)
        else:
            wrong = value_problem(sub, value)
        if wrong:
            return f"{key}: {wrong}"
    return None


def run_examples(pack: Pack) -> list[ExampleResult]:
    """Evaluate every example of every rule in ``pack``."""
    return [r for rule in pack.rules for r in run_rule_examples(rule)]


def example_problems(raw: dict[str, Any], report: Callable[[tuple[str, ...], str, str], None]) -> None:
    """Report each fact of a rule's (or trigger's) examples that is unknown or of the wrong type: ``check``
    must catch what would make ``test`` fail to evaluate the example."""
    for kind in ("fires", "quiet"):
        for j, fragment in enumerate((raw.get("examples") or {}).get(kind) or ()):
            for sub, code, text in fragment_problems(fragment):
                report(("examples", kind, str(j), *sub), code, text)


__all__ = [
    "ExampleResult",
    "example_problems",
    "fragment_problems",
    "fragment_values",
    "run_examples",
    "run_rule_examples",
    "value_problem",
]
