"""Run the examples a rule carries: fragments on which it must fire, and on which it must stay quiet."""

from __future__ import annotations

from typing import Any, NamedTuple

from screening.conditions import Truth
from screening.facts import with_list_type
from screening.fields import catalogue
from screening.pack import Pack, Rule

EXPECTED: dict[str, Truth] = {"fires": True, "quiet": False}


class ExampleResult(NamedTuple):
    """The outcome of one example."""

    rule: str
    kind: str
    """``fires`` or ``quiet``."""
    index: int
    fragment: dict[str, Any]
    actual: Truth
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.error and self.actual is EXPECTED[self.kind]

    @property
    def message(self) -> str:
        if self.error:
            return self.error
        word = {True: "fired", False: "stayed quiet", None: "was undecided (a fact it reads is unknown)"}
        return f"expected the rule to {'fire' if self.kind == 'fires' else 'stay quiet'}; it {word[self.actual]}"


def fragment_values(fragment: dict[str, Any]) -> dict[str, Any]:
    """Flatten a fragment in the catalogue's shape (``{investor: {country: CN}}``) into fact values."""
    facts = catalogue()
    values: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else key
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


def run_rule_examples(rule: Rule) -> list[ExampleResult]:
    """Evaluate each example of ``rule``."""
    out = []
    for kind in ("fires", "quiet"):
        for i, fragment in enumerate(rule.examples.get(kind) or ()):
            try:
                values = fragment_values(fragment)
            except KeyError as exc:
                out.append(ExampleResult(rule.id, kind, i, fragment, None, f"unknown fact {exc.args[0]!r} in example"))
                continue
            out.append(ExampleResult(rule.id, kind, i, fragment, rule.condition.check(values)))
    return out


def run_examples(pack: Pack) -> list[ExampleResult]:
    """Evaluate every example of every rule in ``pack``."""
    return [r for rule in pack.rules for r in run_rule_examples(rule)]


__all__ = ["ExampleResult", "fragment_values", "run_examples", "run_rule_examples"]
